"""Make executed notebooks fit to publish: the same bytes on every build, their data files beside them.

Runs on the staged copies after execution, whether a notebook was executed now or reused from the
cache, and before Jupyter Book renders them. Papermill stamps run times and absolute paths into a
notebook; those would make two builds of the same inputs differ (and leak the builder's folders
into the published `_sources/`). A download that a notebook declared with `downloads.download`
becomes a CSV file in `downloads/` and a link to it, which Sphinx copies into the HTML.

Prose that holds only for some data is a markdown cell tagged `if:NAME` (published when the notebook
glued NAME as True) or `if-not:NAME` (when it glued it as False); a cell with several such tags needs
all of them to hold. So every sentence stays in markdown, and a section whose data an edition lacks
says so in its own cell instead of quoting numbers that do not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .downloads import DOWNLOAD_MIME
from .errors import BuildError

DOWNLOADS = "downloads"
CSS_CLASS = "tradebook-download"  # the container of the download links, for readers' styles and the tests
# Papermill metadata that changes from run to run; parameters, version and status are kept.
RUN_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")
# The memory address in a default repr, e.g. "<pandas.io.formats.style.Styler at 0x7f…>".
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
# The tag of a markdown cell published only when a glued True/False says so.
CONDITION = re.compile(r"(if|if-not):(\w+)")


def prepare(folder: Path) -> list[Path]:
    """Normalise every executed notebook in `folder` and write its downloads; returns the files written."""
    written: list[Path] = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        apply_conditions(nb, path.stem)
        downloads = publish_downloads(nb, path.stem)
        strip_run_metadata(nb)
        for name, text in downloads:
            target = path.parent / DOWNLOADS / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            written.append(target)
        nbformat.write(nb, path)
    return written


def glued_flags(nb: nbformat.NotebookNode) -> dict[str, bool]:
    """The values a notebook glued as True or False, by name."""
    flags = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook", {})
            text = output.get("data", {}).get(scrap.get("mime_prefix", "") + "text/plain")
            if scrap.get("name") and text in ("True", "False"):
                flags[scrap["name"]] = text == "True"
    return flags


def apply_conditions(nb: nbformat.NotebookNode, stem: str) -> None:
    """Drop the markdown cells whose `if:`/`if-not:` tags do not hold; keep the others without those tags.

    A tag must name a value the notebook glued as True or False: anything else stops the build, so that a
    misspelt name cannot silently hide a paragraph or show one whose numbers were never glued.
    """
    flags = glued_flags(nb)
    kept = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        conditions = [m for m in map(CONDITION.fullmatch, tags) if m]
        where = f'notebooks/{stem}.ipynb: the {cell.cell_type} cell "{cell.source.strip()[:40]}…" is tagged'
        if conditions and cell.cell_type != "markdown":
            raise BuildError(f"{where} {conditions[0][0]}, but only prose (markdown) can be")
        for tag, name in (c.group(0, 2) for c in conditions):
            if name not in flags:
                raise BuildError(f"{where} {tag}, but the notebook glued no True or False named '{name}'")
        if all(flags[c[2]] == (c[1] == "if") for c in conditions):
            if conditions:
                cell.metadata["tags"] = [t for t in tags if not CONDITION.fullmatch(t)]
                if not cell.metadata["tags"]:
                    del cell.metadata["tags"]
            kept.append(cell)
    nb.cells = kept


def strip_run_metadata(nb: nbformat.NotebookNode) -> None:
    """Remove run times, machine paths and memory addresses that a run records; number the cells."""
    for meta in [nb.metadata.get("papermill"), *(c.metadata.get("papermill") for c in nb.cells)]:
        for key in RUN_KEYS:
            if meta:
                meta.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            plain = output.get("data", {}).get("text/plain")
            if isinstance(plain, str):
                output["data"]["text/plain"] = ADDRESS.sub(">", plain)
        if nb.nbformat_minor >= 5:  # nbformat 4.5 requires ids, and gives new cells random ones
            cell["id"] = f"cell-{index}"
        else:
            cell.pop("id", None)


def download_file_name(stem: str, name: str) -> str:
    """The chapter's name first, so files saved from several chapters do not clash."""
    return f"{stem}-{name}.csv"


def publish_downloads(nb: nbformat.NotebookNode, stem: str) -> list[tuple[str, str]]:
    """Move each declared download out of its cell into a link just below it; returns (file, CSV) pairs.

    The link is a markdown cell of its own: myst-nb wraps every output of a figure cell in the
    figure, so a link left among the outputs would repeat the figure's name.
    """
    files: dict[str, str] = {}
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        names = []
        kept = []
        for output in cell.get("outputs", []):
            spec = output.get("data", {}).get(DOWNLOAD_MIME)
            if not spec:
                kept.append(output)
                continue
            name = download_file_name(stem, spec["name"])
            if name in files:
                raise BuildError(f"notebooks/{stem}.ipynb offers the download '{spec['name']}' twice")
            files[name] = spec["csv"]
            names.append(name)
        if names:
            cell["outputs"] = kept
            cells.append(download_cell(names))
    nb.cells = cells
    return list(files.items())


def download_cell(names: list[str]) -> nbformat.NotebookNode:
    links = ", ".join(f"{{download}}`{name} <{DOWNLOADS}/{name}>`" for name in names)
    cell = nbformat.v4.new_markdown_cell(f":::{{container}} {CSS_CLASS}\nDownload the data: {links}\n:::")
    cell.pop("id", None)  # numbered with the others by strip_run_metadata
    return cell
