"""The chapters' own code run in this process, on any data folder: what the property tests feed mutated data
through. No kernel, papermill or Jupyter Book (seconds per book instead of minutes); every code cell of the
notebook runs as written, with the edition's parameters, and only what leaves the process is dropped: glued
values, downloads, and displayed tables once rendered, and the charts' static images, which are not drawn.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

import IPython.display
import pytest
from conftest import ROOT

from tradebook.book import downloads as downloads_module
from tradebook.book import glue, toc, vega
from tradebook.data import folder as folder_module

NOTEBOOKS = ROOT / "notebooks"


def _nothing(*args: Any, **kwargs: Any) -> None:
    """Stands in for what would leave the process (a glue, a published output)."""


def _rendered(*objects: Any, **kwargs: Any) -> None:
    """display(): each object rendered as the page would get it (a table's styles fail only then), then dropped."""
    for shown in objects:
        render = getattr(shown, "_repr_html_", None)
        if render is not None:
            render()


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Outputs dropped once made, charts specified but not drawn, the working directory the notebooks run in."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(IPython.display, "display", _rendered)
        mp.setattr(glue, "myst_glue", _nothing)
        mp.setattr(glue, "publish_display_data", _nothing)
        mp.setattr(downloads_module, "publish_display_data", _nothing)
        mp.setattr(vega, "publish_display_data", _nothing)
        mp.setattr(vega, "static_svg", lambda spec: "")
        mp.chdir(NOTEBOOKS)
        yield


@cache
def cells(name: str) -> tuple[tuple[bool, CodeType], ...]:
    """The notebook's code cells compiled once, each with whether it is the `parameters` cell."""
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return tuple(
        (
            "parameters" in cell["metadata"].get("tags", []),
            compile("".join(cell["source"]), f"{name}.ipynb, cell {i}", "exec"),  # tracebacks name the cell
        )
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
    )


def names() -> list[str]:
    """The chapters that are notebooks, in the order of the book."""
    return [nb.stem for nb in toc.notebooks(ROOT)]


def run(name: str, parameters: dict[str, Any]) -> set[str]:
    """Run one chapter's code with `parameters` (inside `offline()`); the names of the files it read.

    A chapter that stops cleanly because its data are absent (`glue.require`) has run as the book would.
    """
    namespace: dict[str, Any] = {"display": _rendered}
    reads: dict[str, None] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(folder_module, "_JOURNAL", reads)
        try:
            for is_parameters, code in cells(name):
                exec(code, namespace)
                if is_parameters:
                    namespace.update(parameters)
        except glue.NoData:
            pass
    return {Path(path).name for path in reads}


def glued(name: str, **parameters: Any) -> dict[str, object]:
    """Run one chapter's code in this process with `parameters`; the values it glued (a Markdown glue: its text).

    The values `conftest.run_notebook` reads back from a kernel's outputs, without a kernel, papermill or the
    charts' images: for tests of what a chapter computes, not of how the build executes it.
    """
    found: dict[str, object] = {}

    def record(key: str, value: object, display: bool = True) -> None:
        found[key] = value.data if isinstance(value, IPython.display.Markdown) else value

    with offline(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(glue, "myst_glue", record)
        run(name, parameters)
    return found
