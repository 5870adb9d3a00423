"""The book's table of contents (_toc.yml) and the parameters each notebook declares."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ..data.folder import record_read

TOC = "_toc.yml"


def pages(root: Path) -> list[str]:
    """Every page of _toc.yml in order, as named there (notebooks/intro): notebooks, prose, generated pages."""
    toc = yaml.safe_load((root / TOC).read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def notebooks(root: Path) -> list[Path]:
    """Notebooks in the order of _toc.yml."""
    return [root / f"{f}.ipynb" for f in pages(root) if (root / f"{f}.ipynb").is_file()]


def chapters(root: Path) -> set[str]:
    """Names of the chapters whose notebooks exist: the only targets a page may link to.

    Noted as read, so that a page linking to chapters is run again when the table of contents changes.
    """
    record_read(root / TOC)
    return {p.stem for p in notebooks(root)}


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Parameter name → type name, as the notebook's `parameters` cell annotates them."""
    return dict(_declared(Path(notebook).resolve(), Path(notebook).stat().st_mtime_ns))


@functools.cache
def _declared(notebook: Path, _mtime: int) -> tuple[tuple[str, str], ...]:
    import papermill  # noqa: PLC0415 - half a second to import; kernels reading the table of contents skip it

    found = papermill.inspect_notebook(str(notebook))
    return tuple((name, info["inferred_type_name"]) for name, info in found.items())
