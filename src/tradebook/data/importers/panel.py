"""Kazakhstan-reported trade with selected partners, 2000–2025 (WITS to 2019, BNS from 2020) → trade rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..contract import TRADE, WORLD, iso3_codes
from ..errors import InputError
from ..numbers import NumberError, parse_year
from ..sources import Source
from .common import number, records

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
    """Trade rows in US dollars; each cell read strictly, its line named (a blank value is no row)."""
    path = Path(path)
    cells: dict[str, list[tuple[int, str, float]]] = {column: [] for column in COLUMNS}
    for line, rec in records(path, ("iso3", "year", *COLUMNS)):
        partner = rec["iso3"].strip()
        if partner not in iso3_codes() or partner == WORLD:
            raise InputError.at(path, f"expected an ISO 3166 alpha-3 country code, got {rec['iso3']!r}", line, "iso3")
        try:
            year = parse_year(rec["year"].strip())
        except NumberError as err:
            raise InputError.at(path, str(err), line, "year") from None
        for column, found in cells.items():
            if rec[column].strip():
                found.append((year, partner, number(rec[column], path, line, column)))
    long = pd.DataFrame(
        [(year, partner, column, value) for column, found in cells.items() for year, partner, value in found],
        columns=["year", "partner", "column", "value"],
    )
    return pd.DataFrame(
        {
            "year": long["year"].astype(int),
            "reporter": "KAZ",
            "partner": long["partner"],
            "flow": long["column"].map(COLUMNS),
            "value": (long["value"] * 1_000_000).round(2),
            "currency": "USD",
            "source": SOURCE.id,
        }
    )[list(TRADE.columns)]


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
