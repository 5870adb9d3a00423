"""Trade indicators from the tidy trade frame: levels, growth, CAGR, shares and ranks.

Only complete years count: a year in which a series holds one flow but not the other (a partial year,
`data.coverage.partial_years`) never enters turnover, growth, a share or a ranking as if it were whole.
`bilateral`, `partner_table` and `share_and_rank` leave such years out; `partial_years` names them, so
that a page can say which years it left out and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..data import coverage, precedence
from ..data.contract import WORLD
from ..data.sources import Source

FLOW_WORDS = {"export": "exports", "import": "imports"}


def partial_years(trade: pd.DataFrame, reporter: str, partner: str | None = None) -> pd.DataFrame:
    """The years in which a series of `reporter` (with `partner`, or with any partner) holds one flow only.

    One row per partner and year: `present` and `missing` flow (`data.coverage.partial_years`).
    """
    return coverage.partial_years(trade, reporter, partner)


def partial_text(partial: pd.DataFrame) -> str:
    """Partial years as prose: '2026 (exports only)'; '' when there are none."""
    return ", ".join(f"{int(r.year)} ({FLOW_WORDS[r.present]} only)" for r in partial.itertuples(index=False))


def bilateral(trade: pd.DataFrame, reporter: str, partner: str, currency: str = "USD") -> pd.DataFrame:
    """Exports, imports and turnover by year (columns) as `reporter` reports them with `partner`.

    Complete years only: a year with one flow but not the other (`partial_years`) is left out, so that
    no turnover, growth rate or latest year is read from half a year's record.
    """
    rows = trade[(trade["reporter"] == reporter) & (trade["partner"] == partner) & (trade["currency"] == currency)]
    wide = rows.pivot_table(index="year", columns="flow", values="value", aggfunc="sum")
    wide = wide.reindex(columns=["export", "import"])
    wide["turnover"] = wide["export"] + wide["import"]
    wide.columns.name = None
    partial = partial_years(trade, reporter, partner)["year"].tolist()
    return wide.drop(index=partial, errors="ignore").dropna(how="all").sort_index()


def release_text(trade: pd.DataFrame, sources: Mapping[str, Source], reporter: str, partner: str, year: int) -> str:
    """How a year's figures of a series were published, from sources.yml: 'final edition, released
    2026-07-27' (each flow named when the two differ); 'release not recorded' where sources.yml is silent."""
    rows = trade[(trade["reporter"] == reporter) & (trade["partner"] == partner) & (trade["year"] == year)]
    used = precedence.sources_used(rows, sources)
    texts = {}
    for r in used.itertuples(index=False):
        status = f"{r.status} edition" if isinstance(r.status, str) else "edition status not recorded"
        released = f"released {r.released}" if isinstance(r.released, str) else "release date not recorded"
        texts.setdefault(f"{status}, {released}", []).append(FLOW_WORDS[r.flow])
    if len(texts) <= 1:
        return next(iter(texts), "release not recorded")
    return "; ".join(f"{' and '.join(flows)}: {text}" for text, flows in texts.items())


def yoy_growth(series: pd.Series) -> pd.Series:
    """Growth on the previous calendar year; NaN where the previous year is missing or without trade (no rate)."""
    full = series.reindex(range(int(series.index.min()), int(series.index.max()) + 1))
    return full.pct_change(fill_method=None).reindex(series.index).replace([float("inf"), float("-inf")], float("nan"))


def cagr(series: pd.Series, start: int, end: int) -> float:
    """Compound annual growth rate between the values of two years; NaN (no rate, shown as such) where either
    value is not positive: growth from or to a year without trade, which the contract allows, has no rate."""
    if end <= start:
        raise ValueError(f"CAGR needs end > start, got {start}–{end}")
    first, last = float(series.loc[start]), float(series.loc[end])
    if first <= 0 or last <= 0:
        return float("nan")
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
    """Every partner's exports, imports and turnover by year; by default only years with the world total.

    A partner's partial year (one flow only, `partial_years`) is left out rather than read as zero.
    """
    rows = trade[(trade["reporter"] == reporter) & (trade["currency"] == "USD")]
    partial = partial_years(trade, reporter)
    wide = rows.pivot_table(index=["year", "partner"], columns="flow", values="value", aggfunc="sum")
    wide = wide.drop(index=list(zip(partial["year"], partial["partner"], strict=True)), errors="ignore")
    wide = wide.reindex(columns=["export", "import"]).fillna(0.0)
    wide["turnover"] = wide["export"] + wide["import"]
    wide.columns.name = None
    if not with_world:
        return wide
    world_years = wide.xs(WORLD, level="partner").index if WORLD in wide.index.get_level_values(1) else []
    return wide[wide.index.get_level_values("year").isin(world_years)]


def partner_turnover(trade: pd.DataFrame, reporter: str, year: int) -> pd.Series:
    """Turnover (US$) with each partner country in one year, largest first, all partners the data hold."""
    return year_turnover(partner_table(trade, reporter, with_world=False), year)


def year_turnover(table: pd.DataFrame, year: int) -> pd.Series:
    """`partner_turnover` from a `partner_table(..., with_world=False)`: a check ranking several years
    pivots the table once."""
    if year not in table.index.get_level_values("year"):
        return pd.Series(dtype=float, name="turnover")
    block = table.xs(year, level="year")["turnover"].drop(index=WORLD, errors="ignore")
    return block.sort_values(ascending=False, kind="stable")


def share_and_rank(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """The partner's share of the reporter's total trade and its rank by turnover, per year.

    Only years with a world total and a full partner breakdown count, and no year in which any of the
    reporter's series is partial (a ranking with half a partner's record is not a ranking); rank 1 is the
    largest partner.
    """
    table = partner_table(trade, reporter)
    partial = set(partial_years(trade, reporter)["year"])
    out = []
    for year, block in table.groupby(level="year"):
        if year in partial:
            continue
        block = block.droplevel("year")
        world = block.loc[WORLD]
        countries = block.drop(index=WORLD)
        if partner not in countries.index or len(countries) < 20:
            continue
        ranks = countries["turnover"].rank(ascending=False, method="min")
        row = {f"share_{f}": countries.loc[partner, f] / world[f] for f in ("export", "import", "turnover")}
        row.update(
            year=year,
            world_turnover=float(world["turnover"]),
            rank=int(ranks.loc[partner]),
            partners=len(countries),
            leader=str(countries["turnover"].idxmax()),
        )
        out.append(row)
    columns = ["year", "share_export", "share_import", "share_turnover", "world_turnover", "rank", "partners", "leader"]
    return pd.DataFrame(out, columns=columns).set_index("year")
