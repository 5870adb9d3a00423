"""The published book: offline-complete, reproducible, with downloadable data, safe with hostile text.

Page-level checks scan every built page and every figure and table, so they cover chapters that
land later without change.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import altair as alt
import nbformat
import pandas as pd
import pytest
from bookpages import css_urls, external, html_pages, loaded_urls, local_file, offered_downloads, soup, toc_pages
from conftest import ROOT, page_text, run_notebook

from tradebook.book import editions, normalise
from tradebook.book.downloads import DOWNLOAD_MIME, csv_text
from tradebook.book.errors import BuildError
from tradebook.book.provenance import Provenance
from tradebook.book.tables import table
from tradebook.data.folder import DataFolder

PAYLOAD = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def site(built_book: Path) -> Path:
    return built_book / "_build" / "html"


# --- offline ------------------------------------------------------------------------------------


def test_external_url_detection():
    assert external("https://cdn.example.org/x.js") and external("//cdn.example.org/x.js")
    assert not external("../_static/x.js") and not external("data:image/svg+xml;utf8,<svg xmlns='http://w'>")
    assert css_urls("a{background:url('https://x.org/a.png')} @import 'https://x.org/b.css';") == [
        "https://x.org/a.png",
        "https://x.org/b.css",
    ]


def test_no_page_loads_anything_from_another_host(site: Path):
    pages = html_pages(site)
    assert len(pages) >= len(toc_pages(site))
    problems = []
    stylesheets = set()
    for page in pages:
        for url in loaded_urls(page):
            if external(url):
                problems.append(f"{page.relative_to(site)} loads {url}")
            elif not url.startswith(("data:", "#")):
                target = local_file(site, page, url)
                if not target.is_file():
                    problems.append(f"{page.relative_to(site)} loads {url}, which is not in the book")
                elif target.suffix == ".css":
                    stylesheets.add(target)
    for sheet in sorted(stylesheets):  # fonts and images that style sheets pull in
        for url in css_urls(sheet.read_text(encoding="utf-8", errors="replace")):
            if external(url):
                problems.append(f"{sheet.relative_to(site)} loads {url}")
    assert not problems, "\n".join(problems)


def test_math_is_typeset_by_the_books_own_mathjax(site: Path):
    methods = soup(site / "notebooks" / "data_methods.html")
    assert methods.select(".math"), "the data-and-methods page should carry its formulas"
    scripts = [s["src"] for s in methods.find_all("script", src=True) if "mathjax" in s["src"].lower()]
    assert scripts and not any(external(s) for s in scripts)
    assert local_file(site, site / "notebooks" / "data_methods.html", scripts[0]).is_file()


def test_pages_carry_no_build_date_or_thebe(site: Path):
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        assert "docbuild:last-update" not in text and "Last updated on" not in text, page
        assert "thebe" not in text.lower(), page


def test_page_content_has_no_script_or_event_handler(site: Path):
    """Nothing from the data can run: the article part of a page holds no script and no on…= attribute."""
    for page in html_pages(site):
        for article in soup(page).select("article"):
            assert not article.find("script"), page
            handlers = [a for el in article.find_all(True) for a in el.attrs if a.lower().startswith("on")]
            assert not handlers, (page, handlers)


# --- downloads ----------------------------------------------------------------------------------


def download_links(page: Path) -> list[str]:
    return [a["href"] for a in soup(page).select(f"div.{normalise.CSS_CLASS} a.download")]


def test_every_chart_and_table_offers_its_data(site: Path):
    """Each cell that shows a figure or a table is followed directly by a working CSV download."""
    checked = 0
    for page in toc_pages(site):
        for cell in soup(page).select("article div.cell"):
            if not cell.find(["figure", "table"]):
                continue
            after = cell.find_next_sibling()
            where = f"{page.name}: {cell.find(['figure', 'table']).get('id')}"
            assert after is not None and normalise.CSS_CLASS in after.get("class", []), where
            for link in after.select("a.download"):
                target = local_file(site, page, link["href"])
                if target.suffix != ".csv":  # a chart's metadata (JSON), image (SVG) and spec (Vega-Lite)
                    assert target.is_file() and target.stat().st_size > 500, target
                    continue
                rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
                assert len(rows) >= 2 and all(h and not h.startswith("Unnamed") for h in rows[0]), target
                checked += 1
    assert checked >= 7  # the trade-growth chapter alone has 7 charts and tables


def test_downloaded_data_is_the_data_behind_the_chart(built_book: Path, site: Path):
    from tradebook.analysis import indicators
    from tradebook.data.folder import DataFolder

    page = site / "notebooks" / "trade_growth.html"
    href = next(h for h in download_links(page) if h.endswith("trade_growth-level.csv"))
    offered = pd.read_csv(local_file(site, page, href), index_col="year")
    pair = indicators.bilateral(DataFolder(built_book / "data").load("trade"), "KAZ", "ITA")
    pair = pair[pair.index >= 2000]
    assert list(offered.columns) == ["export_usd", "import_usd", "turnover_usd"]
    pd.testing.assert_series_equal(offered["turnover_usd"], pair["turnover"], check_names=False)


def test_data_and_methods_lists_every_source(built_book: Path, site: Path):
    text = page_text(site / "notebooks" / "data_methods.html")
    known = DataFolder(built_book / "data").sources()
    assert known
    squash = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    for source in known.values():
        for field in (source.id, source.title, source.publisher, source.licence, source.units, source.origin):
            assert squash(field) in text, field
        for caveat in source.caveats:
            assert squash(caveat) in text, caveat
        for raw in source.files:
            assert raw.sha256 in text and raw.path in text
    hrefs = download_links(site / "notebooks" / "data_methods.html")
    assert any(h.endswith("data_methods-data-trade.csv") for h in hrefs)


def test_data_and_methods_runs_for_another_edition(tmp_path: Path):
    """With another partner the page is the same inventory: every source, the complete data files."""
    from tradebook.book import methods
    from tradebook.data import validate

    run_notebook("data_methods", tmp_path, partner="CHN")
    offered = offered_downloads(tmp_path / "data_methods-out.ipynb")
    assert {"sources", "raw-files", "caveats", "datasets", "contract"} <= set(offered)
    for name in validate.DATASETS:
        frame = pd.read_csv(io.StringIO(offered[f"data-{name}"]))
        assert len(frame) == len(DataFolder(ROOT / "data").load(name))
    known = DataFolder(ROOT / "data").sources()
    files = pd.read_csv(io.StringIO(offered["raw-files"]))
    assert sorted(files["sha256"]) == sorted(f.sha256 for s in known.values() for f in s.files)
    assert len(pd.read_csv(io.StringIO(offered["caveats"]))) == sum(len(s.caveats) for s in known.values())
    assert len(pd.read_csv(io.StringIO(offered["contract"]))) == len(methods.contract_table())


def test_every_figure_is_a_chart_with_its_static_image_and_its_live_drawing(site: Path):
    """Each figure shows the static SVG that vl-convert drew (print, PDF, no JavaScript) and has the placeholder of
    its live chart, which the book's script draws in its place; no chart is left without a figure to go in."""
    figures = 0
    for page in toc_pages(site):
        doc = soup(page)
        live = [d["data-figure"] for d in doc.select("div.tb-vega")]
        shown = [f for f in doc.select("article figure") if f.find("img")]
        assert sorted(live) == sorted(f.get("id") for f in shown), page.name
        for figure in shown:
            assert figure.find("img")["src"].endswith(".svg"), (page.name, figure.get("id"))
        figures += len(shown)
    assert figures >= 18  # every chapter's charts: the trade-growth chapter alone has five
    assert not list((site / "_images").glob("*.png"))


def test_every_published_chart_spec_is_valid_vega_lite(site: Path):
    """vega.spec skips Altair's schema validation (seconds of a build): every spec the book publishes is
    validated here instead, house style and sizes included, so a broken chart still fails a test."""
    specs = sorted((site / "_downloads").rglob("*.vl.json"))
    for path in specs:
        alt.Root.validate(json.loads(path.read_text(encoding="utf-8")))
    figures = sum(len(soup(page).select("div.tb-vega")) for page in toc_pages(site))
    assert len(specs) == figures >= 18


def test_every_published_notebook_is_a_valid_notebook(site: Path):
    """The notebooks a reader downloads (_sources) follow the nbformat schema: Jupyter opens them as they are.
    (A markdown cell given an empty list of outputs made every one of them invalid, and every read of them
    slow: nbformat re-validates an invalid notebook with jsonschema to say why.)"""
    notebooks = sorted((site / "_sources" / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 8
    for path in notebooks:
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=nbformat.NO_CONVERT))


# --- reproducibility and the cache ---------------------------------------------------------------


def provenance() -> Provenance:
    """What a build would hand the normalising step, for an edition with no data read."""
    edition = editions.load(ROOT / "params" / "kazakhstan-italy.yml")
    return Provenance(edition, "0.0.0", "The authors", "2026", sources={}, reads={}, vintage={})


def test_run_metadata_is_stripped_and_downloads_become_links(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 5
    nb.metadata["papermill"] = {
        "start_time": "t",
        "end_time": "t",
        "duration": 1.0,
        "input_path": "/x",
        "output_path": "/y",
        "parameters": {"partner": "ITA"},
    }
    cell = nbformat.v4.new_code_cell("download(frame, 'level')")
    cell.metadata.update(execution={"iopub.status.busy": "t"}, papermill={"start_time": "t", "status": "completed"})
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Fig at 0x7f3a>"}),
        nbformat.v4.new_output(
            "display_data",
            data={
                DOWNLOAD_MIME: {"name": "level", "csv": "year,v\n2000,1\n"},
                "text/plain": "Data: level.csv",
            },
        ),
    ]
    nb.cells = [cell]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)

    written = normalise.prepare(tmp_path, provenance())

    assert [p.read_text() for p in written] == ["year,v\n2000,1\n"]
    assert written[0] == tmp_path / "downloads" / "chapter-level.csv"
    out = nbformat.read(path, as_version=4)
    assert out.metadata.papermill == {"parameters": {"partner": "ITA"}}
    assert out.cells[0].metadata == {"papermill": {"status": "completed"}}
    assert [o.data for o in out.cells[0].outputs] == [{"image/png": "iVBOR", "text/plain": "<Fig>"}]
    assert out.cells[1].cell_type == "markdown"
    assert "{download}`chapter-level.csv <downloads/chapter-level.csv>`" in out.cells[1].source
    assert [c.id for c in out.cells] == ["cell-0", "cell-1"]
    normalise.prepare(tmp_path, provenance())  # again: nothing left to move, the same notebook
    assert nbformat.read(path, as_version=4) == out


def test_a_download_offered_twice_stops_the_build():
    nb = nbformat.v4.new_notebook()
    output = {DOWNLOAD_MIME: {"name": "x", "csv": "a\n1\n"}}
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=output) for _ in range(2)]
    nb.cells = [cell]
    with pytest.raises(BuildError, match="'chapter-x.csv' twice"):
        normalise.publish_downloads(nb, "chapter", provenance())


def test_csv_text_is_stable_and_keeps_meaningful_index():
    frame = pd.DataFrame({"value": [1.5, 2.25]}, index=pd.Index([2000, 2001], name="year"))
    assert csv_text(frame) == "year,value\n2000,1.5\n2001,2.25\n"
    assert csv_text(frame.reset_index()) == "year,value\n2000,1.5\n2001,2.25\n"
    assert csv_text(frame["value"]) == "year,value\n2000,1.5\n2001,2.25\n"


# --- safe rendering -----------------------------------------------------------------------------


def test_table_escapes_cells_labels_names_and_caption():
    frame = pd.DataFrame({PAYLOAD: [PAYLOAD]}, index=pd.Index([PAYLOAD], name=PAYLOAD))
    frame.columns.name = PAYLOAD
    out = table(frame, name="t", caption=PAYLOAD).to_html()
    assert "<script" not in out
    # cell, row label, column label, the two axis names and the caption
    assert out.count(html.escape(PAYLOAD)) == 6


def test_sphinx_extension_refuses_assets_from_other_hosts(monkeypatch):
    from types import SimpleNamespace

    from tradebook.book import sphinxext

    warned = []
    monkeypatch.setattr(sphinxext.logger, "warning", lambda *args, **kw: warned.append(args))
    context = {
        "script_files": [
            SimpleNamespace(filename="_static/local.js"),
            SimpleNamespace(filename="https://cdn.x/a.js"),
        ],
        "css_files": [
            SimpleNamespace(filename="_static/sphinx-thebe.css"),
            SimpleNamespace(filename="//cdn.x/b.css"),
        ],
    }
    sphinxext.offline_assets(None, "chapter", "page.html", context, None)
    assert [w[2] for w in warned] == ["https://cdn.x/a.js", "//cdn.x/b.css"]
    assert [c.filename for c in context["css_files"]] == ["//cdn.x/b.css"]  # thebe's sheet dropped


def test_no_data_page_escapes_the_message(tmp_path: Path):
    from tradebook.book.staging import no_data_notebook

    target = tmp_path / "page.ipynb"
    no_data_notebook(ROOT / "notebooks" / "trade_growth.ipynb", target, f"no rows for {PAYLOAD}")
    text = "".join(c.source for c in nbformat.read(target, as_version=4).cells)
    assert "<script" not in text and html.escape(PAYLOAD) in text


def test_chart_text_from_the_data_is_plain_text():
    """A title, a series label and a source line with markup or `$…$` from the data are drawn as the text they
    are: escaped in the static SVG, never a tag or a formula."""
    from tradebook.book import vega

    source = next(iter(DataFolder(ROOT / "data").sources().values()))
    hostile = source.model_copy(update={"citation": f"Publisher $\\notacommand{{x}}$ and $1 + $2 {PAYLOAD}"})
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}, index=[2022, 2023])
    labels = {"a": f"Côte d'Ivoire [1] {PAYLOAD}", "b": "x.y"}
    chart = vega.time_series(frame, labels, title=f"Title with $x$ {PAYLOAD}", units="u", sources=[hostile])
    svg = vega.static_svg(vega.spec(chart, f"Chart {PAYLOAD}"))
    assert "<script" not in svg and svg.count(html.escape(PAYLOAD, quote=False)) >= 3  # title, legend, source…
    ElementTree.fromstring(svg)  # well-formed, so the figure's <img> still shows it
    assert "Title with $x$" in svg and "$\\notacommand{x}$" in svg
