"""The "How this book was built" page, written by the build itself: what ran, what was reused and why, which
files each notebook read with their checksums, the package versions and the edition's parameters.

Run times and cache decisions belong to one build, not to the inputs: they sit in one block (class
`tb-run`) that the print style hides, so that two builds of the same inputs print the same PDF, and the
page is left out of the search index, which would otherwise differ between builds.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

from .markdown import md_escape
from .provenance import PACKAGE, Provenance

PAGE = "build_info"  # notebooks/build_info.md, listed in _toc.yml
RUN_CLASS = "tb-run"  # what changes from build to build


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook in this build, and why."""

    name: str
    status: str  # executed | reused | failed
    seconds: float  # of this run, or of the run a reused notebook comes from
    reason: str = ""  # why it was executed, or that its inputs were unchanged
    message: str = ""


def package_versions() -> dict[str, str]:
    """Python and every package the book declares it needs, at the versions this build ran with."""
    names = sorted({re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0] for r in requires(PACKAGE) or [] if "extra ==" not in r})
    found = {"python": platform.python_version(), PACKAGE: version(PACKAGE)}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _run(outcome: Outcome) -> str:
    if outcome.status == "reused":
        return f"reused from the cache (its run took {outcome.seconds:.1f} s)"
    return f"{outcome.status} in {outcome.seconds:.1f} s"


def page(outcomes: list[Outcome], provenance: Provenance) -> str:
    """The page as MyST Markdown; every text from a file or the data is escaped."""
    edition = provenance.edition
    parameters = provenance.shown_parameters(edition.parameters)
    runs = _table(
        ["Notebook", "This build", "Why"],
        [[o.name, _run(o), o.reason] for o in outcomes],
    )
    reads = _table(
        ["Notebook", "File read", "SHA-256"],
        [[f"{stem}.ipynb", f, d] for stem, files in provenance.reads.items() for f, d in files.items()],
    )
    changed = ", ".join(f"{k} = {v[0]} (the edition file: {v[1]})" for k, v in edition.changed.items())
    return "\n\n".join(
        [
            "---\nnosearch: true\n---\n# How this book was built",
            f"This page was written by the build that made the book you are reading: edition "
            f"**{md_escape(edition.title)}** ({md_escape(edition.slug)}), book version **{provenance.version}**. "
            "Each chapter is a Jupyter notebook that papermill executed with the parameters below; a notebook "
            "whose source, parameters, package code, pinned requirements and data files are all unchanged "
            "since its last successful run is reused from the build's cache instead of being run again. "
            "Jupyter Book then rendered the executed notebooks, with execution off.",
            "## Parameters of this edition",
            _table(["Parameter", "Value"], [[k, str(v)] for k, v in parameters.items()]),
            f"Set for this build only: {md_escape(changed)}." if changed else "All parameters are the edition file's.",
            "## The notebooks in this build",
            f":::{{container}} {RUN_CLASS}\n{runs}\n:::",
            ":::{container} tb-print-only\nRun times and cache decisions are those of one build; the HTML "
            "edition of the book shows them.\n:::",
            "## The files each notebook read",
            "Named from the data folder on, with their SHA-256 checksums: the same checksums mean the same data.",
            reads,
            "## Package versions",
            "The packages the book declares, as installed for this build (`requirements.txt` pins every package "
            "of the environment).",
            _table(["Package", "Version"], [[k, v] for k, v in package_versions().items()]),
        ]
    )


def write_page(folder: Path, outcomes: list[Outcome], provenance: Provenance) -> Path:
    """Write the page beside the executed notebooks; returns its path."""
    path = Path(folder) / f"{PAGE}.md"
    path.write_text(page(outcomes, provenance) + "\n", encoding="utf-8")
    return path
