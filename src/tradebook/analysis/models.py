"""Time-series models of annual trade with statsmodels: trend, structural break, stability, forecast."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.diagnostic import acorr_ljungbox, breaks_cusumolsresid
from statsmodels.tools.tools import add_constant
from statsmodels.tsa.arima.model import ARIMA

HAC_LAGS = 2  # about n ** 0.25 for the ~25 annual points here (Newey–West rule of thumb)


@dataclass(frozen=True)
class Trend:
    """Log-linear trend: log(value) = a + b·year; growth = e^b − 1 with a HAC 95% interval."""

    growth: float
    low: float
    high: float
    r2: float
    n: int
    fitted: pd.Series


def log_trend(series: pd.Series) -> Trend:
    y = np.log(series.astype(float))
    x = add_constant(series.index.to_numpy(dtype=float))
    fit = OLS(y.to_numpy(), x).fit(cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS})
    b, (lo, hi) = fit.params[1], fit.conf_int()[1]
    fitted = pd.Series(np.exp(fit.fittedvalues), index=series.index)
    return Trend(
        float(np.expm1(b)),
        float(np.expm1(lo)),
        float(np.expm1(hi)),
        float(fit.rsquared),
        int(fit.nobs),
        fitted,
    )


@dataclass(frozen=True)
class Break:
    """Chow-type test of a shift in level and slope of the log trend from `year` on."""

    year: int
    f_stat: float
    p_value: float
    level_shift: float


def chow_break(series: pd.Series, year: int) -> Break:
    """F-test that the log-linear trend has the same intercept and slope before and after `year`."""
    y = np.log(series.astype(float)).to_numpy()
    t = series.index.to_numpy(dtype=float)
    after = (t >= year).astype(float)
    if min(after.sum(), len(t) - after.sum()) < 3:
        raise ValueError(f"a break at {year} needs at least 3 years on each side of it")
    x = np.column_stack([np.ones_like(t), t - year, after, after * (t - year)])
    fit = OLS(y, x).fit()
    test = fit.f_test(np.array([[0, 0, 1, 0], [0, 0, 0, 1]]))
    return Break(year, float(np.squeeze(test.fvalue)), float(test.pvalue), float(np.expm1(fit.params[2])))


@dataclass(frozen=True)
class Stability:
    """CUSUM test on OLS residuals of the log trend (Ploberger–Krämer): H0 = stable coefficients."""

    statistic: float
    p_value: float


def cusum_stability(series: pd.Series) -> Stability:
    y = np.log(series.astype(float)).to_numpy()
    x = add_constant(series.index.to_numpy(dtype=float))
    resid = OLS(y, x).fit().resid
    stat, p, _ = breaks_cusumolsresid(resid, ddof=2)
    return Stability(float(stat), float(p))


def contiguous_tail(series: pd.Series) -> pd.Series:
    """The longest run of consecutive years ending at the last one: a forecast needs no gaps."""
    years = series.dropna().index.to_numpy()
    start = len(years) - 1
    while start > 0 and years[start - 1] == years[start] - 1:
        start -= 1
    return series.dropna().iloc[start:]


@dataclass(frozen=True)
class Forecast:
    """Random walk with drift on log values, ARIMA(0,1,0)+drift, with its residual check."""

    table: pd.DataFrame
    drift: float
    ljung_box_p: float
    first_year: int


def forecast(series: pd.Series, years: int, alpha: float = 0.05) -> Forecast:
    """Forecast `years` ahead with prediction intervals, back-transformed from logs.

    Exponentiating the log forecast gives the median path; interval bounds transform exactly.
    The Ljung–Box p-value tests the log growth rates for autocorrelation that a richer model
    could exploit: a high p-value supports the random walk.
    """
    run = contiguous_tail(series)
    y = pd.Series(
        np.log(run.astype(float).to_numpy()),
        index=pd.period_range(str(run.index.min()), periods=len(run), freq="Y"),
    )
    fit = ARIMA(y, order=(0, 1, 0), trend="t").fit()
    pred = fit.get_forecast(steps=years).summary_frame(alpha=alpha)
    table = np.exp(pred[["mean", "mean_ci_lower", "mean_ci_upper"]])
    table.index = pd.Index([int(p.year) for p in pred.index], name="year")
    table.columns = ["forecast", "lower", "upper"]
    lb = acorr_ljungbox(np.diff(y.to_numpy()), lags=[min(3, len(y) // 4)])
    return Forecast(table, float(np.expm1(fit.params.iloc[0])), float(lb["lb_pvalue"].iloc[0]), int(run.index.min()))


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
