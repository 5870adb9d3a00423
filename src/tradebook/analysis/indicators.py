"""Trade indicators from the tidy trade frame: levels, growth, CAGR, shares and ranks."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.contract import WORLD


def bilateral(trade: pd.DataFrame, reporter: str, partner: str, currency: str = "USD") -> pd.DataFrame:
    """Exports, imports and turnover by year (columns) as `reporter` reports them with `partner`."""
    rows = trade[(trade["reporter"] == reporter) & (trade["partner"] == partner) & (trade["currency"] == currency)]
    wide = rows.pivot_table(index="year", columns="flow", values="value", aggfunc="sum")
    wide = wide.reindex(columns=["export", "import"])
    wide["turnover"] = wide["export"] + wide["import"]
    wide.columns.name = None
    return wide.dropna(how="all").sort_index()


def yoy_growth(series: pd.Series) -> pd.Series:
    """Growth on the previous calendar year; NaN where the previous year is missing."""
    full = series.reindex(range(int(series.index.min()), int(series.index.max()) + 1))
    return full.pct_change(fill_method=None).reindex(series.index)


def cagr(series: pd.Series, start: int, end: int) -> float:
    """Compound annual growth rate between the values of two years."""
    if end <= start:
        raise ValueError(f"CAGR needs end > start, got {start}–{end}")
    first, last = float(series.loc[start]), float(series.loc[end])
    if first <= 0 or last <= 0:
        raise ValueError("CAGR needs positive values at both ends")
    return (last / first) ** (1 / (end - start)) - 1


def year_range(frame: pd.DataFrame, start: int | None, end: int | None, on: str | None = None) -> pd.DataFrame:
    """Rows within [start, end] by their year, the index or the column `on`; None means open-ended."""
    years = frame.index.to_series() if on is None else frame[on]
    lo = start if start is not None else years.min()
    hi = end if end is not None else years.max()
    return frame.loc[((years >= lo) & (years <= hi)).to_numpy()]


def reported(trade: pd.DataFrame, reporter: str, partner: str, flow: str, currency: str | None = None) -> pd.DataFrame:
    """One country's reports of a flow with one partner, by year (value, currency, source).

    Where several sources hold a year, the first by name is used, so that one side is one series.
    """
    rows = trade[(trade["reporter"] == reporter) & (trade["partner"] == partner) & (trade["flow"] == flow)]
    if currency is not None:
        rows = rows[rows["currency"] == currency]
    return rows.sort_values(["year", "source"]).drop_duplicates("year", keep="first").set_index("year")


@dataclass(frozen=True)
class Summary:
    """A by-year series in the few numbers prose quotes: first, last, lowest and highest, each with its year,
    and the median.

    Ties go to the earliest year, as pandas' idxmin and idxmax give them.
    """

    first_year: int
    first: float
    last_year: int
    last: float
    low_year: int
    low: float
    high_year: int
    high: float
    median: float
    years: tuple[int, ...]


def summarise(series: pd.Series) -> Summary | None:
    """The summary of a by-year series over the years it has a value; None when it has none."""
    known = series.dropna().sort_index()
    if known.empty:
        return None
    return Summary(
        first_year=int(known.index[0]),
        first=float(known.iloc[0]),
        last_year=int(known.index[-1]),
        last=float(known.iloc[-1]),
        low_year=int(known.idxmin()),
        low=float(known.min()),
        high_year=int(known.idxmax()),
        high=float(known.max()),
        median=float(known.median()),
        years=tuple(int(y) for y in known.index),
    )


def windows(years: pd.Index, breaks: list[int]) -> list[tuple[int, int]]:
    """Consecutive (start, end) windows through the break years that the data covers."""
    first, last = int(years.min()), int(years.max())
    points = sorted({first, last, *(b for b in breaks if first < b < last)})
    return [(a, b) for a, b in zip(points, points[1:], strict=False)]


def partner_table(trade: pd.DataFrame, reporter: str, with_world: bool = True) -> pd.DataFrame:
    """Every partner's exports, imports and turnover by year; by default only years with the world total."""
    rows = trade[(trade["reporter"] == reporter) & (trade["currency"] == "USD")]
    wide = rows.pivot_table(index=["year", "partner"], columns="flow", values="value", aggfunc="sum")
    wide = wide.reindex(columns=["export", "import"]).fillna(0.0)
    wide["turnover"] = wide["export"] + wide["import"]
    wide.columns.name = None
    if not with_world:
        return wide
    world_years = wide.xs(WORLD, level="partner").index if WORLD in wide.index.get_level_values(1) else []
    return wide[wide.index.get_level_values("year").isin(world_years)]


def partner_turnover(trade: pd.DataFrame, reporter: str, year: int) -> pd.Series:
    """Turnover (US$) with each partner country in one year, largest first, all partners the data hold."""
    table = partner_table(trade, reporter, with_world=False)
    if year not in table.index.get_level_values("year"):
        return pd.Series(dtype=float, name="turnover")
    block = table.xs(year, level="year")["turnover"].drop(index=WORLD, errors="ignore")
    return block.sort_values(ascending=False, kind="stable")


def share_and_rank(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """The partner's share of the reporter's total trade and its rank by turnover, per year.

    Only years with a world total and a full partner breakdown count; rank 1 is the largest partner.
    """
    table = partner_table(trade, reporter)
    out = []
    for year, block in table.groupby(level="year"):
        block = block.droplevel("year")
        world = block.loc[WORLD]
        countries = block.drop(index=WORLD)
        if partner not in countries.index or len(countries) < 20:
            continue
        ranks = countries["turnover"].rank(ascending=False, method="min")
        row = {f"share_{f}": countries.loc[partner, f] / world[f] for f in ("export", "import", "turnover")}
        row.update(
            year=year,
            rank=int(ranks.loc[partner]),
            partners=len(countries),
            leader=str(countries["turnover"].idxmax()),
        )
        out.append(row)
    columns = ["year", "share_export", "share_import", "share_turnover", "rank", "partners", "leader"]
    return pd.DataFrame(out, columns=columns).set_index("year")
