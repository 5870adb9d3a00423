"""Strict inputs: numbers and years written one way only, keys that must be unique, text that stays text.

Each refusal names file, line and column (or key); what float(), pandas or YAML would have read leniently
never reaches a chapter.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from tradebook.book.tables import table
from tradebook.data import sources
from tradebook.data.contract import DATASETS
from tradebook.data.errors import InputError
from tradebook.data.importers import comtrade, eurostat, panel, wiiw
from tradebook.data.importers.common import csv_bytes
from tradebook.data.validate import check

DATA = ROOT / "data"
LENIENT = ["203e1", "1_000", "+2031", " 2020", "2020 ", "0x10", "inf", "nan", "NaN", "２０２４", "1e400", "2020.0"]


def rows(name: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO((DATA / DATASETS[name].filename).read_text(encoding="utf-8"), newline=""))
    header = next(reader)
    return header, [r for r in reader if r]


def as_csv(header: list[str], body: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue().encode()


NUMBER_COLUMNS = [(d.name, c) for d in DATASETS.values() for c in (*d.integer, *d.number)]


@pytest.mark.parametrize(("name", "column"), NUMBER_COLUMNS, ids=[f"{n}.{c}" for n, c in NUMBER_COLUMNS])
def test_lenient_numbers_and_years_are_refused_at_their_cell(name, column):
    header, body = rows(name)
    dataset = DATASETS[name]
    at = header.index(column)
    for text in LENIENT:
        if column in dataset.number and text == "2020.0":
            continue  # a plain decimal: a fine value
        edited = [list(r) for r in body[:3]]
        edited[1][at] = text
        frame, problems = check(Path(dataset.filename), dataset, raw=as_csv(header, edited))
        assert frame is None
        assert [(p.file, p.line, p.column) for p in problems] == [(dataset.filename, 3, column)], text
        assert repr(text) in problems[0].message


def test_the_hint_says_what_is_wrong():
    header, body = rows("trade")
    cases = {"203e1": "no exponent", "1_000": "no underscores", "+2031": "no plus sign", " 2020": "no spaces"}
    for text, hint in cases.items():
        edited = [list(body[0])]
        edited[0][0] = text
        _, problems = check(Path("trade.csv"), DATASETS["trade"], raw=as_csv(header, edited))
        assert f"column 'year': expected a year as a whole number of four digits ({hint}" in str(problems[0])


def test_a_date_has_ascii_digits():
    header, body = rows("events")
    edited = [list(body[0])]
    edited[0][0] = "１９９２"
    _, problems = check(Path("events.csv"), DATASETS["events"], raw=as_csv(header, edited))
    assert [(p.line, p.column) for p in problems] == [(2, "date")]


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_datasets_key_is_unique(name):
    header, body = rows(name)
    dataset = DATASETS[name]
    copy = list(body[0])
    if "value" in header:
        copy[header.index("value")] = "1.0"
    frame, problems = check(Path(dataset.filename), dataset, raw=as_csv(header, [body[0], body[1], copy]))
    assert frame is None
    key = ", ".join(body[0][header.index(c)] for c in dataset.key)
    assert [(p.line, p.message) for p in problems][:1] == [
        (4, f"duplicate key ({key}) for {', '.join(dataset.key)}; first seen on line 2")
    ]


def test_a_statement_is_recorded_once():
    """The same figure from one speaker on one day in one source, from another page: the same statement twice."""
    header, body = rows("published_figures")
    dataset = DATASETS["published_figures"]
    first = next(r for r in body if r[header.index("published")] == "2025-09-29" and "Trend" in r)
    again = list(first)
    again[header.index("url")] = "https://example.org/another-page"
    frame, problems = check(Path(dataset.filename), dataset, raw=as_csv(header, [first, again]))
    assert frame is None
    (problem,) = problems
    assert problem.line == 3
    assert problem.message.startswith("duplicate statement (2025-09-29, Tokayev, published-figures-web, ")
    assert problem.message.endswith("for published, attributed_to, source, indicator, period; first seen on line 2")


def test_a_table_of_rows_sharing_a_label_is_drawn():
    """Two statements published on the same day: pandas styles no cell of such a table, so columns are styled."""
    frame = pd.DataFrame({"Stated, bn": [7.6, 7.5], "Who": ["Tokayev", "Tokayev"]}, index=["2025-09-29"] * 2)
    html = table(frame, {"Stated, bn": "{:.2f}"}, name="same-day").to_html()
    assert html.count("2025-09-29") == 2 and "7.50" in html
    assert "#T_same-day td.col0 {\n  text-align: right;" in html and "td.col1 {\n  text-align" not in html


def test_what_the_importers_write_reads_back():
    """pandas writes 1e-05 and 1e+16; the tidy files hold plain decimals, which the contract reads."""
    frame = pd.DataFrame(
        {
            "year": [2020, 2021],
            "reporter": "KAZ",
            "partner": "ITA",
            "flow": "export",
            "value": [1e-05, 1e16],
            "currency": "USD",
            "source": "x",
        }
    )
    data = csv_bytes(frame, Path("trade.csv"), DATASETS["trade"])
    assert b",0.00001," in data and b",10000000000000000.0," in data


@pytest.mark.parametrize(
    ("module", "text", "line", "column", "message"),
    [
        (
            eurostat,
            "REPORTER,PARTNER,FLOW,month,VALUE_IN_EUR\nAustria,Kazakhstan,2-EXPORT,2019-01,5\n,Kazakhstan,2-EXPORT,2019-02,5\n",
            3,
            "REPORTER",
            "expected a country's name, got a blank",
        ),
        (
            eurostat,
            "REPORTER,PARTNER,FLOW,month,VALUE_IN_EUR\nAustria,Kazakhstan,2-EXPORT,2019-01,1_000\n",
            2,
            "VALUE_IN_EUR",
            "no underscores",
        ),
        (
            eurostat,
            "REPORTER,PARTNER,FLOW,month,VALUE_IN_EUR\nAustria,Kazakhstan,2-EXPORT,2019-13,5\n",
            2,
            "month",
            "expected a month YYYY-MM",
        ),
        (panel, "iso3,year,kz_exports_musd,kz_imports_musd\nITA,203e1,1,2\n", 2, "year", "four digits"),
        (panel, "iso3,year,kz_exports_musd,kz_imports_musd\nITA,2020,inf,2\n", 2, "kz_exports_musd", "'inf'"),
        (panel, "iso3,year,kz_exports_musd,kz_imports_musd\nITA,2020,1,-2\n", 2, "kz_imports_musd", "≥ 0"),
        (panel, "iso3,year,kz_exports_musd,kz_imports_musd\nXYZ,2020,1,2\n", 2, "iso3", "alpha-3"),
    ],
)
def test_a_publishers_file_is_read_strictly(tmp_path, module, text, line, column, message):
    path = tmp_path / "incoming.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        module.read(path)
    (problem,) = err.value.problems
    assert (problem.line, problem.column) == (line, column)
    assert message in problem.message


def test_a_publishers_exponent_is_a_number_and_nothing_else_is(tmp_path):
    """wiiw writes 4.7E-5 and BACI 1e-05: read as numbers; 1_000 and nan are not."""
    path = tmp_path / "panel.csv"
    path.write_text("iso3,year,kz_exports_musd,kz_imports_musd\nITA,2020,1.5E+3,\nCHN,2021,2,3\n", encoding="utf-8")
    read = panel.read(path)
    assert read["value"].tolist() == [1.5e9, 2e6, 3e6]
    assert comtrade._number("1.5E+09", path, 2, "primaryValue", "a value") == 1.5e9
    for bad in ("1_000", "nan", "+5", "0x10"):
        with pytest.raises(InputError, match="primaryValue"):
            comtrade._number(bad, path, 2, "primaryValue", "a value")


def test_wiiw_reads_its_exponents(tmp_path):
    fixture = (ROOT / "tests" / "fixtures" / "wiiw_fdi_small.csv").read_text(encoding="utf-8")
    assert "450" in fixture
    path = tmp_path / "wiiw.csv"
    path.write_text(fixture.replace("450", "4.5E2", 1), encoding="utf-8")
    frame, _ = wiiw.read(path)
    path.write_text(fixture, encoding="utf-8")
    expected, _ = wiiw.read(path)
    pd.testing.assert_frame_equal(frame, expected)


def test_a_numeric_citation_is_refused_with_its_line(tmp_path):
    text = (DATA / sources.FILENAME).read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  citation: "))
    lines[at] = "  citation: 2024"
    path = tmp_path / sources.FILENAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        sources.read(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}:{at + 1}: key 'citation': expected a non-empty text, got 2024"
    ]


@pytest.mark.parametrize("name", ["trade", "trade_products", "fdi"])
def test_money_the_chapters_cannot_convert_is_refused_at_its_year(name):
    """Euro values are converted at the ECB's annual rate of their year: none before 1999, none yet for 2090."""
    header, body = rows(name)
    dataset = DATASETS[name]
    euro = next(r for r in body if r[header.index("currency")] == "EUR")
    for year in ("1995", "2090"):
        edited = list(euro)
        edited[header.index("year")] = year
        frame, problems = check(Path(dataset.filename), dataset, raw=as_csv(header, [euro, edited]))
        assert frame is None
        assert [str(p) for p in problems] == [
            f"{dataset.filename}:3: column 'year': expected a year with an ECB annual average rate to US dollars "
            f"(the chapters convert the value at it), got {year}"
        ]
