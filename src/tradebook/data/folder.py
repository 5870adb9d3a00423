"""The one door to a data folder: every notebook and module loads every dataset through a `DataFolder`.

A folder validates what it loads against the contract, names the sources of rows from sources.yml,
and notes each file it reads in a journal kept per process. The build asks a notebook's kernel for
that journal when the notebook has run, and keys the notebook's cache entry on exactly those files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from . import sources
from .contract import DATASETS
from .errors import DataMissing, InputError
from .validate import MAX_PROBLEMS, already_validated, check

# Files read in this process, in the order first read, as the reader named them relative to its working
# directory (a notebook's kernel runs in notebooks/, so "../data/trade.csv"): no machine's folders in it.
_JOURNAL: dict[str, None] = {}


def record_read(path: str | Path) -> None:
    """Note that this process read (or looked for) a file, so the build's cache can key on it."""
    _JOURNAL[os.path.relpath(path)] = None


def journal() -> list[str]:
    """Every file noted by `record_read` in this process, in the order first read."""
    return list(_JOURNAL)


class DataFolder:
    """The tidy files of one data folder, each validated on first load and kept for the next."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._frames: dict[str, pd.DataFrame] = {}
        self._sources: dict[str, sources.Source] | None = None

    def __repr__(self) -> str:
        return f"DataFolder({str(self.path)!r})"

    def file(self, filename: str) -> Path:
        """The path of a file in the folder, noted as read (it may be absent: its appearance counts too)."""
        path = self.path / filename
        record_read(path)
        return path

    def label(self, name: str) -> str:
        """How messages name a dataset's file: the folder's own name and the file, e.g. data/trade.csv."""
        return f"{self.path.resolve().name}/{DATASETS[name].filename}"

    def has(self, name: str) -> bool:
        return self.file(DATASETS[name].filename).is_file()

    def load(self, name: str) -> pd.DataFrame:
        """The validated frame of a dataset; DataMissing when its file is absent, InputError when it is bad."""
        if name not in self._frames:
            path = self.file(DATASETS[name].filename)
            if not path.is_file():
                raise DataMissing(f"{self.label(name)} is not in this book's data")
            frame, problems = check(path, DATASETS[name], rules=not already_validated(path))
            if problems:
                raise InputError(problems[:MAX_PROBLEMS])
            # The line numbers serve error messages only; pandas deep-copies attrs in every operation.
            frame.attrs.pop("lines", None)
            self._frames[name] = frame
        return self._frames[name].copy(deep=False)

    def sources(self) -> dict[str, sources.Source]:
        """The sources of sources.yml by id, read once."""
        if self._sources is None:
            self._sources = sources.read(self.file(sources.FILENAME))
        return self._sources

    def sources_of(self, rows: pd.DataFrame) -> list[sources.Source]:
        """The sources behind some rows, by id: what a chart's source line and its data package name."""
        if not len(rows):
            return []
        known = self.sources()
        return [known[s] for s in sorted(set(rows["source"])) if s in known]

    def cite(self, rows: pd.DataFrame) -> str:
        """The short citations of the sources behind some rows, for a chart's or a table's source line."""
        return "; ".join(s.citation for s in self.sources_of(rows))
