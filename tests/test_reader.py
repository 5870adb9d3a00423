"""What a reader can trust at a glance: each page stamped, the citation files, the parameters out of the way, one-off
builds kept apart, each chart's data package, the build page, the partners compared, the PDF."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from bookpages import html_pages, local_file, soup, toc_pages
from conftest import ROOT, copy_project, page_text

from tradebook.analysis import partners
from tradebook.book import buildinfo, editions, normalise, vega
from tradebook.book.provenance import Provenance, book_version
from tradebook.data.folder import DataFolder


@pytest.fixture(scope="module")
def site(built_book: Path) -> Path:
    return built_book / "_build" / "html"


def cff_version() -> str:
    return str(yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"])


def default_edition() -> editions.Edition:
    return editions.resolve(ROOT, None, {})


# --- without a build -----------------------------------------------------------------------------


def test_the_citation_file_names_the_package_version_and_the_code_has_a_licence():
    assert cff_version() == book_version()
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_vendored_vega_is_the_one_that_draws_the_static_charts():
    header = (ROOT / "assets" / "vendor" / "vega" / "tradebook-vega.js").read_text(encoding="utf-8")[:200]
    assert vega.bundle_versions() in header, "run `make vendor` after a new pin of vl-convert-python"


def test_version_and_a_description_for_each_subcommand(cli):
    assert cli("--version", cwd=ROOT).stdout.strip() == f"tradebook {book_version()}"
    top = cli("--help", cwd=ROOT).stdout
    for command in ("build", "validate", "import", "editions", "data"):
        assert re.search(rf"^\s+{command}\s+\w+", top, re.M), command
        assert cli(command, "--help", cwd=ROOT).stdout.count("\n\n") >= 2  # usage, description, options


def test_one_off_parameters_build_in_their_own_folder():
    edition = editions.resolve(ROOT, None, {"forecast_years": (5, "-p forecast_years")})
    assert edition.slug == "kazakhstan-italy-forecast-years-5" and not edition.default
    assert edition.changed == {"forecast_years": (5, 3)}
    same = editions.resolve(ROOT, None, {"forecast_years": (3, "-p forecast_years")})
    assert same.default and same.slug == "kazakhstan-italy" and not same.changed
    china = editions.resolve(ROOT, None, {"partner": ("CHN", "--partner")})
    assert china.slug == "kazakhstan-china" and not china.changed  # a shipped edition, not a one-off


def test_the_parameters_box_marks_what_this_build_changed():
    used = {"reporter": "KAZ", "partner": "ITA", "start_year": 2000, "end_year": None, "forecast_years": 5}
    box = editions.parameters_box(used, {"forecast_years": (5, 3)})
    assert "partner Italy (ITA)" in box and "years 2000–the latest year in the data" in box
    assert "[5 years]{.tb-differs}" in box and "set for this build only" in box
    assert "tb-differs" not in editions.parameters_box(used, {})


def chart_notebook(path: Path) -> dict:
    """A notebook with one chart cell as vega.show publishes it; returns the chart's payload."""
    frame = pd.DataFrame({"export": [1e9, 2e9, 3e9], "import": [0.5e9, 1e9, 1.5e9]}, index=[2021, 2022, 2023])
    source = DataFolder(ROOT / "data").sources()["bns-trade-by-country"]
    chart = vega.time_series(
        frame,
        {"export": "Exports", "import": "Imports"},
        title="<b>Trade</b>",
        units="US$ bn",
        scale=1e9,
        sources=[source],
    )
    spec = vega.spec(chart, "Line chart <script>")
    payload = {
        "name": "trade",
        "title": chart.title,
        "units": chart.units,
        "sources": [source.id],
        "alt": "Line chart <script>",
        "spec": vega.live_spec(spec),
        "csv": "year,export\n2021,1\n",
    }
    cell = nbformat.v4.new_code_cell("vega.show(...)")
    cell.metadata["mystnb"] = {"figure": {"name": "fig-trade"}}
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/svg+xml": vega.static_svg(spec), "text/plain": "c"}),
        nbformat.v4.new_output("display_data", data={vega.CHART_MIME: payload, vega.VEGALITE_MIME: {}}),
    ]
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"partner": "ITA", "data_dir": "/somewhere/data"}}
    nb.cells = [cell]
    nbformat.write(nb, path)
    return payload


def test_a_chart_becomes_a_live_placeholder_and_a_data_package(tmp_path: Path):
    payload = chart_notebook(tmp_path / "chapter.ipynb")
    edition = default_edition()
    known = DataFolder(ROOT / "data").sources()
    reads = {"chapter": {"data/trade.csv": "ab" * 32}}
    provenance = Provenance(edition, "9.9.9", "The authors", "2026", known, reads, vintage={})

    written = {p.name: p for p in normalise.prepare(tmp_path, provenance)}

    assert set(written) == {"chapter-trade.csv", "chapter-trade.json", "chapter-trade.svg", "chapter-trade.vl.json"}
    meta = json.loads(written["chapter-trade.json"].read_text(encoding="utf-8"))
    assert meta["title"] == "<b>Trade</b>" and meta["units"] == "US$ bn" and meta["data"] == "chapter-trade.csv"
    assert meta["sources"][0]["licence"] == known["bns-trade-by-country"].licence
    assert meta["sources"][0]["raw_files"] and meta["inputs"] == [{"file": "data/trade.csv", "sha256": "ab" * 32}]
    assert meta["edition"]["parameters"] == {"partner": "ITA"}  # no folder path
    assert meta["book_version"] == "9.9.9" and "version 9.9.9" in meta["citation"] and "Trade" in meta["citation"]
    assert json.loads(written["chapter-trade.vl.json"].read_text(encoding="utf-8")) == payload["spec"]
    links = nbformat.read(tmp_path / "chapter.ipynb", as_version=4).cells[1].source
    assert 'class="tb-vega" data-figure="fig-trade"' in links and "<script" not in links and "&lt;script&gt;" in links
    assert "data (CSV)" in links and "metadata (JSON)" in links and "image (SVG)" in links


def test_the_time_series_tooltip_names_the_year_and_each_series():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}, index=[2022, 2023])
    spec = vega.spec(vega.time_series(frame, {"a": "A.1", "b": "B"}, title="T", units="u", sources=[]), "d")
    tooltips = [t for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    assert [t["title"] for t in tooltips] == ["Year", "A.1", "B"] and tooltips[1]["field"] == "A\\.1"
    sizes = {float(s) for s in re.findall(r'font-size="([0-9.]+)', vega.static_svg(spec))}
    assert min(sizes) >= 11


def axis_labels(svg: str, axis: str) -> list[tuple[float, float]]:
    """The labels an axis of a static chart shows: (value read from the label, position in px)."""
    group = svg[svg.index(f'aria-label="{axis}-axis') :]
    group = group[group.index("role-axis-label") : group.index("role-axis-domain")]
    found = re.findall(r'translate\(([-0-9.]+),([-0-9.]+)\)[^>]*opacity="1">([^<]+)</text>', group)
    at = 0 if axis == "X" else 1
    return [(float(t.replace(",", "").replace("\N{MINUS SIGN}", "-")), float(xy[at])) for *xy, t in found]


@pytest.mark.parametrize("top", [0.012e9, 0.6e9, 3e9, 9e9, 18e9, 45e9, 2500e9])
def test_each_axis_label_reads_the_value_of_its_gridline(top):
    """A US$-billion axis labels its ticks with the decimals they need: 2.5 reads 2.5, never 2 or 3."""
    frame = pd.DataFrame({"v": [0.0, top / 3, top]}, index=[2000, 2012, 2025])
    chart = vega.time_series(frame, {"v": "V"}, title="T", units="US$ billion", scale=1e9, sources=[])
    labels = axis_labels(vega.static_svg(vega.spec(chart, "d")), "Y")
    assert len(labels) >= 3
    (v0, y0), (v1, y1) = labels[0], labels[-1]
    for value, y in labels:  # each label sits where its value falls on the scale
        assert value == pytest.approx(v0 + (v1 - v0) * (y - y0) / (y1 - y0), abs=1e-9 + abs(v1 - v0) * 1e-3)
    assert len({value for value, _ in labels}) == len(labels)
    years = axis_labels(vega.static_svg(vega.spec(chart, "d")), "X")
    assert all(value == int(value) for value, _ in years) and len({v for v, _ in years}) == len(years)


def test_labels_from_the_data_may_hold_quotes_dots_and_brackets():
    """Series labels become the tooltip's field names: an apostrophe (Italy's, Côte d'Ivoire) is not syntax."""
    labels = ["Italy's imports / Kazakhstan's exports", 'The "other" [1]', "A.1", "back\\slash"]
    frame = pd.DataFrame({label: [1.0, 2.0] for label in labels}, index=[2022, 2023])
    spec = vega.spec(vega.time_series(frame, {x: x for x in labels}, title="T", units="u", sources=[]), "d")
    svg = vega.static_svg(spec)  # vl-convert compiles and draws it
    assert all(html.escape(label, quote=False) in svg for label in labels)
    fields = [t["field"] for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])][1:]
    assert fields == ["Italy\\'s imports / Kazakhstan\\'s exports", 'The \\"other\\" \\[1\\]', "A\\.1", "back\\\\slash"]


def test_every_partner_is_compared_and_the_shares_add_up():
    folder = DataFolder(ROOT / "data")
    trade, fdi = folder.load("trade"), folder.load("fdi")
    comparison = partners.compare(trade, fdi, "KAZ")
    listed = set(trade.loc[trade.reporter == "KAZ", "partner"]) | set(trade.loc[trade.partner == "KAZ", "reporter"])
    assert set(comparison.table.index) == listed - {"WLD", "KAZ"}
    year = comparison.last_year
    rows = trade[(trade.reporter == "KAZ") & (trade.year == year) & (trade.currency == "USD")]
    world = rows.loc[rows.partner == "WLD", "value"].sum()
    china = rows.loc[rows.partner == "CHN", "value"].sum()
    assert comparison.table.loc["CHN", "share"] == pytest.approx(china / world)
    ranked = comparison.table.dropna(subset=["rank"])
    assert list(ranked["rank"][:3]) == [1, 2, 3] and ranked["share"].sum() == pytest.approx(1, abs=0.01)
    assert comparison.table["mirror_ratio"].notna().sum() >= 20 and comparison.fdi_year is not None


@pytest.mark.slow
def test_a_one_off_build_has_its_folder_and_its_banner(tmp_path: Path, cli):
    """-p/--data-dir overrides: the edition's own book stays untouched, every page says what differs."""
    project = copy_project(tmp_path / "one-off")
    # Only the data-and-methods chapter, and only the parameters it declares, to keep the test quick.
    (project / "_toc.yml").write_text("format: jb-book\nroot: notebooks/data_methods\n", encoding="utf-8")
    edition = {"edition": {"slug": "small", "title": "Small"}, "parameters": {"reporter": "KAZ", "partner": "ITA"}}
    (project / "params" / "small.yml").write_text(yaml.safe_dump(edition), encoding="utf-8")
    other = shutil.copytree(project / "data", tmp_path / "other-data")

    proc = cli("build", "--params", "params/small.yml", "--data-dir", str(other), cwd=project)

    assert proc.returncode == 0, proc.stderr
    assert not (project / "_build" / "editions" / "small").exists()
    (built,) = (project / "_build" / "editions").glob("small-custom-*/html")
    page = built / "notebooks" / "data_methods.html"
    banner = soup(page).select_one(".bd-header-announcement")
    assert banner is not None and "data from another folder" in banner.get_text()
    assert str(tmp_path) not in page.read_text(encoding="utf-8")


# --- the built book ------------------------------------------------------------------------------


def test_every_page_carries_edition_vintage_and_version(site: Path):
    edition = default_edition()
    for page in toc_pages(site):
        stamp = soup(page).select_one(".tb-stamp")
        assert stamp is not None, page
        text = " ".join(stamp.get_text(" ").split())
        assert edition.title in text and f"book version {cff_version()}" in text, (page, text)
    readers = [p for p in toc_pages(site) if p.stem not in (buildinfo.PAGE, "how_to_cite")]
    for page in readers:
        text = " ".join(soup(page).select_one(".tb-stamp").get_text(" ").split())
        assert re.search(r"Data on this page: .+ to (19|20)\d\d", text), page


def test_how_to_cite_names_the_version_and_offers_the_citation_files(site: Path):
    page = site / "notebooks" / "how_to_cite.html"
    text = page_text(page)
    assert f"version {cff_version()}" in text and default_edition().title in text
    offered = {local_file(site, page, a["href"]).name: a for a in soup(page).select("a.download")}
    assert {"CITATION.cff", "LICENSE"} <= set(offered)


def test_parameters_cells_give_way_to_one_box(site: Path):
    for page in toc_pages(site):
        doc = soup(page)
        assert not doc.select(".tag_parameters, .tag_injected-parameters"), page
        if (page.parent / f"{page.stem}.html").exists() and (ROOT / "notebooks" / f"{page.stem}.ipynb").exists():
            assert len(doc.select(".tb-edition")) == 1, page


def test_no_page_shows_an_internal_path(built_book: Path, site: Path):
    for page in html_pages(site):
        text = page_text(page)
        for path in (str(built_book), "/work/", "shared/", "../data", "/tmp/"):
            assert path not in text, (page, path)


def test_the_build_page_matches_the_build(built_book: Path, site: Path):
    rows = soup(site / "notebooks" / f"{buildinfo.PAGE}.html").select(".tb-run tbody tr")
    runs = {r.select("td")[0].get_text(): r.select("td")[1].get_text() for r in rows}
    notebooks = [p.name for p in (ROOT / "notebooks").glob("*.ipynb")]
    assert sorted(runs) == sorted(notebooks) and all(v.startswith("executed in") for v in runs.values())
    text = page_text(site / "notebooks" / f"{buildinfo.PAGE}.html")
    trade = hashlib.sha256((built_book / "data" / "trade.csv").read_bytes()).hexdigest()
    assert trade in text and "altair" in text and "forecast_years" in text


def test_the_partners_page_lists_every_partner(site: Path):
    folder = DataFolder(ROOT / "data")
    expected = partners.compare(folder.load("trade"), folder.load("fdi"), "KAZ").table["partner"]
    table = soup(site / "notebooks" / "partners_compared.html").select_one("table.tb-table")
    shown = [th.get_text() for th in table.select("tbody th")]
    assert shown == list(expected)


def test_each_chart_offers_its_data_package(built_book: Path, site: Path):
    page = site / "notebooks" / "intro.html"
    meta = next(a for a in soup(page).select("a.download") if a["href"].endswith("intro-trade.json"))
    package = json.loads(local_file(site, page, meta["href"]).read_text(encoding="utf-8"))
    checksums = {i["file"]: i["sha256"] for i in package["inputs"]}
    assert checksums["data/trade.csv"] == hashlib.sha256((built_book / "data/trade.csv").read_bytes()).hexdigest()
    assert package["sources"] and all(s["licence"] for s in package["sources"])
    assert package["book_version"] == cff_version() and package["edition"]["slug"] == "kazakhstan-italy"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (.ci/run installs it)")
def test_the_pdf_holds_every_chapter(built_book: Path, site: Path):
    pdf = built_book / "_build" / "pdf" / "kazakhstan-italy.pdf"
    assert (site / pdf.name).read_bytes() == pdf.read_bytes()  # offered for download from the book
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 3 * len(toc_pages(site))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    text = text.replace("’", "'")
    for page in toc_pages(site):
        title = " ".join(soup(page).select_one("article h1").get_text("").split()).rstrip("#").strip()
        assert title.replace("’", "'") in text, title
    assert f"version {cff_version()}" in text and "127.0.0.1" not in text
