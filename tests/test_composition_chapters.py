"""The export-composition and mirror-statistics chapters, executed with papermill as the build does,
for Italy, for partners the sources cover partly or not at all, and after a UN Comtrade import."""

from __future__ import annotations

import shutil

import chapters
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT, built_chapter, page_text, run_notebook
from papermill.exceptions import PapermillExecutionError

from tradebook.analysis import composition as comp
from tradebook.analysis import mirror
from tradebook.data.currency import annual_rate
from tradebook.data.folder import DataFolder
from tradebook.data.importers import import_comtrade

DATA = ROOT / "data"
FIXTURE = FIXTURES / "comtrade_synthetic_kaz_ita_hs2_2021_2023.csv"


@pytest.fixture(scope="module")
def composition_ita(built_book):
    return built_chapter(built_book, "export_composition")


@pytest.fixture(scope="module")
def mirror_ita(built_book):
    return built_chapter(built_book, "mirror_statistics")


def test_composition_italy_with_the_shipped_data(composition_ita):
    g = composition_ita
    assert g["has_full_breakdown"] is False  # the page says "partial product data only"
    # Italy's crude register 2021 (Eurostat) over Italy's own imports from Kazakhstan 2021 (Comext, in euro).
    trade, products = DataFolder(DATA).load("trade"), DataFolder(DATA).load("trade_products")
    total = trade[(trade.reporter == "ITA") & (trade.flow == "import") & (trade.year == 2021)].iloc[0]
    crude = comp.crude_imports(products, "ITA").loc[2021, "value"]
    assert (g["crude_share_last_year"], total["currency"]) == (2021, "EUR")
    assert g["crude_share_last"] == pytest.approx(crude / (total["value"] * annual_rate(2021, "EUR", "USD")))
    assert g["baci_crude_share"] == pytest.approx(8_197_469.638 / 8_541_475.0, rel=1e-4)
    assert (g["dest_270900_2019_rank"], g["dest_270900_2021_rank"], g["dest_SXV_2021_rank"]) == (1, 9, 8)
    # The series starts in 1996; the chapter shows it from start_year (2000, as in the edition).
    assert (g["manuf_first_year"], g["manuf_last_year"]) == (2000, 2020)
    assert g["manuf_last"] == pytest.approx(165_891.969 / 6_761_455.0, rel=1e-4)
    assert (g["basket_first_year"], g["basket_last_year"]) == (2002, 2021)
    assert "HS 27" in g["basket_top_name"]
    assert g["has_rca"] is False  # the page says RCA is not computed
    assert (g["has_full_export"], g["has_full_import"]) == (False, False)  # ... and the breakdown cannot be shown
    assert "CPC Blend" in g["grades_split"]


def test_start_year_reaches_composition_and_mirror(tmp_path):
    g = chapters.glued("export_composition", partner="ITA", start_year=1992)
    assert (g["manuf_first_year"], g["manuf_last_year"]) == (1996, 2020)
    assert g["manuf_first"] == pytest.approx(109_684_680.0 / 127_957_307.0)
    g = chapters.glued("mirror_statistics", partner="ITA", start_year=2010, end_year=2015)
    assert (g["exports_first_year"], g["exports_last_year"]) == (2010, 2015)
    assert (g["crude_first_year"], g["crude_last_year"]) == (2013, 2015)


def test_composition_for_a_partner_with_partial_data(tmp_path):
    g = chapters.glued("export_composition", partner="CHN")
    products = DataFolder(DATA).load("trade_products")
    assert g["has_full_breakdown"] is False and g["partner_name"] == "China"
    # No crude register of China, and BACI's crude figures without a total beside them: not measurable.
    assert (g["has_crude_register"], g["has_baci_crude_share"], g["has_baci_crude"]) == (False, False, True)
    assert g["has_manuf"] is False  # no source splits the exports into manufactured and other goods
    expected = comp.destinations(products, "KAZ", "270900", 2021, "baci").loc["CHN", "rank"]
    assert g["dest_270900_2021_rank"] == expected
    assert g["has_dest_270900_2019"] is False and "dest_270900_2019_rank" not in g  # not in the 2019 top ten
    assert "manuf_first" not in g


def test_composition_with_a_full_comtrade_breakdown(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    import_comtrade(FIXTURE, data)
    g = chapters.glued("export_composition", partner="ITA", data_dir=str(data))
    assert g["has_full_breakdown"] is True and g["full_years"] == "2021–2023"
    products = DataFolder(data).load("trade_products")
    for flow in ("export", "import"):
        table = comp.full_breakdowns(products, "KAZ", "ITA", flow)
        assert list(table.index) == [2021, 2022, 2023]
        assert g[f"full_{flow}_hhi_last"] == pytest.approx(comp.hhi(comp.shares(table)).loc[2023])
    top = comp.top(comp.full_breakdowns(products, "KAZ", "ITA", "export"), 2023, 1).iloc[0]
    assert top["product"] == "27"
    assert (g["full_export_year"], g["full_export_top_code"]) == (2023, "27")
    assert g["full_export_top_share"] == pytest.approx(top["share"])
    assert g["has_full_export"] is True and g["has_full_import"] is True


def test_mirror_italy(mirror_ita):
    g = mirror_ita
    trade, products = DataFolder(DATA).load("trade"), DataFolder(DATA).load("trade_products")
    exports = mirror.exports_vs_partner_imports(trade, products, "KAZ", "ITA")
    assert (
        g["exports_last_year"] == 2021 and exports.loc[2021, "partner_source"] == "eurostat-comext-italy-kz-total-hs27"
    )
    assert g["exports_ratio_last"] == pytest.approx(exports.loc[2021, "ratio"])
    imports = mirror.imports_vs_partner_exports(trade, "KAZ", "ITA")
    assert g["imports_last_year"] == int(imports.index[-1])
    assert g["imports_ratio_last"] == pytest.approx(imports["ratio"].iloc[-1])
    crude = mirror.crude_vs_exports(trade, products, "KAZ", "ITA")
    assert (int(crude.index[0]), g["crude_last_year"]) == (2013, 2023)
    assert g["crude_ratio_last"] == pytest.approx(crude["ratio"].iloc[-1])
    assert g["imports_currency"] == "EUR" and g["imports_rate"] == pytest.approx(imports["rate"].iloc[-1])


def test_mirror_for_an_eu_partner_without_its_own_import_figures(tmp_path):
    g = chapters.glued("mirror_statistics", partner="DEU")
    assert g["has_exports"] is False  # the page says the data hold no imports as Germany reports them
    assert "exports_ratio_last" not in g
    assert g["imports_last_year"] == 2023
    # Germany registers far more Kazakh crude than Kazakhstan reports selling it: oil piped on from Trieste.
    assert g["crude_ratio_last"] > 1 and g["crude_above_one"] is True


def test_mirror_without_partner_data_says_so(tmp_path):
    with pytest.raises(PapermillExecutionError) as err:
        run_notebook("mirror_statistics", tmp_path, partner="CHN")
    assert err.value.ename == "NoData"
    assert "no figures reported by China" in err.value.evalue


def test_book_pages_show_the_glued_numbers(built_book):
    html = built_book / "_build" / "html" / "notebooks"
    trade, products = DataFolder(DATA).load("trade"), DataFolder(DATA).load("trade_products")
    text = page_text(html / "export_composition.html")
    assert "partial product data only" in text
    crude = comp.crude_imports(products, "ITA")
    total = mirror.in_usd(trade[(trade.reporter == "ITA") & (trade.flow == "import")].set_index("year"))["value"]
    share = crude.loc[2021, "value"] / total.loc[2021]
    assert f"were {share:.0%} of all its imports from Kazakhstan in 2021" in text
    basket = comp.full_breakdowns(products, "KAZ", "WLD", "export")
    assert f"{comp.hhi(comp.shares(basket)).loc[2021]:,.0f} in 2021" in text
    manuf = comp.manufactured_share(products, "KAZ", "ITA")
    assert f"{manuf['share'].iloc[-1]:.1%}" in text
    # Only the prose that holds for Italy's data is on the page.
    assert "A share above 100% is possible" in text and "cannot be measured here" not in text
    assert "No source in the data splits" not in text and "holds a full breakdown" not in text
    text = page_text(html / "mirror_statistics.html")
    exports = mirror.exports_vs_partner_imports(trade, products, "KAZ", "ITA").dropna()
    assert f"a ratio of {exports['ratio'].iloc[-1]:.2f}" in text
    imports = mirror.imports_vs_partner_exports(trade, "KAZ", "ITA")
    assert f"at {imports['rate'].iloc[-1]:.4f} US$ per EUR" in text
    crude = mirror.crude_vs_exports(trade, products, "KAZ", "ITA")
    assert f"{crude['ratio'].iloc[-1]:.0%} of Kazakhstan" in text  # the page has typographic quotes
    assert "The difference is what Kazakhstan counts" in text and "A ratio above 100% means" not in text
    assert "Transalpine pipeline" in text and "CIF against FOB" in text
    nav = (html / "trade_growth.html").read_text(encoding="utf-8")  # the sidebar lists every chapter
    assert 'href="export_composition.html"' in nav and 'href="mirror_statistics.html"' in nav


def test_a_comtrade_list_short_of_its_total_is_shown_as_a_partial_list(tmp_path):
    rows = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    short = tmp_path / "comtrade_without_chapter_27.csv"
    rows[rows["cmdCode"] != "27"].to_csv(short, index=False)  # the chapters no longer add up to the TOTAL
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    import_comtrade(short, data)
    g = chapters.glued("export_composition", partner="ITA", data_dir=str(data))
    folder = DataFolder(data)
    lists = comp.partial_lists(folder.load("trade_products"), folder.sources(), "KAZ", "ITA")
    comtrade = lists[lists["source"].str.contains("comtrade")]
    assert (len(comtrade), set(comtrade["flow"])) == (3, {"export"})  # 2021–2023: never silently dropped
    exports = comtrade[comtrade["flow"] == "export"].set_index("year")
    kept = rows[(rows["cmdCode"].str.len() == 2) & (rows["cmdCode"] != "27") & (rows["flowCode"] == "X")]
    total = rows[(rows["cmdCode"] == "TOTAL") & (rows["flowCode"] == "X")]
    listed = kept.groupby("refYear")["primaryValue"].apply(lambda v: v.astype(float).sum())
    whole = total.set_index("refYear")["primaryValue"].astype(float)
    assert exports["share"].to_numpy() == pytest.approx((listed / whole).to_numpy())
    assert g["has_full_export"] is False and g["has_full_import"] is True  # imports hold no HS 27: still whole
    assert g["has_partial_lists"] is True
    assert g["partial_lists_count"] == len(lists)
