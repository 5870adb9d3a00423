"""The time-series module: every statistic against statsmodels/scipy called directly, and synthetic series whose
answer is known (a planted break is found at its year, a random walk is not trend-stationary, …)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.diagnostic import recursive_olsresiduals
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.stattools import adfuller, kpss, zivot_andrews

from tradebook.analysis import timeseries as ts


def annual(values, start: int = 2000) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(range(start, start + len(values)), name="year"))


def random_walk(n: int = 26, drift: float = 0.1, sigma: float = 0.3, seed: int = 0) -> pd.Series:
    """Levels exp(y) of a random walk with drift in logs: the unit-root benchmark."""
    steps = drift + sigma * np.random.default_rng(seed).standard_normal(n)
    return annual(np.exp(20 + np.cumsum(steps)))


def trend_stationary(n: int = 40, slope: float = 0.08, sigma: float = 0.05, seed: int = 1) -> pd.Series:
    t = np.arange(n)
    return annual(np.exp(20 + slope * t + sigma * np.random.default_rng(seed).standard_normal(n)))


def mean_shift(n: int = 25, k: int = 13, shift: float = 3.0, seed: int = 2, start: int = 2001) -> pd.Series:
    """iid N(0,1) with the mean raised by `shift` from position k on (year start + k)."""
    e = np.random.default_rng(seed).standard_normal(n)
    e[k:] += shift
    return annual(e, start)


def oil_and_trade(seed: int) -> tuple[pd.Series, pd.Series]:
    """An oil price and a trade series whose growth has elasticity 0.8 to it."""
    rng = np.random.default_rng(seed)
    price = annual(np.exp(np.cumsum(0.2 * rng.standard_normal(26)) + 4))
    growth = 0.05 + 0.8 * np.diff(np.log(price), prepend=4.0) + 0.1 * rng.normal(size=26)
    return annual(np.exp(np.cumsum(growth))), price


# ---------------------------------------------------------------------------------------------------------------
# Series, logs and gaps


def test_growth_drops_differences_across_a_gap():
    s = annual(np.exp(np.arange(26.0) * 0.1)).drop(2010)
    g = ts.log_growth(s)
    assert ts.missing_years(s) == (2010,)
    assert 2010 not in g.index and 2011 not in g.index  # 2011's change would span two years
    assert len(g) == 23
    np.testing.assert_allclose(g.to_numpy(), 0.1)
    assert list(ts.last_run(s).index) == list(range(2011, 2026))


def test_lag_based_tests_refuse_gaps():
    with pytest.raises(ValueError, match="2010"):
        ts.adf_test(np.log(random_walk()).drop(2010))


def test_log_needs_positive_values():
    with pytest.raises(ValueError, match="positive"):
        ts.log_levels(annual([1.0, 0.0, 2.0]))


def test_testable_needs_enough_consecutive_positive_years():
    assert ts.testable(random_walk(n=ts.MIN_YEARS))
    assert not ts.testable(random_walk(n=ts.MIN_YEARS - 1))
    assert not ts.testable(random_walk(n=30).drop(2020))  # the run after the gap is 2021–2029: nine years
    assert not ts.testable(annual([0.0, *range(1, 30)]))


# ---------------------------------------------------------------------------------------------------------------
# Order of integration


def test_adf_equals_statsmodels():
    y = np.log(random_walk(seed=3))
    r = ts.adf_test(y, "ct")
    direct = adfuller(y.to_numpy(), maxlag=ts.schwert_maxlag(26), regression="ct", autolag="AIC", result_object=False)
    assert r.statistic == pytest.approx(direct[0])
    assert r.p_value == pytest.approx(direct[1])
    assert r.lags == direct[2] and r.nobs == direct[3]
    assert r.crit_5 == pytest.approx(direct[4]["5%"])
    assert r.rejects_5 == (direct[0] < direct[4]["5%"])
    assert ts.schwert_maxlag(26) == math.floor(4 * 0.26**0.25) == 2 == r.maxlag


def test_kpss_equals_statsmodels_and_flags_table_edges():
    y = np.log(random_walk(seed=3))
    r = ts.kpss_test(y, "ct")
    with pytest.warns(Warning):  # statsmodels warns at the table's edge
        direct = kpss(y.to_numpy(), regression="ct", nlags="auto")
    assert r.statistic == pytest.approx(direct[0]) and r.p_value == pytest.approx(direct[1])
    assert r.lags == direct[2] and r.crit_5 == pytest.approx(direct[3]["5%"])
    # A straight line plus a random walk of large steps: far beyond the 1% value, p capped at 0.01
    steep = annual(np.cumsum(np.random.default_rng(5).standard_normal(60) * 5) + np.arange(60))
    big = ts.kpss_test(steep, "c")
    assert big.p_value == pytest.approx(0.01) and big.p_bound == "<=" and big.p_text == "p ≤ 0.01"
    flat = ts.kpss_test(annual(np.random.default_rng(6).standard_normal(60)), "c")
    assert flat.p_bound == ">=" and flat.p_text == "p ≥ 0.10"


def test_random_walk_is_not_found_trend_stationary():
    integ = ts.order_of_integration(random_walk(n=40, seed=11))
    assert not integ.adf_level.rejects_5
    assert integ.model == "growth"
    assert integ.growth_stationary == (integ.adf_growth.rejects_5 and not integ.kpss_growth.rejects_5)


def test_trend_stationary_series_is_found_so():
    integ = ts.order_of_integration(trend_stationary())
    assert integ.adf_level.rejects_5 and not integ.kpss_level.rejects_5
    assert integ.model == "trend"


def test_integration_runs_on_the_last_run_of_years():
    integ = ts.order_of_integration(random_walk(n=30, seed=4).drop(2005))
    assert (integ.first_year, integ.last_year) == (2006, 2029)
    assert integ.dropped_years == (2000, 2001, 2002, 2003, 2004)


def test_zivot_andrews_dates_the_first_year_of_the_new_regime():
    t = np.arange(30)
    y = annual(0.05 * t + 1.0 * (t >= 15) + 0.05 * np.random.default_rng(7).standard_normal(30))
    r = ts.zivot_andrews_test(y, "c")
    direct = zivot_andrews(y.to_numpy(), trim=0.15, maxlag=ts.schwert_maxlag(30), regression="c", autolag="AIC")
    assert r.statistic == pytest.approx(direct[0]) and r.p_value == pytest.approx(direct[1])
    assert r.break_year == 2000 + direct[4] + 1 == 2015


# ---------------------------------------------------------------------------------------------------------------
# Breaks


def test_f_path_equals_chow_f_from_statsmodels():
    g = mean_shift(shift=1.0, seed=9)
    bt = ts.sup_f_test(g, "mean", reps=500)
    v = g.to_numpy()
    restricted = OLS(v, np.ones(25)).fit()
    for year, f in bt.f_path.items():
        unrestricted = OLS(v, np.column_stack([np.ones(25), (g.index >= year).astype(float)])).fit()
        assert f == pytest.approx(unrestricted.compare_f_test(restricted)[0])
    assert bt.f_path.index.min() == 2001 + 4 and bt.f_path.index.max() == 2001 + 21  # 15% of 25 → 4 each side
    assert bt.sup_f == bt.f_path.max() and bt.break_year == bt.f_path.idxmax()


def test_trend_f_path_equals_statsmodels_f_test():
    y = np.log(random_walk(seed=10))
    bt = ts.sup_f_test(y, "trend", reps=500)
    t = y.index.to_numpy(dtype=float)
    for year, f in bt.f_path.items():
        after = (t >= year).astype(float)
        x = np.column_stack([np.ones(26), t, after, after * (t - year)])
        test = OLS(y.to_numpy(), x).fit().f_test(np.array([[0, 0, 1, 0], [0, 0, 0, 1]]))
        assert f == pytest.approx(float(np.squeeze(test.fvalue)))
    assert bt.andrews_crit is None and bt.restrictions == 2


def test_simulated_p_value_equals_a_direct_simulation():
    """The projected null distribution against sums of squares within and across the two regimes, same draws."""
    g = mean_shift(shift=0.8, seed=24)
    bt = ts.sup_f_test(g, reps=2000, seed=7)
    e = np.random.default_rng(7).standard_normal((2000, 25))
    ssr0 = ((e - e.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    f = []
    for k in range(4, 22):
        a, b = e[:, :k], e[:, k:]
        ssr1 = ((a - a.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) + ((b - b.mean(axis=1, keepdims=True)) ** 2).sum(
            axis=1
        )
        f.append((ssr0 - ssr1) / (ssr1 / 23))
    sims = np.max(f, axis=0)
    assert bt.p_value == pytest.approx((1 + np.sum(sims >= bt.sup_f)) / 2001)
    assert bt.sim_crit_5 == pytest.approx(np.quantile(sims, 0.95))


def test_planted_mean_break_is_found_at_its_year():
    bt = ts.sup_f_test(mean_shift(shift=3.0), "mean", reps=2000)
    assert bt.break_year == 2014
    assert bt.rejects_5 and bt.p_value < 0.001 and bt.sup_f > bt.andrews_crit["1%"]
    assert bt.ci[0] <= 2014 <= bt.ci[1]


def test_planted_trend_break_is_found_at_its_year():
    t = np.arange(26)
    y = annual(
        0.1 * t - 0.12 * np.maximum(t - 12, 0) + 0.6 * (t >= 12) + 0.03 * np.random.default_rng(3).normal(size=26)
    )
    bt = ts.sup_f_test(y, "trend", reps=2000)
    assert bt.break_year == 2012 and bt.rejects_5


def test_no_break_series_is_not_rejected():
    bt = ts.sup_f_test(annual(np.random.default_rng(12).standard_normal(25), 2001), "mean", reps=2000)
    assert not bt.rejects_5 and bt.p_value > 0.05


def test_random_walk_null_raises_the_bar_for_trend_breaks():
    y = np.log(random_walk(seed=13))
    iid = ts.sup_f_test(y, "trend", reps=2000)
    rw = ts.sup_f_test(y, "trend", reps=2000, null="random_walk")
    assert rw.sup_f == iid.sup_f
    assert rw.sim_crit_5 > 3 * iid.sim_crit_5
    assert rw.p_value > iid.p_value


def test_andrews_critical_values_match_the_limiting_process():
    """sup over [0.15, 0.85] of |B(r) − rB(1)|² / (r(1 − r)) per restriction, summed over q, divided by q."""
    rng = np.random.default_rng(1993)
    steps, reps = 400, 3000
    r = np.arange(1, steps + 1) / steps
    inside = (r >= 0.15) & (r <= 0.85)
    for q, table in ts.ANDREWS_SUPF_15.items():
        w = np.cumsum(rng.standard_normal((reps, q, steps)), axis=2) / np.sqrt(steps)
        bridge = w - r * w[:, :, -1:]
        f = (np.sum(bridge[:, :, inside] ** 2, axis=1) / (r * (1 - r))[inside]).max(axis=1) / q
        np.testing.assert_allclose(np.quantile(f, [0.90, 0.95]), [table["10%"], table["5%"]], rtol=0.06)


def test_bai_distribution_and_interval():
    assert ts._pargmax_v(11.03) == pytest.approx(0.975, abs=1e-3)  # Bai (1997): the 95% interval uses 11
    for x in (0.5, 3.0, 11.0):
        assert ts._pargmax_v(-x) == pytest.approx(1 - ts._pargmax_v(x))
    g = mean_shift(shift=1.5, seed=14)
    v, k = g.to_numpy(), 13
    lo, hi = ts.bai_interval(v, k)
    sigma2 = (np.sum((v[:k] - v[:k].mean()) ** 2) + np.sum((v[k:] - v[k:].mean()) ** 2)) / 25
    c = optimize.brentq(lambda x: ts._pargmax_v(x) - 0.975, 1, 50)
    half = c * sigma2 / (v[k:].mean() - v[:k].mean()) ** 2
    assert lo == max(1, k - math.ceil(half)) and hi == min(24, k - math.floor(-half))


def test_sequential_search_finds_two_planted_breaks():
    e = 0.5 * np.random.default_rng(15).standard_normal(40)
    e[12:] += 3.0
    e[28:] -= 3.0
    b = ts.sequential_breaks(annual(e, 1981))
    assert b.years == (1993, 2009)
    assert list(b.segments["n"]) == [12, 16, 12]
    first, full = b.tests[0], ts.sup_f_test(annual(e, 1981))  # the first test is the full-sample test
    assert (first.sup_f, first.break_year, first.p_value) == (full.sup_f, full.break_year, full.p_value)


# ---------------------------------------------------------------------------------------------------------------
# CUSUM


def test_cusum_recursive_residuals_and_bounds():
    y = mean_shift(shift=0.0, seed=16)
    c = ts.cusum_test(y, "mean")
    v = y.to_numpy()
    w = np.array([(v[r] - v[:r].mean()) * math.sqrt(r / (r + 1)) for r in range(1, 25)])
    np.testing.assert_allclose(c.path.to_numpy(), np.cumsum(w) / math.sqrt(w @ w / 24))
    r = np.arange(2, 26)
    np.testing.assert_allclose(c.bound.to_numpy(), 0.948 * (math.sqrt(24) + 2 * (r - 1) / math.sqrt(24)))
    # statsmodels' own bounds are the same lines, indexed one observation earlier
    sm = recursive_olsresiduals(OLS(v, np.ones(25)).fit(), skip=1, alpha=0.95)
    np.testing.assert_allclose(sm[6][1][1:], c.bound.to_numpy()[:-1])
    assert not c.crosses and c.max_ratio == pytest.approx(np.max(np.abs(c.path) / c.bound))


def test_cusum_crosses_after_a_shift():
    c = ts.cusum_test(mean_shift(shift=3.0, k=10, seed=17), "mean")
    assert c.crosses and c.first_crossing > 2011
    assert not ts.cusum_test(np.log(trend_stationary()), "trend").crosses


# ---------------------------------------------------------------------------------------------------------------
# Oil


def test_oil_price_selects_one_benchmark():
    prices = pd.DataFrame(
        {
            "year": [2020, 2021, 2021, 2021],
            "benchmark": ["BRENT", "BRENT", "KZ_CPC_BLN", "BRENT"],
            "market": ["", "", "ITA", ""],
            "currency": ["USD", "USD", "USD", "EUR"],
            "value": [42.0, 71.0, 72.0, 60.0],
        }
    )
    assert ts.oil_price(prices).to_dict() == {2020: 42.0, 2021: 71.0}
    assert ts.oil_price(prices, "KZ_CPC_BLN", "ITA").to_dict() == {2021: 72.0}


def test_oil_elasticity_equals_linregress():
    trade, price = oil_and_trade(18)
    el = ts.oil_elasticity(trade, price)
    direct = stats.linregress(np.diff(np.log(price.to_numpy())), np.diff(np.log(trade.to_numpy())))
    assert el.elasticity == pytest.approx(direct.slope) and el.se == pytest.approx(direct.stderr)
    assert el.r2 == pytest.approx(direct.rvalue**2) and el.p_value == pytest.approx(direct.pvalue)
    tc = stats.t.ppf(0.975, 23)
    assert (el.low, el.high) == pytest.approx((direct.slope - tc * direct.stderr, direct.slope + tc * direct.stderr))
    assert el.n == 25 and el.df == 23 and el.significant
    x = np.column_stack([np.ones(25), el.data["price_growth"]])
    hac = OLS(el.data["growth"].to_numpy(), x).fit(cov_type="HAC", cov_kwds={"maxlags": ts.nw_lags(25)})
    assert el.hac_se == pytest.approx(hac.bse[1])


def test_oil_scenario_variance_and_refusal():
    trade, price = oil_and_trade(19)
    path = pd.Series([price.iloc[-1] * 1.1], index=[2026])
    sc = ts.oil_scenario(trade, price, path)
    el = sc.elasticity
    fit = OLS(el.data["growth"].to_numpy(), np.column_stack([np.ones(25), el.data["price_growth"]])).fit()
    pred = fit.get_prediction(np.array([[1.0, math.log(1.1)]])).summary_frame(alpha=0.05)
    base = math.log(trade.iloc[-1])
    assert math.log(sc.table["median"].iloc[0]) == pytest.approx(base + pred["mean"].iloc[0])
    assert math.log(sc.table["lower"].iloc[0]) == pytest.approx(base + pred["obs_ci_lower"].iloc[0])
    assert math.log(sc.table["upper"].iloc[0]) == pytest.approx(base + pred["obs_ci_upper"].iloc[0])
    x = np.column_stack([np.ones(25), np.diff(np.log(price.to_numpy()))])
    e = np.random.default_rng(19).standard_normal(25)
    e -= x @ np.linalg.lstsq(x, e, rcond=None)[0]  # growth orthogonal to oil growth: elasticity exactly 0
    unrelated = annual(np.exp(np.concatenate([[0.0], np.cumsum(0.05 + 0.3 * e)])))
    with pytest.raises(ts.NotSignificantError):
        ts.oil_scenario(unrelated, price, path)


# ---------------------------------------------------------------------------------------------------------------
# Price and volume


def test_price_and_volume_effects_add_up_to_the_change_year_by_year():
    rng = np.random.default_rng(20)
    q = annual(rng.uniform(5e6, 5e7, 11), 2013)
    p = annual(rng.uniform(30, 110, 11), 2013)
    pv = ts.price_volume_split(q * p, q)
    np.testing.assert_allclose(pv["price_effect"] + pv["volume_effect"], pv["change"], rtol=1e-12, atol=1e-3)
    np.testing.assert_allclose(pv["change"], np.diff(q * p))
    assert list(pv.index) == list(range(2014, 2024))


def test_price_volume_known_answers_and_gaps():
    v = pd.Series({2013: 100.0, 2014: 200.0, 2015: 200.0, 2017: 300.0})
    q = pd.Series({2013: 10.0, 2014: 10.0, 2015: 20.0, 2017: 20.0})
    pv = ts.price_volume_split(v, q, source=pd.Series({2013: "a", 2014: "a", 2015: "b", 2017: "b"}))
    assert list(pv.index) == [2014, 2015]  # 2017's change would span the 2016 gap
    assert pv.loc[2014, "price_effect"] == pytest.approx(100) and pv.loc[2014, "volume_effect"] == 0
    assert pv.loc[2015, "price_effect"] == pytest.approx(-200 * math.log(2))  # equal values: the weight is the value
    assert pv.loc[2015, "price_effect"] + pv.loc[2015, "volume_effect"] == pytest.approx(0)
    assert list(pv["source_change"]) == [False, True]
    assert ts.price_volume_split(v.loc[[2015, 2017]], q.loc[[2015, 2017]]).empty


# ---------------------------------------------------------------------------------------------------------------
# Projection


def test_drift_forecast_equals_formula():
    s = random_walk(seed=21)
    fc = ts.drift_forecast(s, 5)
    d = np.diff(np.log(s.to_numpy()))
    n, mu, sigma = len(d), d.mean(), d.std(ddof=1)
    h = np.arange(1, 6)
    tc = stats.t.ppf(0.975, n - 1)
    se = sigma * np.sqrt(h + h**2 / n)
    mean = np.log(s.iloc[-1]) + h * mu
    np.testing.assert_allclose(fc.table["median"], np.exp(mean))
    np.testing.assert_allclose(fc.table["lower"], np.exp(mean - tc * se))
    np.testing.assert_allclose(fc.table["upper"], np.exp(mean + tc * se))
    assert fc.drift_se == pytest.approx(sigma / math.sqrt(n)) and fc.df == n - 1
    test = stats.ttest_1samp(d, 0)
    assert fc.drift_t == pytest.approx(test.statistic) and fc.drift_p == pytest.approx(test.pvalue)


def test_drift_interval_is_wider_than_arima_that_ignores_the_drift_uncertainty():
    s = random_walk(seed=22)
    fc = ts.drift_forecast(s, 5)
    y = pd.Series(np.log(s.to_numpy()), index=pd.period_range("2000", periods=26, freq="Y"))
    arima = ARIMA(y, order=(0, 1, 0), trend="t").fit().get_forecast(5).summary_frame(alpha=0.05)
    np.testing.assert_allclose(fc.table["log_mean"], arima["mean"], rtol=1e-4)
    ours = np.log(fc.table["upper"] / fc.table["lower"]).to_numpy()
    theirs = (arima["mean_ci_upper"] - arima["mean_ci_lower"]).to_numpy()
    assert np.all(ours > theirs)
    assert np.all(np.diff(ours / theirs) > 0)  # the h²σ²/n term makes the gap grow with the horizon


def test_drift_uncertainty_term_widens_shorter_samples():
    d = np.tile([0.3, -0.1], 20)  # the same mean and variance in every even-length window
    s = annual(np.exp(np.concatenate([[0.0], np.cumsum(d)])), 1985)
    long, short = ts.drift_forecast(s, 3), ts.drift_forecast(s, 3, first_year=2015)
    assert long.drift == pytest.approx(short.drift)
    assert (short.table["log_se"].iloc[-1] / short.sigma) ** 2 == pytest.approx(3 + 9 / 10)
    assert (long.table["log_se"].iloc[-1] / long.sigma) ** 2 == pytest.approx(3 + 9 / 40)


def test_forecast_sensitivity_rows_and_gap_handling():
    s = random_walk(seed=23).drop(2010)
    fs = ts.forecast_sensitivity(s, 2028, break_years=[2009], candidate_years=[2017])
    assert list(fs.index) == [
        "full sample",
        "growth from 2009 (break)",
        "growth from 2017 (best date, not significant)",
        "last 10 years",
    ]
    assert list(fs["first_year"]) == [2000, 2008, 2016, 2015]
    assert list(fs["n"]) == [23, 15, 9, 10]  # 2010 and 2011 growth lost to the gap
    direct = ts.drift_forecast(s, 3, first_year=2015).table.iloc[-1]
    assert fs.loc["last 10 years", "median"] == pytest.approx(direct["median"])
    assert ts.drift_forecast(s, 1).dropped == (2010, 2011)


@pytest.mark.parametrize(("reference", "decimals"), [(23.55, 0), (146.3, 0), (6.59, 1), (0.353, 2), (1234.0, 0)])
def test_rounding_keeps_two_significant_digits_of_the_reference(reference, decimals):
    assert ts.rounding_decimals(reference) == decimals


def test_p_text_states_tiny_p_values_as_bounds():
    assert ts.p_text(0.0004) == "p < 0.001" and ts.p_text(0.0391) == "p = 0.039"
