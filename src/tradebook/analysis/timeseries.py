"""Time-series inference for short annual series, in the order an applied econometrician works.

1. Order of integration first (ADF, KPSS, Zivot–Andrews): it decides whether growth is modelled in log
   differences (unit root) or around a deterministic trend (trend-stationary).
2. Breaks found at unknown dates (Quandt–Andrews sup-F, Bai's interval, a sequential search), never assumed;
   stability by the CUSUM of recursive residuals with the Brown–Durbin–Evans bounds.
3. Oil in the model: the elasticity of trade growth to oil-price growth, and a price/volume split of crude values.
4. A random walk with drift whose intervals carry the drift's own uncertainty, its sensitivity to the sample, and
   a scenario along an oil-price path.
5. A level shift at a given year (the investment chapter's test of a period against the years before it).

Pure functions over pandas objects returning frozen dataclasses. Annual series are indexed by calendar year (int).
Gaps (a year missing inside the range, e.g. Russia 2010) are never filled: growth is a log difference between
*consecutive* years only, so a difference that would span a gap is dropped; tests built on lags or partial sums of
levels (ADF, KPSS, Zivot–Andrews) run on the run of consecutive years that ends in the last year, and every result
records the years it used. The only numbers typed here are published constants of the tests, each with its source.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.diagnostic import acorr_ljungbox, recursive_olsresiduals
from statsmodels.tsa.stattools import adfuller, kpss, zivot_andrews

# Quandt–Andrews sup-F: asymptotic critical values (F form, = sup-Wald / q) for 15% trimming, q = 1, 2 restrictions,
# at 10%, 5%, 1%. Andrews (1993, Econometrica 61; Table 1 as corrected in Andrews 2003, Econometrica 71), pi0 = 0.15,
# in the F form tabulated by Stock & Watson, Introduction to Econometrics (2003). Transcription checked against gretl
# (lib/src/compare.c, QLR_critvals, which cites Stock & Watson) and, in the tests, against a simulation of the
# limiting process.
ANDREWS_SUPF_15 = {1: {"10%": 7.12, "5%": 8.68, "1%": 12.16}, 2: {"10%": 5.00, "5%": 5.86, "1%": 7.78}}
ANDREWS_TRIM = 0.15

# Brown, Durbin & Evans (1975, JRSS-B 37): CUSUM boundary constant a for significance 10%, 5%, 1% (the same values
# statsmodels hard-codes in recursive_olsresiduals).
BDE_A = {0.10: 0.850, 0.05: 0.948, 0.01: 1.143}

# Fewest consecutive years on which this module's tests are run for a page: with fewer, an ADF regression with a
# trend and lags keeps a handful of degrees of freedom, a break test with 15% trimming compares two or three years
# with the rest, and no test has the power to say anything a reader could use.
MIN_YEARS = 15

# The investment chapter's level-shift test: HAC lags, about n ** 0.25 for ~25 annual points (Newey–West rule).
HAC_LAGS = 2


# --------------------------------------------------------------------------------------------------------------
# Annual series, logs, growth, gaps


def _annual(series: pd.Series) -> pd.Series:
    """A float series indexed by int year, sorted, without missing values or duplicate years."""
    clean = series.dropna().astype(float)
    if clean.empty:
        raise ValueError("the series holds no values")
    years = pd.Index(clean.index)
    if not pd.api.types.is_integer_dtype(years) and not np.all(np.mod(years.to_numpy(dtype=float), 1) == 0):
        raise ValueError("the series must be indexed by calendar year (int)")
    clean.index = years.astype(int)
    clean = clean.sort_index()
    if clean.index.has_duplicates:
        raise ValueError(f"duplicate years: {sorted(set(clean.index[clean.index.duplicated()]))}")
    return clean


def missing_years(series: pd.Series) -> tuple[int, ...]:
    """Years inside the series' range that hold no value: gaps that no test may bridge silently."""
    s = _annual(series)
    full = set(range(int(s.index.min()), int(s.index.max()) + 1))
    return tuple(sorted(full - set(s.index)))


def last_run(series: pd.Series) -> pd.Series:
    """The run of consecutive years that ends in the last year: what lag-based tests on levels can use."""
    s = _annual(series)
    years = s.index.to_numpy()
    start = len(years) - 1
    while start > 0 and years[start - 1] == years[start] - 1:
        start -= 1
    return s.iloc[start:]


def testable(values: pd.Series) -> bool:
    """Whether a series of levels can carry this module's tests: positive, with MIN_YEARS consecutive years."""
    s = values.dropna()
    return bool(len(s) and (s > 0).all() and len(last_run(s)) >= MIN_YEARS)


def log_levels(values: pd.Series) -> pd.Series:
    """Natural log of a positive annual series (growth in logs is additive and symmetric)."""
    s = _annual(values)
    if (s <= 0).any():
        raise ValueError(f"log needs positive values; non-positive in {list(s.index[s <= 0])}")
    return np.log(s)


def log_growth(values: pd.Series) -> pd.Series:
    """Δlog between consecutive years, indexed by the later year; a difference across a gap is dropped."""
    y = log_levels(values)
    d = y.diff()
    step = pd.Series(y.index, index=y.index).diff()
    return d[step == 1].rename("dlog")


def _contiguous(x: pd.Series, what: str) -> np.ndarray:
    s = _annual(x)
    gaps = missing_years(s)
    if gaps:
        raise ValueError(f"{what} needs consecutive years; missing {list(gaps)} (use last_run)")
    return s.to_numpy()


def _ljung_box_p(resid: np.ndarray) -> float:
    """Ljung–Box p-value with min(10, n/5) lags (Hyndman & Athanasopoulos' rule for non-seasonal data)."""
    lags = max(1, min(10, len(resid) // 5))
    return float(acorr_ljungbox(resid, lags=[lags])["lb_pvalue"].iloc[0])


def p_text(p: float, floor: float = 0.001) -> str:
    """A p-value as a sentence states it: 'p < 0.001' below the floor, else 'p = 0.039'."""
    return f"p < {floor:g}" if p < floor else f"p = {p:.3f}"


# --------------------------------------------------------------------------------------------------------------
# 1. Order of integration


def schwert_maxlag(n: int) -> int:
    """Schwert's (1989) short rule floor(4 (n/100)^(1/4)): 2 lags for 25 annual points.

    The long rule (12 instead of 4, statsmodels' default) gives 8 lags at n = 26 and would spend a third of
    the sample on the AIC search.
    """
    return max(1, math.floor(4 * (n / 100) ** 0.25))


@dataclass(frozen=True)
class UnitRootTest:
    """One unit-root or stationarity test, with the p-value's table edge made explicit.

    `p_bound` is "<=" when the reported p-value is the table's floor (the true p is at most that), ">=" when it is
    the ceiling, None when interpolated inside the table. `rejects_5` compares the statistic with the 5% critical
    value (for ADF the finite-sample MacKinnon 2010 value; its p-value is the asymptotic MacKinnon 1994 one).
    """

    test: str
    null: str
    regression: str
    statistic: float
    p_value: float
    p_bound: str | None
    lags: int
    maxlag: int | None
    lag_rule: str
    crit_5: float
    nobs: int
    rejects_5: bool
    break_year: int | None = None

    @property
    def p_text(self) -> str:
        """The p-value as a sentence may state it: 'p ≤ 0.01', never 'p = 0.01' at a table edge."""
        if self.p_bound == "<=":
            return "p < 0.001" if self.p_value < 0.001 else f"p ≤ {self.p_value:.2f}"
        if self.p_bound == ">=":
            return f"p ≥ {self.p_value:.2f}"
        return p_text(self.p_value)


def adf_test(x: pd.Series, regression: str = "ct", maxlag: int | None = None) -> UnitRootTest:
    """Augmented Dickey–Fuller, H0 unit root; lag by AIC from 0 to `maxlag` (default Schwert's short rule)."""
    v = _contiguous(x, "ADF")
    maxlag = schwert_maxlag(len(v)) if maxlag is None else maxlag
    r = adfuller(v, maxlag=maxlag, regression=regression, autolag="AIC", result_object=True)
    bound = "<=" if r.pvalue <= 0.0 else (">=" if r.pvalue >= 1.0 else None)
    crit = float(r.critical_values["5%"])
    return UnitRootTest(
        test="ADF",
        null="unit root",
        regression=regression,
        statistic=float(r.statistic),
        p_value=float(r.pvalue),
        p_bound=bound,
        lags=int(r.lags),
        maxlag=maxlag,
        lag_rule=f"AIC over 0–{maxlag} lags (Schwert's short rule)",
        crit_5=crit,
        nobs=int(r.nobs),
        rejects_5=bool(r.statistic < crit),
    )


def kpss_test(x: pd.Series, regression: str = "ct") -> UnitRootTest:
    """KPSS, H0 (trend-)stationarity; Bartlett long-run variance, bandwidth by Hobijn, Franses & Ooms (1998).

    statsmodels interpolates the p-value in KPSS' table (10% … 1%) and caps it at both ends: `p_bound` says when.
    """
    v = _contiguous(x, "KPSS")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The test statistic is outside of the range")
        r = kpss(v, regression=regression, nlags="auto", result_object=True)
    crit = r.critical_values
    stat = float(r.statistic)
    bound = "<=" if stat >= crit["1%"] else (">=" if stat <= crit["10%"] else None)
    return UnitRootTest(
        test="KPSS",
        null="trend-stationary" if regression == "ct" else "level-stationary",
        regression=regression,
        statistic=stat,
        p_value=float(r.pvalue),
        p_bound=bound,
        lags=int(r.lags),
        maxlag=None,
        lag_rule="Bartlett kernel, automatic bandwidth of Hobijn, Franses & Ooms (1998)",
        crit_5=float(crit["5%"]),
        nobs=len(v),
        rejects_5=bool(stat > crit["5%"]),
    )


def zivot_andrews_test(x: pd.Series, regression: str = "ct", trim: float = 0.15) -> UnitRootTest | None:
    """Zivot–Andrews: H0 unit root against a trend-stationary alternative with one break at an unknown date.

    ADF's non-rejection can come from a break it ignores; this asks whether a broken trend fits instead.
    The lag search starts at Schwert's short rule and shrinks when a candidate break leaves the auxiliary
    regression singular (it does at n ≈ 25); None when even no lags fail. `break_year` is the first year of the
    new regime (statsmodels returns the last index of the old one).
    """
    v = _contiguous(x, "Zivot–Andrews")
    years = _annual(x).index
    for maxlag in range(schwert_maxlag(len(v)), -1, -1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the rank warning that precedes the ValueError handled here
                stat, p, crit, lags, idx = zivot_andrews(
                    v, trim=trim, maxlag=maxlag, regression=regression, autolag="AIC"
                )
        except ValueError:
            continue
        bound = "<=" if p <= 1e-5 else (">=" if p >= 0.999 else None)  # statsmodels' table spans 0.001%–99.9%
        return UnitRootTest(
            test="Zivot–Andrews",
            null="unit root",
            regression=regression,
            statistic=float(stat),
            p_value=float(p),
            p_bound=bound,
            lags=int(lags),
            maxlag=maxlag,
            lag_rule=f"AIC over 0–{maxlag} lags, {trim:.0%} trimming",
            crit_5=float(crit["5%"]),
            nobs=len(v),
            rejects_5=bool(stat < crit["5%"]),
            break_year=int(years[int(idx) + 1]),
        )
    return None


@dataclass(frozen=True)
class Integration:
    """ADF and KPSS on log levels (with trend) and on log growth (constant), read together.

    `model` is what a chapter may fit: "growth" (log differences) unless trend-stationarity is established,
    "trend" only when ADF rejects a unit root and KPSS does not reject trend-stationarity.
    `growth_stationary`: ADF rejects a unit root in the growth rates and KPSS does not reject their stationarity.
    """

    first_year: int
    last_year: int
    adf_level: UnitRootTest
    kpss_level: UnitRootTest
    adf_growth: UnitRootTest
    kpss_growth: UnitRootTest
    za_level: UnitRootTest | None
    growth_stationary: bool
    model: str
    dropped_years: tuple[int, ...]


def order_of_integration(values: pd.Series) -> Integration:
    """Order of integration of log(values), by the confirmatory reading of ADF (H0 I(1)) and KPSS (H0 I(0))."""
    s = _annual(values)
    run = last_run(s)
    y, d = log_levels(run), log_growth(run)
    adf_l, kpss_l = adf_test(y, "ct"), kpss_test(y, "ct")
    adf_g, kpss_g = adf_test(d, "c"), kpss_test(d, "c")
    return Integration(
        first_year=int(run.index.min()),
        last_year=int(run.index.max()),
        adf_level=adf_l,
        kpss_level=kpss_l,
        adf_growth=adf_g,
        kpss_growth=kpss_g,
        za_level=zivot_andrews_test(y, "ct"),
        growth_stationary=adf_g.rejects_5 and not kpss_g.rejects_5,
        model="trend" if adf_l.rejects_5 and not kpss_l.rejects_5 else "growth",
        dropped_years=tuple(int(year) for year in s.index if year < run.index.min()),
    )


# --------------------------------------------------------------------------------------------------------------
# 2. Breaks at unknown dates


def _design(t: np.ndarray, model: str) -> np.ndarray:
    if model == "mean":
        return np.ones((len(t), 1))
    if model == "trend":
        return np.column_stack([np.ones_like(t), t - t.mean()])
    raise ValueError(f"unknown break model {model!r}: 'mean' or 'trend'")


def _break_columns(t: np.ndarray, k: int, model: str) -> np.ndarray:
    """Regressors that change from observation k on: the mean, or the level and slope of the trend."""
    after = (np.arange(len(t)) >= k).astype(float)
    if model == "mean":
        return after[:, None]
    return np.column_stack([after, after * (t - t[k])])


def _candidates(n: int, trim: float, min_size: int | None) -> range:
    h = max(math.ceil(trim * n), 2) if min_size is None else min_size
    return range(h, n - h + 1)


def _projections(t: np.ndarray, model: str, ks: range) -> tuple[np.ndarray, np.ndarray]:
    """Residual-maker of the no-break design and an orthonormal basis of each break's extra columns after it."""
    x = _design(t, model)
    m = np.eye(len(t)) - x @ np.linalg.pinv(x)
    bases = []
    for k in ks:
        q, _ = np.linalg.qr(m @ _break_columns(t, k, model))
        bases.append(q)
    return m, np.stack(bases)


def _f_stats(e: np.ndarray, m: np.ndarray, bases: np.ndarray, dof: int) -> np.ndarray:
    """Chow F for every candidate break (columns) and every series (rows of e)."""
    q = bases.shape[2]
    u = e @ m
    ssr0 = np.sum(u * u, axis=1)[:, None]
    gain = np.sum(np.einsum("rn,knq->rkq", u, bases) ** 2, axis=2)
    return (gain / q) / ((ssr0 - gain) / dof)


def _pargmax_v(x: float, xi: float = 1.0, phi1: float = 1.0, phi2: float = 1.0) -> float:
    """Distribution function of argmax of the two-sided Brownian motion with triangular drift (Bai 1997).

    Port of strucchange's pargmaxV (cran/strucchange R/breakpoints.R); with xi = phi1 = phi2 = 1 its 97.5% point
    is 11.03, Bai's (1997) familiar 11.
    """
    phi = xi * (phi2 / phi1) ** 2
    lnorm = stats.norm.logcdf
    if x < 0:
        a = abs(x)
        frac = xi / phi
        return float(
            -math.exp(math.log(a) / 2 - a / 8 - math.log(2 * math.pi) / 2)
            - (phi / xi * (phi + 2 * xi) / (phi + xi))
            * math.exp(frac * (1 + frac) * a / 2 + lnorm(-(0.5 + frac) * math.sqrt(a)))
            + math.exp(math.log(a / 2 - 2 + (phi + 2 * xi) ** 2 / ((phi + xi) * xi)) + lnorm(-math.sqrt(a) / 2))
        )
    if x == 0:
        x = 1e-12
    frac = xi**2 / phi
    return float(
        1
        + math.sqrt(frac) * math.exp(math.log(x) / 2 - frac * x / 8 - math.log(2 * math.pi) / 2)
        + (xi / phi * (2 * phi + xi) / (phi + xi))
        * math.exp((phi + xi) * x / 2 + lnorm(-(phi + xi / 2) / math.sqrt(phi) * math.sqrt(x)))
        - math.exp(
            math.log((2 * phi + xi) ** 2 / ((phi + xi) * phi) - 2 + frac * x / 2)
            + lnorm(-math.sqrt(frac) * math.sqrt(x) / 2)
        )
    )


def bai_interval(y: np.ndarray, k: int, level: float = 0.95, het_err: bool = False) -> tuple[int, int]:
    """Bai (1997) confidence set for a break in the mean at observation k (first of the new regime), as positions.

    The half-widths are quantiles of argmax(W(s) − |s|/2) scaled by σ²/δ² (observations), computed from the
    closed-form distribution (no typed quantile). `het_err` lets σ differ across regimes (strucchange's default);
    off by default because a regime of 4 annual points gives no usable variance of its own.
    """
    n = len(y)
    y1, y2 = y[:k], y[k:]
    delta = float(y2.mean() - y1.mean())
    pooled = float((np.sum((y1 - y1.mean()) ** 2) + np.sum((y2 - y2.mean()) ** 2)) / n)
    s1 = float(np.mean((y1 - y1.mean()) ** 2)) if het_err else pooled
    s2 = float(np.mean((y2 - y2.mean()) ** 2)) if het_err else pooled
    phi1, phi2 = math.sqrt(s1), math.sqrt(s2)
    a2 = (1 - level) / 2

    def quantile(p: float, lo: float, hi: float) -> float:
        return optimize.brentq(lambda v: _pargmax_v(v, 1.0, phi1, phi2) - p, lo, hi)

    hi, lo = 1.0, -1.0
    while _pargmax_v(hi, 1.0, phi1, phi2) < 1 - a2:
        hi *= 2
    while _pargmax_v(lo, 1.0, phi1, phi2) > a2:
        lo *= 2
    scale = s1 / delta**2
    upper, lower = quantile(1 - a2, 1e-12, hi) * scale, quantile(a2, lo, -1e-12) * scale
    # strucchange: last obs of regime 1 in [bp − ceil(upper), bp − floor(lower)]; first of regime 2 is one later
    return max(1, k - math.ceil(upper)), min(n - 1, k - math.floor(lower))


@dataclass(frozen=True)
class BreakTest:
    """Quandt–Andrews sup-F for one break at an unknown date, with the date, its interval and three yardsticks.

    `break_year` is the first year of the new regime. `p_value` and `sim_crit_5` come from simulating the sup-F of
    this very design under the stated `null` (iid normal errors: exact in finite samples; fixed seed). `andrews_crit`
    holds Andrews' asymptotic values where they apply (stationary regressors, 15% trimming); it is None for the trend
    model, whose trending regressor takes the statistic outside Andrews' theory.
    """

    model: str
    restrictions: int
    first_year: int
    last_year: int
    n: int
    trim: float
    sup_f: float
    break_year: int
    f_path: pd.Series
    p_value: float
    sim_crit_5: float
    andrews_crit: dict[str, float] | None
    rejects_5: bool
    before: float | None
    after: float | None
    ci: tuple[int, int] | None
    ci_level: float
    ljung_box_p: float
    replications: int
    seed: int
    null: str


@lru_cache(maxsize=16)
def _null_sup_f(t: tuple[float, ...], model: str, ks: range, reps: int, seed: int, null: str) -> np.ndarray:
    """The simulated sup-F of a design under the null: a function of the years, model, break dates and seed only.

    The chapter tests turnover, exports and imports over the same years: the same 20,000 replications, drawn and
    computed once (the same numbers, bit for bit). Read-only, as it is shared.
    """
    years = np.array(t)
    m, bases = _projections(years, model, ks)
    dof = len(years) - _design(years, model).shape[1] - bases.shape[2]
    draws = np.random.default_rng(seed).standard_normal((reps, len(years)))
    if null == "random_walk":
        draws = np.cumsum(draws, axis=1)
    elif null != "iid":
        raise ValueError(f"unknown null {null!r}: 'iid' or 'random_walk'")
    sim = _f_stats(draws, m, bases, dof).max(axis=1)
    sim.flags.writeable = False
    return sim


def sup_f_test(
    y: pd.Series,
    model: str = "mean",
    trim: float = ANDREWS_TRIM,
    min_size: int | None = None,
    level: float = 0.95,
    reps: int = 20000,
    seed: int = 1993,
    null: str = "iid",
) -> BreakTest:
    """Quandt–Andrews sup-F over every break date leaving at least `min_size` (default ceil(trim n)) on each side.

    `model`: "mean" (break in the mean of y: for growth rates) or "trend" (break in level and slope of a linear
    trend in y: for log levels). Observations are taken in time order; a gap only removes that observation.
    `null` sets the errors of the simulated null: "iid" (normal, the classical null) or "random_walk" (their
    cumulated sum: a trend model fitted to a series with a unit root, whose sup-F grows with n without any break).
    The Bai interval is computed for the mean model whatever the test says; it means something only on rejection.
    """
    s = _annual(y)
    t = s.index.to_numpy(dtype=float)
    v = s.to_numpy()
    n = len(v)
    ks = _candidates(n, trim, min_size)
    if len(ks) == 0:
        raise ValueError(f"{n} observations leave no break date after trimming")
    m, bases = _projections(t, model, ks)
    kx, q = _design(t, model).shape[1], bases.shape[2]
    dof = n - kx - q
    f = _f_stats(v[None, :], m, bases, dof)[0]
    best = int(np.argmax(f))
    k = ks[best]
    sim = _null_sup_f(tuple(t), model, ks, reps, seed, null)
    p = float((1 + np.sum(sim >= f[best])) / (reps + 1))
    standard = model == "mean" and math.isclose(trim, ANDREWS_TRIM) and min_size is None
    andrews = ANDREWS_SUPF_15.get(q) if standard else None
    before = after = None
    ci = None
    if model == "mean":
        before, after = float(v[:k].mean()), float(v[k:].mean())
        lo, hi = bai_interval(v, k, level)
        ci = (int(s.index[lo]), int(s.index[hi]))
    resid0 = v @ m
    return BreakTest(
        model=model,
        restrictions=q,
        first_year=int(t[0]),
        last_year=int(t[-1]),
        n=n,
        trim=trim if min_size is None else min_size / n,
        sup_f=float(f[best]),
        break_year=int(s.index[k]),
        f_path=pd.Series(f, index=s.index[list(ks)], name="F"),
        p_value=p,
        sim_crit_5=float(np.quantile(sim, 0.95)),
        andrews_crit=dict(andrews) if andrews else None,
        rejects_5=p < 0.05,
        before=before,
        after=after,
        ci=ci,
        ci_level=level,
        ljung_box_p=_ljung_box_p(resid0),
        replications=reps,
        seed=seed,
        null=null,
    )


@dataclass(frozen=True)
class Breaks:
    """Breaks found by a sequential sup-F search, with each segment's mean (growth) and the tests that decided."""

    years: tuple[int, ...]
    segments: pd.DataFrame
    tests: tuple[BreakTest, ...] = field(repr=False)
    procedure: str = ""


def sequential_breaks(
    y: pd.Series, model: str = "mean", trim: float = ANDREWS_TRIM, max_breaks: int = 3, alpha: float = 0.05
) -> Breaks:
    """Find breaks one at a time: test the full sample, split at a significant break, test each part, repeat.

    Every segment keeps the full sample's minimum size h = ceil(trim n) (as Bai & Perron do) and is judged by its
    own simulated sup-F p-value at `alpha`; this is the sequential logic of Bai (1997), not Bai & Perron's
    sup F(l+1|l) critical values, and the repeated tests are not adjusted for multiplicity.
    """
    s = _annual(y)
    h = max(math.ceil(trim * len(s)), 2)
    found: list[int] = []
    tests: list[BreakTest] = []
    significant: dict[int, tuple[BreakTest, pd.Series]] = {}  # by first year of the segment; each tested once
    untested = [s]
    while len(found) < max_breaks:
        for seg in untested:
            if len(seg) < 2 * h:
                continue
            test = sup_f_test(seg, model, min_size=h) if found else sup_f_test(seg, model, trim=trim)
            tests.append(test)
            if test.p_value < alpha:
                significant[int(seg.index[0])] = (test, seg)
        if not significant:
            break
        start = max(significant, key=lambda key: significant[key][0].sup_f)
        best, seg = significant.pop(start)
        found.append(best.break_year)
        untested = [seg[seg.index < best.break_year], seg[seg.index >= best.break_year]]
    edges = sorted(found)
    rows = []
    bounds = [int(s.index.min()), *edges, int(s.index.max()) + 1]
    for a, b in zip(bounds, bounds[1:], strict=False):
        part = s[(s.index >= a) & (s.index < b)]
        rows.append(
            {
                "first_year": int(part.index.min()),
                "last_year": int(part.index.max()),
                "n": len(part),
                "mean": float(part.mean()),
                "sd": float(part.std(ddof=1)) if len(part) > 1 else float("nan"),
            }
        )
    procedure = (
        f"sequential sup-F ({model} model), {trim:.0%} trimming, minimum segment {h} observations, "
        f"each test at {alpha:.0%} by its simulated p-value"
    )
    return Breaks(tuple(edges), pd.DataFrame(rows), tuple(tests), procedure)


# --------------------------------------------------------------------------------------------------------------
# 2. Stability: CUSUM of recursive residuals


@dataclass(frozen=True)
class Cusum:
    """Brown–Durbin–Evans CUSUM: path of scaled cumulated recursive residuals and its straight-line bounds."""

    model: str
    path: pd.Series
    bound: pd.Series
    a: float
    alpha: float
    crosses: bool
    first_crossing: int | None
    crossing_years: tuple[int, ...]
    max_ratio: float
    sigma_rule: str


def cusum_test(y: pd.Series, model: str = "mean", alpha: float = 0.05) -> Cusum:
    """CUSUM of recursive residuals (statsmodels `recursive_olsresiduals`), bounds ±a[√(n−k) + 2(r−k)/√(n−k)].

    σ is estimated as in Brown, Durbin & Evans (1975): sqrt(Σ w² / (n − k)), i.e. the full-sample OLS σ. The path
    starts at the first genuine recursive residual (observation k + 1).
    """
    s = _annual(y)
    t = s.index.to_numpy(dtype=float)
    x = _design(t, model)
    n, k = x.shape
    res = OLS(s.to_numpy(), x).fit()
    w = recursive_olsresiduals(res, skip=k, alpha=0.95)[4][k:]
    sigma = math.sqrt(float(w @ w) / (n - k))
    path = np.cumsum(w) / sigma
    a = BDE_A[alpha]
    r = np.arange(k + 1, n + 1)
    bound = a * (math.sqrt(n - k) + 2 * (r - k) / math.sqrt(n - k))
    years = s.index[k:]
    over = np.abs(path) > bound
    crossing = tuple(int(yv) for yv in years[over])
    return Cusum(
        model=model,
        path=pd.Series(path, index=years, name="cusum"),
        bound=pd.Series(bound, index=years, name="bound"),
        a=a,
        alpha=alpha,
        crosses=bool(over.any()),
        first_crossing=crossing[0] if crossing else None,
        crossing_years=crossing,
        max_ratio=float(np.max(np.abs(path) / bound)),
        sigma_rule="Brown–Durbin–Evans: sqrt(sum of squared recursive residuals / (n − k))",
    )


# --------------------------------------------------------------------------------------------------------------
# 3. Oil


def oil_price(prices: pd.DataFrame, benchmark: str = "BRENT", market: str = "", currency: str = "USD") -> pd.Series:
    """One benchmark's annual price per barrel by year, from data/oil_prices.csv (a spot marker has no market)."""
    rows = prices[(prices["benchmark"] == benchmark) & (prices["market"] == market) & (prices["currency"] == currency)]
    return rows.set_index("year")["value"].sort_index().rename(benchmark)


@dataclass(frozen=True)
class OilElasticity:
    """Δlog(values) = a + b Δlog(price): b is the elasticity; plain OLS errors with t(n − 2), HAC as a check.

    Plain errors because annual growth rates show little autocorrelation (see `ljung_box_p`) and HAC with ~25
    points is itself biased downwards; the HAC (Newey–West 1994 lags) standard error is reported beside it.
    """

    elasticity: float
    se: float
    low: float
    high: float
    t_crit: float
    df: int
    p_value: float
    intercept: float
    r2: float
    n: int
    first_year: int
    last_year: int
    hac_se: float
    hac_lags: int
    ljung_box_p: float
    significant: bool
    level: float
    sigma: float
    data: pd.DataFrame = field(repr=False)
    cov_params: np.ndarray = field(repr=False)


def nw_lags(n: int) -> int:
    """Newey–West (1994) rule of thumb floor(4 (n/100)^(2/9)) for the Bartlett kernel."""
    return max(1, math.floor(4 * (n / 100) ** (2 / 9)))


def oil_elasticity(values: pd.Series, price: pd.Series, level: float = 0.95) -> OilElasticity:
    """Regress trade growth on oil-price growth over the years where both have a consecutive-year log change."""
    data = pd.concat([log_growth(values).rename("growth"), log_growth(price).rename("price_growth")], axis=1).dropna()
    if len(data) < 5:
        raise ValueError(f"only {len(data)} years with both growth rates")
    x = np.column_stack([np.ones(len(data)), data["price_growth"].to_numpy()])
    yv = data["growth"].to_numpy()
    fit = OLS(yv, x).fit(use_t=True)
    lags = nw_lags(len(data))
    hac = OLS(yv, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    df = int(fit.df_resid)
    tc = float(stats.t.ppf(0.5 + level / 2, df))
    b, se = float(fit.params[1]), float(fit.bse[1])
    p = float(fit.pvalues[1])
    data = data.assign(fitted=fit.fittedvalues)
    data.index.name = "year"
    return OilElasticity(
        elasticity=b,
        se=se,
        low=b - tc * se,
        high=b + tc * se,
        t_crit=tc,
        df=df,
        p_value=p,
        intercept=float(fit.params[0]),
        r2=float(fit.rsquared),
        n=len(data),
        first_year=int(data.index.min()),
        last_year=int(data.index.max()),
        hac_se=float(hac.bse[1]),
        hac_lags=lags,
        ljung_box_p=_ljung_box_p(fit.resid),
        significant=p < 1 - level,
        level=level,
        sigma=float(np.sqrt(fit.scale)),
        data=data,
        cov_params=np.asarray(fit.cov_params()),
    )


def price_volume_split(value: pd.Series, quantity: pd.Series, source: pd.Series | None = None) -> pd.DataFrame:
    """Each change in value between consecutive years split into a price and a volume effect that add up to it.

    Log-mean Divisia (Sato–Vartia weights): ΔV = L·ln(P1/P0) + L·ln(Q1/Q0) with L = (V1 − V0)/ln(V1/V0), exact
    because ln(V1/V0) = ln(P1/P0) + ln(Q1/Q0). P is the unit value V/Q. `source` (id per year) flags changes that
    cross a change of source: a statistical, not an economic, move. One row per year whose previous year is known.
    """
    v, q = _annual(value), _annual(quantity)
    years = v.index.intersection(q.index)
    v, q = v.loc[years], q.loc[years]
    if ((v <= 0) | (q <= 0)).any():
        raise ValueError("value and quantity must be positive")
    p = v / q
    rows = []
    for y0, y1 in zip(years[:-1], years[1:], strict=True):
        if y1 != y0 + 1:
            continue
        v0, v1 = v[y0], v[y1]
        weight = v0 if math.isclose(v1, v0) else (v1 - v0) / math.log(v1 / v0)
        row = {
            "year": int(y1),
            "value": v1,
            "quantity": q[y1],
            "unit_value": p[y1],
            "change": v1 - v0,
            "price_effect": weight * math.log(p[y1] / p[y0]),
            "volume_effect": weight * math.log(q[y1] / q[y0]),
        }
        if source is not None:
            row["source_change"] = bool(source.get(y1) != source.get(y0))
        rows.append(row)
    columns = ["year", "value", "quantity", "unit_value", "change", "price_effect", "volume_effect"]
    return pd.DataFrame(rows, columns=columns + (["source_change"] if source is not None else [])).set_index("year")


# --------------------------------------------------------------------------------------------------------------
# 4. Projection: random walk with drift, intervals with the drift's uncertainty


@dataclass(frozen=True)
class DriftForecast:
    """Random walk with drift on log values: drift = mean log growth, Var(h) = hσ² + h²σ²/n, t(n − 1).

    The median path is exp of the log forecast; the bounds transform exactly. `dropped` lists growth years lost
    to gaps (a change spanning a missing year is not an annual change).
    """

    first_year: int
    last_year: int
    n: int
    drift: float
    drift_growth: float
    drift_se: float
    drift_t: float
    drift_p: float
    sigma: float
    df: int
    t_crit: float
    level: float
    ljung_box_p: float
    table: pd.DataFrame
    dropped: tuple[int, ...]


def drift_forecast(
    values: pd.Series, horizon: int = 3, first_year: int | None = None, level: float = 0.95
) -> DriftForecast:
    """Project log(values) from its last year with the mean growth of the years from `first_year` on."""
    s = _annual(values)
    if first_year is not None:
        s = s[s.index >= first_year]
    d = log_growth(s)
    n = len(d)
    if n < 3:
        raise ValueError(f"{n} annual growth rates are too few for a drift and its variance")
    mu, sigma = float(d.mean()), float(d.std(ddof=1))
    se = sigma / math.sqrt(n)
    df = n - 1
    tc = float(stats.t.ppf(0.5 + level / 2, df))
    last = int(s.index.max())
    h = np.arange(1, horizon + 1)
    mean = math.log(s.iloc[-1]) + h * mu
    log_se = sigma * np.sqrt(h + h**2 / n)
    table = pd.DataFrame(
        {
            "median": np.exp(mean),
            "lower": np.exp(mean - tc * log_se),
            "upper": np.exp(mean + tc * log_se),
            "log_mean": mean,
            "log_se": log_se,
        },
        index=pd.Index(last + h, name="year"),
    )
    span = set(range(int(s.index.min()) + 1, last + 1))
    return DriftForecast(
        first_year=int(s.index.min()),
        last_year=last,
        n=n,
        drift=mu,
        drift_growth=float(np.expm1(mu)),
        drift_se=se,
        drift_t=mu / se,
        drift_p=float(2 * stats.t.sf(abs(mu / se), df)),
        sigma=sigma,
        df=df,
        t_crit=tc,
        level=level,
        ljung_box_p=_ljung_box_p(d.to_numpy() - mu),
        table=table,
        dropped=tuple(sorted(span - set(d.index))),
    )


def forecast_sensitivity(
    values: pd.Series,
    target_year: int,
    break_years: Sequence[int] = (),
    candidate_years: Sequence[int] = (),
    last_years: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """Drift projections for `target_year` by sample: full, growth from each break year on, the last N years.

    The drift is the least-known number in a projection, and the sample it is estimated on moves it most.
    A break year b is the first growth year of the new regime, so that sample's levels start at b − 1.
    `candidate_years` are dates a test proposed but did not confirm (the sup-F date when it is not significant):
    shown, and labelled as such, so that a reader sees how much the choice of start matters.
    """
    s = _annual(values)
    last = int(s.index.max())
    if target_year <= last:
        raise ValueError(f"target year {target_year} is not after the last year {last}")
    starts = [("full sample", int(s.index.min()))]
    starts += [(f"growth from {b} (break)", int(b) - 1) for b in sorted(break_years)]
    starts += [(f"growth from {b} (best date, not significant)", int(b) - 1) for b in sorted(candidate_years)]
    starts.append((f"last {last_years} years", last - last_years))
    rows = []
    for label, start in starts:
        fc = drift_forecast(s, target_year - last, first_year=start, level=level)
        end = fc.table.iloc[-1]
        rows.append(
            {
                "sample": label,
                "first_year": fc.first_year,
                "n": fc.n,
                "drift_growth": fc.drift_growth,
                "drift_se": fc.drift_se,
                "drift_p": fc.drift_p,
                "median": end["median"],
                "lower": end["lower"],
                "upper": end["upper"],
            }
        )
    return pd.DataFrame(rows).set_index("sample")


def rounding_decimals(reference: float, digits: int = 2) -> int:
    """Decimals that keep `digits` significant figures of `reference` (e.g. 23.55 → 0): a projection whose
    interval spans a factor of ten knows no more than that, and its bounds are rounded alike."""
    return max(0, digits - 1 - math.floor(math.log10(abs(reference))))


class NotSignificantError(ValueError):
    """The oil elasticity is not significant: a scenario conditioned on oil would present noise as a driver."""


@dataclass(frozen=True)
class OilScenario:
    """Log values projected along an assumed oil-price path through the estimated elasticity.

    Var(h) = hσ² + g'Vg with g = (h, Σ Δlog price) and V the coefficients' covariance: shocks plus parameter
    uncertainty; the price path itself is taken as given.
    """

    elasticity: OilElasticity
    table: pd.DataFrame


def oil_scenario(values: pd.Series, price: pd.Series, price_path: pd.Series, level: float = 0.95) -> OilScenario:
    """Project along `price_path` (years after the last year of `values`); only if the elasticity is significant."""
    el = oil_elasticity(values, price, level)
    if not el.significant:
        raise NotSignificantError(
            f"the oil elasticity {el.elasticity:.2f} is not significant (p = {el.p_value:.2f}): no oil scenario"
        )
    s, p, path = _annual(values), _annual(price), _annual(price_path)
    last = int(s.index.max())
    if last not in p.index or list(path.index) != list(range(last + 1, last + 1 + len(path))):
        raise ValueError(f"the path must run over consecutive years from {last + 1}, with the price of {last} known")
    dp = np.diff(np.log(np.concatenate([[p[last]], path.to_numpy()])))
    h = np.arange(1, len(path) + 1)
    cum = np.cumsum(dp)
    mean = math.log(s.iloc[-1]) + h * el.intercept + el.elasticity * cum
    g = np.column_stack([h, cum])
    var = h * el.sigma**2 + np.einsum("hi,ij,hj->h", g, el.cov_params, g)
    half = el.t_crit * np.sqrt(var)
    table = pd.DataFrame(
        {"price": path.to_numpy(), "median": np.exp(mean), "lower": np.exp(mean - half), "upper": np.exp(mean + half)},
        index=pd.Index(path.index, name="year"),
    )
    return OilScenario(el, table)


# --------------------------------------------------------------------------------------------------------------
# 5. A level shift at a given year


@dataclass(frozen=True)
class LevelShift:
    """Difference in mean level from `year` on, by OLS on a step dummy with HAC standard errors.

    `placebo_share` is the share of the other candidate break years (each with at least `min_side`
    points on both sides) whose |t| is at least as large as this year's: a shift that many years
    would show is no evidence that this year was special.
    """

    year: int
    before: float
    after: float
    shift: float
    low: float
    high: float
    p_value: float
    n_before: int
    n_after: int
    placebo_share: float
    placebo_years: int


def _step_fit(y: np.ndarray, t: np.ndarray, year: int, trend: bool):
    columns = [np.ones_like(t), (t >= year).astype(float)] + ([t - year] if trend else [])
    return OLS(y, np.column_stack(columns)).fit(cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS})


def level_shift(series: pd.Series, year: int, log: bool = False, trend: bool = False, min_side: int = 4) -> LevelShift:
    """Test whether the level of a short annual series is different from `year` on.

    With `log`, the model is fitted to log values and the shift is a proportional change (e^d − 1);
    otherwise it is a difference in the series' own units (net flows can be negative). With `trend`,
    a common linear trend is fitted too, so the shift is the jump beyond the trend's own growth.
    """
    clean = series.dropna().astype(float)
    t = clean.index.to_numpy(dtype=float)
    y = np.log(clean.to_numpy()) if log else clean.to_numpy()
    n_after = int((t >= year).sum())
    n_before = len(t) - n_after
    if min(n_before, n_after) < 2:
        raise ValueError(f"a level shift at {year} needs at least two years on each side")
    fit = _step_fit(y, t, year, trend)
    d, (lo, hi) = float(fit.params[1]), fit.conf_int()[1]
    tstat = abs(float(fit.tvalues[1]))
    candidates = [int(c) for c in t[min_side : len(t) - min_side + 1] if int(c) != year]
    others = [abs(float(_step_fit(y, t, c, trend).tvalues[1])) for c in candidates]
    share = float(np.mean([o >= tstat for o in others])) if others else float("nan")
    if log:
        before, after = float(np.exp(y[t < year].mean())), float(np.exp(y[t >= year].mean()))
        shift, low, high = float(np.expm1(d)), float(np.expm1(lo)), float(np.expm1(hi))
    else:
        before, after = float(y[t < year].mean()), float(y[t >= year].mean())
        shift, low, high = d, float(lo), float(hi)
    return LevelShift(
        year, before, after, shift, low, high, float(fit.pvalues[1]), n_before, n_after, share, len(others)
    )


def level_shift_or_none(series: pd.Series, year: int, log: bool = False, trend: bool = False) -> LevelShift | None:
    """`level_shift`, or None when the series has too few years on one side of `year` to test (a chapter
    for a partner with a short series then says so instead of failing)."""
    try:
        return level_shift(series, year, log=log, trend=trend)
    except ValueError:
        return None
