"""EIA Europe Brent spot price FOB (series RBRTE), daily → annual means of complete calendar years, rows
of data/oil_prices.csv.

A year is complete when the daily series runs through it: observations in every month, the first by
10 January and the last from 20 December (1987 starts on 20 May; the current year is cut short).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..contract import OIL_PRICES
from ..errors import InputError
from ..sources import Source
from .common import number, records

FOLDER = "brent-eia-spot-prices"
DAILY = f"{FOLDER}/brent-daily.csv"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DAY, LAST_DAY = 10, 20  # a complete year's first observation by 10 January, last from 20 December

SOURCE = Source(
    id="eia-brent",
    title="Europe Brent spot price FOB (EIA series RBRTE): annual means of the daily prices",
    citation="U.S. Energy Information Administration (EIA), Brent spot price",
    publisher="U.S. Energy Information Administration (EIA), series RBRTE 'Europe Brent Spot Price FOB "
    "(Dollars per Barrel)'",
    origin="data/brent-daily.csv of the GitHub data package datasets/oil-prices (updated daily from the EIA "
    "API; commit 1b938b5bbf7df718b657448e73ea8938d6cea6c7, snapshot of 2026-08-22), copied unmodified",
    licence="US government data, public domain; EIA asks to be cited ('Source: U.S. Energy Information "
    "Administration'). Data package: ODC-PDDL-1.0.",
    units="US dollars per barrel (nominal), daily; stored as annual means, rounded to the cent",
    caveats=[
        "A spot FOB marker for North Sea crude, not the price Kazakh crude fetched: CPC Blend trades at a "
        "differential to it (see the CIF prices of source eurostat-nrg-ti-coifpm-prices).",
        "Each year is the mean of the daily prices of a complete calendar year (observations in every month, "
        "from the first days of January to the last days of December): 1987 and the current year are left out.",
        "The means agree with EIA's own annual averages (brent-year.csv) within a cent, except 2012, whose mean "
        "is below EIA's: the daily file lacks the observation of 3 April 2012, which EIA's monthly and annual "
        "averages include (a test shows it).",
    ],
)


def read_daily(path: Path) -> pd.DataFrame:
    """date, year, month, price of every observation; dates must increase and prices be > 0."""
    path = Path(path)
    rows, previous = [], None
    for line, rec in records(path, ("Date", "Price")):
        try:
            day = dt.date.fromisoformat(rec["Date"]) if DATE.fullmatch(rec["Date"]) else None
        except ValueError:
            day = None
        if day is None:
            raise InputError.at(path, f"expected a date YYYY-MM-DD, got {rec['Date']!r}", line, "Date")
        if previous is not None and day <= previous:
            raise InputError.at(path, f"dates must increase; {day} follows {previous}", line, "Date")
        price = number(rec["Price"], path, line, "Price")
        if price <= 0:
            raise InputError.at(path, f"expected a price > 0, got {rec['Price']!r}", line, "Price")
        rows.append((day, day.year, day.month, price))
        previous = day
    return pd.DataFrame(rows, columns=["date", "year", "month", "price"])


def complete_years(daily: pd.DataFrame) -> list[int]:
    """Years the daily series runs through, from the first days of January to the last days of December."""
    years = []
    for year, block in daily.groupby("year"):
        first, last = block["date"].min(), block["date"].max()
        spans = (first.month, last.month) == (1, 12) and first.day <= FIRST_DAY and last.day >= LAST_DAY
        if spans and block["month"].nunique() == 12:
            years.append(int(year))
    return years


def read(path: Path) -> pd.DataFrame:
    """oil_prices rows: the annual mean of the daily prices of each complete year, to the cent."""
    daily = read_daily(path)
    means = daily[daily["year"].isin(complete_years(daily))].groupby("year")["price"].mean().round(2)
    frame = pd.DataFrame(
        {
            "year": means.index.astype(int),
            "benchmark": "BRENT",
            "basis": "FOB spot",
            "market": "",
            "months": 12,
            "value": means.to_numpy(),
            "currency": "USD",
            "unit": "USD/bbl",
            "source": SOURCE.id,
        }
    )
    return frame[list(OIL_PRICES.columns)]


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / DAILY
    return read(path), [path]
