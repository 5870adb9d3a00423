"""Kazakhstan's partners side by side: the headline indicators of every partner the trade data hold.

Shares, ranks, growth and CAGR use only the years with the reporter's world total and a full breakdown by
partner, so that every partner is measured over the same years from the same publication. The mirror
ratio and FDI exist only for the partners whose own reports or investment the data hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.contract import WORLD
from ..data.countries import name as country_name
from . import indicators, investment, mirror

# Growth from a small base says little (from US$ 10,000 to 10 million is +99,900%): below this turnover in
# the earlier year, growth and CAGR are left out.
MIN_BASE = 10e6

COLUMNS = [
    "partner",
    "turnover",
    "share",
    "rank",
    "growth",
    "cagr",
    "mirror_ratio",
    "mirror_year",
    "fdi_share",
    "fdi_rank",
]


@dataclass(frozen=True)
class Comparison:
    """The indicators of every partner (one row each, by ISO3 code, largest first) and the years they cover."""

    table: pd.DataFrame
    first_year: int  # first and last year with a full breakdown by partner: CAGR runs between them
    last_year: int  # shares, ranks and growth are of this year
    fdi_year: int | None  # the year of the FDI stock shares and ranks, if the data hold any


def partners_of(trade: pd.DataFrame, reporter: str) -> list[str]:
    """Every country the data hold trade with: the reporter's partners and the countries reporting on it."""
    theirs = trade.loc[trade["reporter"] == reporter, "partner"]
    reporting = trade.loc[trade["partner"] == reporter, "reporter"]
    return sorted((set(theirs) | set(reporting)) - {WORLD, reporter})


def compare(trade: pd.DataFrame, fdi: pd.DataFrame, reporter: str) -> Comparison:
    """The headline indicators of every partner; ValueError when no year has a full breakdown by partner
    (`indicators.partner_table` is then empty)."""
    table = indicators.partner_table(trade, reporter)
    years = sorted({int(y) for y in table.index.get_level_values("year")})
    if not years:
        raise ValueError(f"no year with {reporter}'s trade with the world and every partner")
    first, last = years[0], years[-1]
    turnover = table["turnover"].unstack("partner")
    countries = turnover.columns.drop(WORLD)
    latest = turnover.loc[last, countries]
    out = pd.DataFrame(index=pd.Index(partners_of(trade, reporter), name="iso3"))
    out["partner"] = [country_name(code) for code in out.index]
    out["turnover"] = latest
    out["share"] = latest / turnover.loc[last, WORLD]
    out["rank"] = latest.where(latest > 0).rank(ascending=False, method="min")
    if last - 1 in years:
        out["growth"] = _ratio(latest, turnover.loc[last - 1, countries]) - 1
    if last > first:
        out["cagr"] = _ratio(latest, turnover.loc[first, countries]) ** (1 / (last - first)) - 1
    for code in sorted(set(trade.loc[trade["partner"] == reporter, "reporter"])):
        compared = mirror.imports_vs_partner_exports(trade, reporter, code)["ratio"].dropna()
        if len(compared) and code in out.index:
            out.loc[code, ["mirror_ratio", "mirror_year"]] = [compared.iloc[-1], compared.index[-1]]
    fdi_year = _fdi(out, fdi, reporter)
    out = out.reindex(columns=COLUMNS).astype({"rank": "Int64", "mirror_year": "Int64", "fdi_rank": "Int64"})
    return Comparison(out.sort_values(["rank", "partner"], na_position="last"), first, last, fdi_year)


def _ratio(now: pd.Series, then: pd.Series) -> pd.Series:
    """now / then where now is positive and then at least MIN_BASE, else NaN: no growth from (almost) nothing."""
    return (now / then).where((now > 0) & (then >= MIN_BASE))


def _fdi(out: pd.DataFrame, fdi: pd.DataFrame, host: str) -> int | None:
    """Add each investor's share of the host's inward FDI stock and its rank in the latest year; that year."""
    stock = fdi[(fdi["host"] == host) & (fdi["measure"] == "stock")]
    with_world = stock.loc[stock["investor"] == WORLD, "year"]
    if with_world.empty:
        return None
    year = int(with_world.max())
    values = investment.ranking(stock, host, "stock", year)
    world = float(stock.loc[(stock["year"] == year) & (stock["investor"] == WORLD), "value"].iloc[0])
    known = values.index.intersection(out.index)
    out.loc[known, "fdi_share"] = values[known] / world
    out.loc[known, "fdi_rank"] = investment.ranks_of(values)[known]
    return year


def turnover_by_partner(trade: pd.DataFrame, reporter: str, partners: list[str]) -> pd.DataFrame:
    """Turnover by year with each of `partners`, as the reporter reports it: one row per partner and year."""
    frames = []
    for code in partners:
        series = indicators.bilateral(trade, reporter, code)["turnover"].dropna()
        frames.append(pd.DataFrame({"partner": country_name(code), "year": series.index, "turnover": series.values}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["partner", "year", "turnover"])


def leading(comparison: Comparison, partner: str, count: int = 8) -> list[str]:
    """The `count` largest partners of the last year, and `partner` after them when it is not among them."""
    ranked = comparison.table.dropna(subset=["rank"])
    top = list(ranked.index[:count])
    return top if partner in top or partner not in comparison.table.index else [*top, partner]


def finite(value: object) -> bool:
    """True when an indicator is known (not NaN or missing): prose quotes only those."""
    return value is not None and value is not pd.NA and not (isinstance(value, float) and np.isnan(value))
