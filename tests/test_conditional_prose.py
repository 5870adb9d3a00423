"""Prose that holds only for some data: markdown cells tagged if:NAME / if-not:NAME, kept or dropped by the
build from the True/False values the notebook glued; and the year lists glued into such prose."""

from __future__ import annotations

import nbformat
import pytest

from tradebook.book.errors import BuildError
from tradebook.book.glue import year_list
from tradebook.book.normalise import apply_conditions, glued_flags

PREFIX = "application/papermill.record/"


def glued(name: str, text: str) -> nbformat.NotebookNode:
    """An output as myst_nb.glue(name, value, display=False) writes it; `text` is the value's repr."""
    return nbformat.v4.new_output(
        "display_data",
        data={PREFIX + "text/plain": text},
        metadata={"scrapbook": {"mime_prefix": PREFIX, "name": name}},
    )


def notebook(*markdown: tuple[str, list[str]], **flags: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("glue(...)")
    code.outputs = [glued(name, text) for name, text in flags.items()]
    nb.cells = [code] + [nbformat.v4.new_markdown_cell(source, metadata={"tags": tags}) for source, tags in markdown]
    return nb


def sources(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def test_only_the_prose_whose_conditions_hold_is_published():
    nb = notebook(
        ("always", []),
        ("has data", ["if:has_data"]),
        ("no data", ["if-not:has_data"]),
        ("data above one", ["if:has_data", "if:above_one"]),
        ("data, not above one", ["if:has_data", "if-not:above_one"]),
        ("folded", ["hide-cell", "if:has_data"]),
        has_data="True",
        above_one="False",
        name="'True'",
    )
    apply_conditions(nb, "chapter")
    assert sources(nb) == ["always", "has data", "data, not above one", "folded"]
    # The build's tags are gone from what is published; the reader's are kept.
    assert [c.metadata.get("tags") for c in nb.cells[1:]] == [[], None, None, ["hide-cell"]]


def test_a_glued_string_is_no_flag():
    nb = notebook(name="'True'", n="1", yes="True", no="False")
    assert glued_flags(nb) == {"yes": True, "no": False}


@pytest.mark.parametrize(
    ("tags", "flags", "message"),
    [
        (["if:has_dta"], {"has_data": "True"}, "glued no True or False named 'has_dta'"),
        (["if-not:name"], {"name": "'Italy'"}, "glued no True or False named 'name'"),
    ],
)
def test_a_condition_on_no_glued_flag_stops_the_build(tags, flags, message):
    nb = notebook(("prose", tags), **flags)
    with pytest.raises(BuildError, match=message) as err:
        apply_conditions(nb, "chapter")
    assert 'notebooks/chapter.ipynb: the markdown cell "prose…"' in str(err.value)


def test_only_markdown_cells_take_conditions():
    nb = notebook(has_data="True")
    nb.cells[0].metadata["tags"] = ["if:has_data"]
    with pytest.raises(BuildError, match="only prose"):
        apply_conditions(nb, "chapter")


def test_year_lists_print_a_range_only_over_consecutive_years():
    assert year_list([2015, 2013, 2014, 2016]) == "2013–2016"
    assert year_list([2013, 2015, 2016]) == "2013, 2015, 2016"
    assert year_list([2021, 2022]) == "2021, 2022"
    assert year_list([2020]) == "2020"
