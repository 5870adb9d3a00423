"""What the book says about where it comes from: its version, its edition and what this build changed, the
files each notebook read with their checksums, each page's data vintage, and the ready citation.

The build collects it once, after the notebooks ran (or came from the cache), and hands it to every step that
writes something a reader sees: the stamp of each page, the parameters box, each chart's data package, the
"How this book was built" page and the citation page.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.contract import DATASETS
from ..data.sources import Source
from .editions import Edition

PACKAGE = "tradebook"
# Columns that say which countries a row is about, in the tidy files that have them.
ABOUT = ("reporter", "partner", "host", "investor")


def book_version() -> str:
    """The version of the book is the version of its package (pyproject.toml; CITATION.cff repeats it)."""
    return version(PACKAGE)


@dataclass(frozen=True)
class Vintage:
    """How recent a page's data are: the latest year of a source's rows about the pair, and its release."""

    source: str  # the source's short citation
    latest: int
    status: str = ""  # the release of that year, where sources.yml records it (final, preliminary)


@dataclass(frozen=True)
class Provenance:
    """Everything a page or a data package states about the build it came from."""

    edition: Edition
    version: str
    author: str
    year: str
    sources: dict[str, Source]
    reads: dict[str, dict[str, str]]  # notebook → {file read, named from the data folder on: sha256}
    vintage: dict[str, list[Vintage]]  # notebook → what its page's data are

    @property
    def citation(self) -> str:
        """The book as a reference: authors, year, title, edition, version."""
        return (
            f"{self.author} ({self.year}). {self.edition.title}. A reproducible analysis book, "
            f"edition {self.edition.slug}, version {self.version}."
        )

    def shown_parameters(self, used: dict[str, Any]) -> dict[str, Any]:
        """A notebook's parameters as a reader may see them: no folder paths, no notes text."""
        return {k: v for k, v in sorted(used.items()) if k not in ("data_dir", "notes")}


def checksums(root: Path, reads: list[str]) -> dict[str, str]:
    """The sha256 of each file a notebook read (named relative to the project), by that name.

    A file outside the project (a data folder elsewhere) is named by its folder's name and its own only:
    no machine's folders on a page.
    """
    out = {}
    for rel in sorted(reads):
        path = root / rel
        if path.is_file():
            name = rel if not rel.startswith("..") else f"{path.parent.name}/{path.name}"
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def release_status(source: Source, year: int) -> str:
    """The release (final, preliminary) of a source's rows of one year, where sources.yml records it."""
    release = source.release(year)
    return release.status or "" if release is not None else ""


def data_vintage(data_dir: Path, pair: tuple[str, str], reads: list[str], sources: dict[str, Source]) -> list[Vintage]:
    """For one page: each source of the tidy files it read, with the latest year of its rows about the pair."""
    files = {d.filename: d for d in DATASETS.values()}
    latest: dict[str, int] = {}
    for name in sorted({Path(r).name for r in reads} & set(files)):
        path = Path(data_dir) / name
        if not path.is_file():
            continue
        for source, year in _latest_years(path, pair).items():
            latest[source] = max(year, latest.get(source, 0))
    return [
        Vintage(sources[s].citation if s in sources else s, y, release_status(sources[s], y) if s in sources else "")
        for s, y in sorted(latest.items())
    ]


# What `_latest_years` found in each file for each pair: (resolved path, pair) → (sha256 of the bytes, years).
_LATEST: dict[tuple[Path, tuple[str, str]], tuple[str, dict[str, int]]] = {}


def _latest_years(path: Path, pair: tuple[str, str]) -> dict[str, int]:
    """The latest year of each source's rows about the pair in one tidy file ({} without year and source).

    Read once a process for the same bytes: every page that read trade.csv asks about the same file.
    """
    raw = path.read_bytes()
    key, digest = (path.resolve(), pair), hashlib.sha256(raw).hexdigest()
    kept = _LATEST.get(key)
    if kept is not None and kept[0] == digest:
        return kept[1]
    found: dict[str, int] = {}
    header = pd.read_csv(io.BytesIO(raw), nrows=0).columns
    if "year" in header and "source" in header:
        about = [c for c in ABOUT if c in header]
        frame = pd.read_csv(io.BytesIO(raw), usecols=["year", "source", *about], dtype={c: str for c in about})
        if about:
            frame = frame[frame[about].isin(pair).sum(axis=1) >= min(2, len(about))]
        found = {str(source): int(year) for source, year in frame.groupby("source")["year"].max().items()}
    _LATEST[key] = (digest, found)
    return found
