"""Mirror statistics: one country's report of a flow against its partner's report of the same flow.

The ratio is always partner's figure / reporter's figure: 1 means the two sides agree; an importer's
CIF value is normally a little above the exporter's FOB value, so a ratio somewhat above 1 is normal.
"""

from __future__ import annotations

import pandas as pd

from ..data.currency import annual_rate
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
        rows.append((year, value, row["value"], row["value"] / value, source, row["source"]))
    return pd.DataFrame(rows, columns=["year", *COLUMNS]).set_index("year")


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
