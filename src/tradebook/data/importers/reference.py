"""The article the book checks (shared/reference/): cited by the curated data/events.csv, not imported.

Its provenance (checksum) is recorded in sources.yml like a raw file's, so `make data` keeps the ids
that events.csv cites; the events themselves are read from it by hand and quoted word for word.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..sources import Source, SourceFile, sha256

FILE = "article-kazakhstan-italy-2025.txt"

SOURCE = Source(
    id="article-kz-it-2025",
    title="Article on Kazakhstan–Italy relations ahead of Giorgia Meloni's visit to Astana, May 2025",
    citation="Article on Kazakhstan–Italy relations, May 2025",
    publisher="English-language Central Asian press; its figures match the Times of Central Asia page "
    "listed in published-figures-web (timesca.com, May 2025)",
    # Said in words: the folder the copy sits in on the builder's machine is no business of the page's.
    origin="A plain-text copy of the article, kept beside the raw official files (checksum below)",
    licence="Quoted in short with attribution; the article text is not republished.",
    units="dates and statements, no data series",
    caveats=[
        "Written between the Business Forum (28 May) and Meloni's visit (30 May): the visit and the "
        "summit are announced, not reported.",
        "The article gives years, not exact dates, for most milestones; data/events.csv keeps that "
        "precision (YYYY, YYYY-MM or YYYY-MM-DD).",
    ],
)


def reference_dir(shared: Path) -> Path:
    """shared/reference/, beside shared/data-sources/."""
    return Path(shared).resolve().parent / "reference"


def path(shared: Path) -> Path:
    return reference_dir(shared) / FILE


def provenance(shared: Path) -> Source:
    """The source with the article's checksum, its path written relative to shared/data-sources."""
    article = path(shared)
    if not article.is_file():
        raise InputError.at(article, "file not found (expected shared/reference/ beside data-sources/)")
    rel = Path(os.path.relpath(article, Path(shared).resolve())).as_posix()
    return SOURCE.model_copy(update={"files": [SourceFile(path=rel, sha256=sha256(article))]})
