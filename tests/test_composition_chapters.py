"""The export-composition and mirror-statistics chapters, executed with papermill as the build does,
for Italy, for partners the sources cover partly or not at all, and after a UN Comtrade import."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, ROOT, page_text, run_notebook
from papermill.exceptions import PapermillExecutionError

from tradebook.analysis import composition as comp
from tradebook.analysis import mirror
from tradebook.data.folder import DataFolder
from tradebook.data.importers import import_comtrade

DATA = ROOT / "data"
FIXTURE = FIXTURES / "comtrade_synthetic_kaz_ita_hs2_2021_2023.csv"


@pytest.fixture(scope="module")
def composition_ita(tmp_path_factory):
    return run_notebook("export_composition", tmp_path_factory.mktemp("ec"), partner="ITA")


@pytest.fixture(scope="module")
def mirror_ita(tmp_path_factory):
    return run_notebook("mirror_statistics", tmp_path_factory.mktemp("ms"), partner="ITA")


def test_composition_italy_with_the_shipped_data(composition_ita):
    g = composition_ita
    assert g["mode"] == "partial"
    assert "partial product data only" in g["mode_note"]
    # Italy's crude register 2020 (Eurostat) over Italy-reported imports from Kazakhstan 2020 (CEPII Gravity).
    assert g["crude_share_last_year"] == 2020
    assert g["crude_share_last"] == pytest.approx(1_137_771 / 1_438_520.479, rel=1e-6)
    assert g["baci_crude_share"] == pytest.approx(8_197_469.638 / 8_541_475.0, rel=1e-4)
    assert (g["dest_270900_2019_rank"], g["dest_270900_2021_rank"], g["dest_SXV_2021_rank"]) == (1, 9, 8)
    assert (g["manuf_first_year"], g["manuf_last_year"]) == (1996, 2020)
    assert g["manuf_last"] == pytest.approx(165_891.969 / 6_761_455.0, rel=1e-4)
    assert (g["basket_first_year"], g["basket_last_year"]) == (2002, 2021)
    assert "HS 27" in g["basket_top_name"]
    assert "not computed" in g["rca_text"]
    assert "cannot be shown" in g["full_text"]
    assert "CPC Blend" in g["grade_text"]


def test_composition_for_a_partner_with_partial_data(tmp_path):
    g = run_notebook("export_composition", tmp_path, partner="CHN")
    products = DataFolder(DATA).load("trade_products")
    assert g["mode"] == "partial" and g["partner_name"] == "China"
    assert "no crude-oil import register of China" in g["crude_text"]
    assert "No source in the data splits" in g["manuf_text"]
    expected = comp.destinations(products, "KAZ", "270900", 2021, "baci").loc["CHN", "rank"]
    assert g["dest_270900_2021_rank"] == expected
    assert "dest_270900_2019_rank" not in g  # China is not among the 2019 top ten
    assert "manuf_first" not in g


def test_composition_with_a_full_comtrade_breakdown(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    import_comtrade(FIXTURE, data)
    g = run_notebook("export_composition", tmp_path, partner="ITA", data_dir=str(data))
    assert g["mode"] == "full"
    assert "holds a full breakdown" in g["mode_note"] and "2021–2023" in g["mode_note"]
    products = DataFolder(data).load("trade_products")
    for flow in ("export", "import"):
        table = comp.full_breakdowns(products, "KAZ", "ITA", flow)
        assert list(table.index) == [2021, 2022, 2023]
        assert g[f"full_{flow}_hhi_last"] == pytest.approx(comp.hhi(comp.shares(table)).loc[2023])
    top = comp.top(comp.full_breakdowns(products, "KAZ", "ITA", "export"), 2023, 1).iloc[0]
    assert top["product"] == "27"
    assert f"HS 27, {top['share']:.0%}" in g["full_text"]
    assert "cannot be shown" not in g["full_text"]


def test_mirror_italy(mirror_ita):
    g = mirror_ita
    trade, products = DataFolder(DATA).load("trade"), DataFolder(DATA).load("trade_products")
    assert g["exports_last_year"] == 2020
    assert g["exports_ratio_last"] == pytest.approx(1_438_520.479 / 6_644_695.0, rel=1e-4)
    imports = mirror.imports_vs_partner_exports(trade, "KAZ", "ITA")
    assert g["imports_last_year"] == int(imports.index[-1])
    assert g["imports_ratio_last"] == pytest.approx(imports["ratio"].iloc[-1])
    crude = mirror.crude_vs_exports(trade, products, "KAZ", "ITA")
    assert (int(crude.index[0]), g["crude_last_year"]) == (2013, 2023)
    assert g["crude_ratio_last"] == pytest.approx(crude["ratio"].iloc[-1])
    assert "EUR" in g["imports_text"] and "US$ per EUR" in g["imports_text"]


def test_mirror_for_an_eu_partner_without_its_own_import_figures(tmp_path):
    g = run_notebook("mirror_statistics", tmp_path, partner="DEU")
    assert "no imports from Kazakhstan as Germany reports them" in g["exports_text"]
    assert "exports_ratio_last" not in g
    assert g["imports_last_year"] == 2023
    # Germany registers far more Kazakh crude than Kazakhstan reports selling it: oil piped on from Trieste.
    assert g["crude_ratio_last"] > 1


def test_mirror_without_partner_data_says_so(tmp_path):
    with pytest.raises(PapermillExecutionError) as err:
        run_notebook("mirror_statistics", tmp_path, partner="CHN")
    assert err.value.ename == "NoData"
    assert "no figures reported by China" in err.value.evalue


@pytest.mark.xdist_group("book")
def test_book_pages_show_the_glued_numbers(built_book):
    html = built_book / "_build" / "html" / "notebooks"
    trade, products = DataFolder(DATA).load("trade"), DataFolder(DATA).load("trade_products")
    text = page_text(html / "export_composition.html")
    assert "partial product data only" in text
    crude = comp.crude_imports(products, "ITA")
    total = trade[(trade.reporter == "ITA") & (trade.flow == "import")].set_index("year")["value"]
    share = crude.loc[2020, "value"] / total.loc[2020]
    assert f"were {share:.0%} of all its imports from Kazakhstan in 2020" in text
    basket = comp.full_breakdowns(products, "KAZ", "WLD", "export")
    assert f"{comp.hhi(comp.shares(basket)).loc[2021]:,.0f} in 2021" in text
    manuf = comp.manufactured_share(products, "KAZ", "ITA")
    assert f"{manuf['share'].iloc[-1]:.1%}" in text
    text = page_text(html / "mirror_statistics.html")
    exports = mirror.exports_vs_partner_imports(trade, products, "KAZ", "ITA").dropna()
    assert f"a ratio of {exports['ratio'].iloc[-1]:.2f}" in text
    imports = mirror.imports_vs_partner_exports(trade, "KAZ", "ITA")
    assert f"at {imports['rate'].iloc[-1]:.4f} US$ per EUR" in text
    crude = mirror.crude_vs_exports(trade, products, "KAZ", "ITA")
    assert f"{crude['ratio'].iloc[-1]:.0%} of Kazakhstan" in text  # the page has typographic quotes
    assert "Transalpine pipeline" in text and "CIF against FOB" in text
    nav = (html / "trade_growth.html").read_text(encoding="utf-8")  # the sidebar lists every chapter
    assert 'href="export_composition.html"' in nav and 'href="mirror_statistics.html"' in nav
