"""data/claims.yml as typed models: what the article says and what each claim asserts, checked strictly.

Each problem names file, line and key. Which comparisons and fields a metric allows is the rule of its
check (claim_checks.METRICS), passed to validation as the vocabulary; the models then become the
`Claim` objects the checks read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, PlainValidator, ValidationInfo, model_validator

from ..data.config import (
    Date,
    Iso3,
    Line,
    Number,
    Strict,
    Text,
    Url,
    Vocabulary,
    at_least,
    expected,
    load_model,
    non_empty,
    one_of,
    pattern,
    refused,
    refused_all,
    vocabulary,
)
from ..data.contract import FDI_MEASURES, FLOWS, MAX_YEAR, MEASURES, MIN_YEAR, iso3_codes
from ..data.errors import InputError, Problem
from ..data.folder import DataFolder
from ..data.yamlfile import Loc, line_at
from . import claims
from .claim_checks import METRICS
from .composition import hs_entry

FILENAME = "claims.yml"


def _period(value: Any) -> tuple[int, int]:
    years = value if isinstance(value, list) else [value]
    ok = len(years) in (1, 2) and all(type(y) is int and MIN_YEAR <= y <= MAX_YEAR for y in years)
    if not ok or years != sorted(years):
        raise expected(f"a year from {MIN_YEAR} to {MAX_YEAR}, or [first, last]")
    return years[0], years[-1]


def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise expected("a percentage from 0 to 100")
    return value


def _metric(value: Any, info: ValidationInfo) -> str:
    metrics = vocabulary(info).metrics or {}
    if not isinstance(value, str) or value not in metrics:
        raise expected("one of the metrics " + ", ".join(sorted(metrics)))
    return value


def _required_for(comparison: str) -> tuple[str, ...]:
    """Fields a comparison needs, beyond what its metric requires."""
    if comparison == "approximately":
        return ("value", "tolerance")
    return () if comparison == "includes" else ("value",)


class Article(Strict):
    title: Line
    publisher: Text
    date: Date
    url: Url
    note: Text = ""


class Item(Strict):
    """A product named in a list claim and the HS codes (chapters, headings or subheadings) that name it."""

    name: Text
    hs: list[str]

    @model_validator(mode="after")
    def _known_codes(self, info: ValidationInfo) -> Item:
        known = vocabulary(info).hs_code or (lambda code: True)
        what = "HS chapters, headings or subheadings that exist"
        if not self.hs:
            raise expected(what)
        for code in self.hs:
            if not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", code) or not known(code):
                raise refused(f"expected {what}; {code!r} is not one")
        return self


class Assert(Strict):
    """What a claim asserts in checkable form; which comparisons and fields a metric needs is its rule's."""

    metric: Annotated[str, PlainValidator(_metric)]
    period: Annotated[tuple[int, int], PlainValidator(_period)]
    reporter: Iso3
    partner: Iso3
    comparison: Annotated[str, one_of(claims.COMPARISONS)]
    unit: Annotated[str, one_of(tuple(claims.UNITS))]
    value: Number | None = None
    tolerance: Annotated[Number, at_least(0, "a number ≥ 0")] = 0.0
    latest_available: bool = False
    measure: Annotated[str, one_of(FDI_MEASURES)] | None = None
    flow: Annotated[str, one_of(FLOWS)] | None = None
    after: Annotated[list[Iso3], non_empty("a list of ISO3 country codes")] | None = None
    items: Annotated[list[Item], non_empty("a list of {name: …, hs: [HS codes]}")] | None = None
    min_share: Annotated[Number, AfterValidator(_percent)] | None = None
    flows: Annotated[str, one_of(claims.FDI_FLOWS)] | None = None
    investor: Annotated[str, one_of(claims.FDI_INVESTORS)] | None = None
    statement_measure: Annotated[str, one_of(tuple(MEASURES))] | None = None

    @model_validator(mode="after")
    def _metric_rule(self, info: ValidationInfo) -> Assert:
        rule = (vocabulary(info).metrics or {})[self.metric]
        if self.comparison not in rule.comparisons:
            allowed = " or ".join(rule.comparisons)
            message = f"expected {allowed} for metric {self.metric}, got {self.comparison!r}"
            raise refused(message, at=("comparison",))
        for key in (*rule.requires, *_required_for(self.comparison)):
            if key not in self.model_fields_set or getattr(self, key) is None:
                raise refused(f"missing {key}, needed by {self.metric} with {self.comparison}", at=(key,))
        return self


class ClaimEntry(Strict):
    id: Annotated[str, pattern(r"[a-z][a-z0-9_]*", "lower-case letters, digits and _")]
    label: Line
    article: Text
    quote: Text
    asserts: Assert
    chapter: Annotated[str, pattern(r"[A-Za-z0-9_-]+", "a notebook name, e.g. trade_growth")] | None = None
    note: Text = ""


class ClaimsFile(Strict):
    """The article(s) and their claims; references and ids are checked across the file."""

    articles: Annotated[
        dict[Annotated[str, pattern(r"[A-Za-z0-9_.-]+", "an article id")], Article],
        non_empty("a mapping of article ids"),
    ]
    claims: Annotated[list[ClaimEntry], non_empty("a list of claims")]

    @model_validator(mode="wrap")
    @classmethod
    def _checks_across_claims(cls, data: Any, handler: Callable[[Any], ClaimsFile]) -> ClaimsFile:
        model = handler(data)
        found: list[tuple[Loc, str]] = []
        first: dict[str, int] = {}
        for i, claim in enumerate(model.claims):
            if claim.article not in model.articles:
                found.append((("claims", i, "article"), f"unknown article {claim.article!r}"))
            if claim.id in first:
                line = line_at(data, ("claims", first[claim.id], "id"))
                found.append((("claims", i, "id"), f"duplicate claim id {claim.id!r}; first on line {line}"))
            first.setdefault(claim.id, i)
        if found:
            raise refused_all(found)
        return model

    @classmethod
    def describe(cls, data: Any, loc: Loc) -> str:
        if loc[:1] == ("articles",) and len(loc) > 1:
            return f"article '{loc[1]}'"
        if loc[:1] == ("claims",) and len(loc) > 1 and isinstance(loc[1], int):
            entries = data.get("claims") if isinstance(data, dict) else None
            entry = entries[loc[1]] if isinstance(entries, list) and 0 <= loc[1] < len(entries) else None
            cid = entry.get("id") if isinstance(entry, dict) else None
            claim = f"claim '{cid}'" if isinstance(cid, str) else f"claim {loc[1] + 1}"
            return f"the asserts of {claim}" if "asserts" in loc[2:] else claim
        return "claims.yml (articles, claims)"


def _vocabulary() -> Vocabulary:
    return Vocabulary(iso3=iso3_codes(), metrics=METRICS, hs_code=lambda code: hs_entry(code) is not None)


def _claim(entry: ClaimEntry, articles: dict[str, claims.Article]) -> claims.Claim:
    a = entry.asserts
    return claims.Claim(
        id=entry.id,
        label=entry.label.strip(),
        article=articles[entry.article],
        quote=" ".join(entry.quote.split()),
        metric=a.metric,
        period=a.period,
        reporter=a.reporter,
        partner=a.partner,
        comparison=a.comparison,
        unit=a.unit,
        value=a.value,
        tolerance=a.tolerance,
        latest_available=a.latest_available,
        measure=a.measure,
        flow=a.flow,
        after=tuple(a.after or ()),
        items=tuple(claims.Item(i.name, tuple(i.hs)) for i in a.items or ()),
        min_share=a.min_share,
        flows=a.flows,
        investor=a.investor,
        statement_measure=a.statement_measure,
        chapter=entry.chapter,
        note=" ".join(entry.note.split()),
    )


def read(path: Path) -> list[claims.Claim]:
    """The claims of a claims.yml; InputError names every problem (file, line and key)."""
    spec = load_model(path, ClaimsFile, context=_vocabulary())
    articles = {
        aid: claims.Article(aid, a.title.strip(), a.publisher.strip(), a.date, a.url, " ".join(a.note.split()))
        for aid, a in spec.articles.items()
    }
    return [_claim(entry, articles) for entry in spec.claims]


def check(path: Path) -> list[Problem]:
    """Every problem in a claims.yml (none when it is valid)."""
    try:
        read(path)
    except InputError as err:
        return err.problems
    return []


def load(folder: DataFolder) -> list[claims.Claim]:
    """The validated claims of a data folder (none when it has no claims.yml); InputError names every problem."""
    path = folder.file(FILENAME)
    return read(path) if path.exists() else []
