"""The typed models of claims.yml and the edition files: strict, and every problem names file, line and key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES as ALL_FIXTURES

from tradebook.analysis.claim_spec import ClaimsFile
from tradebook.book.editions import EditionFile
from tradebook.data.config import Vocabulary, load_model
from tradebook.data.errors import InputError

FIXTURES = ALL_FIXTURES / "config"  # snapshots of claims.yml and an edition, so edits here stay stable
NUMERIC = ("approximately", "more_than", "less_than")


@dataclass(frozen=True)
class Rule:
    """Stands in for the analysis layer's `Metric`: only what validation reads of it."""

    comparisons: tuple[str, ...]
    requires: tuple[str, ...] = ()


# The rules of claim_checks.METRICS when the snapshot was taken: the models take any registry.
METRICS = {
    "turnover": Rule(NUMERIC),
    "exports": Rule(NUMERIC),
    "imports": Rule(NUMERIC),
    "turnover_growth": Rule(NUMERIC),
    "partner_rank": Rule(("rank", "top")),
    "fdi_rank": Rule(("rank", "top"), ("measure",)),
    "fdi_cumulative": Rule(NUMERIC, ("measure",)),
    "agreement_value": Rule(NUMERIC),
    "companies_count": Rule(NUMERIC),
    "main_products": Rule(("includes",), ("flow", "items", "min_share")),
}
ISO3 = frozenset({"KAZ", "ITA", "CHN", "RUS", "DEU", "NLD", "USA", "WLD"})
HS_KNOWN = frozenset({"2709", "7202", "1001", "74", "76", "79", "78", "7112", "2710", "8426", "8413", "84", "30"})


@pytest.fixture
def vocabulary() -> Vocabulary:
    return Vocabulary(iso3=ISO3, metrics=METRICS, hs_code=HS_KNOWN.__contains__)


CLAIMS = (FIXTURES / "claims.yml").read_text(encoding="utf-8")
EDITION = (FIXTURES / "kazakhstan-italy.yml").read_text(encoding="utf-8")


def problems_of(tmp_path: Path, name: str, text: str, model, context=None, label="column") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_model(path, model, context=context, label=label)
    return [str(p).replace(f"{tmp_path}/", "") for p in err.value.problems]


def edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of_text(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# --- claims.yml -----------------------------------------------------------------------------------------


def test_the_shipped_claims_load(vocabulary):
    claims = load_model(FIXTURES / "claims.yml", ClaimsFile, context=vocabulary)
    assert len(claims.claims) == 11 and set(claims.articles) == {"timesca-2025-05"}
    growth = claims.claims[0].asserts
    assert (growth.period, growth.value, growth.tolerance) == ((2024, 2024), 25.0, 2.5)
    assert type(growth.value) is float
    two_decades = next(c for c in claims.claims if c.id == "fdi_two_decades")
    assert two_decades.asserts.period == (2005, 2024)
    products = next(c for c in claims.claims if c.id == "kz_exports_products").asserts
    assert products.items[0].name == "crude oil" and products.items[0].hs == ["2709"]


# The cases of tests/test_claims.py (BROKEN): same message fragments, same line, same key.
BROKEN = [
    ("comparison: more_than", "comparison: bigger", "comparison", "expected one of approximately"),
    ("metric: turnover_growth", "metric: growth", "metric", "expected one of the metrics"),
    (
        '    article: timesca-2025-05\n    quote: "trade between',
        '    article: nyt\n    quote: "trade between',
        "article",
        "unknown article 'nyt'",
    ),
    ("reporter: KAZ", "reporter: Kazakhstan", "reporter", "ISO 3166 alpha-3"),
    ('{name: cranes, hs: ["8426"]}', '{name: cranes, hs: ["8499"]}', "items", "'8499' is not one"),
    ("  - id: exports_2024", "  - id: turnover_2024", "id", "duplicate claim id 'turnover_2024'"),
    ("      period: 2023", "      period: [2023, 2020]", "period", "a year from"),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), BROKEN)
def test_malformed_claim_is_one_clear_error(tmp_path, vocabulary, old, new, field, message):
    line = line_of_text(CLAIMS, old) + new[: max(new.find(field), 0)].count("\n")
    (problem,) = problems_of(tmp_path, "claims.yml", edited(CLAIMS, old, new), ClaimsFile, vocabulary)
    assert re.search(rf"claims\.yml:{line}: column '{field}': ", problem), problem
    assert message in problem


@pytest.mark.parametrize("period", ["'2024'", "2024.0", "true", "[2005, 2024, 2025]", "1850", "[2005, '2024']"])
def test_a_year_is_an_int_in_range(tmp_path, vocabulary, period):
    text = edited(CLAIMS, "      period: 2024\n", f"      period: {period}\n")
    (problem,) = problems_of(tmp_path, "claims.yml", text, ClaimsFile, vocabulary)
    assert f"claims.yml:{line_of_text(CLAIMS, '      period: 2024')}: column 'period': expected a year" in problem


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("      value: 25\n", "      value: '25'\n", "value", "expected a number, got '25'"),
        ("      value: 25\n", "      value: .nan\n", "value", "expected a number, got '.nan'"),
        ("      tolerance: 2.5\n", "      tolerance: -1\n", "tolerance", "expected a number ≥ 0, got -1"),
        ("      latest_available: true\n", "      latest_available: yes\n", "latest_available", "true or false"),
        ("      min_share: 1\n", "      min_share: 101\n", "min_share", "a percentage from 0 to 100"),
        ("      measure: stock\n", "      measure: stocks\n", "measure", "expected one of inflow, stock"),
        ("      flow: export\n", "      flow: exports\n", "flow", "expected one of export, import"),
        ("      after: [CHN, RUS]\n", "      after: [CHN, XYZ]\n", "after", "ISO 3166 alpha-3 country code, got 'XYZ'"),
        ("      after: [CHN, RUS]\n", "      after: []\n", "after", "expected a list of ISO3 country codes"),
        ("      unit: percent\n", "      unit: per cent\n", "unit", "expected one of USD billion, percent"),
        ("    chapter: trade_growth\n", "    chapter: ../etc\n", "chapter", "expected a notebook name"),
        ("  - id: trade_growth_2024\n", "  - id: Trade-Growth\n", "id", "lower-case letters, digits and _"),
        ("    label: Trade grew by 25% in 2024\n", '    label: "Trade\\ngrew"\n', "label", "text on one line"),
        (
            "    label: Trade grew by 25% in 2024\n",
            '    label: "Trade \\u202e"\n',
            "label",
            "without control characters",
        ),
        ("    label: Trade grew by 25% in 2024\n", "    label: 2024\n", "label", "a non-empty text, got 2024"),
        ("    label: Trade grew by 25% in 2024\n", "    label: ''\n", "label", "a non-empty text, got ''"),
        (
            "    label: Trade grew by 25% in 2024\n",
            "    colour: red\n    label: x\n",
            "colour",
            "unexpected field in claim",
        ),
        (
            "      unit: percent\n",
            "      unit: percent\n      colour: red\n",
            "colour",
            "unexpected field in the asserts",
        ),
        ('    date: "2025-05"\n', '    date: "2025-13"\n', "date", "a date YYYY-MM-DD or YYYY-MM"),
        ('    date: "2025-05"\n', "    date: 2025-02-30\n", "date", "a date YYYY-MM-DD or YYYY-MM"),
    ],
)
def test_field_refusals(tmp_path, vocabulary, old, new, key, message):
    (problem,) = problems_of(tmp_path, "claims.yml", edited(CLAIMS, old, new), ClaimsFile, vocabulary)
    line = line_of_text(CLAIMS, old) + new[: new.find(key)].count("\n")
    assert problem.startswith(f"claims.yml:{line}: column '{key}': "), problem
    assert message in problem


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/a",
        "https://example.org/<img src=x>",
        '"https://example.org/a b"',
        'https://example.org/"onmouseover',
        "//example.org",
    ],
)
def test_urls_are_http_addresses_and_nothing_else(tmp_path, vocabulary, url):
    text = re.sub(r"    url: .*\n", f"    url: {url}\n", CLAIMS, count=1)
    (problem,) = problems_of(tmp_path, "claims.yml", text, ClaimsFile, vocabulary)
    assert "column 'url': expected an http(s) address" in problem


@pytest.mark.parametrize("url", ["http://example.org", "https://example.org:8443/a/b?c=d&e=f#g", "https://x.org?a=1"])
def test_urls_accepted(tmp_path, vocabulary, url):
    path = tmp_path / "claims.yml"
    path.write_text(re.sub(r"    url: .*\n", f"    url: {url}\n", CLAIMS, count=1), encoding="utf-8")
    assert load_model(path, ClaimsFile, context=vocabulary).articles["timesca-2025-05"].url == url


def test_metric_rules_come_from_the_registry(tmp_path):
    """The analysis layer owns what each metric allows; the same file passes or fails with its registry."""
    strict = {**METRICS, "turnover_growth": Rule(("more_than",), ("flow",))}
    context = Vocabulary(iso3=ISO3, metrics=strict, hs_code=lambda code: True)
    problems = problems_of(tmp_path, "claims.yml", CLAIMS, ClaimsFile, context)
    line = line_of_text(CLAIMS, "      comparison: approximately")
    assert problems == [
        f"claims.yml:{line}: column 'comparison': expected more_than for metric turnover_growth, got 'approximately'"
    ]
    needs_flow = {**METRICS, "turnover_growth": Rule(("approximately",), ("flow",))}
    context = Vocabulary(iso3=ISO3, metrics=needs_flow, hs_code=lambda code: True)
    (problem,) = problems_of(tmp_path, "claims.yml", CLAIMS, ClaimsFile, context)
    assert problem == (
        f"claims.yml:{line_of_text(CLAIMS, '    asserts:')}: column 'flow': missing flow, needed by turnover_growth "
        "with approximately"
    )


def test_a_comparison_brings_its_own_requirements(tmp_path, vocabulary):
    text = edited(CLAIMS, "      tolerance: 2.5\n", "")
    (problem,) = problems_of(tmp_path, "claims.yml", text, ClaimsFile, vocabulary)
    assert "column 'tolerance': missing tolerance, needed by turnover_growth with approximately" in problem


def test_iso3_codes_may_come_from_a_function(tmp_path):
    context = Vocabulary(iso3=lambda code: code in {"KAZ", "ITA", "CHN", "RUS"}, metrics=METRICS)
    assert load_model(FIXTURES / "claims.yml", ClaimsFile, context=context).claims
    context = Vocabulary(iso3=lambda code: code != "RUS", metrics=METRICS)
    (problem,) = problems_of(tmp_path, "claims.yml", CLAIMS, ClaimsFile, context)
    assert "column 'after': expected an ISO 3166 alpha-3 country code, got 'RUS'" in problem


def test_claims_need_a_vocabulary():
    with pytest.raises(TypeError, match="needs a Vocabulary"):
        load_model(FIXTURES / "claims.yml", ClaimsFile)


def test_every_problem_is_listed_in_file_order(tmp_path, vocabulary):
    text = edited(CLAIMS, "reporter: KAZ", "reporter: kaz")
    text = edited(text, "  - id: exports_2024", "  - id: turnover_2024")
    text = edited(text, "  - id: agreements_2009", "  - id: turnover_2024")
    text = edited(text, '    article: timesca-2025-05\n    quote: "Of this', '    article: nyt\n    quote: "Of this')
    problems = problems_of(tmp_path, "claims.yml", text, ClaimsFile, vocabulary)
    assert [int(p.split(":")[1]) for p in problems] == sorted(int(p.split(":")[1]) for p in problems)
    assert len(problems) == 1  # the cross-file checks run once every claim is well-formed
    text = edited(text, "reporter: kaz", "reporter: KAZ")
    problems = problems_of(tmp_path, "claims.yml", text, ClaimsFile, vocabulary)
    assert [p.split(": ", 2)[2] for p in problems] == [
        "duplicate claim id 'turnover_2024'; first on line 48",
        "unknown article 'nyt'",
        "duplicate claim id 'turnover_2024'; first on line 48",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "claims.yml:1: expected a mapping with articles, claims, got None"),
        ("- a\n", "claims.yml:1: expected a mapping with articles, claims, got ['a']"),
        ("articles: {}\nclaims: []\n", "claims.yml:1: column 'articles': expected a mapping of article ids, got {}"),
    ],
)
def test_file_shape(tmp_path, vocabulary, text, message):
    assert problems_of(tmp_path, "claims.yml", text, ClaimsFile, vocabulary)[0] == message


# --- editions -------------------------------------------------------------------------------------------


def test_the_shipped_edition_loads():
    edition = load_model(FIXTURES / "kazakhstan-italy.yml", EditionFile)
    assert edition.edition.slug == "kazakhstan-italy"
    assert edition.parameters == {
        "reporter": "KAZ",
        "partner": "ITA",
        "start_year": 2000,
        "end_year": None,
        "forecast_years": 3,
    }


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("parameters:", "colour: red\nparameters:", "colour", "key 'colour': unexpected field in the edition file"),
        ("  slug: kazakhstan-italy", "  slug: Kazakhstan Italy", "  slug", "a slug of lower-case letters"),
        ("  slug: kazakhstan-italy\n", "", "edition:\n", "key 'slug': missing slug in the edition (slug, title)"),
        ("  forecast_years: 3", "  forecast years: 3", "  forecast years", "a parameter name"),
        ("  forecast_years: 3", "  class: 3", "  class", "a parameter name"),
        ("  forecast_years: 3", "  forecast_years: 3\n  forecast_years: 4", "  forecast_years: 4", "duplicate key"),
        ("  forecast_years: 3", "  forecast_years: &f 3\n  horizon: *f", "  forecast_years", "aliases are not allowed"),
        ('  title: "Kazakhstan', '  title: "<b>\\nKazakhstan', "  title", "text on one line"),
    ],
)
def test_edition_refusals(tmp_path, old, new, where, message):
    text = edited(EDITION, old, new)
    (problem,) = problems_of(tmp_path, "kazakhstan-italy.yml", text, EditionFile, label="key")
    assert problem.startswith(f"kazakhstan-italy.yml:{line_of_text(text, where)}: "), problem
    assert message in problem


def test_parameter_values_are_left_to_the_notebooks_types(tmp_path):
    """Values are typed later, against the notebooks' declared parameters; the loader keeps them honest."""
    path = tmp_path / "e.yml"
    path.write_text(edited(EDITION, "forecast_years: 3", "forecast_years: 1_000"), encoding="utf-8")
    assert load_model(path, EditionFile).parameters["forecast_years"] == "1_000"  # text: refused as an int later
