"""The build's cache of executed notebooks, keyed on everything that went into each one.

An entry holds an executed notebook with the key of its source, parameters, package code and pinned
requirements, and the checksum of every file it read, named relative to the project root: a copied or
moved project checks its own files, never the original's. A failed run is never stored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def digest(*parts: bytes) -> str:
    """One sha256 over several byte strings (each hashed first, so their boundaries count)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def code_digest(root: Path) -> str:
    """One hash of the package source and the pinned requirements: both change what notebooks compute."""
    files = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    parts = [p.relative_to(PACKAGE).as_posix().encode() + p.read_bytes() for p in files]
    req = root / "requirements.txt"
    parts.append(req.read_bytes() if req.is_file() else b"")
    parts.append(sys.version.encode())
    return digest(*parts)


def file_digest(path: Path) -> str | None:
    """The sha256 of a file, or None when it is absent (a file that appears later counts as a change)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


class Cache:
    """Executed copies of the notebooks of one edition, in `folder`, for the project at `root`."""

    def __init__(self, root: Path, folder: Path):
        self.root = root
        self.folder = folder

    def lookup(self, name: str, key: str) -> tuple[Path | None, str]:
        """The executed notebook stored under this key if no file it read has changed since; else why not."""
        entry = self.folder / name
        meta = self.entry(name)
        out = entry / "executed.ipynb"
        if meta is None or not out.is_file():
            return None, "no earlier run"
        if meta.get("key") != key:
            return None, "the notebook, its parameters, the package code or the pins changed"
        changed = [rel for rel, d in meta.get("reads", {}).items() if file_digest(self.root / rel) != d]
        if changed:
            return None, f"{changed[0]} changed" + (f" (and {len(changed) - 1} more)" if len(changed) > 1 else "")
        return out, "inputs unchanged"

    def entry(self, name: str) -> dict | None:
        """What the cache knows of a notebook's last successful run: key, files read, seconds."""
        meta_path = self.folder / name / "key.json"
        return json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else None

    def store(self, name: str, key: str, executed: Path, reads: list[str], seconds: float) -> Path:
        """Keep an executed notebook; `reads` are the files it read, relative to the project root."""
        entry = self.folder / name
        entry.mkdir(parents=True, exist_ok=True)
        out = entry / "executed.ipynb"
        shutil.copyfile(executed, out)
        reads_digest = {rel: file_digest(self.root / rel) for rel in sorted(set(reads))}
        meta = {"key": key, "reads": reads_digest, "seconds": round(seconds, 1)}
        (entry / "key.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        return out
