"""What a notebook hands to its page: numbers glued into the prose, and a clean stop when data are absent."""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd
from IPython.display import publish_display_data
from myst_nb import glue as myst_glue

from ..data.folder import journal


class NoData(Exception):  # noqa: N818 - the build matches this name to render a "no data" page
    """The chosen partner has no data for this chapter; the build renders a page that says so."""


def require(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Stop the chapter cleanly when the data it needs is absent (having told the build what it read)."""
    if frame is None or len(frame) == 0:
        report_reads()
        raise NoData(what)
    return frame


def plain(value: object) -> object:
    """numpy scalars → Python int/float: numpy 2 scalars break `{glue:text}` formatting."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def glue(name: str, value: object) -> object:
    """Glue a value for the prose without displaying it; returns the plain value."""
    value = plain(value)
    myst_glue(name, value, display=False)
    return value


def year_list(years: Iterable[int]) -> str:
    """Years as prose: a run of three or more as '2013–2020', anything else listed ('2019, 2021').

    A range printed over a gap would claim years the data do not hold.
    """
    years = sorted({int(y) for y in years})
    if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


# The mime type under which a notebook reports the files it read; the build keys its cache on them.
READS_MIME = "application/vnd.tradebook.reads+json"


def report_reads() -> None:
    """Hand the build the files this kernel read (the build runs this after a notebook's last cell)."""
    publish_display_data({READS_MIME: journal()}, {})
