"""Make executed notebooks fit to publish: the same bytes on every build, their data files beside them.

Runs on the staged copies after execution, whether a notebook was executed now or reused from the
cache, and before Jupyter Book renders them. Papermill stamps run times and absolute paths into a
notebook; those would make two builds of the same inputs differ (and leak the builder's folders
into the published `_sources/`). A download that a notebook declared with `downloads.download`
becomes a CSV file in `downloads/` and a link to it, which Sphinx copies into the HTML. A chart that
`vega.show` published becomes the placeholder of its live drawing and four downloads: its data (CSV),
the data's metadata (datapackage.py), its image (SVG) and its Vega-Lite spec.

The parameters cells leave the page (they stay in the notebook and its `_sources/` copy); one line under
the chapter's title says which parameters it ran with, marking those this build changed.

Prose that holds only for some data is a markdown cell tagged `if:NAME` (published when the notebook
glued NAME as True) or `if-not:NAME` (when it glued it as False); a cell with several such tags needs
all of them to hold. So every sentence stays in markdown, and a section whose data an edition lacks
says so in its own cell instead of quoting numbers that do not exist.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import nbformat

from . import datapackage
from .downloads import CHART_MIME, DOWNLOAD_MIME
from .editions import BOX_CLASS, parameters_box
from .errors import BuildError
from .provenance import Provenance

DOWNLOADS = "downloads"
CSS_CLASS = "tradebook-download"  # the container of the download links, for readers' styles and the tests
# Papermill metadata that changes from run to run; parameters, version and status are kept.
RUN_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")
# The memory address in a default repr, e.g. "<pandas.io.formats.style.Styler at 0x7f…>".
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
# The tag of a markdown cell published only when a glued True/False says so.
CONDITION = re.compile(r"(if|if-not):(\w+)")
VEGA_CLASS = "tb-vega"  # the live chart's placeholder, which the book's script draws into
PARAMETER_TAGS = {"parameters", "injected-parameters"}
# What each kind of download is called in the links under a chart.
KINDS = {".csv": "data (CSV)", ".json": "metadata (JSON)", ".svg": "image (SVG)", ".vl.json": "chart (Vega-Lite)"}


def prepare(folder: Path, provenance: Provenance) -> list[Path]:
    """Normalise every executed notebook in `folder` and write its downloads; returns the files written."""
    return [file for path in sorted(Path(folder).glob("*.ipynb")) for file in prepare_notebook(path, provenance)]


def prepare_notebook(path: Path, provenance: Provenance) -> list[Path]:
    """Normalise one executed notebook and write its downloads beside it (`provenance` need only know its reads)."""
    written: list[Path] = []
    nb = nbformat.read(path, as_version=4)
    apply_conditions(nb, path.stem)
    downloads = publish_downloads(nb, path.stem, provenance)
    box_parameters(nb, provenance)
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


def publish_downloads(nb: nbformat.NotebookNode, stem: str, provenance: Provenance) -> list[tuple[str, str]]:
    """Move each declared download and chart out of its cell into links just below it; returns (file, text) pairs.

    The links are a markdown cell of their own: myst-nb wraps every output of a figure cell in the figure,
    so a link left among the outputs would repeat the figure's name. A chart's live placeholder rides in
    the same cell; the book's script moves it into the figure.
    """
    used = (nb.metadata.get("papermill") or {}).get("parameters") or {}
    files: dict[str, str] = {}
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        names: list[str] = []
        kept = []
        live: list[str] = []
        svg = next(
            (o["data"]["image/svg+xml"] for o in cell.get("outputs", []) if "image/svg+xml" in o.get("data", {})), ""
        )
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if CHART_MIME in data:
                chart = data[CHART_MIME]
                live.append(placeholder(chart, cell.metadata.get("mystnb", {}).get("figure", {}).get("name", "")))
                meta = datapackage.metadata(chart, stem, used, provenance)
                offered = {
                    f"{stem}-{chart['name']}.csv": chart["csv"],
                    f"{stem}-{chart['name']}.json": datapackage.metadata_text(meta),
                    f"{stem}-{chart['name']}.svg": svg,
                    f"{stem}-{chart['name']}.vl.json": json.dumps(chart["spec"], indent=1, sort_keys=True) + "\n",
                }
            elif DOWNLOAD_MIME in data:
                offered = {download_file_name(stem, data[DOWNLOAD_MIME]["name"]): data[DOWNLOAD_MIME]["csv"]}
            else:
                kept.append(output)
                continue
            for name, text in offered.items():
                if name in files:
                    raise BuildError(f"notebooks/{stem}.ipynb offers the download '{name}' twice")
                files[name] = text
                names.append(name)
        if names:
            cell["outputs"] = kept
            cells.append(download_cell(names, live))
    nb.cells = cells
    return list(files.items())


def placeholder(chart: dict[str, Any], figure: str) -> str:
    """The live chart's container: the spec travels HTML-escaped in an attribute; nothing in it can run."""
    payload = json.dumps(chart["spec"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        f'<div class="{VEGA_CLASS}" data-figure="{html.escape(figure, quote=True)}" role="img" '
        f'aria-label="{html.escape(chart["alt"], quote=True)}" '
        f'data-vega-lite="{html.escape(payload, quote=True)}"></div>'
    )


def download_cell(names: list[str], live: list[str]) -> nbformat.NotebookNode:
    """The links under a chart or table (a chart's as what each file is), and any live chart's placeholder."""
    if live:
        kinds = [KINDS[".vl.json" if n.endswith(".vl.json") else Path(n).suffix] for n in names]
        text = "Download: " + " · ".join(
            f"{{download}}`{k} <{DOWNLOADS}/{n}>`" for k, n in zip(kinds, names, strict=True)
        )
    else:
        text = "Download the data: " + ", ".join(f"{{download}}`{name} <{DOWNLOADS}/{name}>`" for name in names)
    before = "".join(f"{div}\n\n" for div in live)
    cell = nbformat.v4.new_markdown_cell(f":::{{container}} {CSS_CLASS}\n{before}{text}\n:::")
    cell.pop("id", None)  # numbered with the others by strip_run_metadata
    return cell


def box_parameters(nb: nbformat.NotebookNode, provenance: Provenance) -> None:
    """Take the parameters cells off the page and put one line of the chapter's parameters under its title."""
    used = (nb.metadata.get("papermill") or {}).get("parameters") or {}
    parameter_cells = [c for c in nb.cells if PARAMETER_TAGS & set(c.metadata.get("tags", []))]
    for cell in parameter_cells:
        tags = [t for t in cell.metadata["tags"] if t not in ("hide-cell", "remove-cell")]
        cell.metadata["tags"] = [*tags, "remove-cell"]
    if not parameter_cells or any(BOX_CLASS in c.source for c in nb.cells if c.cell_type == "markdown"):
        return
    box = nbformat.v4.new_markdown_cell(parameters_box(used, provenance.edition.changed))
    box.pop("id", None)
    title = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("# ")), -1)
    nb.cells.insert(title + 1, box)
