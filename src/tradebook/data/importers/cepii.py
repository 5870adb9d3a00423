"""CEPII Gravity flows of Kazakhstan → Italy, 1992–2020.

- Italy-reported imports (UN Comtrade, `tradeflow_comtrade_d`) → mirror rows of data/trade.csv;
- Kazakhstan-reported exports (UN Comtrade, `tradeflow_comtrade_o`) → TOTAL rows of trade_products.csv,
  beside the trade.csv series of other sources, so that both sides of the mirror come from one database;
- BACI all goods and manufactured goods (`tradeflow_baci`, `manuf_tradeflow_baci`) → TOTAL and MANUF
  rows of trade_products.csv under their own source id.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import TRADE
from ..sources import Source
from .common import product_rows, read_raw_csv

FILE = "composition/cepii_gravity_kz_italy_total_and_manufactured_1992_2020.csv"
MIRROR_SERIES = "tradeflow_comtrade_d"
REPORTER_SERIES = "tradeflow_comtrade_o"
BACI_SERIES = {"tradeflow_baci": "TOTAL", "manuf_tradeflow_baci": "MANUF"}

SOURCE = Source(
    id="cepii-gravity",
    title="CEPII Gravity database: bilateral trade flows Kazakhstan–Italy, 1992–2020",
    citation="CEPII Gravity database (UN Comtrade)",
    publisher="CEPII (Conte, Cotterlaz & Mayer 2022), trade flows from UN Comtrade, BACI and IMF DOTS",
    origin="Subsample shipped in the R package OehlingerP/NotAllOilTypesAreAlike, data/oil_gravity.RData "
    "(commit 1f24844cf845a7f629d185881be7c5e3d73f925f); column set matches Gravity V202211",
    licence="CEPII Gravity: free for use with citation of Conte, Cotterlaz & Mayer (2022).",
    units="thousand current US dollars in the file; stored here in US dollars",
    caveats=[
        "The mirror rows are the tradeflow_comtrade_d series: Italy's imports from Kazakhstan as "
        "Italy reports them to UN Comtrade (CIF).",
        "The Kazakhstan-reported rows in trade_products.csv (product TOTAL) are the tradeflow_comtrade_o "
        "series: Kazakhstan's exports to Italy as Kazakhstan reports them to UN Comtrade (FOB), 1995–2020.",
        "The 2021 row is empty in the source; the series ends in 2020.",
        "The IMF DOTS series of the file are not used.",
    ],
    precedence={"trade": 5},
)

BACI_SOURCE = Source(
    id="cepii-gravity-baci",
    title="CEPII Gravity database: BACI flows Kazakhstan→Italy, all goods and manufactured goods, 1996–2020",
    citation="CEPII Gravity database (BACI)",
    publisher="CEPII (Conte, Cotterlaz & Mayer 2022), columns tradeflow_baci and manuf_tradeflow_baci: "
    "BACI reconciled flows, all goods and manufactured goods",
    origin=SOURCE.origin,
    licence=SOURCE.licence,
    units=SOURCE.units,
    caveats=[
        "Manufactured goods (product MANUF) follow CEPII's definition in the Gravity database; the share of "
        "manufactured goods is MANUF / TOTAL of this source.",
        "BACI reconciles both sides' reports: its Kazakhstan→Italy total is close to Kazakhstan's own figure "
        "in some years and far from it in others.",
        "The series runs from 1996 to 2020.",
    ],
)


def series(path: Path) -> pd.DataFrame:
    """All rows of the CEPII extract with the name of the Gravity column each value came from."""
    path = Path(path)
    columns = ("year", "reporter_iso3", "partner_iso3", "flow", "hs_code", "value", "unit", "note")
    raw = read_raw_csv(path, columns, dtype={"hs_code": str})
    raw["series"] = raw["note"].map(lambda n: (re.search(r"column (\w+):", str(n)) or [None, None])[1])
    return raw


def read(path: Path) -> pd.DataFrame:
    raw = series(path)
    rows = raw[(raw["series"] == MIRROR_SERIES) & (raw["hs_code"] == "TOTAL")].dropna(subset=["value"])
    return pd.DataFrame(
        {
            "year": rows["year"].astype(int),
            "reporter": rows["reporter_iso3"],
            "partner": rows["partner_iso3"],
            "flow": rows["flow"],
            "value": (rows["value"] * 1000).round(2),
            "currency": "USD",
            "source": SOURCE.id,
        }
    )[list(TRADE.columns)]


def read_products(path: Path) -> pd.DataFrame:
    """Kazakhstan-reported exports to Italy (UN Comtrade), all goods."""
    raw = series(path)
    rows = raw[(raw["series"] == REPORTER_SERIES) & (raw["hs_code"] == "TOTAL")].dropna(subset=["value"])
    return product_rows(rows, "TOTAL", SOURCE.id)


def read_baci(path: Path) -> pd.DataFrame:
    """BACI exports Kazakhstan→Italy: all goods (TOTAL) and manufactured goods (MANUF)."""
    raw = series(path)
    rows = raw[raw["series"].isin(BACI_SERIES)].dropna(subset=["value"])
    return product_rows(rows, rows["series"].map(BACI_SERIES), BACI_SOURCE.id)


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]


def products_from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read_products(path), [path]


def baci_from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read_baci(path), [path]
