"""Each chart's data as a small data package, as Our World in Data offers it: the CSV and, beside it, a
metadata file that says what the numbers are, where they come from, under which licences, from which exact
inputs, for which edition and version of the book, and how to cite them.

Written by the build (not the notebook), so that a notebook reused from the cache still gets the version,
the checksums and the parameters of the build that publishes it.
"""

from __future__ import annotations

import json
from typing import Any

from .provenance import Provenance

BOOK_LICENCE = "MIT (the book's code and text); the data keep the licences of their sources, listed here"


def metadata(chart: dict[str, Any], stem: str, parameters: dict[str, Any], provenance: Provenance) -> dict[str, Any]:
    """The metadata file of one chart's data: `chart` is what `vega.show` published, `stem` its chapter."""
    sources = [provenance.sources[s] for s in chart["sources"] if s in provenance.sources]
    cited = "; ".join(s.citation for s in sources)
    return {
        "title": chart["title"],
        "description": chart["alt"],
        "units": chart["units"],
        "data": f"{stem}-{chart['name']}.csv",
        "chapter": stem,
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "licence": s.licence,
                "citation": s.citation,
                "raw_files": [{"path": f.path, "sha256": f.sha256} for f in s.files],
            }
            for s in sources
        ],
        "inputs": [{"file": f, "sha256": d} for f, d in provenance.reads.get(stem, {}).items()],
        "edition": {
            "slug": provenance.edition.slug,
            "title": provenance.edition.title,
            "parameters": provenance.shown_parameters(parameters),
        },
        "book_version": provenance.version,
        "licence": BOOK_LICENCE,
        "citation": f"{provenance.citation} Chart data: “{chart['title']}”" + (f", from {cited}." if cited else "."),
    }


def metadata_text(meta: dict[str, Any]) -> str:
    """The metadata as the file holds it: the same bytes for the same inputs."""
    return json.dumps(meta, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
