"""trade_products.csv: its contract, the importers of the shared raw files, make data reproducibility."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED, needs_shared

from tradebook.data.contract import TRADE_PRODUCTS
from tradebook.data.importers import baci, cepii, coifpm, coir
from tradebook.data.validate import check

HEADER = "year,reporter,partner,flow,product,value,currency,source,quantity,quantity_unit\n"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "trade_products.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_contract_accepts_hs_codes_aggregates_and_grades(tmp_path):
    path = _write(
        tmp_path,
        "2021,KAZ,ITA,export,270900,1.0,USD,baci,5.0,kg\n"
        "2021,KAZ,ITA,export,27,1.0,USD,baci,,\n"
        "2021,KAZ,ITA,export,SXV,1.0,USD,baci,,\n"
        "2021,ITA,KAZ,import,2709:KZ_CPC_BLN,1.0,USD,baci,3.0,bbl\n"
        "2021,KAZ,ITA,export,TOTAL,1.0,USD,baci,,\n"
        "2021,KAZ,ITA,export,TOTAL,1.0,USD,un-comtrade,,\n",
    )
    frame, problems = check(path, TRADE_PRODUCTS)
    assert problems == []
    assert len(frame) == 6


def test_contract_problems_name_line_and_column(tmp_path):
    path = _write(
        tmp_path,
        "2021,KAZ,ITA,export,2709:kz,1.0,USD,baci,,\n"
        "2021,KAZ,ITA,export,27,1.0,USD,baci,5,\n"
        "2021,KAZ,ITA,export,TOTAL,1.0,USD,baci,,\n"
        "2021,KAZ,ITA,export,TOTAL,2.0,USD,baci,,\n",
    )
    _, problems = check(path, TRADE_PRODUCTS)
    text = [str(p) for p in problems]
    assert any(":2: column 'product'" in t and "2709:kz" in t for t in text)
    assert any(":3:" in t and "quantity together with its quantity_unit" in t for t in text)
    assert any(":5:" in t and "duplicate key" in t and "first seen on line 4" in t for t in text)


def test_quantity_columns_are_optional(tmp_path):
    path = tmp_path / "trade_products.csv"
    path.write_text("year,reporter,partner,flow,product,value,currency,source\n2021,KAZ,ITA,export,27,1.0,USD,baci\n")
    frame, problems = check(path, TRADE_PRODUCTS)
    assert problems == [] and list(frame.columns) == list(TRADE_PRODUCTS.columns)


@needs_shared
def test_baci_rows_match_the_raw_files():
    frame, paths = baci.from_shared(SHARED)
    assert len(paths) == 3
    italy = frame[(frame.partner == "ITA")].set_index(["year", "product"])
    # Thousand US dollars and tonnes in the file, US dollars and kg here.
    assert italy.loc[(2021, "270900"), "value"] == pytest.approx(936_305_304.0)
    assert italy.loc[(2021, "270900"), "quantity"] == pytest.approx(1_731_730_000.0)
    assert italy.loc[(2021, "270900"), "quantity_unit"] == "kg"
    assert italy.loc[(2019, "270900"), "value"] == pytest.approx(8_197_469_638.0)
    assert italy.loc[(2021, "SXV"), "value"] == pytest.approx(298_505_182.0)
    assert "S19" not in set(frame.partner)  # "Other Asia, nes" has no ISO code
    world = frame[frame.partner == "WLD"]
    raw = pd.read_csv(SHARED / baci.WORLD_HS6, dtype={"hs_code": str})
    for year in (2002, 2019, 2021):
        chapters = world[(world.year == year) & world["product"].str.fullmatch(r"\d{2}")]["value"].sum()
        total = world[(world.year == year) & (world["product"] == "TOTAL")]["value"].iloc[0]
        assert chapters == pytest.approx(raw[raw.year == year]["value"].sum() * 1000, rel=1e-9)
        assert chapters == pytest.approx(total, rel=1e-6)
    assert set(world[world["product"] == "270900"].year) == set(range(2002, 2022))


@needs_shared
def test_crude_registers_match_the_raw_files():
    register, _ = coir.from_shared(SHARED)
    italy = register[register.reporter == "ITA"].set_index("year")
    assert list(italy.index) == list(range(2013, 2020))
    assert italy.loc[2013, "value"] == pytest.approx(1_565_300_780.0)
    assert italy.loc[2013, "quantity"] == pytest.approx(14_485_950.0)
    assert set(italy["quantity_unit"]) == {"bbl"}
    hungary = register[register.reporter == "HUN"]
    assert 2015 not in set(hungary.year)  # value withheld in the register

    eurostat, paths = coifpm.from_shared(SHARED)
    assert len(paths) == 2
    italy = eurostat[eurostat.reporter == "ITA"]
    total = italy[italy["product"] == "2709"].set_index("year")
    grades = italy[italy["product"].str.startswith("2709:")].groupby("year")[["value", "quantity"]].sum()
    assert total.loc[2022, "value"] == pytest.approx(3_282_049_000.0)
    assert total.loc[2023, "quantity"] == pytest.approx(48_704_000.0)
    # The grades add up to Italy's all-grades row, from two different files.
    pd.testing.assert_frame_equal(grades, total[["value", "quantity"]], check_names=False)
    assert "DEU" not in set(eurostat.reporter)  # every German value cell is confidential


@needs_shared
def test_cepii_product_series():
    path = SHARED / cepii.FILE
    own = cepii.read_products(path).set_index("year")
    assert own.loc[2019, "value"] == pytest.approx(8_373_690_000.0, rel=1e-6)
    assert set(own["product"]) == {"TOTAL"} and set(own["source"]) == {cepii.SOURCE.id}
    baci_rows = cepii.read_baci(path)
    share = baci_rows.pivot(index="year", columns="product", values="value")
    assert share.loc[2019, "MANUF"] / share.loc[2019, "TOTAL"] == pytest.approx(229_919.281 / 8_541_475, rel=1e-3)
    assert set(baci_rows["source"]) == {cepii.BACI_SOURCE.id}
