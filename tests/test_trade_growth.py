"""The trade-growth chapter: every statistic it glues recomputed here with statsmodels/scipy called directly on the
data files, for Italy and China; the window, short-series and built-page behaviour."""

from __future__ import annotations

import math
import warnings

import chapters
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, built_chapter, page_text
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.diagnostic import acorr_ljungbox, recursive_olsresiduals
from statsmodels.tsa.stattools import adfuller, kpss, zivot_andrews

from tradebook.analysis import indicators
from tradebook.data.folder import DataFolder

TRADE = DataFolder(ROOT / "data").load("trade")
RAW_PRICES = pd.read_csv(ROOT / "data" / "oil_prices.csv", keep_default_na=False)
BRENT = RAW_PRICES[RAW_PRICES["benchmark"] == "BRENT"].set_index("year")["value"].astype(float)
PRODUCTS = pd.read_csv(ROOT / "data" / "trade_products.csv", dtype={"product": str})
# The tests of one executed chapter share a worker, so that each partner's chapter runs once.
same_worker = pytest.mark.xdist_group("trade_growth_chapter")


@pytest.fixture(scope="module", params=[pytest.param("ITA", marks=pytest.mark.slow), "CHN"])
def chapter(request, tmp_path_factory) -> tuple[str, dict[str, object], pd.DataFrame]:
    """The chapter executed once per partner (Italy's: in the built book): (partner, glued values, flows by year)."""
    if request.param == "ITA":
        got = built_chapter(request.getfixturevalue("built_book"), "trade_growth")
    else:
        got = chapters.glued("trade_growth", partner=request.param)
    rows = TRADE[(TRADE.reporter == "KAZ") & (TRADE.partner == request.param) & (TRADE.currency == "USD")]
    flows = rows.pivot_table(index="year", columns="flow", values="value", aggfunc="sum")
    flows["turnover"] = flows["export"] + flows["import"]
    flows = flows[flows.index >= 2000]
    assert list(flows.index) == list(range(2000, int(flows.index.max()) + 1))  # no gap: plain numpy below
    return request.param, got, flows


def p_sentence(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def mean_break_f(d: np.ndarray, k: int) -> float:
    """Chow F of a shift in the mean of d from position k on."""
    restricted = OLS(d, np.ones(len(d))).fit()
    return OLS(d, np.column_stack([np.ones(len(d)), np.arange(len(d)) >= k])).fit().compare_f_test(restricted)[0]


@same_worker
def test_levels_and_share(chapter):
    partner, got, flows = chapter
    turnover = flows["turnover"]
    assert got["last_year"] == int(turnover.index[-1]) and got["has_tests"] and not got["has_gaps"]
    assert got["turnover_last_bn"] == pytest.approx(turnover.iloc[-1] / 1e9)
    assert got["cagr_all"] == pytest.approx((turnover.iloc[-1] / turnover.iloc[0]) ** (1 / (len(turnover) - 1)) - 1)
    ranks = indicators.share_and_rank(TRADE, "KAZ", partner)
    assert got["rank_last"] == int(ranks["rank"].iloc[-1])
    # The last year's source and its release, read here from sources.yml itself (issue 13).
    last = TRADE[(TRADE.reporter == "KAZ") & (TRADE.partner == partner) & (TRADE.year == got["last_year"])]
    (source_id,) = set(last["source"])
    entry = yaml.safe_load((ROOT / "data" / "sources.yml").read_text(encoding="utf-8"))[source_id]
    (release,) = [r for r in entry["releases"] if got["last_year"] in r["years"]]
    assert got["last_source"] == entry["citation"]
    assert got["last_release"] == f"{release['status']} edition, released {release['released']}"


@same_worker
def test_order_of_integration(chapter):
    _, got, flows = chapter
    y = np.log(flows["turnover"].to_numpy())
    d = np.diff(y)
    maxlag = math.floor(4 * (len(y) / 100) ** 0.25)
    stat, _, lags, _, crit, _ = adfuller(y, maxlag=maxlag, regression="ct", autolag="AIC", result_object=False)
    assert (got["adf_stat"], got["adf_cv"], got["adf_lags"], got["adf_maxlag"]) == pytest.approx(
        (stat, crit["5%"], lags, maxlag)
    )
    assert got["adf_rejects"] == (stat < crit["5%"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns when a statistic lies outside KPSS' table
        stat, p, lags, crit = kpss(y, regression="ct", nlags="auto")
        stat_d, _, _, crit_d = kpss(d, regression="c", nlags="auto")
    assert (got["kpss_stat"], got["kpss_lags"], got["kpss_rejects"]) == (pytest.approx(stat), lags, stat > crit["5%"])
    assert got["trend_stationary"] == (got["adf_rejects"] and not got["kpss_rejects"])
    if crit["10%"] < stat < crit["1%"]:
        assert got["kpss_p"] == f"p = {p:.3f}"
    assert got["kpssd_stat"] == pytest.approx(stat_d)
    if stat_d <= crit_d["10%"]:
        assert got["kpssd_p"] == "p ≥ 0.10"
    stat_a, _, _, _, crit_a, _ = adfuller(
        d, maxlag=math.floor(4 * (len(d) / 100) ** 0.25), regression="c", autolag="AIC", result_object=False
    )
    assert (got["adfd_stat"], got["adfd_cv"]) == pytest.approx((stat_a, crit_a["5%"]))
    assert got["growth_stationary"] == (stat_a < crit_a["5%"] and stat_d <= crit_d["5%"])
    za = zivot_andrews(y, trim=0.15, maxlag=maxlag, regression="ct", autolag="AIC")
    assert (got["za_stat"], got["za_year"]) == (pytest.approx(za[0]), 2000 + za[4] + 1)
    assert got["za_p"] == p_sentence(za[1]) and got["za_rejects"] == (za[0] < za[2]["5%"])


@same_worker
def test_average_growth_and_its_t_test(chapter):
    _, got, flows = chapter
    d = np.diff(np.log(flows["turnover"].to_numpy()))
    test = stats.ttest_1samp(d, 0)
    assert (got["drift"], got["sigma"], got["drift_t"]) == pytest.approx((d.mean(), d.std(ddof=1), test.statistic))
    assert got["drift_p"] == p_sentence(test.pvalue) and got["drift_significant"] == (test.pvalue < 0.05)
    assert got["drift_growth"] == pytest.approx(math.expm1(d.mean())) and got["drift_df"] == len(d) - 1
    lb = acorr_ljungbox(d - d.mean(), lags=[min(10, len(d) // 5)])["lb_pvalue"].iloc[0]
    assert got["lb_p"] == pytest.approx(lb)


@same_worker
def test_oil_elasticities(chapter):
    _, got, flows = chapter
    assert got["has_oil"]
    brent = np.diff(np.log(BRENT.reindex(flows.index).to_numpy()))
    for flow in ("turnover", "export", "import"):
        fit = stats.linregress(brent, np.diff(np.log(flows[flow].to_numpy())))
        half = stats.t.ppf(0.975, len(brent) - 2) * fit.stderr
        assert (got[f"{flow}_el"], got[f"{flow}_el_lo"], got[f"{flow}_el_hi"], got[f"{flow}_el_r2"]) == pytest.approx(
            (fit.slope, fit.slope - half, fit.slope + half, fit.rvalue**2)
        )
        assert got[f"{flow}_el_p"] == p_sentence(fit.pvalue)
        assert got[f"{flow}_el_significant"] == (fit.pvalue < 0.05)
    assert got["turnover_el_n"] == len(brent) and got["turnover_el_df"] == len(brent) - 2


@same_worker
def test_break_tests(chapter):
    partner, got, flows = chapter
    for flow, prefix in [("turnover", ""), ("import", "import_")]:
        d = np.diff(np.log(flows[flow].to_numpy()))
        n = len(d)
        h = math.ceil(0.15 * n)
        f = {int(flows.index[1 + k]): mean_break_f(d, k) for k in range(h, n - h + 1)}
        year = max(f, key=f.get)
        if prefix == "" or got[f"{flow}_break"]:
            assert got[f"{prefix}supf"] == pytest.approx(f[year]) and got[f"{prefix}supf_year"] == year
            k = year - int(flows.index[1])
            assert (got[f"{prefix}before"], got[f"{prefix}after"]) == pytest.approx((d[:k].mean(), d[k:].mean()))
        # the simulated p-value: the same 20,000 draws of iid normal growth, F by sums of squares in each regime
        e = np.random.default_rng(1993).standard_normal((20000, n))
        ssr0 = ((e - e.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        sims = np.zeros(20000)
        for k in range(h, n - h + 1):
            ssr1 = sum(((part - part.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) for part in (e[:, :k], e[:, k:]))
            sims = np.maximum(sims, (ssr0 - ssr1) / (ssr1 / (n - 2)))
        p = (1 + np.sum(sims >= f[year])) / 20001
        assert got[f"{flow}_break"] == (p < 0.05)
        if prefix == "":
            assert got["supf_p"] == p_sentence(p) and got["sim5"] == pytest.approx(np.quantile(sims, 0.95))
            assert got["andrews5"] == 8.68 and got["reps"] == 20000 and got["supf_rejects"] == (p < 0.05)
    if partner == "CHN":  # Kazakhstan's imports from China: one shift in mean growth, found at 2009
        assert got["import_break"] and got["import_supf_year"] == 2009


@same_worker
def test_cusum_and_the_broken_trend(chapter):
    _, got, flows = chapter
    y = np.log(flows["turnover"].to_numpy())
    d = np.diff(y)
    n = len(d)
    w = recursive_olsresiduals(OLS(d, np.ones(n)).fit(), skip=1)[4][1:]
    path = np.cumsum(w) / math.sqrt(w @ w / (n - 1))
    bound = 0.948 * (math.sqrt(n - 1) + 2 * np.arange(1, n) / math.sqrt(n - 1))
    assert got["cusum_max"] == pytest.approx(np.max(np.abs(path) / bound))
    assert got["cusum_crosses"] == bool(np.any(np.abs(path) > bound))
    # a log-linear trend broken in level and slope, and its p-value under a random walk with drift
    t = np.arange(len(y), dtype=float)
    designs = {}
    for k in range(math.ceil(0.15 * len(y)), len(y) - math.ceil(0.15 * len(y)) + 1):
        after = (t >= k).astype(float)
        designs[k] = np.column_stack([np.ones_like(t), t, after, after * (t - k)])
    f = {k: float(np.squeeze(OLS(y, x).fit().f_test(np.eye(4)[2:]).fvalue)) for k, x in designs.items()}
    k = max(f, key=f.get)
    assert got["old_f"] == pytest.approx(f[k]) and got["old_year"] == int(flows.index[k])
    walks = np.cumsum(np.random.default_rng(1993).standard_normal((20000, len(y))), axis=1)

    def ssr(x: np.ndarray) -> np.ndarray:
        resid = walks - walks @ (x @ np.linalg.pinv(x))
        return (resid**2).sum(axis=1)

    ssr0 = ssr(np.column_stack([np.ones_like(t), t]))
    sims = np.max([((ssr0 - s) / 2) / (s / (len(y) - 4)) for s in map(ssr, designs.values())], axis=0)
    assert got["old_p"] == pytest.approx((1 + np.sum(sims >= f[k])) / 20001)
    assert got["old_cv"] == pytest.approx(np.quantile(sims, 0.95))


@same_worker
def test_projection_and_its_sensitivity(chapter):
    _, got, flows = chapter
    turnover = flows["turnover"]
    last = int(turnover.index[-1])
    assert got["forecast_last_year"] == last + 3

    def projection(first_level_year: int) -> tuple[float, float, float]:
        d = np.diff(np.log(turnover.loc[first_level_year:].to_numpy()))
        n, mean = len(d), math.log(turnover.iloc[-1]) + 3 * d.mean()
        half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) * math.sqrt(3 + 9 / n)
        return math.exp(mean) / 1e9, math.exp(mean - half) / 1e9, math.exp(mean + half) / 1e9

    median, low, high = projection(2000)
    decimals = max(0, 1 - math.floor(math.log10(median)))  # two significant digits of the median
    assert (got["fc_med"], got["fc_lo"], got["fc_hi"]) == tuple(round(v, decimals) for v in (median, low, high))
    assert got["fc_since_med"] == round(projection(got["fc_since_year"] - 1)[0], decimals)
    assert got["fc_10_med"] == round(projection(last - 10)[0], decimals)
    # the oil scenario: Brent flat at its last price, so the log median moves by 3 intercepts
    d = np.diff(np.log(turnover.to_numpy()))
    fit = OLS(d, np.column_stack([np.ones_like(d), np.diff(np.log(BRENT.reindex(turnover.index).to_numpy()))])).fit()
    assert got["has_scenario"] == bool(fit.pvalues[1] < 0.05)
    if got["has_scenario"]:
        mean = math.log(turnover.iloc[-1]) + 3 * fit.params[0]
        half = stats.t.ppf(0.975, fit.df_resid) * math.sqrt(3 * fit.scale + 9 * fit.cov_params()[0, 0])
        expected = [round(math.exp(v) / 1e9, decimals) for v in (mean, mean - half, mean + half)]
        assert [got["sc_med"], got["sc_lo"], got["sc_hi"]] == expected
        assert got["brent_last"] == BRENT[last]


@same_worker
def test_crude_price_and_volume(chapter):
    partner, got, _ = chapter
    rows = PRODUCTS[
        (PRODUCTS["reporter"] == partner)
        & (PRODUCTS["partner"] == "KAZ")
        & (PRODUCTS["product"] == "2709")
        & (PRODUCTS["quantity_unit"] == "bbl")
    ]
    assert got["has_crude"] == (len(rows) > 1)
    if not got["has_crude"]:
        return
    crude = rows.sort_values(["year", "source"]).drop_duplicates("year").set_index("year")
    for name in ("fall", "rise"):
        y1 = got[f"pv_{name}_year"]
        v0, v1 = crude.loc[y1 - 1, "value"], crude.loc[y1, "value"]
        q0, q1 = crude.loc[y1 - 1, "quantity"], crude.loc[y1, "quantity"]
        weight = (v1 - v0) / math.log(v1 / v0)
        price, volume = weight * math.log((v1 / q1) / (v0 / q0)), weight * math.log(q1 / q0)
        assert (got[f"pv_{name}_price_m"], got[f"pv_{name}_volume_m"]) == pytest.approx((price / 1e6, volume / 1e6))
        assert got[f"pv_{name}_m"] == pytest.approx(abs(v1 - v0) / 1e6)
        assert got[f"pv_{name}_price_m"] + got[f"pv_{name}_volume_m"] == pytest.approx((v1 - v0) / 1e6)
    change = crude["value"].iloc[-1] - crude["value"].iloc[0]
    assert got["pv_change_total_m"] == pytest.approx(change / 1e6)
    assert got["pv_price_total_m"] + got["pv_volume_total_m"] == pytest.approx(change / 1e6)


def test_trade_growth_respects_the_year_window(tmp_path):
    got = chapters.glued("trade_growth", start_year=2005, end_year=2020, forecast_years=2)
    assert (got["first_year"], got["last_year"], got["forecast_last_year"]) == (2005, 2020, 2022)
    assert got["has_tests"] and (got["integ_first"], got["integ_last"]) == (2005, 2020)
    assert got["turnover_el_last"] == 2020 and got["fc_from"] == 2005


def test_a_partner_known_only_since_2018_gets_no_tests_and_says_so(tmp_path):
    got = chapters.glued("trade_growth", partner="DEU")
    turnover = indicators.bilateral(TRADE, "KAZ", "DEU")["turnover"].dropna()
    assert got["n_years"] == len(turnover) and got["first_year"] == int(turnover.index[0]) > 2015
    assert not got["has_tests"] and not got["has_oil"] and not got["has_scenario"]
    assert got["run_years"] < got["min_years"]
    assert "supf" not in got and "fc_med" not in got and "adf_stat" not in got


def test_built_book_shows_the_headline_numbers_for_italy(built_book):
    pair = indicators.bilateral(TRADE, "KAZ", "ITA")
    latest = int(pair.index[-1])
    growth = indicators.yoy_growth(pair["turnover"]).iloc[-1]
    intro = page_text(built_book / "_build/html/notebooks/intro.html")
    assert f"In {latest} Kazakhstan reported goods trade with Italy" in intro
    assert f"US$ {pair['turnover'].iloc[-1] / 1e9:,.1f} billion" in intro
    assert f"{growth:+.1%} on {latest - 1}" in intro
    rank = indicators.share_and_rank(TRADE, "KAZ", "ITA")
    assert f"number {int(rank['rank'].iloc[-1])} trading partner" in intro
    chapter = page_text(built_book / "_build/html/notebooks/trade_growth.html")
    t2024 = pair.loc[2024, "turnover"]
    assert f"US$ {t2024 / 1e9:,.2f} billion in 2024" in chapter  # the peak year, as the article's year
    growth_2024 = pair.loc[2024, "turnover"] / pair.loc[2023, "turnover"] - 1
    assert f"US$ {t2024 / 1e9:,.1f} billion, itself {growth_2024:+.1%} on 2023" in intro
    assert "Andrews’ (1993) critical value for this search, 8.68 at 5%" in chapter
    assert f"the median projection for {latest + 3}" in chapter
    assert "a unit root is not rejected" in chapter and "dates no break here" in chapter
