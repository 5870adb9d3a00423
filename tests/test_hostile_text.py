"""Text from the inputs is text wherever it lands, never markup: one book built from inputs whose texts carry HTML,
MyST roles and links, and TeX for MathJax (an edition's title, every source's citation, a source's publisher,
licence and caveat, the article's title, publisher and address, the claims' labels and product names, a
speaker, an event), read back from the pages, the search index, the charts and their metadata, a browser and
the PDF.

The same book holds two investment statements published on one day by one speaker in one source: the
investment chapter lists both (a table of rows sharing a date once stopped that chapter with a KeyError).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from bookpages import html_pages, soup
from conftest import ROOT, build_here, copy_project, page_text

from tradebook.book import datapackage, editions, sphinxext, vega
from tradebook.book.provenance import Provenance
from tradebook.data import sources

HOST = "x.test"
EVIL = (
    f'<img src="https://{HOST}/i.png"> $\\notacommand{{x}}$ \\(\\href{{https://{HOST}/m}}{{x}}\\) $$y$$ '
    f"*em* {{glue:text}}`x` [a](https://{HOST}/a)"
)
# Chapters that link to none left out (the introduction links to all); data and methods has formulas.
TOC = """format: jb-book
root: notebooks/claims_check
chapters:
  - file: notebooks/investment_history
  - file: notebooks/data_methods
  - file: notebooks/how_to_cite
"""
CHROMIUM = shutil.which("chromium")
URL = "https://timesca.com/energy_*x*_[y](z)_$w$/"
CAVEAT = f"Country {EVIL} name"
STATEMENT = "2025-09-29,ITA,2005-2025 cumulative,Italian investment in Kazakhstan,7.6,bn USD,7600000000.0,USD,"


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The hostile book: the claims, investment and data chapters and the citation page."""
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    data = project / "data"
    quoted = json.dumps(EVIL)  # a YAML double-quoted scalar: JSON's escapes are YAML's
    edition = project / "params" / "kazakhstan-italy.yml"
    _edit(edition, '"Kazakhstan and Italy: trade', f'"Kazakhstan {quoted[1:-1]}')
    _edit(edition, "  forecast_years: 3\n", "")  # a parameter of the trade chapter, not in this book
    known = [
        s.model_copy(update={"citation": f"{s.citation} {EVIL}"}) for s in sources.read(data / "sources.yml").values()
    ]
    first = known[0]  # the first source's publisher, licence and a caveat too: the data chapter lists them
    known[0] = first.model_copy(
        update={"publisher": f"{first.publisher} {EVIL}", "licence": EVIL, "caveats": [*first.caveats, CAVEAT]}
    )
    (data / sources.FILENAME).write_text(sources.text(known), encoding="utf-8")
    claims = data / "claims.yml"
    _edit(claims, 'title: "Energy, industry', f'title: "{quoted[1:-1]} Energy, industry')
    _edit(claims, "publisher: The Times of Central Asia", f"publisher: {quoted}")
    _edit(claims, "url: https://timesca.com/energy-industry-and-diplomacy", f"url: {URL}")
    _edit(claims, "{name: crude oil,", f"{{name: {quoted},")
    labelled = re.sub(
        r"^(    label: )(.*)$",
        lambda m: m[1] + json.dumps(f"{EVIL} {m[2].strip(chr(34))}"),
        claims.read_text(encoding="utf-8"),
        flags=re.M,
    )
    claims.write_text(labelled, encoding="utf-8")
    csv_text = '"' + EVIL.replace('"', '""') + '"'
    _edit(data / "events.csv", "Diplomatic relations established", csv_text)
    _edit(data / "published_figures.csv", "KZ ambassador to Italy A. Yelemessov", csv_text)
    figures = (data / "published_figures.csv").read_text(encoding="utf-8").splitlines()
    same_day = next(line for line in figures if line.startswith(STATEMENT))
    figures.append(same_day.replace("2005-2025 cumulative", "2005-2024 cumulative").replace(",7.6,", ",7.5,", 1))
    (data / "published_figures.csv").write_text("\n".join(figures) + "\n", encoding="utf-8")
    (project / "_toc.yml").write_text(TOC, encoding="utf-8")
    build_here(project, *(["--pdf"] if CHROMIUM else []))
    return project / "_build" / "html"


pytestmark = [pytest.mark.xdist_group("hostile"), pytest.mark.slow]  # one hostile book, built once


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site on a local port, as a reader's browser gets it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# Attributes through which markup loads, links or runs something (a live chart's spec is data: Vega draws text).
ACTIVE = {"href", "src", "srcset", "action", "formaction", "data", "poster", "background", "style", "xlink:href"}


def test_no_page_holds_markup_from_the_inputs(book: Path):
    for page in html_pages(book):
        for tag in soup(page).find_all(True):
            for name, value in tag.attrs.items():
                if name in ACTIVE or name.startswith("on"):
                    assert HOST not in str(value), f"{page.name}: <{tag.name} {name}={value!r}>"
    shown = {p.stem: page_text(p) for p in (book / "notebooks").glob("*.html")}
    assert EVIL in shown["how_to_cite"]  # the edition's title and the citation, via MyST substitutions
    assert shown["claims_check"].count("<img src=") >= 12  # article, labels, captions, evidence, product
    assert "$\\notacommand{x}$" in shown["investment_history"]  # a speaker, an event, the charts' sources
    assert CAVEAT in shown["data_methods"] and shown["data_methods"].count(EVIL) >= 3  # publisher, licence, caveat


def test_the_article_address_is_its_link_and_text(book: Path):
    page = soup(book / "notebooks" / "claims_check.html")
    assert URL in page.get_text()
    assert not page.find_all("em", string="x")  # *x* in the address stayed text


def test_the_search_index_holds_no_markup_from_the_inputs(book: Path):
    index = (book / "searchindex.js").read_text(encoding="utf-8")
    assert "<img" not in index and "\\href" not in index


def test_the_charts_images_and_metadata_keep_the_text(book: Path):
    """Every chart's static SVG holds the sources' citations as text; its metadata file holds them as they are."""
    metadata = [json.loads(p.read_text(encoding="utf-8")) for p in (book / "_downloads").rglob("*.json")]
    cited = [s["citation"] for m in metadata if isinstance(m, dict) for s in m.get("sources", [])]
    assert cited and all(c.endswith(EVIL) for c in cited)
    images = [p.read_text(encoding="utf-8") for p in book.rglob("*.svg") if "_static" not in p.parts]
    assert any("&lt;img src=" in svg for svg in images)
    assert not any(re.search(r"<(img|a|foreignObject)\b", svg) for svg in images)


def test_a_charts_image_and_metadata_keep_the_text():
    """The live charts' static SVG and the metadata beside their data (the trimmed book has none of them)."""
    source = next(iter(sources.read(ROOT / "data" / sources.FILENAME).values()))
    cited = source.model_copy(update={"citation": EVIL})
    frame = pd.DataFrame({"turnover": [1.0e9, 2.0e9]}, index=[2020, 2021])
    labels = {"turnover": "Turnover: all goods"}  # a colon once read as Altair's type (turnover:Q)
    chart = vega.time_series(frame, labels, title=EVIL, units="US$ billion", scale=1e9, sources=[cited])
    svg = vega.static_svg(vega.spec(chart, EVIL))
    assert "<img" not in svg and "&lt;img src=" in svg
    edition = editions.Edition("e", EVIL, {}, "e.yml")
    shown = Provenance(edition, "1.0", "A", "2026", {source.id: cited}, {}, {})
    meta = datapackage.metadata(
        {"title": EVIL, "alt": EVIL, "units": "u", "name": "c", "sources": [source.id]}, "intro", {}, shown
    )
    assert json.loads(datapackage.metadata_text(meta))["sources"][0]["citation"] == EVIL


def test_two_statements_of_one_day_are_both_listed(book: Path):
    text = page_text(book / "notebooks" / "investment_history.html")
    assert "2005-2025 cumulative" in text and "2005-2024 cumulative" in text


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_in_a_browser_nothing_loads_or_links_from_another_host_and_no_data_is_typeset(book: Path):
    from playwright.sync_api import sync_playwright

    with serving(book) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)
        for html in html_pages(book):
            page.goto(f"{base}/{html.relative_to(book).as_posix()}")
            page.wait_for_load_state("networkidle")
            page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
            found = page.evaluate(
                """host => ({
                  links: document.querySelectorAll(`[href*="${host}"], [src*="${host}"]`).length,
                  math: [...document.querySelectorAll('mjx-container')].filter(m => !m.closest('.math')).length})""",
                HOST,
            )
            assert found == {"links": 0, "math": 0}, html.name
        browser.close()
    assert outside == []


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None, reason="needs chromium and pdftotext")
def test_the_pdf_prints_the_text(book: Path):
    pdf = next((book.parent / "pdf").glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"\\href{{https://{HOST}/m}}" in text and '<img src="' in text


def test_the_stamps_texts_are_escaped_where_myst_reads_them():
    """{{ book_citation }} is parsed as Markdown: a title or citation with markup must arrive as text."""
    config = type("Config", (), {"html_static_path": [], "templates_path": [], "myst_substitutions": None})()
    config.tradebook_stamp = {"edition_title": "A <img src=x> {glue:text}`y` $z$", "version": "1.0"}
    sphinxext.book_assets(None, config)
    assert config.myst_substitutions == {
        "book_edition_title": "A \\<img src=x\\> \\{glue:text\\}\\`y\\` \\$z\\$",
        "book_version": "1.0",
    }
