"""One check function per metric of claims.yml: each computes a claim's verdict from the data.

A check whose data are not in data/ (or stop short of the claim) gives "not checkable with this data"
with the reason, so the chapter renders with whatever data this edition has.

The numbers come from the chapters' own helpers (indicators, investment, composition, mirror); a check
adds only the comparison with the article's figure and the words that explain the verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..data import currency
from ..data.countries import name as country_name
from ..data.errors import DataMissing
from . import composition, indicators, investment, mirror
from .claims import (
    CONSISTENT,
    CONTRADICTED,
    DATA_FLOWS,
    DATA_INVESTOR,
    NOT_CHECKABLE,
    NOT_COMPARABLE,
    NUMERIC,
    PARTLY,
    SUPPORTED,
    UNITS,
    Claim,
    ClaimData,
    Item,
    Verdict,
    names,
)

FDI_BASIS = f"{DATA_FLOWS} FDI by {DATA_INVESTOR} investor"
# What a published count counts (published_figures `measure`), as a sentence says it.
MEASURE_WORDS = {
    "companies operating": "companies from {partner} operating in {host}",
    "companies registered": "legal entities with capital from {partner} registered in {host} (not necessarily active)",
    "companies with participation": "companies in {host} with any participation from {partner}",
    "joint ventures": "joint ventures with companies from {partner}",
    "companies in one region": "companies from {partner} in one region of {host} only",
    "companies in a programme": "companies from {partner} in one government programme of {host}",
}


def measure_words(measure: str, claim: Claim) -> str:
    """What a published count counts, in words: 'companies from Italy operating in Kazakhstan'."""
    template = MEASURE_WORDS.get(measure, measure)
    return template.format(partner=country_name(claim.partner), host=country_name(claim.reporter))


@dataclass(frozen=True)
class Metric:
    check: Callable[[Claim, ClaimData], Verdict]
    needs: tuple[str, ...]
    comparisons: tuple[str, ...]
    requires: tuple[str, ...] = ()
    what: str = ""


METRICS: dict[str, Metric] = {}


def metric(name: str, needs: tuple[str, ...], comparisons: tuple[str, ...], requires=(), what: str = ""):
    """Register a check function for a metric named in claims.yml."""

    def register(fn: Callable[[Claim, ClaimData], Verdict]) -> Callable[[Claim, ClaimData], Verdict]:
        METRICS[name] = Metric(fn, needs, comparisons, tuple(requires), what)
        return fn

    return register


# ---------------------------------------------------------------------------------------------------
# Figures as the book writes them, and the comparison with the article's


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def billions(value: float) -> str:
    return f"US$ {value / 1e9:,.2f} billion"


def fmt(x: float, unit: str) -> str:
    """A figure of the data in a claim's unit."""
    if unit == "USD billion":
        return f"US$ {x:,.2f} billion" if abs(x) < 100 else f"US$ {x:,.0f} billion"
    if unit == "percent":
        return f"{x:.1f}%"
    if unit == "rank":
        return ordinal(int(x))
    return f"{x:,.0f} {unit}"


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


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
        around = f"{tolerance_text(claim)} around {figure_text(v, unit)}"
        why = f"{fmt(x, unit)} is {'within' if ok else 'outside'} the stated tolerance of {around}"
        if not ok and unit != "percent" and v:
            off = x / v - 1
            why += f": {abs(off):.0%} {'below' if off < 0 else 'above'} the article's figure"
    elif claim.comparison in ("more_than", "less_than"):
        word = "more" if claim.comparison == "more_than" else "less"
        ok = x > v if word == "more" else x < v
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


def _years_text(years: list[int]) -> str:
    """Consecutive years as ranges: [2022, 2023, 2024] → '2022–2024'."""
    runs, start = [], years[0]
    for a, b in zip(years, [*years[1:], None], strict=True):
        if b != a + 1:
            runs.append(f"{start}" if start == a else f"{start}–{a}")
            start = b
    return ", ".join(runs)


# ---------------------------------------------------------------------------------------------------
# Trade: levels, growth and the partner's rank (Kazakhstan's own figures, trade.csv)


def _pair(claim: Claim, data: ClaimData) -> pd.DataFrame:
    """The pair's complete years (a year with one flow only is left out: `indicators.bilateral`).

    Computed once for the several claims about the same pair (a copy each: no check changes another's).
    """
    key = ("pair", claim.reporter, claim.partner)
    return data.memo(key, lambda: indicators.bilateral(data.get("trade"), claim.reporter, claim.partner)).copy()


def _no_year(claim: Claim, data: ClaimData, what: str, years: list[int], latest: str = "") -> DataMissing:
    """Why a year is missing: absent from the data, or partial (one flow only, never read as a whole year)."""
    partial = indicators.partial_years(data.get("trade"), claim.reporter, claim.partner)
    partial = partial[partial["year"].isin(years)]
    text = f"{data.label('trade')} has no {what} of {claim.reporter} with {claim.partner} in " + " or ".join(
        map(str, years)
    )
    if len(partial):
        text += f": {indicators.partial_text(partial)}, a partial year, is not read as a whole one"
    return DataMissing(text + latest)


def _pair_rows(claim: Claim, data: ClaimData, years) -> pd.DataFrame:
    """The trade.csv rows behind the pair's figures in `years` (for the citation)."""
    rows = composition.flows(data.get("trade"), claim.reporter, claim.partner, "export")
    rows = pd.concat([rows, composition.flows(data.get("trade"), claim.reporter, claim.partner, "import")])
    return rows[rows["year"].isin(list(years)) & (rows["currency"] == "USD")]


def _trade_table(pair: pd.DataFrame, year: int, span: int = 5) -> pd.DataFrame:
    """The pair's trade in the `span` years up to `year`, in US$ billion, with growth of turnover."""
    shown = pair.loc[(pair.index > year - span) & (pair.index <= year), ["export", "import", "turnover"]] / 1e9
    shown["growth"] = indicators.yoy_growth(pair["turnover"].dropna()).reindex(shown.index)
    shown.index.name = "Year"
    labels = {"export": "Exports, US$ bn", "import": "Imports, US$ bn", "turnover": "Turnover, US$ bn"}
    return shown.rename(columns={**labels, "growth": "Growth"})


def _level(claim: Claim, data: ClaimData, column: str) -> Verdict:
    pair = _pair(claim, data)
    year, what = claim.year, {"turnover": "turnover", "export": "exports", "import": "imports"}[column]
    if year not in pair.index or pd.isna(pair.loc[year, column]):
        latest = f" (its latest complete year is {int(pair.index.max())})" if len(pair) else ""
        raise _no_year(claim, data, what, [year], latest)
    x = float(pair.loc[year, column])
    status, why = compare(claim, x / UNITS[claim.unit])
    says = f"{billions(x)} in {year}"
    if column == "turnover":
        says += f" (exports {billions(pair.loc[year, 'export'])}, imports {billions(pair.loc[year, 'import'])})"
    source = data.cite(_pair_rows(claim, data, [year]))
    return Verdict(claim, status, says, why, source=source, evidence=_trade_table(pair, year))


@metric("turnover", ("trade",), NUMERIC, what="exports plus imports in a year")
def check_turnover(claim: Claim, data: ClaimData) -> Verdict:
    return _level(claim, data, "turnover")


@metric("exports", ("trade",), NUMERIC, what="the reporter's exports to the partner in a year")
def check_exports(claim: Claim, data: ClaimData) -> Verdict:
    return _level(claim, data, "export")


@metric("imports", ("trade",), NUMERIC, what="the reporter's imports from the partner in a year")
def check_imports(claim: Claim, data: ClaimData) -> Verdict:
    return _level(claim, data, "import")


@metric("turnover_growth", ("trade",), NUMERIC, what="growth of turnover on the previous year")
def check_turnover_growth(claim: Claim, data: ClaimData) -> Verdict:
    pair = _pair(claim, data)
    year = claim.year
    absent = [y for y in (year - 1, year) if y not in pair.index or pd.isna(pair.loc[y, "turnover"])]
    if absent:
        raise _no_year(claim, data, "turnover", absent)
    before, now = float(pair.loc[year - 1, "turnover"]), float(pair.loc[year, "turnover"])
    growth = now / before - 1
    status, why = compare(claim, growth / UNITS[claim.unit])
    says = f"{growth:+.1%} in {year}: from {billions(before)} in {year - 1} to {billions(now)}"
    source = data.cite(_pair_rows(claim, data, [year - 1, year]))
    return Verdict(claim, status, says, why, source=source, evidence=_trade_table(pair, year))


def years_within(claim: Claim, data: ClaimData) -> list[int]:
    """The years whose turnover lies within the claim's tolerance of its figure (for a misdated figure)."""
    turnover = _pair(claim, data)["turnover"].dropna() / UNITS[claim.unit]
    return [int(y) for y, x in turnover.items() if abs(x - claim.value) <= claim.tolerance]


def _position(ranking: pd.Series, partner: str) -> tuple[int, list[str]]:
    """The partner's rank (ties share the better rank) and the partners ranked above it."""
    pos = int(investment.ranks_of(ranking)[partner])
    return pos, [p for p in ranking.index if ranking[p] > ranking[partner]]


def _ranking_table(
    ranking: pd.Series, year: int, coverage: str, partner: str, world: float | None = None, n: int = 5
) -> pd.DataFrame:
    """The first `n` partners of a year's ranking, and `partner` wherever it stands, with their share of the
    reporter's turnover with the world (`world`; left blank where the data hold no full year)."""
    ranks = investment.ranks_of(ranking)
    shown = ranking[[p for p in ranking.index if ranks[p] <= n or p == partner]]
    return pd.DataFrame(
        {
            "Year": year,
            "Rank": ranks[shown.index].to_numpy(),
            "Partner": [country_name(p) for p in shown.index],
            "Turnover, US$ bn": (shown / 1e9).to_numpy(),
            "Share": (shown / world).to_numpy() if world else float("nan"),
            "Coverage": coverage,
        }
    ).set_index(["Year", "Rank"])


@metric("partner_rank", ("trade",), ("rank", "top"), what="the partner's rank among all partners by turnover")
def check_partner_rank(claim: Claim, data: ClaimData) -> Verdict:
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

    table = indicators.partner_table(trade, claim.reporter, with_world=False)  # every year's ranking below
    if ev_year is not None:
        ranking = indicators.year_turnover(table, ev_year)
        pos, ahead = _position(ranking, claim.partner)
        rank_ok = pos == claim.value if claim.comparison == "rank" else pos <= claim.value
        status = SUPPORTED if rank_ok and (not claim.after or set(ahead) == set(claim.after)) else CONTRADICTED
        after = f", after {names(ahead)}" if ahead else ""
        share = full.loc[ev_year, "share_turnover"]
        whose = f"{country_name(claim.reporter)}'s turnover"
        says.append(f"{ordinal(pos)} of {len(ranking)} partner countries in {ev_year}{after} ({share:.1%} of {whose})")
        latest = "the latest year" if ev_year == int(full.index.max()) else "a year"
        release = indicators.release_text(trade, data.sources(), claim.reporter, claim.partner, ev_year)
        why.append(f"in {ev_year}, {latest} with every partner in the data ({release}), the rank is {ordinal(pos)}")
        # The complete years after the claim's, shown beside it: did the rank hold?
        for later in [int(y) for y in full.index if y >= ev_year]:
            ranking = indicators.year_turnover(table, later)
            world = float(full.loc[later, "world_turnover"])
            tables.append(_ranking_table(ranking, later, f"all {len(ranking)} partners", claim.partner, world))
            if later != ev_year:
                pos, ahead = _position(ranking, claim.partner)
                row = full.loc[later]
                says.append(f"{ordinal(pos)} of {len(ranking)} in {later} ({row['share_turnover']:.1%})")
    if year != ev_year:
        subset = indicators.year_turnover(table, year)
        if claim.partner in subset.index:
            pos, ahead = _position(subset, claim.partner)
            listed_behind = [p for p in claim.after if p in subset.index and p not in ahead]
            consistent = pos <= claim.value and set(ahead) <= set(claim.after or ahead) and not listed_behind
            after = f", after {names(ahead)}" if ahead else ""
            says.append(f"in {year}, {ordinal(pos)} of the {len(subset)} partners in the data{after}")
            tables.append(_ranking_table(subset, year, f"only {len(subset)} partners in the data", claim.partner))
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
        raise DataMissing(f"{data.label('trade')} has no year up to {year} with all of {claim.reporter}'s partners")
    shown_years = [ev_year, year, *(int(y) for y in full.index if ev_year is not None and y >= ev_year)]
    rows = trade[(trade["reporter"] == claim.reporter) & trade["year"].isin(shown_years)]
    return Verdict(
        claim,
        status,
        "; ".join(says),
        "; ".join(why),
        scope,
        source=data.cite(rows),
        evidence=pd.concat(tables),
    )


# ---------------------------------------------------------------------------------------------------
# Investment: net FDI by immediate investor (fdi.csv), ranks and sums in US dollars


BASIS_WHY = {
    "gross": "officials quote gross inflows, which count every capital injection and loan from the investor and "
    "subtract no repayment or withdrawal; the data's net flows subtract both",
    "ultimate": "by ultimate investor a group investing through a holding company abroad counts under its own "
    "country, by immediate investor under the holding company's",
}
BASIS_WORDS = {"gross": "gross inflows", "ultimate": "by ultimate investor"}


def basis_gap(claim: Claim) -> list[str]:
    """What the claim's figure counts that the FDI data (net, by immediate investor) do not: [] when the same."""
    gaps = []
    if claim.flows and claim.flows != DATA_FLOWS:
        gaps.append(claim.flows)
    if claim.investor and claim.investor != DATA_INVESTOR:
        gaps.append(claim.investor)
    return gaps


def _not_comparable(gaps: list[str], needed: str, context: str) -> tuple[str, str]:
    """The scope and the reason of a "not comparable" verdict: what differs, why it matters, what is needed,
    and what the data do hold (`context`, a clause)."""
    claimed = " ".join(BASIS_WORDS[g] for g in gaps)
    held = ("gross FDI inflows" if "gross" in gaps else "FDI") + (" by ultimate investor" if "ultimate" in gaps else "")
    scope = f"the claim counts {claimed}; the data hold {FDI_BASIS}"
    why = "; ".join(BASIS_WHY[g] for g in gaps)
    why += f". No source in this book holds {held}: a check would need {needed}. As context, {context}"
    return scope, why


def _fdi_year(years, claim: Claim, data: ClaimData) -> int:
    """The claim's year, or for a claim about the present the latest year up to it."""
    years = sorted(int(y) for y in years if y <= claim.year)
    if claim.year in years:
        return claim.year
    if claim.latest_available and years:
        return years[-1]
    raise DataMissing(f"{data.label('fdi')} has no FDI {claim.measure} of {claim.partner} in {claim.year}")


@metric(
    "fdi_rank",
    ("fdi",),
    ("rank", "top"),
    requires=("measure",),
    what="the partner's rank among investor countries (FDI stock or inflow in a year)",
)
def check_fdi_rank(claim: Claim, data: ClaimData) -> Verdict:
    fdi = data.get("fdi")
    ranks = investment.share_and_rank(fdi, claim.reporter, claim.partner, claim.measure)
    year = _fdi_year(ranks.index, claim, data)
    row = ranks.loc[year]
    ranking = investment.ranking(fdi, claim.reporter, claim.measure, year)
    usd = ranking * currency.annual_rate(year, ranking.attrs["currency"], "USD")
    pos = int(row["rank"])
    status, why = compare(claim, pos)
    if status == CONTRADICTED and claim.comparison == "top" and len(usd) >= claim.value:
        last_in = usd.index[int(claim.value) - 1]
        why += (
            f": {country_name(claim.partner)}'s {billions(usd[claim.partner])} against "
            f"{billions(usd[last_in])} of the {ordinal(int(claim.value))}, {country_name(last_in)}"
        )
    says = (
        f"{ordinal(pos)} of {int(row['investors'])} investor countries by FDI {claim.measure} in {year} "
        f"({billions(usd[claim.partner])}, {row['share']:.2%} of the total); "
        f"the top five: {names(usd.index[:5])}"
    )
    scope = FDI_BASIS + (f", as of {year}" if year != claim.year else "")
    if status == SUPPORTED and year != claim.year:
        status = PARTLY
    gaps = basis_gap(claim)
    if gaps:
        status = NOT_COMPARABLE
        needed = f"the {' '.join(BASIS_WORDS[g] for g in gaps)} of every investor country"
        needed += " accumulated over the years the claim covers" if "gross" in gaps else f" (FDI {claim.measure})"
        context = (
            f"the data's {FDI_BASIS} puts {country_name(claim.partner)} {ordinal(pos)} of {int(row['investors'])} "
            f"investor countries by {claim.measure} in {year}"
        )
        scope, why = _not_comparable(gaps, needed, context)
    shown_ranks = investment.ranks_of(usd)
    keep = [c for c in usd.index if shown_ranks[c] <= 5 or c == claim.partner]
    shown = pd.DataFrame(
        {
            "Rank": shown_ranks[keep].to_numpy(),
            "Investor": [country_name(c) for c in keep],
            f"FDI {claim.measure} {year}, US$ bn": (usd[keep] / 1e9).to_numpy(),
        }
    ).set_index("Rank")
    rows = fdi[(fdi["host"] == claim.reporter) & (fdi["measure"] == claim.measure) & (fdi["year"] == year)]
    return Verdict(claim, status, says, why, scope, source=data.cite(rows), evidence=shown)


@metric(
    "fdi_cumulative",
    ("fdi",),
    NUMERIC,
    requires=("measure",),
    what="the sum of the partner's FDI flows over the period, in US dollars",
)
def check_fdi_cumulative(claim: Claim, data: ClaimData) -> Verdict:
    fdi = data.get("fdi")
    first, last = claim.period
    wide = investment.series(fdi, claim.reporter, claim.partner)
    usd = investment.in_currency(wide, wide.attrs["currency"], "USD")[claim.measure].dropna()
    window = investment.cumulative(usd, first, last)
    if not window.years:
        raise DataMissing(f"{data.label('fdi')} has no FDI {claim.measure} of {claim.partner} in {first}–{last}")
    inside = usd[(usd.index >= first) & (usd.index <= last)]
    missing = [y for y in range(first, last + 1) if y not in inside.index]
    says = (
        f"{billions(window.total)} over {window.first}–{window.last} "
        f"({FDI_BASIS}, sum of yearly {claim.measure}s in US dollars at ECB annual average rates)"
    )
    scope = FDI_BASIS
    gaps = basis_gap(claim)
    if gaps:
        flows = " ".join(BASIS_WORDS[g] for g in gaps)
        flows = flows if "gross" in gaps else f"{claim.measure}s {flows}"
        needed = f"{country_name(claim.partner)}'s {flows} in each year of {first}–{last}"
        context = (
            f"the data's {FDI_BASIS} from {country_name(claim.partner)} sums to {billions(window.total)} "
            f"over {window.first}–{window.last}"
        )
        scope, why = _not_comparable(gaps, needed, context)
        status = NOT_COMPARABLE
        if missing:
            scope += f"; {_years_text(missing)} not in the data"
    elif not missing:
        status, why = compare(claim, window.total / UNITS[claim.unit])
    else:
        # The most the missing years could add: the largest yearly flow on record, in every missing year.
        best = max(float(usd.max()), 0.0)
        ceiling = window.total + len(missing) * best
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
    rows = fdi[(fdi["host"] == claim.reporter) & (fdi["investor"] == claim.partner) & fdi["year"].between(first, last)]
    return Verdict(claim, status, says, why, scope, source=data.cite(rows), evidence=shown)


@metric("agreement_value", (), NUMERIC, what="the value of investment projects covered by agreements")
def check_agreement_value(claim: Claim, data: ClaimData) -> Verdict:
    return Verdict(
        claim,
        NOT_CHECKABLE,
        "no data on the value of agreements",
        "the data hold yearly trade and net FDI flows; the value of the projects an agreement covers is "
        "not a flow in any one year, so neither can stand in for it",
    )


def _count_agrees(claim: Claim, value: float, qualifier: str) -> bool:
    """Whether a published count ('about 250', 'more than 250', '250') fits the claim's figure."""
    if claim.comparison == "approximately":
        low, high = claim.value - claim.tolerance, claim.value + claim.tolerance
        return value < high if qualifier == "more than" else low <= value <= high
    if claim.comparison == "more_than":
        return value >= claim.value if qualifier == "more than" else value > claim.value
    return value < claim.value  # less_than


def _count_text(row) -> str:
    qualifier = {"approx.": "about ", "more than": "more than "}.get(row.qualifier, "")
    return f"{qualifier}{row.value:,.0f}"


@metric(
    "companies_count",
    ("published_figures",),
    NUMERIC,
    requires=("statement_measure",),
    what="the number of the partner's companies in the host, against official statements counting the same thing",
)
def check_companies_count(claim: Claim, data: ClaimData) -> Verdict:
    """No register of companies by the owners' country is among the sources, so the claim is set against
    the official statements published in the claim's period that count the same thing (`statement_measure`):
    consistent when they all fit the claim's figure and come from at least two different speakers."""
    first, last = claim.period
    last = min(last, data.end_year) if data.end_year is not None else last
    counts = investment.company_counts(data.get("published_figures"), claim.partner)
    within = counts["year"].notna() & counts["year"].between(first, last)
    same = counts[within & (counts["measure"] == claim.statement_measure)]
    other = counts[within & (counts["measure"] != claim.statement_measure)]
    window = _years_text(list(range(first, last + 1)))
    what = measure_words(claim.statement_measure, claim)
    if same.empty:
        raise DataMissing(f"{data.label('published_figures')} holds no statement counting {what} published in {window}")
    agrees = [_count_agrees(claim, r.value, r.qualifier) for r in same.itertuples()]
    speakers = same["attributed_to"].nunique()
    listed = "; ".join(f"{_count_text(r)} ({r.attributed_to}, {r.published})" for r in same.itertuples())
    says = f"{len(same)} statements published in {window} count {what}: {listed}"
    if len(other):
        dates: dict[str, list[str]] = {}
        for r in other.itertuples():  # the same count in several statements is named once, with each date
            dates.setdefault(f"{_count_text(r)} {measure_words(r.measure, claim)}", []).append(r.published)
        says += "; other counts, of other things: " + "; ".join(f"{k} ({', '.join(d)})" for k, d in dates.items())
    around = f"{tolerance_text(claim)} around {figure_text(claim.value, claim.unit)}"
    if all(agrees) and speakers >= 2:
        status = CONSISTENT
        why = (
            f"all {len(same)} statements of the same measure, from {speakers} different speakers, fit "
            f"{around}; no register of companies by the owners' country is among the sources of this book, "
            "so no statistical source confirms or contradicts the figure"
        )
    elif all(agrees):
        status = NOT_CHECKABLE
        why = f"one speaker's statements alone fit {around}: no independent official figure confirms them"
    else:
        status = NOT_CHECKABLE
        off = [_count_text(r) for r, ok in zip(same.itertuples(), agrees, strict=True) if not ok]
        why = (
            f"the statements counting {what} disagree: {', '.join(off)} "
            f"{'does' if len(off) == 1 else 'do'} not fit {around}, and no register of companies is in the data "
            "to decide between them"
        )
    shown = counts.assign(
        compared=[
            "yes" if ok and m == claim.statement_measure
            else "no: another measure" if ok
            else "no: undated" if pd.isna(y)
            else f"no: published outside {window}"
            for ok, m, y in zip(within, counts["measure"], counts["year"], strict=True)
        ]
    )  # fmt: skip
    evidence = pd.DataFrame(
        {
            "Published": shown["published"].replace("", "undated"),
            "Who said it": shown["attributed_to"],
            "Count": [_count_text(r) for r in shown.itertuples()],
            "What is counted": [measure_words(m, claim) for m in shown["measure"]],
            "Compared": shown["compared"],
        }
    ).set_index("Published")
    return Verdict(claim, status, says, why, source=data.cite(same), evidence=evidence)


# ---------------------------------------------------------------------------------------------------
# Product lists (trade_products.csv): is each listed product a main one of the flow?


def product_shares(products: pd.DataFrame, trade: pd.DataFrame, reporter: str, partner: str, flow: str) -> pd.DataFrame:
    """The flow's product rows in US dollars, each with the total of the flow it is a share of.

    The total is the same source's TOTAL of the flow and year. A source that reassigns flows between
    partners (BACI, `composition.PAIR_TOTALS`) is set only against its own total of the pair; any other
    source, where it has no TOTAL, against the reporter's total of the flow in trade.csv (the partner's
    crude register against the partner's own customs total, as the composition chapter does).
    """
    rows = composition.flows(products, reporter, partner, flow)
    rows = mirror.in_usd(rows.set_index("year")).reset_index()
    totals = rows[rows["product"] == "TOTAL"].set_index(["year", "source"])["value"]
    reported = composition.flows(trade, reporter, partner, flow).drop_duplicates("year").set_index("year")
    reported = mirror.in_usd(reported)
    aggregate = rows["product"].isin(list(composition.AGGREGATES)) & (rows["product"] != composition.BASE_METALS)
    out = rows[~aggregate].copy()
    # Looked up in dicts, not with .loc per row (a tenth of a second a call): one TOTAL per year and source
    # (the contract's key), one row per year of `reported`.
    pair_total = {key: float(value) for key, value in totals.items()}
    reported_total = {
        year: (float(value), str(source))
        for year, value, source in zip(reported.index, reported["value"], reported["source"], strict=True)
    }
    total, total_source = [], []
    for year, source in zip(out["year"], out["source"], strict=True):
        own = composition.PAIR_TOTALS.get(source, source)
        if (year, own) in pair_total:
            total.append(pair_total[(year, own)])
            total_source.append(own)
        elif source not in composition.PAIR_TOTALS and year in reported_total:
            total.append(reported_total[year][0])
            total_source.append(reported_total[year][1])
        else:
            total.append(float("nan"))
            total_source.append("")
    out["total"], out["total_source"] = total, total_source
    out["share"] = out["value"] / out["total"]
    return out[["year", "product", "source", "value", "total", "total_source", "share"]].reset_index(drop=True)


def _views(claim: Claim) -> list[tuple[str, str, str, str]]:
    """(reporter, partner, flow, description): the claim's flow, then its mirror as the partner reports it."""
    mirror_flow = "import" if claim.flow == "export" else "export"
    side, other = ("exports to", "imports from") if claim.flow == "export" else ("imports from", "exports to")
    rep, par = country_name(claim.reporter), country_name(claim.partner)
    return [
        (claim.reporter, claim.partner, claim.flow, f"{rep}'s {side} {par}"),
        (claim.partner, claim.reporter, mirror_flow, f"{par}'s {other} {rep}"),
    ]


# How a product of the data relates to a listed product, and what its share then tells: the product
# itself gives the share; parts of it a lower bound; a group containing it (e.g. SXV) an upper bound.
MATCHES = ("same", "part", "group")
STATES = (
    "main",
    "minor",
    "in part in the data",
    "in the data, share unknown",
    "only within a group",
    "not in the data",
)


def _state(kind: str, share: float, threshold: float) -> str:
    if kind == "group":
        return "minor" if share < threshold else "only within a group"  # NaN: not below the threshold
    if pd.isna(share):
        return "in the data, share unknown"
    if kind == "same":
        return "main" if share >= threshold else "minor"
    return "main" if share >= threshold else "in part in the data"


def _block_value(kind: str, block: pd.DataFrame) -> pd.Series:
    """One row standing for a block of matching rows of one source and year.

    The same goods coded twice (2709 and 270900) count once; parts are summed, leaving out a part of a
    part (a crude grade beside its 2709 row); of nested groups (72 and SXV) the smallest is the tightest
    bound.
    """
    if kind == "group":
        return block.loc[block["value"].idxmin()]
    if kind == "same":
        return block.loc[block["value"].idxmax()]
    kept = block[[not part for part in composition.parts_among(list(block["product"]))]]
    first = kept.iloc[0].copy()
    first["value"] = kept["value"].sum()
    first["share"] = first["value"] / first["total"]
    first["product"] = ", ".join(kept["product"])
    return first


def _relation(product: str, item: Item) -> str | None:
    """How a product code of the data relates to a listed product (the first of its HS codes that fits)."""
    return next((kind for code in item.hs if (kind := composition.hs_relation(product, code))), None)


def _product_evidence(claim: Claim, item: Item, views: list[tuple[pd.DataFrame, str]]) -> dict:
    """The best evidence for one listed product: decisive first, then the closest match, the latest year
    and the reporter's own view."""
    threshold = claim.min_share / 100
    found = []
    for order, (shares, basis) in enumerate(views):
        kinds = shares["product"].map(lambda p: _relation(p, item))
        for (kind, year, _), block in shares[kinds.notna()].groupby([kinds.dropna(), "year", "source"]):
            row = _block_value(kind, block)
            state = _state(kind, row["share"], threshold)
            found.append(
                {
                    "state": state,
                    "kind": kind,
                    "year": int(year),
                    "value": float(row["value"]),
                    "share": None if pd.isna(row["share"]) else float(row["share"]),
                    "basis": basis,
                    "codes": str(row["product"]),
                    "sources": [row["source"], row["total_source"]],
                    "rank": (state in ("main", "minor"), MATCHES[::-1].index(kind), int(year), -order),
                }
            )
    return max(found, key=lambda e: e["rank"]) if found else {"state": "not in the data"}


def _group_name(code: str) -> str:
    """'HS 72', or for an aggregate its name: 'base metals and articles of base metal, SXV'."""
    if code.isdigit():
        return f"HS {code}"
    name = composition.product_name(code).split(" (")[0]
    return f"{name[0].lower()}{name[1:]}, {code}"


def _detail(ev: dict) -> str:
    """Where the data show a product: ' (79.1% of Italy's imports from Kazakhstan, 2020)'."""
    if "year" not in ev:
        return ""
    bound = {"same": "", "part": "at least ", "group": "at most "}[ev["kind"]]
    amount = f"{bound}{ev['share']:.1%} of" if ev["share"] is not None else "in"
    codes = ev["codes"].split(", ")
    listed = ev["codes"] if len(codes) <= 4 else f"{len(codes)} codes, {codes[0]} to {codes[-1]}"
    how = {"same": "", "part": f", as {listed}", "group": f", within {_group_name(ev['codes'])}"}[ev["kind"]]
    return f" ({amount} {ev['basis']}, {ev['year']}{how})"


def _listing(items: list[tuple[Item, dict]]) -> str:
    """Products with the same finding named together: 'zinc and lead (in …, 2021, within …)'."""
    groups: dict[str, list[str]] = {}
    for item, ev in items:
        groups.setdefault(_detail(ev), []).append(item.name)
    return "; ".join(
        (listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]) + detail
        for detail, listed in groups.items()
    )


@metric(
    "main_products",
    ("trade_products", "trade"),
    ("includes",),
    requires=("flow", "items", "min_share"),
    what="products that each make up at least `min_share` percent of the flow",
)
def check_main_products(claim: Claim, data: ClaimData) -> Verdict:
    products, trade = data.get("trade_products"), data.get("trade")
    years = products["year"] <= claim.year if claim.latest_available else products["year"] == claim.year
    views = [(product_shares(products[years], trade, r, p, f), basis) for r, p, f, basis in _views(claim)]
    if all(shares.empty for shares, _ in views):
        raise DataMissing(
            f"{data.label('trade_products')} has no product rows for " + " nor for ".join(b for _, b in views)
        )
    evidence = [(item, _product_evidence(claim, item, views)) for item in claim.items]
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
                "Source": data.cite(pd.DataFrame({"source": [x for x in ev.get("sources", []) if x]})),
            }
            for item, ev in evidence
        ]
    ).astype({"Year": "Int64", "US$ bn": "Float64", "Share": "Float64"})
    shown = shown.set_index("Product")
    states = shown["Found"].value_counts()
    n, main, minor = len(shown), int(states.get("main", 0)), int(states.get("minor", 0))
    by_state: dict[str, list[tuple[Item, dict]]] = {}
    for item, ev in evidence:
        by_state.setdefault(ev["state"], []).append((item, ev))
    parts = [f"{state}: {_listing(by_state[state])}" for state in STATES if state in by_state]
    if main == n:
        status, scope = SUPPORTED, ""
    elif main:
        status, scope = PARTLY, f"{main} of {n} products confirmed"
    elif minor:
        status, scope = CONTRADICTED, f"{main + minor} of {n} products checkable"
    else:
        status, scope = NOT_CHECKABLE, f"no share known for any of the {n} products"
    why = (
        f"a product counts as a main one at {_num(claim.min_share)}% or more of the flow; of the {n} listed "
        f"products, {main} {'reaches' if main == 1 else 'reach'} that share in the data and {minor} "
        f"{'falls' if minor == 1 else 'fall'} short of it"
    )
    unknown = {s: len(by_state[s]) for s in STATES[2:] if s in by_state}
    if unknown:
        why += "; for the others the data cannot tell (" + ", ".join(f"{k}: {v}" for k, v in unknown.items()) + ")"
    used = {s for _, ev in evidence for s in ev.get("sources", []) if s}
    source = data.cite(pd.DataFrame({"source": sorted(used)})) if used else ""
    return Verdict(claim, status, "; ".join(parts), why, scope, source=source, evidence=shown)


@metric(
    "product_share",
    ("trade_products", "trade"),
    ("includes",),
    requires=("flow", "items", "min_share"),
    what="one product's share of the flow, year by year, at least `min_share` percent in the claim's year",
)
def check_product_share(claim: Claim, data: ClaimData) -> Verdict:
    """One listed product, measured each year the data hold it as a share of the whole flow as the reporter
    reports it: the product's figure from a source that compiles the reporter's own customs records
    (FAOSTAT) over the reporter's total (trade.csv). The claim's year decides; the other years are shown."""
    products, trade = data.get("trade_products"), data.get("trade")
    (item,) = claim.items[:1]
    codes = [c for c in item.hs if c in set(products["product"])]
    years = pd.concat(
        [composition.product_by_year(products, trade, claim.reporter, claim.partner, claim.flow, c) for c in codes]
        or [pd.DataFrame(columns=["value", "share"])]
    )
    years = years[years["share"].notna()].sort_index()
    side = _views(claim)[0][3]
    if years.empty:
        raise DataMissing(f"{data.label('trade_products')} has no {item.name} with a share of {side}")
    known = [int(y) for y in years.index if y <= claim.year]
    year = claim.year if claim.year in known or not claim.latest_available or not known else max(known)
    if year not in years.index:
        raise DataMissing(f"{data.label('trade_products')} has no {item.name} in {side} in {year}")
    threshold = claim.min_share / 100
    share = float(years.loc[year, "share"])
    status = SUPPORTED if share >= threshold else CONTRADICTED
    above = [int(y) for y, v in years["share"].items() if v >= threshold]
    span = f"{int(years.index.min())}–{int(years.index.max())}"
    why = (
        f"a product counts as a main one at {_num(claim.min_share)}% or more of the flow; {item.name} "
        f"{'reached' if share >= threshold else 'fell short of'} it in {year}, the claim's year, with {share:.1%}"
    )
    if above and above != [year]:
        why += f"; of {span} it reached it in {_years_text(above)}"
    elif not above:
        why += f", and in no year of {span}"
    says = (
        f"{item.name} (HS {', '.join(codes)}): US$ {years.loc[year, 'value'] / 1e6:,.1f} million, "
        f"{share:.1%} of {side} in {year}; from {years['share'].min():.1%} to {years['share'].max():.1%} over {span}"
    )
    tonnes = set(years["quantity_unit"].dropna()) == {"t"}
    shown = pd.DataFrame(
        {
            "Tonnes" if tonnes else "Quantity": years["quantity"],
            "US$ million": years["value"] / 1e6,
            "US$ per tonne" if tonnes else "US$ per unit": years["unit_value"],
            "Share": years["share"],
        }
    ).rename_axis("Year")
    totals = composition.flows(trade, claim.reporter, claim.partner, claim.flow)
    source_rows = pd.concat([pd.DataFrame({"source": years["source"]}), totals[totals["year"].isin(years.index)]])
    return Verdict(claim, status, says, why, source=data.cite(source_rows), evidence=shown)


# ---------------------------------------------------------------------------------------------------
# Evaluation


def evaluate(claim: Claim, data: ClaimData) -> Verdict:
    """The claim's verdict: its metric's check, or "not checkable" when the data it needs are absent."""
    spec = METRICS[claim.metric]
    try:
        for needed in spec.needs:
            data.get(needed)
        return spec.check(claim, data)
    except DataMissing as gap:
        return Verdict(claim, NOT_CHECKABLE, str(gap), "nothing is estimated to fill the gap")


def evaluate_all(claims: list[Claim], data: ClaimData) -> dict[str, Verdict]:
    return {c.id: evaluate(c, data) for c in claims}
