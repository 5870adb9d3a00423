"""CEPII Gravity flows of Kazakhstan → Italy, 1992–2020 → the Italy-reported (mirror) import rows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import TRADE
from ..errors import InputError
from ..sources import Source

FILE = "composition/cepii_gravity_kz_italy_total_and_manufactured_1992_2020.csv"
MIRROR_SERIES = "tradeflow_comtrade_d"

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
        "The 2021 row is empty in the source; the series ends in 2020.",
    ],
)


def series(path: Path) -> pd.DataFrame:
    """All rows of the CEPII extract with the name of the Gravity column each value came from."""
    path = Path(path)
    if not path.is_file():
        raise InputError.at(path, "file not found")
    raw = pd.read_csv(path, dtype={"hs_code": str})
    for col in ("year", "reporter_iso3", "partner_iso3", "flow", "hs_code", "value", "unit", "note"):
        if col not in raw.columns:
            raise InputError.at(path, "missing column", line=1, column=col)
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


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
