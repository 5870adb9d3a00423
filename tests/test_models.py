"""The statsmodels wrappers recover what synthetic series were built to contain."""

import numpy as np
import pandas as pd
import pytest

from tradebook.analysis import models

YEARS = range(2000, 2026)


def exponential(rate: float, noise: float = 0.0, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(len(YEARS))
    return pd.Series(100 * (1 + rate) ** t * np.exp(rng.normal(0, noise, len(t))), index=list(YEARS))


def test_log_trend_recovers_the_growth_rate():
    trend = models.log_trend(exponential(0.07, noise=0.01))
    assert trend.growth == pytest.approx(0.07, abs=0.005)
    assert trend.low < trend.growth < trend.high
    assert trend.n == len(YEARS)


def test_chow_detects_a_level_break_and_not_its_absence():
    smooth = exponential(0.05, noise=0.02)
    broken = smooth.where(smooth.index < 2015, smooth * 0.5)
    assert models.chow_break(broken, 2015).p_value < 0.001
    assert models.chow_break(broken, 2015).level_shift == pytest.approx(-0.5, abs=0.05)
    assert models.chow_break(smooth, 2015).p_value > 0.01


def test_cusum_p_value_is_a_probability():
    result = models.cusum_stability(exponential(0.05, noise=0.05))
    assert 0 <= result.p_value <= 1


def test_forecast_intervals_bracket_the_path_and_widen():
    fc = models.forecast(exponential(0.05, noise=0.05), 3)
    table = fc.table
    assert list(table.index) == [2026, 2027, 2028]
    assert (table["lower"] < table["forecast"]).all() and (table["forecast"] < table["upper"]).all()
    widths = np.log(table["upper"] / table["lower"])
    assert widths.is_monotonic_increasing
    assert fc.drift == pytest.approx(0.05, abs=0.03)


def test_forecast_uses_the_run_of_years_after_a_gap():
    s = exponential(0.05).drop(2010)
    assert models.forecast(s, 2).first_year == 2011


def test_chow_refuses_a_break_with_too_few_years_on_one_side():
    with pytest.raises(ValueError, match="at least 3 years on each side"):
        models.chow_break(exponential(0.05).loc[2014:], 2015)
