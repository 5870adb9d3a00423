"""The contract's additions: oil prices, CN8 product codes, undated pages and measures in published figures,
partial years and partial product lists."""

import shutil

import pytest
from conftest import FIXTURES, ROOT

from tradebook.data.contract import DATASETS
from tradebook.data.coverage import partial_years, product_coverage
from tradebook.data.folder import DataFolder
from tradebook.data.importers import comtrade
from tradebook.data.validate import check, partial_year_warnings

COMTRADE = FIXTURES / "comtrade_synthetic_kaz_ita_hs2_2021_2023.csv"


def test_oil_prices_load_through_the_data_folder():
    prices = DataFolder(ROOT / "data").load("oil_prices")
    brent = prices[prices["benchmark"] == "BRENT"].set_index("year")
    assert brent.index.min() == 1988 and brent.index.max() == 2025 and (brent["market"] == "").all()
    cif = prices[prices["basis"] == "CIF"]
    assert set(cif["market"]) == {"EU", "ITA"} and (cif["unit"] == "USD/bbl").all() and cif["months"].le(12).all()


def _edited(tmp_path, name: str, line: str):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    with open(data / name, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    frame, problems = check(data / name, DATASETS[name.removesuffix(".csv")])
    return len((data / name).read_text().splitlines()), problems


@pytest.mark.parametrize(
    ("name", "line", "column", "message"),
    [
        ("oil_prices.csv", "2030,BRENT,FOB spot,,12,80.0,USD,EUR/bbl,eia-brent", "unit", "a unit of <currency>/bbl"),
        ("oil_prices.csv", "2030,BRENT,FOB spot,ITA,12,80.0,USD,USD/bbl,eia-brent", "market", "exactly where"),
        ("oil_prices.csv", "2030,WTI,FOB spot,,12,80.0,USD,USD/bbl,eia-brent", "benchmark", "one of BRENT"),
        ("oil_prices.csv", "2030,BRENT,FOB spot,,13,80.0,USD,USD/bbl,eia-brent", "months", "from 1 to 12"),
        ("trade_products.csv", "2030,ITA,KAZ,export,8413110000,1.0,EUR,baci,,", "product", "a CN code of 8"),
    ],
)
def test_a_bad_row_names_its_line_and_column(tmp_path, name, line, column, message):
    number, problems = _edited(tmp_path, name, line)
    assert any(p.line == number and p.column == column and message in p.message for p in problems), problems


def test_a_cn8_code_is_a_product(tmp_path):
    _, problems = _edited(tmp_path, "trade_products.csv", "2025,ITA,KAZ,export,84131100,1.0,EUR,baci,,")
    assert problems == []


def test_a_published_figure_without_a_date_must_say_its_page_is_undated(tmp_path):
    figures = (ROOT / "data" / "published_figures.csv").read_text().splitlines()
    undated = next(line for line in figures if line.startswith(",ITA,"))
    assert "undated" in undated
    number, problems = _edited(
        tmp_path,
        "published_figures.csv",
        # Another page and period: the same statement twice would be a duplicate (tested in test_validate.py).
        undated.replace("undated", "no date", 1).replace("atr.kz/", "atr.kz/x", 1).replace(",c. 2015-2016,", ",2017,"),
    )
    assert [(p.line, p.column) for p in problems] == [(number, "published")]
    assert "a note saying the page is undated" in problems[0].message


def test_partial_years_of_a_series_and_their_warning(tmp_path):
    data = DataFolder(ROOT / "data")
    trade = data.load("trade")
    assert partial_years(trade, "KAZ", "ITA").empty
    ita = partial_years(trade, "ITA", "KAZ")
    assert set(ita.loc[ita.present == "export", "year"]) == {2022, 2023} and 2019 not in set(ita["year"])
    number, _ = _edited(tmp_path, "trade.csv", "2026,KAZ,ITA,export,1.0,USD,bns-trade-by-partner-2024-2025")
    warnings = [w for w in partial_year_warnings(tmp_path / "data") if "KAZ→ITA" in w.message]
    assert [(w.line, w.message.split(":")[0]) for w in warnings] == [(number, "KAZ→ITA 2026")]


def test_a_product_list_short_of_its_total_is_partial():
    rows = comtrade.read(COMTRADE)
    assert not product_coverage(rows, {})["partial"].any()  # the fixture's chapters add up to its TOTAL
    short = rows[rows["product"] != "27"]
    cover = product_coverage(short, {}).set_index(["year", "flow"])
    assert cover.loc[(2023, "export"), "partial"] and cover.loc[(2023, "export"), "share"] < 0.99


def test_a_series_with_one_flow_only_is_a_one_sided_record_not_partial_years():
    import pandas as pd

    from tradebook.data.coverage import partial_years

    rows = [
        (2020, "DEU", "KAZ", "export", 1.0),  # a partner's exports only, every year: a mirror record
        (2021, "DEU", "KAZ", "export", 1.0),
        (2020, "KAZ", "ITA", "export", 1.0),
        (2020, "KAZ", "ITA", "import", 1.0),
        (2021, "KAZ", "ITA", "export", 1.0),  # next year's exports without imports: partial
    ]
    trade = pd.DataFrame(rows, columns=["year", "reporter", "partner", "flow", "value"])
    found = partial_years(trade)
    assert found[["reporter", "partner", "year", "present", "missing"]].values.tolist() == [
        ["KAZ", "ITA", 2021, "export", "import"]
    ]
