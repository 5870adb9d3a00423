"""Whether `tradebook build` has anything to do, answered before anything heavy is imported.

A successful build records, under a key made of its command line, a digest of every file it read: the
book's files, the data folder, the edition files, the package code and the pinned requirements. The same
command line over the same files is then up to date in milliseconds, without resolving the edition
(pydantic, pandas) or validating anything; any other case goes on to the build and its own checks.
This module imports only the standard library and the cache's hashing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .cache import code_digest, digest

REQUESTS = Path("_build") / ".cache" / "requests"


class Request:
    """One command line's build of the project at `root`; `arguments` are those that change what it builds."""

    def __init__(self, root: Path, arguments: dict[str, Any]):
        self.root = root
        # Relative paths on the command line are read from the working directory: it belongs to the request.
        where = os.path.relpath(Path.cwd(), root)
        key = digest(json.dumps([where, arguments], sort_keys=True, default=str).encode())
        self.path = root / REQUESTS / f"{key[:32]}.json"

    def _digest(self, read: list[str]) -> str:
        files: list[Path] = []
        for rel in read:
            path = self.root / rel
            files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        # Named relative to the project, as the build's own check names them: a copied project is up to date too.
        parts = [os.path.relpath(p, self.root).encode() + p.read_bytes() for p in files if p.is_file()]
        return digest(code_digest(self.root).encode(), *parts)

    def up_to_date(self) -> Path | None:
        """The published book's folder when this command line built it from exactly the files there now."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        target = self.root / record["target"]
        return target if target.is_dir() and record["digest"] == self._digest(record["read"]) else None

    def reading(self, read: list[Path]) -> dict[str, Any]:
        """What the build is about to read (files and folders) with their digest, taken before it reads them."""
        names = sorted({os.path.relpath(p, self.root) for p in read})
        return {"read": names, "digest": self._digest(names)}

    def record(self, target: Path, reading: dict[str, Any]) -> None:
        """Note that this command line's book at `target` was built from what `reading` describes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        part.write_text(json.dumps({"target": os.path.relpath(target, self.root), **reading}, indent=1), "utf-8")
        part.replace(self.path)
