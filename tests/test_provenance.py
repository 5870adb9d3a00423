"""A page's data vintage: the latest year of each source's rows about the pair, read afresh when a file changes."""

from __future__ import annotations

import shutil

from conftest import ROOT

from tradebook.book import provenance
from tradebook.data import sources


def test_the_vintage_follows_the_bytes_of_the_file(tmp_path):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    known = sources.read(data / sources.FILENAME)
    reads = ["../data/trade.csv", "../data/fdi.csv"]
    first = provenance.data_vintage(data, ("KAZ", "ITA"), reads, known)
    assert first and provenance.data_vintage(data, ("KAZ", "ITA"), reads, known) == first
    assert provenance.data_vintage(data, ("KAZ", "CHN"), reads, known) != first  # another pair, its own years
    with open(data / "trade.csv", "a", encoding="utf-8") as fh:
        fh.write("2031,KAZ,ITA,export,1,USD,bns-trade-by-country\n")
    after = provenance.data_vintage(data, ("KAZ", "ITA"), reads, known)
    assert max(v.latest for v in after) == 2031 and after != first


def test_reads_noted_as_notebooks_finish_are_stated_in_the_books_order(tmp_path):
    """Staging notes each notebook's reads when it is done (staging.note_reads), in whatever order the workers
    finish; the pages and the build's config state them in the book's order, the same on every build."""
    from tradebook.book import editions, staging, toc
    from tradebook.book.cache import Cache

    edition = editions.resolve(ROOT, None, {})
    notebooks = toc.notebooks(ROOT)
    cache = Cache(ROOT, tmp_path / "cache")  # empty: every notebook read nothing
    noted = staging.provenance_of(ROOT, edition)
    for nb in reversed(notebooks):
        staging.note_reads(noted, ROOT, nb.stem, cache)
    assert list(noted.reads) == [nb.stem for nb in reversed(notebooks)]
    staging.in_book_order(noted, notebooks)
    assert list(noted.reads) == list(noted.vintage) == [nb.stem for nb in notebooks]
