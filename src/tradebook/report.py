"""Helpers that notebooks call to put computed numbers and tables into the book."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd


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
    """A styled table with a fixed id (reproducible HTML) and HTML-escaped text from the data."""
    styler = frame.style.format(formats, escape="html", na_rep="–").set_uuid(name)
    styler = styler.format_index(escape="html")
    if caption:
        styler = styler.set_caption(caption)
    return styler
