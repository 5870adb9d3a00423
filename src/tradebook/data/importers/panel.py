"""Kazakhstan-reported trade with selected partners, 2000–2025 (WITS to 2019, BNS from 2020) → trade rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..contract import TRADE
from ..sources import Source
from .common import read_raw_csv

FILE = "kz-gravity-panel-wits-bns/kz_trade_selected_partners_2000_2025_musd.csv"
COLUMNS = {"kz_exports_musd": "export", "kz_imports_musd": "import"}

SOURCE = Source(
    id="wits-bns-panel",
    title="Kazakhstan-reported trade with selected partners, 2000–2025 (gravity-model input panel)",
    citation="WITS/UN Comtrade (to 2019) and BNS Kazakhstan (from 2020)",
    publisher="World Bank WITS TradeStats (UN Comtrade data, reporter Kazakhstan) for 2000–2019; "
    "BNS Kazakhstan for 2020–2025",
    origin="GitHub repository makenerzhan-gif/kazakhstan-economic-data, models/gravity/panel.csv "
    "(commit b84a95c5b9b2af0e21bc39d378a8ed435145d7c7), rows for ITA, CHN, RUS, CHE, NLD, FRA, GBR",
    licence="No licence file in the repository; WITS/UN Comtrade and BNS terms apply (cite the publishers).",
    units="million US dollars in the file; stored here in US dollars",
    caveats=[
        "Ranked below the BNS sources: its values are used only where those hold none.",
        "2024 and 2025 are BNS figures taken from a data pipeline (final edition where published, "
        "otherwise preliminary); 2025 may still be revised.",
        "Only seven partners: no world total and no full partner ranking outside 2018–2023.",
        "Russia 2010 is missing (a WITS gap); the United Kingdom has no 2024–2025 rows.",
        "Crude oil is recorded by contract destination, as in the BNS data.",
    ],
    precedence={"trade": 4},
)


def read(path: Path) -> pd.DataFrame:
    raw = read_raw_csv(path, ("iso3", "year", *COLUMNS), dtype={"iso3": str})
    long = raw.melt(id_vars=["iso3", "year"], value_vars=list(COLUMNS), var_name="column")
    long = long.dropna(subset=["value"])
    return pd.DataFrame(
        {
            "year": long["year"].astype(int),
            "reporter": "KAZ",
            "partner": long["iso3"],
            "flow": long["column"].map(COLUMNS),
            "value": (long["value"] * 1_000_000).round(2),
            "currency": "USD",
            "source": SOURCE.id,
        }
    )[list(TRADE.columns)]


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
