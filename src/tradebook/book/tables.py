"""Tables for the pages: pandas Stylers with fixed ids (reproducible HTML) and every text escaped."""

from __future__ import annotations

import html

import pandas as pd


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
    # Long paths and checksums in cells wrap anywhere: `anywhere` (unlike `break-word`) also lowers the
    # table's narrowest width, so it fits its column. Labels wrap between words only (no "Netherl-ands");
    # those that are numbers (years) never wrap.
    styles = [
        {"selector": "td", "props": "overflow-wrap: anywhere; padding: 0.25em 0.35em;"},
        {"selector": "th", "props": "overflow-wrap: break-word; padding: 0.25em 0.35em;"},
    ]
    levels = frame.index.levels if isinstance(frame.index, pd.MultiIndex) else [frame.index]
    if all(pd.api.types.is_numeric_dtype(level) for level in levels):
        styles.append(
            {"selector": "th.row_heading, th.index_name", "props": "overflow-wrap: normal; white-space: nowrap;"}
        )
    # Numbers right-aligned by a rule per column, not per cell: pandas styles cells only where every row label
    # is unique, and two statements published on the same day are two rows under one date.
    styles += [
        {"selector": f"td.col{j}", "props": "text-align: right; white-space: nowrap;"}
        for j, dtype in enumerate(frame.dtypes)
        if pd.api.types.is_numeric_dtype(dtype)
    ]
    styler = styler.set_table_styles(styles).set_table_attributes('class="tb-table"')
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


def _escaped_names(index: pd.Index) -> list[str | None]:
    return [None if n is None else html.escape(str(n)) for n in index.names]
