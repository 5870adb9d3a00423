"""Checks of data/events.csv beyond its schema: every milestone cites a document that is on record."""

from __future__ import annotations

from pathlib import Path

from .contract import DATASETS
from .errors import Problem, display_path


def check_references(data_dir: Path, known: set[str]) -> list[Problem]:
    """A URL reference must be a page listed in published_figures.csv; a file must be a source's file."""
    from . import sources
    from .validate import check

    data_dir = Path(data_dir)
    path = data_dir / DATASETS["events"].filename
    events, problems = check(path, DATASETS["events"])
    if events is None or problems:
        return []  # validate_all already reports the file's own problems
    figures, _ = check(data_dir / DATASETS["published_figures"].filename, DATASETS["published_figures"])
    pages = set(figures["url"]) if figures is not None else set()
    registry, _ = sources.check(data_dir / sources.FILENAME)
    found = []
    for i, row in events.iterrows():
        line = events.attrs["lines"][i]
        ref = row["reference"]
        if ref.startswith(("http://", "https://")):
            if ref not in pages:
                found.append(
                    Problem(
                        display_path(path),
                        line,
                        "reference",
                        "a URL not among the pages of published_figures.csv; cite a page on record",
                    )
                )
            continue
        entry = registry.get(row["source"])
        files = [f["path"] for f in entry.files] if entry else []
        if entry and not any(f == ref or f.endswith("/" + ref) for f in files):
            found.append(
                Problem(
                    display_path(path),
                    line,
                    "reference",
                    f"not a file of source {row['source']!r} in sources.yml (its files: {', '.join(files)})",
                )
            )
    return found
