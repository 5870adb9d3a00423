"""Time-series models of annual trade with statsmodels: trend, structural break, stability, forecast."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.diagnostic import acorr_ljungbox, breaks_cusumolsresid
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
    x = sm.add_constant(series.index.to_numpy(dtype=float))
    fit = sm.OLS(y.to_numpy(), x).fit(cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS})
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
    x = np.column_stack([np.ones_like(t), t - year, after, after * (t - year)])
    fit = sm.OLS(y, x).fit()
    test = fit.f_test(np.array([[0, 0, 1, 0], [0, 0, 0, 1]]))
    return Break(year, float(np.squeeze(test.fvalue)), float(test.pvalue), float(np.expm1(fit.params[2])))


@dataclass(frozen=True)
class Stability:
    """CUSUM test on OLS residuals of the log trend (Ploberger–Krämer): H0 = stable coefficients."""

    statistic: float
    p_value: float


def cusum_stability(series: pd.Series) -> Stability:
    y = np.log(series.astype(float)).to_numpy()
    x = sm.add_constant(series.index.to_numpy(dtype=float))
    resid = sm.OLS(y, x).fit().resid
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
