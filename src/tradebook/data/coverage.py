"""What the data cover: years in which a trade series has one flow but not the other (partial years), and
how much of a total a list of products covers (a partial list).

A partial year or a partial list is not wrong data, but summing it as if it were whole is: turnover of a
year with exports only is not turnover, and a list of some products is not the total. These functions
say which years and lists are partial so that headlines, growth rates and rankings leave them out.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .contract import FLOWS
from .sources import Source

SERIES = ["reporter", "partner"]


def partial_years(trade: pd.DataFrame, reporter: str | None = None, partner: str | None = None) -> pd.DataFrame:
    """The years in which a series (reporter, partner) of trade.csv has one flow but not the other,
    among the series that hold both flows in some year.

    One row per series and year: `present` (the flow the data hold) and `missing` (the other). Pass
    `reporter` and `partner` to ask about one series; an empty frame means every year is complete.
    """
    rows = trade
    if reporter is not None:
        rows = rows[rows["reporter"] == reporter]
    if partner is not None:
        rows = rows[rows["partner"] == partner]
    # Counted by pandas' own grouped functions: a Python function per group cost a tenth of a second a call.
    flows = rows.groupby([*SERIES, "year"])["flow"].agg(["nunique", "first"])
    # A series that never holds both flows is a one-sided record (a partner's exports, say), not partial.
    both = flows["nunique"].eq(2).groupby(level=SERIES).transform("any")
    one = flows[flows["nunique"].eq(1) & both]
    out = pd.DataFrame(
        {
            "reporter": one.index.get_level_values("reporter"),
            "partner": one.index.get_level_values("partner"),
            "year": one.index.get_level_values("year").astype(int),
            "present": list(one["first"]),
            "missing": [next(x for x in FLOWS if x != f) for f in one["first"]],
        }
    )
    return out.sort_values([*SERIES, "year"], kind="stable").reset_index(drop=True)


def _roots(codes: pd.Series) -> pd.Series:
    """Which HS codes of one list are no part of another code of the same list (so none is counted twice).

    A code is part of another when that one is a shorter prefix of it: a lookup of each of its few prefixes,
    not a comparison with every code of the list (a list of a thousand codes made that a million).
    """
    listed = set(codes)
    return codes.map(lambda c: not any(c[:end] in listed for end in range(1, len(c))))


def product_coverage(products: pd.DataFrame, sources: Mapping[str, Source], tolerance: float = 0.01) -> pd.DataFrame:
    """Per year, reporter, partner, flow and source of HS product rows: how much of the total they cover.

    `listed` sums the source's HS-coded rows, none counted twice (a heading whose chapter is listed is
    part of the chapter); `total` is the TOTAL row of the same flow in the source's `total_source` (in
    sources.yml) or else in the source itself. `partial` is true when the source is marked
    `coverage: partial`, when there is no total, or when the rows are more than `tolerance` away from it:
    a partial list must never be summed as a total. Aggregates and crude grades are not HS rows.
    """
    keys = ["year", "reporter", "partner", "flow"]
    hs = products[products["product"].str.fullmatch(r"\d+")]
    hs = hs[hs.groupby([*keys, "source"])["product"].transform(_roots)]
    listed = hs.groupby([*keys, "source", "currency"], as_index=False)["value"].sum()
    totals = products[products["product"] == "TOTAL"].set_index([*keys, "source"])
    rows = []
    for r in listed.itertuples(index=False):
        source = sources.get(r.source)
        whole = source.total_source if source is not None and source.total_source else r.source
        key = (r.year, r.reporter, r.partner, r.flow, whole)
        total = totals.loc[key] if key in totals.index else None
        same = total is not None and total["currency"] == r.currency
        share = r.value / total["value"] if same and total["value"] > 0 else float("nan")
        marked = source is not None and source.coverage == "partial"
        partial = marked or pd.isna(share) or abs(share - 1) > tolerance
        rows.append((*r[:5], r.currency, r.value, total["value"] if same else float("nan"), whole, share, partial))
    columns = [*keys, "source", "currency", "listed", "total", "total_source", "share", "partial"]
    return pd.DataFrame(rows, columns=columns).sort_values([*keys, "source"], kind="stable").reset_index(drop=True)
