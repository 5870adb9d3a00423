"""Eurostat Comext: EU member states' monthly exports to Kazakhstan (EUR) → annual mirror export rows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import TRADE
from ..countries import to_iso3
from ..sources import Source
from .common import read_raw_csv

FILE = "eurostat-eu-exports-to-kz-monthly/eurostat_eu_member_exports_to_kazakhstan_monthly_eur.csv"
COLUMNS = ("REPORTER", "PARTNER", "FLOW", "month", "VALUE_IN_EUR")

SOURCE = Source(
    id="eurostat-comext-exports-kz",
    title="EU member states' exports to Kazakhstan, monthly, total goods (Comext)",
    citation="Eurostat Comext",
    publisher="Eurostat, international trade in goods (Comext), flow export, product TOTAL",
    origin="Comext downloads collected in the GitHub repository mary-lev/eu-export-sanctions "
    "(data/kazahstan_export_eurostat/, commit 4b6a5dfc864ab3352104974a4516458fd7347b38)",
    licence="Eurostat data: reuse with attribution (Eurostat copyright notice); repository CC BY 4.0.",
    units="euro",
    caveats=[
        "The exporting EU member is the reporter: these are the partner-side (mirror) figures "
        "for Kazakhstan's imports.",
        "Only complete calendar years are kept: 2024 (January–August in the download) is left out.",
        "Values as downloaded in November 2024; Eurostat may have revised them since.",
        "Aggregates (EU27, euro area) are left out; country reporters only.",
    ],
    precedence={"trade": 2},
)


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    raw = read_raw_csv(path, COLUMNS, dtype=str)
    raw = raw[raw["FLOW"].str.contains("EXPORT", case=False)]
    names = raw["REPORTER"].map(lambda n: re.sub(r"\s*\(.*\)$", "", n).strip())
    raw = raw.assign(
        reporter=names.map(lambda n: to_iso3(n)),
        partner=raw["PARTNER"].map(lambda n: to_iso3(n)),
        year=raw["month"].str[:4].astype(int),
        value=pd.to_numeric(raw["VALUE_IN_EUR"], errors="raise"),
    ).dropna(subset=["reporter", "partner"])
    annual = (
        raw.groupby(["year", "reporter", "partner"])
        .agg(value=("value", "sum"), months=("month", "nunique"))
        .reset_index()
    )
    annual = annual[annual["months"] == 12]
    return pd.DataFrame(
        {
            "year": annual["year"],
            "reporter": annual["reporter"],
            "partner": annual["partner"],
            "flow": "export",
            "value": annual["value"].astype(float),
            "currency": "EUR",
            "source": SOURCE.id,
        }
    )[list(TRADE.columns)]


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
