"""Notebooks are prose over numbers: no function of their own, and every parameter they declare reaches them."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from tradebook.book import toc

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_define_no_functions(path: Path):
    """Computing belongs in tradebook.analysis, presentation in tradebook.book, where it is tested."""
    found = []
    for index, cell in enumerate(code_cells(path)):
        for node in ast.walk(ast.parse(cell.source)):
            defines = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            named_lambda = isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Lambda)
            if defines or named_lambda:
                found.append(f"code cell {index}, line {node.lineno}")
    assert not found, f"{path.name} defines functions: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_one_papermill_reads(path: Path):
    """A parameter papermill cannot parse (e.g. annotated `int | None`) is silently never passed by the build."""
    (cell,) = [c for c in code_cells(path) if "parameters" in c.metadata.get("tags", [])]
    assigned = {
        target.id
        for node in ast.parse(cell.source).body
        for target in (node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)])
        if isinstance(target, ast.Name)
    }
    assert assigned == set(toc.declared_parameters(path))
