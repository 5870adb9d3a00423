"""Rebuilds: reproducible output, a cache keyed on data, a new year reaching the book, failures not cached.

The first compares two clean builds of the whole book made in different folders; the tests of the cache
and of failures change copies of a small built book (the introduction and two chapters), each its own.
"""

from __future__ import annotations

import filecmp
import json
import re
from pathlib import Path

import nbformat
import pytest
from bookpages import offered_downloads
from conftest import ROOT, SMALL_BOOK, copy_built, copy_project, glued, page_text

from tradebook.analysis import indicators
from tradebook.book import buildinfo, normalise
from tradebook.data.folder import DataFolder

pytestmark = pytest.mark.slow  # every test here runs real builds


def statuses(stdout: str) -> dict[str, str]:
    """notebook → executed | reused, from the build's progress lines."""
    return {m.group(2): m.group(1) for m in re.finditer(r"^\s+(executed|reused)\s+(\S+\.ipynb)", stdout, re.M)}


# What belongs to one build, not to its inputs: the run times and cache decisions on the build page.
RUN_FACTS = re.compile(
    r'<div class="tb-run[^"]*">.*?</table>\s*</div>\s*</div>|:::\{container\} tb-run\n.*?\n:::', re.S
)


def same_bytes(a: Path, b: Path) -> bool:
    """Identical files; the build page and its source identical once the facts of the run are left out."""
    if filecmp.cmp(a, b, shallow=False):
        return True
    if a.stem != buildinfo.PAGE:
        return False
    texts = [RUN_FACTS.sub("", p.read_text(encoding="utf-8")) for p in (a, b)]
    return texts[0] == texts[1] and RUN_FACTS.search(a.read_text(encoding="utf-8")) is not None


def differing_files(a: Path, b: Path) -> list[str]:
    names_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    names_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out = [f"only in one build: {n}" for n in sorted(names_a ^ names_b)]
    out += [str(n) for n in sorted(names_a & names_b) if not same_bytes(a / n, b / n)]
    return out


def test_two_clean_builds_are_identical_and_the_cache_keeps_downloads(built_book: Path, tmp_path: Path, cli):
    """A second clean build in another folder gives the same bytes, the PDF included; only the run times and
    cache decisions on the build page may differ (the print style hides them, so the PDF does not).

    The build cache stores executed notebooks with their declared downloads inside, and the CSV
    files are written from the notebooks after every cache lookup: a reused notebook keeps its data.
    """
    other = copy_project(tmp_path / "other")
    proc = cli("build", "--pdf", cwd=other)  # as make book builds, and as built_book is
    assert proc.returncode == 0, proc.stderr
    assert set(statuses(proc.stdout).values()) == {"executed"}
    first, second = built_book / "_build" / "html", other / "_build" / "html"
    assert not differing_files(first, second)
    assert str(other) not in "".join(p.read_text(errors="replace") for p in second.rglob("*.html"))

    published_csv = {p.name: p.read_text(encoding="utf-8") for p in (second / "_downloads").rglob("*.csv")}
    cached = {
        normalise.download_file_name(entry.parent.name, name): text
        for entry in (other / "_build" / ".cache").rglob("executed.ipynb")
        for name, text in offered_downloads(entry).items()
    }
    assert cached and cached == published_csv


@pytest.fixture
def project(built_small_book: Path, tmp_path: Path) -> Path:
    """A copy of the small built book, this test's own."""
    return copy_built(built_small_book, tmp_path / "project")


def test_a_rebuild_with_nothing_changed_executes_nothing(project, cli):
    html = (project / "_build/html/notebooks/intro.html").read_bytes()
    again = cli("build", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "_build/html is up to date" in again.stdout and not statuses(again.stdout)
    forced = cli("build", "--force", cwd=project)  # validates and renders, but executes nothing
    assert forced.returncode == 0, forced.stderr
    assert set(statuses(forced.stdout).values()) == {"reused"}
    assert "0 executed" in forced.stdout.splitlines()[-1]
    assert (project / "_build/html/notebooks/intro.html").read_bytes() == html


def test_changing_one_data_file_re_executes_only_the_notebooks_that_read_it(project, cli):
    cache = project / "_build/.cache/kazakhstan-italy"
    readers = {
        entry.name + ".ipynb"
        for entry in cache.iterdir()
        if (entry / "key.json").is_file()
        and any(p.endswith("events.csv") for p in json.loads((entry / "key.json").read_text())["reads"])
    }
    assert readers and "trade_growth.ipynb" not in readers
    events = project / "data/events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",diplomacy,", ",agreement,", 1), encoding="utf-8")
    proc = cli("build", cwd=project)
    assert proc.returncode == 0, proc.stderr
    done = statuses(proc.stdout)
    assert {nb for nb, status in done.items() if status == "executed"} == readers
    assert done["trade_growth.ipynb"] == "reused"


def test_a_failing_notebook_stops_the_build_and_is_not_cached(project, cli):
    html_before = (project / "_build/html/notebooks/data_methods.html").read_bytes()
    path = project / "notebooks/data_methods.ipynb"
    good = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("deliberate failure for the test")'))
    nbformat.write(nb, path)
    failed = cli("build", cwd=project)
    assert failed.returncode == 1
    assert "data_methods.ipynb failed: RuntimeError: deliberate failure for the test" in failed.stderr
    assert (project / "_build/html/notebooks/data_methods.html").read_bytes() == html_before
    again = cli("build", cwd=project)
    assert again.returncode == 1 and statuses(again.stdout).get("data_methods.ipynb") is None
    assert "running  data_methods.ipynb" in again.stdout  # executed again: the failure was not cached
    path.write_bytes(good)
    fixed = cli("build", cwd=project)  # back to the inputs of the last good book
    assert fixed.returncode == 0, fixed.stderr
    assert "up to date" in fixed.stdout
    assert (project / "_build/html/notebooks/data_methods.html").read_bytes() == html_before


def test_next_years_rows_reach_the_headlines_of_a_copied_built_project(built_small_book: Path, tmp_path: Path, cli):
    """`cp -a` of a built project, then next year's rows in the copy: the copy's cache checks the copy's files,
    and the new year reaches the headlines without editing a notebook (the original is untouched)."""
    copy = copy_built(built_small_book, tmp_path / "copy")
    unchanged = cli("build", cwd=copy)  # as the original was built
    assert unchanged.returncode == 0, unchanged.stderr
    assert "up to date" in unchanged.stdout  # the same files, named relative to the project: nothing to do
    trade = DataFolder(ROOT / "data").load("trade")
    pair = indicators.bilateral(trade, "KAZ", "ITA")
    year = int(pair.index.max()) + 1
    exports, imports = 21_000_000_000.0, 1_500_000_000.0  # a synthetic next year, for this test only
    with open(copy / "data/trade.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{year},KAZ,ITA,export,{exports},USD,wits-bns-panel\n")
        fh.write(f"{year},KAZ,ITA,import,{imports},USD,wits-bns-panel\n")
    proc = cli("build", cwd=copy)
    assert proc.returncode == 0, proc.stderr
    assert statuses(proc.stdout) == {f"{nb}.ipynb": "executed" for nb in ("intro", *SMALL_BOOK)}  # all read it
    intro = page_text(copy / "_build/html/notebooks/intro.html")
    growth = (exports + imports) / pair["turnover"].iloc[-1] - 1
    assert f"In {year} Kazakhstan reported goods trade with Italy" in intro
    assert f"US$ {(exports + imports) / 1e9:,.1f} billion" in intro
    assert f"{growth:+.1%} on {year - 1}" in intro
    chapter = page_text(copy / "_build/html/notebooks/trade_growth.html")
    assert f"in {year} the turnover was US$ {(exports + imports) / 1e9:,.2f} billion" in chapter
    assert f"In {year} Kazakhstan" not in page_text(built_small_book / "_build/html/notebooks/intro.html")


def test_another_edition_builds_beside_the_default(built_small_book: Path, tmp_path: Path, cli):
    project = copy_built(built_small_book, tmp_path / "project")
    default_before = (project / "_build/html/notebooks/intro.html").read_bytes()
    proc = cli("build", "--partner", "CHN", cwd=project)
    assert proc.returncode == 0, proc.stderr
    intro = page_text(project / "_build/editions/kazakhstan-china/html/notebooks/intro.html")
    ranks = indicators.share_and_rank(DataFolder(ROOT / "data").load("trade"), "KAZ", "CHN")
    assert f"China was its number {int(ranks['rank'].iloc[-1])} trading partner" in intro
    assert (project / "_build/html/notebooks/intro.html").read_bytes() == default_before
    # Where Italy's oil lands is the Italian edition's note, not a sentence of the chapters (the data chapter
    # lists the sources' caveats, one of which names Trieste, in every edition).
    pages = ("intro.html", "trade_growth.html")
    italian = " ".join(page_text(project / "_build/html/notebooks" / p) for p in pages)
    chinese = " ".join(page_text(project / "_build/editions/kazakhstan-china/html/notebooks" / p) for p in pages)
    assert "Trieste" in italian and "Transalpine" in italian
    assert "Trieste" not in chinese and "Transalpine" not in chinese


def test_a_year_with_one_flow_stays_out_of_every_headline_and_is_named(built_small_book: Path, tmp_path: Path, cli):
    """The README's next-year row without its import row: a partial year, never a headline."""
    project = copy_built(built_small_book, tmp_path / "project")
    trade = DataFolder(ROOT / "data").load("trade")
    pair = indicators.bilateral(trade, "KAZ", "ITA")
    last = int(pair.index.max())
    partial = last + 1
    with open(project / "data/trade.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{partial},KAZ,ITA,export,19000000000.0,USD,wits-bns-panel\n")
    proc = cli("build", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert f"{partial}" in proc.stdout and "a partial year" in proc.stdout  # the build warns of it

    intro = page_text(project / "_build/html/notebooks/intro.html")
    growth = pair["turnover"].iloc[-1] / pair["turnover"].iloc[-2] - 1
    assert (
        f"In {last} Kazakhstan reported goods trade with Italy worth US$ {pair['turnover'].iloc[-1] / 1e9:,.1f}"
        in intro
    )
    assert f"of which Kazakh exports were US$ {pair['export'].iloc[-1] / 1e9:,.1f} billion" in intro
    assert f"{growth:+.1%} on {last - 1}" in intro
    assert f"In {partial} Kazakhstan" not in intro and "US$ 19.0 billion" not in intro
    assert f"Not yet a whole year in the data: {partial} (exports only)" in intro
    ranks = indicators.share_and_rank(trade, "KAZ", "ITA")
    assert f"In {int(ranks.index[-1])} , the latest year for which Kazakhstan" in intro.replace("’", "'")
    (executed,) = project.glob("_build/.cache/*/trade_growth/executed.ipynb")
    assert glued(executed)["last_year"] == last  # the trade chapter inherits the rule from indicators
