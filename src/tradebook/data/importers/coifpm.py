"""Eurostat nrg_ti_coifpm (crude oil imports and prices), 2020–2023: EU countries' crude imports from
Kazakhstan, all grades, and Italy's by crude grade → product rows of data/trade_products.csv.

Annual rows for every EU reporter come from the all-grades file; Italy's monthly rows by grade are
summed here to years and stored as `2709:<grade>` (parts of Italy's 2709 row, not additions to it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import CRUDE_GRADE, TRADE_PRODUCTS, iso3_codes
from ..errors import InputError
from ..sources import Source
from .common import crude_import_rows, read_raw_csv

FOLDER = "composition"
ANNUAL = f"{FOLDER}/eurostat_coifpm_eu_reporters_crude_imports_from_kz_annual_2020_2023.csv"
MONTHLY = f"{FOLDER}/eurostat_coifpm_italy_crude_imports_from_kz_monthly_2020_2023.csv"
COLUMNS = ("year", "reporter_iso3", "partner_iso3", "flow", "hs_code", "product", "value", "unit", "note")
VALUE_UNIT, VOLUME_UNIT = "thousand USD (CIF)", "thousand barrels"
INDICATORS = {"VAL_THS_USD": "value", "VOL_THS_BBL": "volume"}
CRUDE = "2709"

SOURCE = Source(
    id="eurostat-nrg-ti-coifpm",
    title="Eurostat nrg_ti_coifpm: crude oil imports from Kazakhstan by EU country and crude grade, 2020–2023",
    citation="Eurostat, crude oil imports and prices (nrg_ti_coifpm)",
    publisher="Eurostat, dataset nrg_ti_coifpm 'Crude oil imports and prices' (successor of the Commission's "
    "crude oil import register), last update 28 February 2024",
    origin="The R data file data/eurostat_eu_crude_oil_imports (update).Rdata of the GitHub repository "
    "OehlingerP/NotAllOilTypesAreAlike (commit 1f24844cf845a7f629d185881be7c5e3d73f925f), rows of Kazakh "
    "crude grades: annual sums for every EU reporter and Italy's monthly rows",
    licence="Eurostat data: reuse with attribution (Eurostat copyright notice); repository GPL-3.",
    units="thousand US dollars (CIF) and thousand barrels in the files; stored here in US dollars and barrels",
    caveats=[
        "The importing EU country is the reporter: these are the importers' (mirror) figures for "
        "Kazakhstan's crude oil exports, valued CIF.",
        "Annual values of a reporter with a confidential monthly value cell are withheld in the source and "
        "left out here (Belgium, Germany, France 2021–2023, Croatia, Hungary, Lithuania, Türkiye), together "
        "with their volumes.",
        "Italy by grade: CPC Blend (2709:KZ_CPC_BLN) and a second Kazakh code (2709:KZ_MSC, from 2022); "
        "annual sums of the months with deliveries. The grades add up to Italy's 2709 row.",
        "Continues the register of 2013–2019 (source eu-coir).",
    ],
)


def _read(path: Path) -> pd.DataFrame:
    return read_raw_csv(Path(path), COLUMNS, dtype={"hs_code": str})


def _rows(frame: pd.DataFrame, product: pd.Series | str) -> pd.DataFrame:
    """Contract rows from a frame with value (thousand USD) and volume (thousand barrels) columns."""
    rows = crude_import_rows(
        frame["year"],
        frame["reporter_iso3"],
        frame["partner_iso3"],
        product,
        frame["value"],
        frame["volume"],
        SOURCE.id,
    )
    return rows[[*TRADE_PRODUCTS.columns, "quantity", "quantity_unit"]]


def read_annual(path: Path) -> pd.DataFrame:
    """All Kazakh grades by EU reporter and year; rows whose value is withheld are left out."""
    raw = _read(path)
    raw = raw[raw["reporter_iso3"].isin(iso3_codes()) & raw["unit"].isin([VALUE_UNIT, VOLUME_UNIT])]
    keys = ["year", "reporter_iso3", "partner_iso3"]
    wide = raw.pivot_table(index=keys, columns="unit", values="value", aggfunc="sum", dropna=False)
    wide = wide.rename(columns={VALUE_UNIT: "value", VOLUME_UNIT: "volume"}).reset_index()
    withheld = raw[(raw["unit"] == VALUE_UNIT) & raw["value"].isna()].set_index(keys).index
    wide = wide[~wide.set_index(keys).index.isin(withheld) & wide["value"].notna()]
    return _rows(wide, CRUDE)


def grade_code(product: str) -> str:
    """`2709:<grade>` from a product label that names its Eurostat crudeoil code."""
    found = re.search(r"crudeoil=(\w+)", product)
    code = f"{CRUDE}:{found.group(1)}" if found else ""
    if not CRUDE_GRADE.fullmatch(code):
        raise ValueError(f"no Eurostat crude grade code in {product!r}")
    return code


def read_monthly_grades(path: Path) -> pd.DataFrame:
    """A reporter's imports by crude grade: the months of each year summed."""
    raw = _read(path)
    raw = raw.assign(indicator=raw["note"].str.extract(r"indic_nrg=(\w+)", expand=False))
    raw = raw[raw["indicator"].isin(INDICATORS)]
    try:
        raw = raw.assign(grade=raw["product"].map(grade_code))
    except ValueError as err:
        raise InputError.at(path, str(err), column="product") from None
    if raw["value"].isna().any():
        line = int(raw.index[raw["value"].isna()][0]) + 2
        raise InputError.at(path, "a month's value or volume is missing (confidential?)", line, "value")
    keys = ["year", "reporter_iso3", "partner_iso3", "grade"]
    wide = raw.pivot_table(index=keys, columns="indicator", values="value", aggfunc="sum").reset_index()
    wide = wide.rename(columns=INDICATORS)
    return _rows(wide, wide["grade"])


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    paths = [Path(shared) / ANNUAL, Path(shared) / MONTHLY]
    frame = pd.concat([read_annual(paths[0]), read_monthly_grades(paths[1])], ignore_index=True)
    return frame, paths
