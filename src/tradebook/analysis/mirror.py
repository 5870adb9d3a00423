"""Mirror statistics: one country's report of a flow against its partner's report of the same flow.

The ratio is always partner's figure / reporter's figure: 1 means the two sides agree. An importer values
goods CIF (freight and insurance to its border), an exporter FOB, so the importer's figure is normally a
little higher: the partner's imports / the reporter's exports is expected slightly above 1, the partner's
exports / the reporter's imports slightly below 1.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..data.currency import annual_rate
from ..data.sources import Source
from . import composition
from .indicators import reported

COLUMNS = ["reporter_value", "partner_value", "ratio", "reporter_source", "partner_source"]


def in_usd(rows: pd.DataFrame) -> pd.DataFrame:
    """Values in US dollars, converted at the ECB annual average of their year; keeps the original."""
    rates = [annual_rate(int(y), c, "USD") for y, c in zip(rows.index, rows["currency"], strict=True)]
    factor = pd.Series(rates, index=rows.index)
    return rows.assign(original=rows["value"], rate=rates, value=rows["value"] * factor)


def exports_vs_partner_imports(
    trade: pd.DataFrame, products: pd.DataFrame, reporter: str, partner: str
) -> pd.DataFrame:
    """The reporter's exports to the partner against the partner's imports from the reporter, by year.

    Each year the reporter's figure comes from the source of the partner's figure where that source
    also holds the reporter's own report (TOTAL in trade_products.csv), so that both sides are read
    from one database; otherwise from trade.csv.
    """
    theirs = in_usd(reported(trade, partner, reporter, "import"))
    ours_trade = reported(trade, reporter, partner, "export")
    totals = composition.flows(products, reporter, partner, "export")
    totals = totals[totals["product"] == "TOTAL"].set_index(["year", "source"])["value"]
    rows = []
    for year, row in theirs.iterrows():
        if (year, row["source"]) in totals.index:
            value, source = totals[(year, row["source"])], row["source"]
        elif year in ours_trade.index:
            value, source = ours_trade.loc[year, "value"], ours_trade.loc[year, "source"]
        else:
            value, source = float("nan"), None
        converted = (row["original"], row["currency"], row["rate"])
        rows.append((year, value, row["value"], row["value"] / value, source, row["source"], *converted))
    columns = ["year", *COLUMNS, "partner_original", "partner_currency", "rate"]
    return pd.DataFrame(rows, columns=columns).set_index("year")


def imports_vs_partner_exports(trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """The reporter's imports from the partner against the partner's exports to it, in US dollars.

    The partner's figures in another currency (Eurostat's are in euro) are converted at the ECB annual
    average of their year; `partner_original`, `partner_currency` and `rate` keep what was converted.
    """
    ours = in_usd(reported(trade, reporter, partner, "import"))
    theirs = in_usd(reported(trade, partner, reporter, "export"))
    return _compare(ours, theirs, partner_original="original", partner_currency="currency", rate="rate")


def crude_vs_exports(trade: pd.DataFrame, products: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """The reporter's exports to the partner (all goods) against the partner's registered crude imports."""
    crude = composition.crude_imports(products, partner, reporter)
    ours = reported(trade, reporter, partner, "export")
    return _compare(ours, crude, barrels="quantity")


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame, **kept: str) -> pd.DataFrame:
    """The two sides' values and sources for the years both cover, and theirs over ours as the ratio.

    `kept` names further columns of the partner's side to carry over (new name → column).
    """
    years = ours.index.intersection(theirs.index)
    out = pd.DataFrame(
        {
            "reporter_value": ours.loc[years, "value"],
            "partner_value": theirs.loc[years, "value"],
            "ratio": theirs.loc[years, "value"] / ours.loc[years, "value"],
            "reporter_source": ours.loc[years, "source"],
            "partner_source": theirs.loc[years, "source"],
            **{name: theirs.loc[years, column] for name, column in kept.items()},
        }
    )
    return out.sort_index()


def ratio_table(comparisons: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ratio of each comparison (named by its key) as a column by year; comparisons without a ratio left out."""
    ratios = {name: frame["ratio"].dropna() for name, frame in comparisons.items()}
    kept = {name: ratio for name, ratio in ratios.items() if len(ratio)}
    if not kept:
        return pd.DataFrame(index=pd.Index([], name="year", dtype=int))
    return pd.concat(kept, axis=1).sort_index()


def sources(*comparisons: pd.DataFrame) -> pd.DataFrame:
    """The source ids behind both sides of some comparisons, one a row (a `source` column, as cite reads)."""
    ids = {s for frame in comparisons for s in pd.concat([frame["reporter_source"], frame["partner_source"]]).dropna()}
    return pd.DataFrame({"source": sorted(ids)})


def source_spans(comparison: pd.DataFrame, citations: Mapping[str, str]) -> str:
    """Which sources each run of years of a comparison sets against each other, as prose:
    '2000–2019: CEPII Gravity (UN Comtrade) against CEPII Gravity (UN Comtrade); 2020–2021: …'."""
    compared = comparison.dropna(subset=["ratio"])
    pairs = list(zip(compared["partner_source"], compared["reporter_source"], strict=True))
    runs: list[list] = []
    for year, pair in zip(compared.index, pairs, strict=True):
        if runs and runs[-1][2] == pair and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year, pair])
    return "; ".join(
        f"{a if a == b else f'{a}–{b}'}: {citations.get(p, p)} against {citations.get(r, r)}" for a, b, (p, r) in runs
    )


def chapter_share(
    products: pd.DataFrame, sources: Mapping[str, Source], importer: str, exporter: str, chapter: str = "27"
) -> pd.DataFrame:
    """An HS chapter's share of the importer's imports from the exporter, by year, within each source that
    holds both the chapter and the TOTAL, from the source's first year to the latest year its edition
    reaches (sources.yml `releases`).

    A year the edition reaches without a whole-year figure is kept, with its gap named in `missing`
    ('chapter' or 'all goods'): a source that sums months to years only when all twelve carry a number
    has no figure for a year with months missing, and such a year must never be read as a year.
    """
    rows = composition.flows(products, importer, exporter, "import")
    rows = rows[rows["product"].isin([chapter, "TOTAL"])]
    out = []
    for source, block in rows.groupby("source"):
        wide = block.pivot_table(index="year", columns="product", values="value", aggfunc="sum")
        if chapter not in wide or "TOTAL" not in wide:
            continue
        known = sources.get(source)
        last = max([int(wide.index.max()), *(r.latest_year or 0 for r in (known.releases if known else []))])
        currency = str(block["currency"].iloc[0])
        for year in range(int(wide.index.min()), last + 1):
            total = wide["TOTAL"].get(year, float("nan"))
            part = wide[chapter].get(year, float("nan"))
            missing = "all goods" if pd.isna(total) else "chapter" if pd.isna(part) else ""
            out.append((year, source, currency, part, total, part / total, missing))
    columns = ["year", "source", "currency", "chapter", "total", "share", "missing"]
    return pd.DataFrame(out, columns=columns).set_index("year")


def gaps_text(gaps: pd.DataFrame, chapter: str) -> str:
    """The years of `chapter_share` without a whole-year figure, as prose: '2021 (HS 27), 2022 (all goods)'."""
    return ", ".join(f"{y} ({chapter if m == 'chapter' else 'all goods'})" for y, m in gaps["missing"].items())
