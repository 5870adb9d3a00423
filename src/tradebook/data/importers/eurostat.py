"""Eurostat Comext: EU member states' monthly exports to Kazakhstan (EUR) → annual mirror export rows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import TRADE
from ..countries import to_iso3
from ..errors import InputError
from ..sources import Source
from .common import number, records

FILE = "eurostat-eu-exports-to-kz-monthly/eurostat_eu_member_exports_to_kazakhstan_monthly_eur.csv"
COLUMNS = ("REPORTER", "PARTNER", "FLOW", "month", "VALUE_IN_EUR")
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

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
    """Annual export rows of the reporters with all twelve months; each cell read strictly, its line named."""
    path = Path(path)
    monthly = []
    for line, rec in records(path, COLUMNS):
        if "EXPORT" not in rec["FLOW"].upper():
            continue
        names = {col: re.sub(r"\s*\(.*\)$", "", rec[col]).strip() for col in ("REPORTER", "PARTNER")}
        for col, name in names.items():
            if not name:
                raise InputError.at(path, "expected a country's name, got a blank", line, col)
        month = rec["month"].strip()
        if not MONTH.fullmatch(month):
            raise InputError.at(path, f"expected a month YYYY-MM, got {rec['month']!r}", line, "month")
        value = number(rec["VALUE_IN_EUR"], path, line, "VALUE_IN_EUR")
        reporter, partner = to_iso3(names["REPORTER"]), to_iso3(names["PARTNER"])
        if reporter is not None and partner is not None:  # aggregates (EU27, euro area) are left out
            monthly.append((int(month[:4]), reporter, partner, month, value))
    raw = pd.DataFrame(monthly, columns=["year", "reporter", "partner", "month", "value"])
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
