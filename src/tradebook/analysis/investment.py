"""Foreign direct investment by partner: series, shares and ranks, cumulative windows, statements, events."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import pandas as pd

from ..data import currency
from ..data.contract import WORLD

MEASURES = ("inflow", "stock")
INVESTMENT_INDICATOR = re.compile(r"invest|FDI", re.IGNORECASE)
ONE_PERIOD = "investment, one period"  # a figure of one year or less (published_figures `measure`): not cumulative
# Whose words a statement's window is read from: "2005-2023H1 cumulative", "1994-2014", …
YEAR_SPAN = re.compile(r"(?<!\d)(\d{4})\s*[-–]\s*(\d{4})(?!\d)")
SINCE_INDEPENDENCE = re.compile(r"since independence", re.IGNORECASE)


def series(fdi: pd.DataFrame, host: str, investor: str) -> pd.DataFrame:
    """Net inflow and stock by year (columns) of one investor in one host, in the file's currency."""
    rows = fdi[(fdi["host"] == host) & (fdi["investor"] == investor)]
    if rows["currency"].nunique() > 1:
        raise ValueError(f"FDI of {investor} in {host} mixes currencies: {sorted(set(rows['currency']))}")
    wide = rows.pivot_table(index="year", columns="measure", values="value", aggfunc="sum")
    wide = wide.reindex(columns=list(MEASURES))
    wide.columns.name = None
    wide.attrs["currency"] = str(rows["currency"].iloc[0]) if len(rows) else currency.EURO
    return wide.sort_index()


def in_currency(frame: pd.DataFrame, source: str, target: str) -> pd.DataFrame:
    """Every column of a by-year frame converted at each year's ECB annual average rate."""
    out = frame.apply(lambda column: currency.convert(column, source, target))
    out.attrs["currency"] = target
    return out


def share_and_rank(fdi: pd.DataFrame, host: str, investor: str, measure: str) -> pd.DataFrame:
    """Per year: the investor's value, the world total, its share, and its rank among the countries listed.

    Rank 1 is the largest (net) investor; only countries with a value that year are ranked, and the
    world total is the host's own total over all investors, listed or not.
    """
    rows = fdi[(fdi["host"] == host) & (fdi["measure"] == measure)]
    out = []
    for year, block in rows.groupby("year"):
        values = block.set_index("investor")["value"]
        if WORLD not in values.index or investor not in values.index:
            continue
        countries = values.drop(index=WORLD)
        ranks = ranks_of(countries)
        out.append(
            {
                "year": int(year),
                "value": float(values[investor]),
                "world": float(values[WORLD]),
                "share": float(values[investor] / values[WORLD]),
                "rank": int(ranks[investor]),
                "investors": len(countries),
                "leader": str(countries.idxmax()),
            }
        )
    columns = ["year", "value", "world", "share", "rank", "investors", "leader"]
    return pd.DataFrame(out, columns=columns).set_index("year")


def ranks_of(values: pd.Series) -> pd.Series:
    """Rank 1 for the largest value; ties share the better rank."""
    return values.rank(ascending=False, method="min").astype(int)


def ranking(fdi: pd.DataFrame, host: str, measure: str, year: int) -> pd.Series:
    """The investor countries' values in one year (file currency), largest first; the world total left out."""
    rows = fdi[(fdi["host"] == host) & (fdi["measure"] == measure) & (fdi["year"] == year)]
    values = rows[rows["investor"] != WORLD].set_index("investor")["value"].sort_values(ascending=False, kind="stable")
    values.attrs["currency"] = str(rows["currency"].iloc[0]) if len(rows) else currency.EURO
    return values


@dataclass(frozen=True)
class Window:
    """The years a statement covers, and the part of them the data covers."""

    start: int | None  # None: from the first year on record ("since independence")
    end: int
    first: int | None  # first and last year of data inside the window
    last: int | None
    years: int  # years with data inside the window
    total: float  # sum of the net inflows over those years


def statement_window(period: str, published: str) -> tuple[int | None, int] | None:
    """(start, end) of the years a cumulative statement covers, or None if its period names none.

    "2005-2023H1 cumulative" → (2005, 2023); "since independence" → (None, year of publication).
    """
    span = YEAR_SPAN.search(period)
    if span:
        return int(span[1]), int(span[2])
    if SINCE_INDEPENDENCE.search(period):
        return None, int(published[:4])
    return None


def cumulative(values: pd.Series, start: int | None, end: int) -> Window:
    """Sum of a by-year series over the years of [start, end] that it covers (missing years are gaps)."""
    known = values.dropna()
    inside = known[(known.index <= end) & ((known.index >= start) if start is not None else True)]
    if inside.empty:
        return Window(start, end, None, None, 0, float("nan"))
    return Window(start, end, int(inside.index.min()), int(inside.index.max()), len(inside), float(inside.sum()))


def investment_statements(published: pd.DataFrame, partner: str) -> pd.DataFrame:
    """Published cumulative figures of the partner's investment, with the window each one covers."""
    one_period = published["measure"] == ONE_PERIOD if "measure" in published else False
    rows = published[
        (published["partner"] == partner)
        & published["indicator"].str.contains(INVESTMENT_INDICATOR)
        & (published["currency"] != "")
        & ~one_period
    ].copy()
    windows = [statement_window(p, d) for p, d in zip(rows["period"], rows["published"], strict=True)]
    rows["start"] = pd.array([w[0] if w else None for w in windows], dtype="Int64")
    rows["end"] = pd.array([w[1] if w else None for w in windows], dtype="Int64")
    return rows.sort_values(["published", "url"], kind="stable").reset_index(drop=True)


def compare_statements(
    statements: pd.DataFrame, inflows: pd.DataFrame, stocks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each statement beside the cumulative net inflows over the part of its window in the data.

    `inflows` holds net inflows by year in each currency the statements use (columns USD, EUR, …). With
    `stocks` (positions by year, the same columns), a statement whose window starts before the data (or
    has no start: "since independence") also gets the stock already in place at the end of the data's
    first year (`stock_start`, of `stock_year`): what the flows of the years before the data had built,
    net, which the sum of the flows in the data leaves out.
    """
    out = []
    for row in statements.itertuples():
        record = {
            "published": row.published,
            "attributed_to": row.attributed_to,
            "publisher": row.publisher,
            "period": row.period,
            "stated": row.amount,
            "currency": row.currency,
            "qualifier": row.qualifier,
            "first": None,
            "last": None,
            "years": 0,
            "net": float("nan"),
            "stock_year": None,
            "stock_start": float("nan"),
        }
        if pd.notna(row.end) and row.currency in inflows:
            start = None if pd.isna(row.start) else int(row.start)
            window = cumulative(inflows[row.currency], start, int(row.end))
            record.update(first=window.first, last=window.last, years=window.years, net=window.total)
            held = stocks[row.currency].dropna() if stocks is not None and row.currency in stocks else None
            if held is not None and len(held) and (start is None or start < int(held.index.min())):
                record.update(stock_year=int(held.index.min()), stock_start=float(held.iloc[0]))
        out.append(record)
    columns = ["published", "attributed_to", "publisher", "period", "stated", "currency", "qualifier"]
    frame = pd.DataFrame(out, columns=[*columns, "first", "last", "years", "net", "stock_year", "stock_start"])
    frame["stock_year"] = frame["stock_year"].astype("Int64")
    frame["ratio"] = frame["stated"] / frame["net"].where(frame["net"] > 0)
    return frame


@dataclass(frozen=True)
class StatementsSummary:
    """The statements set beside the data in a few numbers: their range, the largest, and how many exceed
    the net inflows over their own window (`summed` of them have a window in the data)."""

    count: int
    smallest: float
    largest: float
    largest_qualifier: str
    largest_period: str
    largest_attributed_to: str
    summed: int
    net_low: float
    net_high: float
    larger_than_net: int
    all_net_negative: bool = False  # every sum of net flows below zero: "larger than the net sum" says nothing


def summarise_statements(compared: pd.DataFrame) -> StatementsSummary | None:
    """A summary of `compare_statements`' table; None when no statement is on record."""
    if compared.empty:
        return None
    summed = compared.dropna(subset=["net"])
    largest = compared.loc[compared["stated"].idxmax()]
    return StatementsSummary(
        count=len(compared),
        smallest=float(compared["stated"].min()),
        largest=float(largest["stated"]),
        largest_qualifier=str(largest["qualifier"]),
        largest_period=str(largest["period"]),
        largest_attributed_to=str(largest["attributed_to"]),
        summed=len(summed),
        net_low=float(summed["net"].min()) if len(summed) else float("nan"),
        net_high=float(summed["net"].max()) if len(summed) else float("nan"),
        larger_than_net=int((summed["stated"] > summed["net"]).sum()),
        all_net_negative=bool(len(summed) and (summed["net"] < 0).all()),
    )


COUNTS = "investment"  # published_figures measures that are not counts of companies start with this word


def company_counts(published: pd.DataFrame, partner: str) -> pd.DataFrame:
    """The published counts of the partner's companies in the host, oldest first, each with what it counts
    (`measure`: companies operating, registered, with any participation, joint ventures, …) and the year
    it was published (blank for an undated page)."""
    if "measure" not in published:
        return published.iloc[:0].assign(measure=[], year=[])
    rows = published[
        (published["partner"] == partner)
        & (published["measure"] != "")
        & ~published["measure"].str.startswith(COUNTS)
        & published["value"].notna()
    ].copy()
    rows["year"] = pd.array([int(d[:4]) if d else None for d in rows["published"]], dtype="Int64")
    return rows.sort_values(["published", "url"], kind="stable").reset_index(drop=True)


def decimal_year(date: str) -> float:
    """The middle of the period a date names, in calendar years: '2009' → 2009.5, '1992-10' → 1992.79."""
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return year + 0.5
    days = 366 if calendar.isleap(year) else 365
    month = parts[1]
    first = sum(calendar.monthrange(year, m)[1] for m in range(1, month))
    if len(parts) == 2:
        return year + (first + calendar.monthrange(year, month)[1] / 2) / days
    return year + (first + parts[2] - 0.5) / days
