"""The data behind each chart and table, offered on the page as a CSV file."""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import publish_display_data

# The mime type of a download declared by a notebook; the build turns it into a link (normalise.py).
DOWNLOAD_MIME = "application/vnd.tradebook.download+json"
# The mime type of a chart's live spec and data (book.vega.show): the build turns it into the live chart's
# placeholder and the chart's downloads. Here, not in vega.py, so the build need not import Altair to read it.
CHART_MIME = "application/vnd.tradebook.chart+json"


def csv_text(frame: pd.DataFrame | pd.Series) -> str:
    """The frame as CSV text, the same bytes on every run; the index is kept unless it is 0, 1, 2…"""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    keep_index = not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names)
    return frame.to_csv(index=keep_index, lineterminator="\n")


def check_name(name: str) -> None:
    """A download's name becomes part of a file name: lower-case letters, digits, dashes, underscores."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ValueError(f"download name must be lower-case letters, digits, dashes or underscores, got {name!r}")


def download(frame: pd.DataFrame | pd.Series, name: str) -> None:
    """Offer the tidy data behind the table just shown as a CSV file, linked under it (a chart's comes with
    `vega.show`).

    The CSV travels inside the executed notebook (so a notebook reused from the build cache still
    has it); the build writes it beside the page and replaces this output with a download link.
    `name` (lower case, digits, dashes, underscores) becomes part of the file name, after the chapter's.
    """
    check_name(name)
    publish_display_data({DOWNLOAD_MIME: {"name": name, "csv": csv_text(frame)}, "text/plain": f"Data: {name}.csv"})
