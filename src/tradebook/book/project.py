"""Where the project's files are, found from the working directory, and a clean copy of them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """The nearest folder upwards holding `_config.yml` (the book's root)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "notebooks").is_dir():
            return folder
    raise FileNotFoundError(f"no book found: no _config.yml with notebooks/ above {here}")


def copy_project(root: Path, dest: Path) -> Path:
    """Copy the files git tracks (or would track) to `dest`: a clean tree to build or break elsewhere."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    for rel in listed:
        src = root / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest
