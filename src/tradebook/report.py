"""Helpers that notebooks call to put computed numbers and tables into the book."""

from __future__ import annotations

import html
import numbers
import re
import sys

import numpy as np
import pandas as pd

# The mime type of a download declared by a notebook; the build turns it into a link (published.py).
DOWNLOAD_MIME = "application/vnd.tradebook.download+json"


class NoData(Exception):  # noqa: N818 - the build matches this name to render a "no data" page
    """The chosen partner has no data for this chapter; the build renders a page that says so."""


def require(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Stop the chapter cleanly when the data it needs is absent."""
    if frame is None or len(frame) == 0:
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
    from myst_nb import glue as _glue

    value = plain(value)
    _glue(name, value, display=False)
    return value


def glue_all(values: dict[str, object], prefix: str = "") -> dict[str, object]:
    return {k: glue(prefix + k, v) for k, v in values.items()}


def table(
    frame: pd.DataFrame,
    formats: dict[str, str] | str | None = None,
    name: str = "table",
    caption: str | None = None,
):
    """A styled table with a fixed id (reproducible HTML) and HTML-escaped text from the data.

    Cells, row and column labels, the names of the index levels and the caption are all escaped:
    pandas leaves the last three raw, and country or product names reach them.
    """
    frame = frame.rename_axis(index=_escaped_names(frame.index), columns=_escaped_names(frame.columns))
    styler = frame.style.format(formats, escape="html", na_rep="–").set_uuid(name)
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    # Long paths and checksums wrap instead of running off the page; row labels (years) never do.
    styler = styler.set_table_styles(
        [
            {"selector": "td, th", "props": "overflow-wrap: break-word; padding: 0.25em 0.7em;"},
            {"selector": "th.row_heading, th.index_name", "props": "overflow-wrap: normal; white-space: nowrap;"},
        ]
    )
    numbers = frame.select_dtypes("number").columns
    if len(numbers):
        styler = styler.set_properties(subset=list(numbers), **{"text-align": "right", "white-space": "nowrap"})
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


def _escaped_names(index: pd.Index) -> list[str | None]:
    return [None if n is None else html.escape(str(n)) for n in index.names]


def csv_text(frame: pd.DataFrame | pd.Series) -> str:
    """The frame as CSV text, the same bytes on every run; the index is kept unless it is 0, 1, 2…"""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    keep_index = not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names)
    return frame.to_csv(index=keep_index, lineterminator="\n")


def download(frame: pd.DataFrame | pd.Series, name: str) -> None:
    """Offer the tidy data behind the chart or table just shown as a CSV file, linked under it.

    The CSV travels inside the executed notebook (so a notebook reused from the build cache still
    has it); the build writes it beside the page and replaces this output with a download link.
    `name` (lower case, digits, dashes, underscores) becomes part of the file name, after the chapter's.
    """
    from IPython.display import publish_display_data

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ValueError(f"download name must be lower-case letters, digits, dashes or underscores, got {name!r}")
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and pyplot.get_fignums():
        pyplot.show()  # the chart first, then its data link under it
    publish_display_data({DOWNLOAD_MIME: {"name": name, "csv": csv_text(frame)}, "text/plain": f"Data: {name}.csv"})
