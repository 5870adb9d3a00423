"""Plumbing shared by the chapter notebooks: load validated data, name things, cite sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import sources
from .countries import name
from .validate import load


def load_trade(data_dir: str | Path) -> pd.DataFrame:
    return load("trade", Path(data_dir))


def load_products(data_dir: str | Path) -> pd.DataFrame:
    return load("trade_products", Path(data_dir))


def partner_name(iso3: str) -> str:
    return name(iso3)


def cite(frame: pd.DataFrame, data_dir: str | Path, known: dict[str, sources.Source] | None = None) -> str:
    """The short citations of the sources behind the rows of a frame, for a chart's source line.

    `known` is sources.load(data_dir), for a caller that cites many frames of one folder.
    """
    known = sources.load(Path(data_dir)) if known is None else known
    ids = [s for s in dict.fromkeys(frame["source"]) if s in known]
    return "; ".join(known[s].citation for s in sorted(ids))


def year_range(frame: pd.DataFrame, start: int | None, end: int | None) -> pd.DataFrame:
    """Rows (indexed by year) within [start, end]; None means open-ended."""
    lo = start if start is not None else frame.index.min()
    hi = end if end is not None else frame.index.max()
    return frame.loc[(frame.index >= lo) & (frame.index <= hi)]
