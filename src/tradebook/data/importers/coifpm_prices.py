"""Eurostat nrg_ti_coifpm: monthly CIF values and volumes of CPC Blend (of Kazakh origin) and Urals crude
imported into the EU and Italy → annual volume-weighted CIF prices, rows of data/oil_prices.csv.

A year's price is Σ value ÷ Σ volume over its months with deliveries, and it is stored only when every
one of its twelve months is known: a number for value and volume, or no deliveries (flag z). One
confidential (c) or absent month leaves the year out, since the price of eleven months is not the year's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import EU_MARKET, OIL_PRICES
from ..errors import InputError
from ..sources import Release, Source
from .common import number, records

FILE = "eurostat-coifpm-crude-prices-urals-cpc/nrg_ti_coifpm_monthly_urals_cpc_total_EU_IT_2005_2024.csv"
COLUMNS = ("DATAFLOW", "LAST.UPDATE", "freq", "crudeoil", "indic_nrg", "geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG")
DATAFLOW = "ESTAT:NRG_TI_COIFPM(1.0)"
GRADES = ("KZ_CPC_BLN", "RU_URL")  # the file's TOTAL (all crude) is not a benchmark and is not kept
INDICATORS = {"VAL_THS_USD": "value", "VOL_THS_BBL": "volume", "AVGPRC_USD_BBL": "price"}
MARKETS = {"IT": "ITA", "EU_V": EU_MARKET}
FLAGS = {"": "", "b": "break in series", "c": "confidential", "z": "not applicable (no deliveries)"}
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
UPDATED = re.compile(r"(\d{2})/(\d{2})/(\d{2}) \d{2}:\d{2}:\d{2}")

SOURCE = Source(
    id="eurostat-nrg-ti-coifpm-prices",
    title="Eurostat nrg_ti_coifpm: CIF prices of CPC Blend and Urals crude imported into the EU and Italy, "
    "annual, volume-weighted",
    citation="Eurostat, crude oil imports and prices (nrg_ti_coifpm)",
    publisher="Eurostat, dataset nrg_ti_coifpm 'Crude oil imports and prices' (successor of the Commission's "
    "crude oil import register), monthly values (thousand USD, CIF) and volumes (thousand barrels)",
    origin="The rows of crude grades KZ_CPC_BLN, RU_URL and TOTAL into EU_V and IT of the R data file "
    "data/eurostat_eu_crude_oil_imports (update).Rdata in the GitHub repository OehlingerP/NotAllOilTypesAreAlike "
    "(commit 1f24844cf845a7f629d185881be7c5e3d73f925f), values unmodified",
    licence="Eurostat data: reuse with attribution (Eurostat copyright notice); repository GPL-3.",
    units="thousand US dollars (CIF) and thousand barrels a month in the file; stored as US dollars per barrel",
    caveats=[
        "CIF import prices (freight and insurance included) by month of import, not FOB export prices: "
        "compare with the Brent spot FOB marker only with that in mind.",
        "A year's price is Σ value ÷ Σ volume over its months with deliveries (`months`), kept only when all "
        "twelve months are known: a confidential (c) or absent month leaves the year out, so CPC Blend into "
        "the EU has fewer years than into Italy.",
        "Crude grades only from 2020; 2024 holds January only and has no row. KZ_CPC_BLN is CPC Blend declared "
        "of Kazakh origin (Eurostat's RU_CPC, of Russian origin, is not in the file).",
        "EU is Eurostat's EU_V aggregate, whose membership changes over time.",
    ],
)


def read_monthly(path: Path) -> pd.DataFrame:
    """The monthly cells of the two grades: benchmark, market, indicator, year, month, value (NaN), flag."""
    path = Path(path)
    cells, seen = [], {}
    for line, rec in records(path, COLUMNS):
        if rec["DATAFLOW"] != DATAFLOW or rec["freq"] != "M":
            raise InputError.at(path, f"expected monthly rows of {DATAFLOW}", line, "DATAFLOW")
        for column, allowed in (("crudeoil", (*GRADES, "TOTAL")), ("indic_nrg", INDICATORS), ("geo", MARKETS)):
            if rec[column] not in allowed:
                raise InputError.at(
                    path, f"unexpected {rec[column]!r}; expected one of {', '.join(allowed)}", line, column
                )
        period, flag = MONTH.fullmatch(rec["TIME_PERIOD"]), rec["OBS_FLAG"]
        if period is None:
            raise InputError.at(path, f"expected a month YYYY-MM, got {rec['TIME_PERIOD']!r}", line, "TIME_PERIOD")
        if flag not in FLAGS:
            raise InputError.at(path, f"unknown flag {flag!r}", line, "OBS_FLAG")
        if rec["OBS_VALUE"] == "" and flag not in ("c", "z"):
            raise InputError.at(path, "a blank value without the flag c (confidential) or z", line, "OBS_VALUE")
        series = (rec["crudeoil"], rec["geo"], rec["indic_nrg"], rec["TIME_PERIOD"])
        if series in seen:
            raise InputError.at(path, f"the same series and month as line {seen[series]}", line)
        seen[series] = line
        if rec["crudeoil"] not in GRADES:
            continue
        value = number(rec["OBS_VALUE"], path, line, "OBS_VALUE") if rec["OBS_VALUE"] else float("nan")
        indicator = INDICATORS[rec["indic_nrg"]]
        cells.append((rec["crudeoil"], MARKETS[rec["geo"]], indicator, int(period[1]), int(period[2]), value, flag))
    return pd.DataFrame(cells, columns=["benchmark", "market", "indicator", "year", "month", "value", "flag"])


def year_status(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per grade, market and year: months known, months with deliveries, Σ value and Σ volume of those."""
    keys = ["benchmark", "market", "year", "month"]
    cells = monthly[monthly["indicator"] != "price"]
    wide = cells.set_index([*keys, "indicator"])[["value", "flag"]].unstack("indicator")
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    wide = wide.reset_index()
    value, volume = wide["value_value"], wide["value_volume"]
    none = (wide["flag_value"] == "z") & ((volume == 0) | (wide["flag_volume"] == "z"))
    wide["known"] = (value.notna() & volume.notna()) | none
    wide["delivered"] = value.notna() & volume.notna() & (volume > 0)
    wide["value_delivered"] = value.where(wide["delivered"], 0.0)
    wide["volume_delivered"] = volume.where(wide["delivered"], 0.0)
    status = wide.groupby(["benchmark", "market", "year"], as_index=False).agg(
        months=("month", "nunique"),
        known=("known", "sum"),
        delivered=("delivered", "sum"),
        value=("value_delivered", "sum"),
        volume=("volume_delivered", "sum"),
    )
    status["complete"] = (status["months"] == 12) & (status["known"] == 12)
    return status


def read(path: Path) -> pd.DataFrame:
    """oil_prices rows: Σ value ÷ Σ volume of each complete year with deliveries, to the cent."""
    status = year_status(read_monthly(path))
    done = status[status["complete"] & (status["delivered"] > 0)]
    frame = pd.DataFrame(
        {
            "year": done["year"].astype(int),
            "benchmark": done["benchmark"],
            "basis": "CIF",
            "market": done["market"],
            "months": done["delivered"].astype(int),
            "value": (done["value"] / done["volume"]).round(2),
            "currency": "USD",
            "unit": "USD/bbl",
            "source": SOURCE.id,
        }
    )
    return frame[list(OIL_PRICES.columns)].reset_index(drop=True)


def release(path: Path) -> Release:
    """The extract's release: the dataset's last update as the file states it, and the years with prices."""
    stamps = {rec["LAST.UPDATE"] for _, rec in records(Path(path), COLUMNS)}
    found = UPDATED.fullmatch(stamps.pop()) if len(stamps) == 1 else None
    if found is None:
        raise InputError.at(path, "expected one LAST.UPDATE 'DD/MM/YY hh:mm:ss' in every row", column="LAST.UPDATE")
    monthly = read_monthly(path)
    return Release(
        years=sorted(read(path)["year"].unique().tolist()),
        edition="nrg_ti_coifpm as updated by Eurostat",
        released=f"20{found[3]}-{found[2]}-{found[1]}",
        latest_year=int(monthly["year"].max()),
    )


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]


def releases_from_shared(shared: Path) -> list[Release]:
    return [release(Path(shared) / FILE)]
