"""Property-based tests over the data contract (Hypothesis): every input the book reads, mutated.

Each example edits one input of a copy of data/ or of an edition: cells of any column of a data file (other
rows' values, lenient number syntax, boundaries, any text), whole rows dropped or copied with a change, or
keys of a YAML file renamed, repeated, dropped or given another value. The book's own validation
(`build.validate_inputs`, `editions.check`) must then either refuse it with its place (file and line, and
the column or key), or accept it; accepted data then runs through the code of every chapter that reads the
file (tests/chapters.py: the notebooks' own cells, in this process) without an exception.

The examples are fixed (derandomize) so that CI repeats them; they are few, to keep `make test` fast.
`HYPOTHESIS_PROFILE=deep` searches: twenty times as many, new ones each run (tens of minutes), for when the
contract or a chapter changes. What a search found stays below as explicit cases.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import chapters
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tradebook.analysis import claim_spec
from tradebook.book import editions
from tradebook.book.staging import validate_inputs
from tradebook.data import folder as folder_module
from tradebook.data import sources, validate
from tradebook.data.contract import DATASETS
from tradebook.data.errors import InputError, Problem, display_path
from tradebook.data.numbers import NumberError, parse_integer, parse_number, parse_year, plain

DATA = ROOT / "data"
EDITION = ROOT / "params" / editions.DEFAULT
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"  # a search: 20 times the examples, new ones each run


def budget(examples: int) -> settings:
    """Fixed examples (the same in every run) unless searching; no deadline: a chapter takes seconds."""
    return settings(
        max_examples=examples * (20 if DEEP else 1),
        deadline=None,
        derandomize=not DEEP,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# --- Numbers and years: the syntax the files must use, and the writer that keeps to it -------------------


@budget(300)
@given(st.text(max_size=12) | st.sampled_from(["203e1", "1_000", "+2031", " 2020", "0x10", "inf", "nan", "1e400"]))
def test_a_number_is_plain_decimals_or_refused(text):
    try:
        value = parse_number(text)
    except NumberError as err:
        assert str(err).startswith("expected a number") and repr(text) in str(err)
    else:
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) and value == float(text)


@budget(300)
@given(st.text(alphabet="0123456789-+.eE_x ", max_size=6) | st.text(max_size=6))
def test_a_year_is_four_digits_and_an_integer_plain_digits(text):
    try:
        assert parse_year(text) == int(text) and re.fullmatch(r"[0-9]{4}", text)
    except NumberError as err:
        assert str(err).startswith("expected a year")
    try:
        assert parse_integer(text) == int(text) and re.fullmatch(r"-?[0-9]+", text)
    except NumberError as err:
        assert str(err).startswith("expected a whole number")


@budget(300)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_number_the_importers_write_reads_back_exactly(value):
    assert parse_number(plain(value)) == value + 0.0


@budget(100)
@given(st.floats(allow_nan=False, allow_infinity=False).map(lambda v: f"{v:e}") | st.sampled_from(["4.7E-5", "1e-05"]))
def test_a_publishers_exponent_is_read_where_allowed(text):
    assert parse_number(text, exponent=True) == float(text)
    with pytest.raises(NumberError, match="no exponent"):
        parse_number(text)


# --- The inputs, mutated -----------------------------------------------------------------------------------


class Table:
    """A data file as rows of text, with the values each column holds (for plausible edits)."""

    def __init__(self, path: Path):
        reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
        self.header = next(reader)
        self.rows = [row for row in reader if row]
        self.values = {c: sorted({row[i] for row in self.rows}) for i, c in enumerate(self.header)}
        # Rows of the default edition's pair and its world totals: those the chapters show.
        self.focus = [i for i, row in enumerate(self.rows) if "ITA" in row or {"KAZ", "WLD"} <= set(row)] or [0]

    def text(self, rows: list[list[str]]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([self.header, *rows])
        return out.getvalue()


TABLES = {name: Table(DATA / d.filename) for name, d in DATASETS.items()}

# Numbers as float(), pandas or a spreadsheet would read them; none is the contract's syntax.
LENIENT = ["203e1", "1_000", "+2031", " 2020", "2020 ", "0x10", "inf", "-inf", "nan", "NaN", "1e400", "２０２４"]
LENIENT += ["2020.0", "1,000", ".5", "5.", "007", "1e5", "1E-5", "\u00a02020", "٢٠٢٠"]
# Edges of the contract's ranges and vocabularies, most of them valid somewhere.
EDGES = ["", "0", "0.0", "-0.0", "-1", "-5.5", "0.001", "1", "12", "13", "1989", "1990", "1999", "2100", "2101"]
EDGES += ["9" * 30, "0." + "0" * 20 + "1", "1" + "0" * 308, "WLD", "KAZ", "ITA", "USA", "ATA", "EUR", "USD", "JPY"]
EDGES += ["TOTAL", "MANUF", "SXV", "27", "2709", "270900", "2709:KZ_CPC_BLN", "export", "import", "inflow", "stock"]
EDGES += ["2024-01-18", "2024-02-30", "2024", "approx.", "undated", "https://example.org/a", "bbl", "t"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)


def cell(table: Table, column: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(table.values[column]), st.sampled_from(LENIENT), st.sampled_from(EDGES), TEXT)


@st.composite
def table_edit(draw: st.DrawFn, name: str) -> str:
    """The data file after one or two edits: a cell changed, a row dropped, or a row copied with a change."""
    table = TABLES[name]
    rows = [list(r) for r in table.rows]
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.sampled_from(table.focus) | st.integers(0, len(table.rows) - 1)) % len(rows)
        kind = draw(st.sampled_from(["cell", "cell", "drop", "copy"]))
        if kind == "drop":
            del rows[at]
            continue
        column = draw(st.sampled_from(table.header))
        row = list(rows[at])
        row[table.header.index(column)] = draw(cell(table, column))
        if kind == "copy":
            rows.insert(at + 1, row)
        else:
            rows[at] = row
    return table.text(rows)


KEY_LINE = re.compile(r"^(?P<indent>\s*(?:- )?)(?P<key>[^\s:#'\"][^:#]*?):(?P<value>(?: .*)?)$")
YAML_VALUES = ["1e3", "no", "on", "0x10", "1_000", "+2031", ".inf", ".nan", "null", "~", "010", "-0", "2024", "-2"]
YAML_VALUES += ["3.5", "true", "[]", "{}", "[1, 2]", "&a x", "*a", "!!python/object/apply:os.system [ls]", "2030"]
YAML_VALUES += ['"<img src=https://x.test/i.png>"', "$\\notacommand{x}$", "'2024-05-01'", "ITA", "WLD", "CHN", "''"]
YAML_VALUES += ["1980", "2005", "200000000", "|\n  two\n  lines", "x" * 200]
KEYS = ["id", "title", "citation", "value", "year", "years", "partner", "colour", "start_year", "end_year", "notes"]


@st.composite
def yaml_edit(draw: st.DrawFn, text: str) -> str:
    """The YAML text after an edit of one key: renamed, repeated, dropped, re-indented or another value."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 2))):
        keyed = {i: m for i, line in enumerate(lines) if (m := KEY_LINE.match(line.rstrip("\n")))}
        i = draw(st.sampled_from(sorted(keyed)))
        match = keyed[i]
        indent, key, value = match["indent"], match["key"], match["value"]
        kind = draw(st.sampled_from(["rename", "repeat", "drop", "indent", "value", "value"]))
        if kind == "rename":
            new = draw(st.sampled_from(KEYS) | st.from_regex(r"[a-z_]{1,8}", fullmatch=True))
            lines[i] = f"{indent}{new}:{value}\n"
        elif kind == "repeat":
            lines.insert(i + 1, lines[i])
        elif kind == "drop":
            lines[i] = "\n"
        elif kind == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "   ", "\t"])) + lines[i].lstrip(" ")
        else:
            new = draw(st.sampled_from(YAML_VALUES) | TEXT.map(lambda t: json_string(t)))
            lines[i] = f"{indent}{key}: {new}\n"
    return "".join(lines)


def json_string(text: str) -> str:
    """Any text as a YAML double-quoted scalar (YAML's double quotes escape as JSON's do)."""
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


# --- The oracle ---------------------------------------------------------------------------------------------


def assert_located(problems: list[Problem], *where: Path) -> None:
    """Each problem names a file of the folder (or the file) and a line in it, on one line."""
    assert problems
    names = {p.name for w in where for p in (w.iterdir() if w.is_dir() else [w])}
    for problem in problems:
        assert Path(problem.file).name in names, problem
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert "\n" not in str(problem) and "Traceback" not in str(problem), problem


@contextlib.contextmanager
def memoised() -> Iterator[None]:
    """Validation and loading of files whose content was seen before answer from memory: an example pays
    only for the file it changed (the checks themselves are the book's own)."""
    seen: dict[tuple, Any] = {}

    def remember(real: Callable, key: tuple, *args: Any) -> Any:
        if key not in seen:
            seen[key] = real(*args)
        return seen[key]

    real_check, real_sources, real_claims = validate.check, sources.read, claim_spec.read

    def check(path: Path, dataset, rules: bool = True, raw: bytes | None = None):
        content = raw if raw is not None else Path(path).read_bytes() if Path(path).is_file() else None
        if content is None:
            return real_check(path, dataset, rules, raw)
        key = ("csv", display_path(path), dataset.name, rules, hashlib.sha256(content).digest())
        frame, problems = remember(real_check, key, path, dataset, rules, content)
        return (None if frame is None else frame.copy()), list(problems)

    def by_content(kind: str, real: Callable) -> Callable:
        def read(path: Path):
            key = (kind, display_path(path), hashlib.sha256(Path(path).read_bytes()).digest())
            try:
                return remember(real, key, path)
            except InputError:
                seen.pop(key, None)
                raise

        return read

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(validate, "check", check)
        mp.setattr(folder_module, "check", check)
        mp.setattr(sources, "read", by_content("sources", real_sources))
        mp.setattr(claim_spec, "read", by_content("claims", real_claims))
        yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Iterator[Path]:
    """A copy of data/ that each example edits and puts back; the chapters' code ready to run on it."""
    copy = tmp_path_factory.mktemp("mutated") / "data"
    shutil.copytree(DATA, copy)
    with memoised(), chapters.offline():
        yield copy


@pytest.fixture(scope="module")
def readers(folder) -> dict[str, list[str]]:
    """Which chapters read which input (the files each reads on the shipped data, which it must get through)."""
    found: dict[str, list[str]] = {}
    for name in chapters.names():
        for file in chapters.run(name, parameters(folder)):
            found.setdefault(file, []).append(name)
    return found


def parameters(folder: Path, edition: editions.Edition | None = None) -> dict[str, Any]:
    """The default edition's parameters (or another's), on the data in `folder`."""
    edition = edition or editions.resolve(ROOT, str(EDITION), {})
    return {**edition.parameters, "notes": edition.notes, "data_dir": str(folder)}


def refusals(folder: Path) -> list[Problem]:
    """What `tradebook build` refuses before any notebook runs: the inputs, then the edition on these data."""
    problems = validate_inputs(folder)
    if not problems:
        try:
            editions.check(editions.resolve(ROOT, str(EDITION), {"data_dir": (str(folder), "--data-dir")}), ROOT)
        except InputError as err:
            problems = err.problems
    return problems


def refused_or_read(folder: Path, file: str, text: str, readers: dict[str, list[str]]) -> None:
    """Put `text` in `file`: the build refuses it with its place, or every chapter reading the file runs."""
    path = folder / file
    original = path.read_bytes()
    path.write_text(text, encoding="utf-8")
    try:
        problems = refusals(folder)
        event("refused" if problems else "accepted")  # pytest --hypothesis-show-statistics counts them
        if problems:
            assert_located(problems, folder, EDITION)
            return
        for name in readers.get(file, []):
            chapters.run(name, parameters(folder))
    finally:
        path.write_bytes(original)


# Examples per input: each accepted one runs every chapter reading the file (seconds), refusals are cheap.
EXAMPLES = {"trade": 2, "trade_products": 3, "fdi": 4, "published_figures": 3, "events": 6, "oil_prices": 2}


@pytest.mark.xdist_group("properties")
@pytest.mark.parametrize("name", list(DATASETS))
def test_a_mutated_data_file_is_refused_with_its_place_or_read_by_every_chapter(folder, readers, name):
    @budget(EXAMPLES[name])
    @given(table_edit(name))
    def check(text):
        refused_or_read(folder, DATASETS[name].filename, text, readers)

    check()


@pytest.mark.xdist_group("properties")
@pytest.mark.parametrize(("file", "examples"), [(sources.FILENAME, 2), (claim_spec.FILENAME, 4)])
def test_a_mutated_yaml_input_is_refused_with_its_place_or_read_by_every_chapter(folder, readers, file, examples):
    @budget(examples)
    @given(yaml_edit((DATA / file).read_text(encoding="utf-8")))
    def check(text):
        refused_or_read(folder, file, text, readers)

    check()


@pytest.mark.xdist_group("properties")
@pytest.mark.parametrize("edition", sorted(p.name for p in (ROOT / "params").glob("*.yml")))
def test_a_mutated_edition_is_refused_with_its_place_or_builds_every_chapter(folder, tmp_path_factory, edition):
    place = tmp_path_factory.mktemp("edition") / edition

    @budget(4)
    @given(yaml_edit((ROOT / "params" / edition).read_text(encoding="utf-8")))
    def check(text):
        place.write_text(text, encoding="utf-8")
        try:
            resolved = editions.resolve(ROOT, str(place), {})
            editions.check(resolved, ROOT)
        except InputError as err:
            assert_located(err.problems, place)
            return
        for name in chapters.names():
            chapters.run(name, parameters(folder, resolved))

    check()


# --- What the search found, kept as examples --------------------------------------------------------------


Row = Callable[[dict[str, str]], bool]


def edited(name: str, where: Row, change: dict[str, str] | None, copy: bool = False) -> str:
    """The data file with the rows `where` holds changed (or copied with the change, or dropped if no change)."""
    table = TABLES[name]
    rows = []
    for row in table.rows:
        record = dict(zip(table.header, row, strict=True))
        if not where(record):
            rows.append(row)
        elif change is not None:
            rows += [row] * copy + [[change.get(c, v) for c, v in record.items()]]
    return table.text(rows)


def pair(year: str | None = None, flow: str | None = None) -> Row:
    return lambda r: (
        (r["reporter"], r["partner"]) == ("KAZ", "ITA")
        and r["year"] == (year or r["year"])
        and (r["flow"] == (flow or r["flow"]))
    )


FOUND = [
    # A year with no trade at all (both flows 0, as the contract allows) stopped the growth chapter twice: the
    # log of 0 (any such year), and the CAGR of a window that ends in it (2020 ends one).
    ("trade", edited("trade", pair("2020"), {"value": "0"}), ["trade_growth"]),
    # Euro figures of 1995 stopped the investment, introduction and claims chapters: the ECB's annual rates
    # start in 1999. Refused now at the year, as is a year the shipped rates do not reach yet.
    ("fdi", edited("fdi", lambda r: r["year"] == "2003" and r["investor"] == "ITA", {"year": "1995"}, copy=True), []),
    # Exports without imports in every year but one passed (partial years are only warned of) and stopped
    # the introduction and the growth chapter at their second complete year. Refused now by the edition.
    ("trade", edited("trade", lambda r: pair(flow="import")(r) and r["year"] != "2024", None), []),
    # Two statements of one day by one speaker in one source: the investment chapter's table stopped.
    (
        "published_figures",
        edited(
            "published_figures",
            lambda r: r["published"] == "2025-09-29" and r["publisher"] == "Trend",
            {"period": "2005-2024 cumulative", "value": "7.5", "amount": "7500000000.0"},
            copy=True,
        ),
        ["investment_history"],
    ),
]


@pytest.mark.xdist_group("properties")
@pytest.mark.parametrize(("name", "text", "runs"), FOUND, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(FOUND)])
def test_what_the_search_found_is_refused_with_its_place_or_runs(folder, name, text, runs):
    """Each case once stopped a chapter with an exception; now it is refused with its place, or it runs."""
    path = folder / DATASETS[name].filename
    original = path.read_bytes()
    path.write_text(text, encoding="utf-8")
    try:
        problems = refusals(folder)
        assert bool(problems) != bool(runs), problems
        if problems:
            assert_located(problems, folder, EDITION)
        for chapter in runs:
            chapters.run(chapter, parameters(folder))
    finally:
        path.write_bytes(original)
