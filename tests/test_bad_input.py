"""A corpus of broken inputs: each stops with one clear line, a non-zero exit and the last good book untouched."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_cli, tradebook

TRADE = "data/trade.csv"
HEADER = "year,reporter,partner,flow,value,currency,source"
GOOD_ROW = "2020,KAZ,ITA,export,6644417798.22,USD,bns-trade-by-country"


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return h.hexdigest()


def with_row(row: str) -> Callable[[str], str]:
    """trade.csv with one extra line appended (the file's last line is line N + 1)."""
    return lambda text: text + row + "\n"


def replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, count)


def trade_lines() -> int:
    return len((ROOT / TRADE).read_text().splitlines())


N = trade_lines() + 1  # the line number of an appended row

# (id, {file: new text or edit}, command, fragments the one-line message must contain)
CASES: list[tuple[str, dict[str, object], list[str], list[str]]] = [
    ("missing-file", {TRADE: None}, ["build"], ["data/trade.csv", "file not found"]),
    (
        "missing-column",
        {TRADE: replace(",currency", "", 1)},
        ["build"],
        ["trade.csv:1", "'currency'", "missing column"],
    ),
    ("misspelt-column", {TRADE: replace(",value,", ",vaule,", 1)}, ["build"], ["trade.csv:1", "'value'"]),
    (
        "text-in-number",
        {TRADE: with_row("2030,KAZ,ITA,export,lots,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'value'", "expected a number"],
    ),
    (
        "thousands-separator",
        {TRADE: with_row('2030,KAZ,ITA,export,"1,234.5",USD,bns-trade-by-country')},
        ["build"],
        [f"trade.csv:{N}", "'value'", "no thousands separators"],
    ),
    (
        "negative-value",
        {TRADE: with_row("2030,KAZ,ITA,export,-5,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'value'", "≥ 0"],
    ),
    (
        "nan-value",
        {TRADE: with_row("2030,KAZ,ITA,export,NaN,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'value'", "'NaN'"],
    ),
    (
        "empty-value",
        {TRADE: with_row("2030,KAZ,ITA,export,,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'value'"],
    ),
    (
        "duplicate-key",
        {TRADE: with_row(GOOD_ROW.replace("6644417798.22", "1.0"))},
        ["build"],
        [f"trade.csv:{N}", "duplicate key (2020, KAZ, ITA, export)", "first seen on line"],
    ),
    (
        "unknown-iso3",
        {TRADE: with_row("2030,KAZ,XXX,export,1,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'partner'", "ISO 3166 alpha-3"],
    ),
    (
        "unknown-currency",
        {TRADE: with_row("2030,KAZ,ITA,export,1,ABC,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'currency'", "ISO 4217"],
    ),
    (
        "year-out-of-range",
        {TRADE: with_row("1850,KAZ,ITA,export,1,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'year'", "a year from"],
    ),
    (
        "fractional-year",
        {TRADE: with_row("2030.5,KAZ,ITA,export,1,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'year'", "whole number"],
    ),
    (
        "unknown-flow",
        {TRADE: with_row("2030,KAZ,ITA,exports,1,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'flow'", "'export' or 'import'"],
    ),
    (
        "unknown-source-id",
        {TRADE: with_row("2030,KAZ,ITA,export,1,USD,my-guess")},
        ["build"],
        [f"trade.csv:{N}", "'source'", "unknown source id"],
    ),
    ("empty-file", {TRADE: ""}, ["build"], ["trade.csv:1", "file is empty"]),
    (
        "wrong-delimiter",
        {TRADE: lambda t: t.replace(",", ";")},
        ["build"],
        ["trade.csv:1", "not comma-separated"],
    ),
    (
        "wrong-encoding",
        {TRADE: b"year,reporter,partner,flow,value,currency,source\n2030,KAZ,ITA,export,1,USD,caf\xe9\n"},
        ["build"],
        ["trade.csv:2", "not UTF-8"],
    ),
    ("truncated-last-line", {TRADE: with_row("2030,KAZ,ITA,exp")}, ["build"], [f"trade.csv:{N}", "4 fields"]),
    (
        "sources-missing-field",
        {"data/sources.yml": replace("  licence:", "  license:")},
        ["build"],
        ["data/sources.yml:", "missing licence"],
    ),
    (
        "sources-bad-yaml",
        {"data/sources.yml": lambda t: t + "oops: [unclosed\n"},
        ["build"],
        ["data/sources.yml:", "invalid YAML"],
    ),
    (
        "params-wrong-type",
        {"params/kazakhstan-italy.yml": replace("start_year: 2000", 'start_year: "2000s"')},
        ["build"],
        ["params/kazakhstan-italy.yml:", "parameter 'start_year'", "expected int"],
    ),
    (
        "params-unknown-parameter",
        {"params/kazakhstan-italy.yml": lambda t: t + "  colour: red\n"},
        ["build"],
        ["params/kazakhstan-italy.yml:", "parameter 'colour'", "unknown notebook parameter"],
    ),
    (
        "params-file-missing",
        {},
        ["build", "--params", "params/kazakhstan-atlantis.yml"],
        ["params/kazakhstan-atlantis.yml", "file not found"],
    ),
    ("cli-unknown-partner", {}, ["build", "--partner", "XYZ"], ["--partner", "ISO 3166 alpha-3"]),
    (
        "cli-partner-without-data",
        {},
        ["build", "--partner", "ATA"],
        ["--partner", "no trade data at all for ATA"],
    ),
    (
        "cli-parameter-wrong-type",
        {},
        ["build", "-p", "forecast_years=three"],
        ["-p forecast_years", "expected int, got 'three'"],
    ),
    ("cli-unknown-parameter", {}, ["build", "-p", "colour=red"], ["-p colour", "unknown notebook parameter"]),
    ("cli-not-a-number", {}, ["build", "--end-year", "soon"], ["--end-year", "expected a year of four digits"]),
    (
        "cli-years-reversed",
        {},
        ["build", "--start-year", "2010", "--end-year", "2005"],
        ["--end-year", "after start_year"],
    ),
    ("cli-missing-data-dir", {}, ["build", "--data-dir", "nowhere"], ["--data-dir", "not one"]),
    (
        "fdi-negative-world-stock",
        {"data/fdi.csv": lambda t: t + "2030,KAZ,WLD,stock,-5,EUR,wiiw-fdi-nbk\n"},
        ["build"],
        ["data/fdi.csv:", "'value'"],
    ),
    (
        "fdi-unknown-measure",
        {"data/fdi.csv": lambda t: t + "2025,KAZ,ITA,flows,5,EUR,wiiw-fdi-nbk\n"},
        ["build"],
        ["data/fdi.csv:", "'measure'"],
    ),
    (
        "fdi-unknown-investor",
        {"data/fdi.csv": lambda t: t + "2025,KAZ,QQQ,inflow,5,EUR,wiiw-fdi-nbk\n"},
        ["build"],
        ["data/fdi.csv:", "'investor'", "ISO 3166 alpha-3"],
    ),
    (
        "events-bad-date",
        {"data/events.csv": replace("\n1992,ITA,", "\n1992-13,ITA,")},
        ["build"],
        ["data/events.csv:2", "'date'"],
    ),
    (
        "products-bad-hs-code",
        {"data/trade_products.csv": lambda t: t + "2030,KAZ,ITA,export,27X9,5,USD,baci,,\n"},
        ["build"],
        ["data/trade_products.csv:", "'product'", "HS code"],
    ),
    (
        "products-quantity-without-unit",
        {"data/trade_products.csv": lambda t: t + "2030,KAZ,ITA,export,2709,5,USD,baci,100,\n"},
        ["build"],
        ["data/trade_products.csv:", "quantity together with its quantity_unit"],
    ),
    (
        "import-comtrade-missing-primary-value",
        {"incoming.csv": lambda _: COMTRADE.read_text().replace(",primaryValue", ",primaryValueX", 1)},
        ["import", "comtrade", "incoming.csv"],
        ["incoming.csv:1", "primaryValue"],
    ),
    ("import-missing-file", {}, ["import", "bns", "nowhere.xls"], ["nowhere.xls", "file not found"]),
    (
        "import-not-a-workbook",
        {"incoming.xls": "year,value\n2024,1\n"},
        ["import", "bns", "incoming.xls"],
        ["incoming.xls", "not a readable Excel workbook"],
    ),
    (
        "import-wrong-layout-workbook",
        {"incoming.xlsx": "WRONG_LAYOUT"},
        ["import", "bns", "incoming.xlsx"],
        ["incoming.xlsx", "not a BNS foreign-trade-by-country table"],
    ),
    (
        "year-with-exponent",
        {TRADE: with_row("203e1,KAZ,ITA,export,1,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'year'", "no exponent", "'203e1'"],
    ),
    (
        "value-with-underscore",
        {TRADE: with_row("2030,KAZ,ITA,export,1_000,USD,bns-trade-by-country")},
        ["build"],
        [f"trade.csv:{N}", "'value'", "no underscores"],
    ),
    (
        "same-statement-twice",
        {"data/published_figures.csv": lambda t: t + t.splitlines()[-1].replace("https://", "https://copy.", 1) + "\n"},
        ["build"],
        ["data/published_figures.csv:", "duplicate statement"],
    ),
    (
        "sources-numeric-citation",
        {"data/sources.yml": replace("  citation: Article on", "  citation: 2025 #")},
        ["build"],
        ["data/sources.yml:4", "key 'citation'", "expected a non-empty text, got 2025"],
    ),
    (
        "params-unknown-edition-key",
        {"params/kazakhstan-italy.yml": replace("  slug: kazakhstan-italy", "  slug: kazakhstan-italy\n  subtitle: x")},
        ["build"],
        ["params/kazakhstan-italy.yml:4", "key 'subtitle'", "unexpected field in the edition"],
    ),
    (
        "params-duplicate-key",
        {"params/kazakhstan-italy.yml": replace("  start_year: 2000", "  start_year: 2000\n  start_year: 2005")},
        ["build"],
        ["params/kazakhstan-italy.yml:", "key 'start_year'", "duplicate key; first on line"],
    ),
    (
        "import-eurostat-blank-reporter",
        {"incoming.csv": "REPORTER,PARTNER,FLOW,month,VALUE_IN_EUR\n,Kazakhstan,2-EXPORT,2025-01,5\n"},
        ["import", "eurostat", "incoming.csv"],
        ["incoming.csv:2", "'REPORTER'", "expected a country's name, got a blank"],
    ),
    (
        "import-panel-infinite-value",
        {"incoming.csv": "iso3,year,kz_exports_musd,kz_imports_musd\nITA,2026,inf,1\n"},
        ["import", "panel", "incoming.csv"],
        ["incoming.csv:2", "'kz_exports_musd'", "a finite number"],
    ),
    (
        "import-eurostat-missing-column",
        {"incoming.csv": "REPORTER,PARTNER,month\nItaly,Kazakhstan,2025-01\n"},
        ["import", "eurostat", "incoming.csv"],
        ["incoming.csv:1", "'FLOW'", "missing column"],
    ),
]


COMTRADE = ROOT / "tests" / "fixtures" / "comtrade_synthetic_kaz_ita_hs2_2021_2023.csv"


def wrong_layout_workbook(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "2024"
    sheet.append(["Наименование", "Экспорт", "", "Импорт"])
    sheet.append(["Всего", 1, "", 2])
    book.save(path)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project copy with a stand-in "last good book"; every case must leave it byte for byte as it is.

    (A real book works the same way: tests/test_rebuild.py shows a failing build leaving one untouched.)
    """
    project = copy_project(tmp_path_factory.mktemp("broken"))
    html = project / "_build" / "html"
    (html / "notebooks").mkdir(parents=True)
    (html / "index.html").write_text("<html>last good book</html>\n")
    (html / "notebooks" / "intro.html").write_text("<html>intro</html>\n")
    return project


@pytest.mark.xdist_group("broken")
@pytest.mark.parametrize(("case", "edits", "command", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_cleanly(project, case, edits, command, fragments, capsys, monkeypatch):
    html_before = tree_digest(project / "_build" / "html")
    data_before = tree_digest(project / "data")
    for rel, edit in edits.items():
        target = project / rel
        if edit is None:
            target.unlink()
        elif edit == "WRONG_LAYOUT":
            wrong_layout_workbook(target)
        elif callable(edit):
            before = target.read_text(encoding="utf-8") if target.exists() else ""
            target.write_text(edit(before), encoding="utf-8")
        else:
            target.write_bytes(edit if isinstance(edit, bytes) else edit.encode())
    try:
        code, _, stderr = run_cli(command, project, capsys, monkeypatch)
        lines = stderr.strip().splitlines()
        assert code != 0
        assert len(lines) == 1, stderr
        assert "Traceback" not in stderr
        for fragment in fragments:
            assert fragment in lines[0], lines[0]
        assert tree_digest(project / "_build" / "html") == html_before
        if command[0] == "import":
            assert tree_digest(project / "data") == data_before, "a failed import changed data/"
    finally:
        for rel in edits:
            original = ROOT / rel
            if original.exists():
                shutil.copyfile(original, project / rel)
            else:
                (project / rel).unlink(missing_ok=True)


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 25
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.xdist_group("broken")
@pytest.mark.parametrize("kernels", ["forked", "plain"])
def test_a_refusal_from_the_real_command_has_no_traceback(project, kernels, monkeypatch):
    """Staging refuses in a child of the fork server, or (plain kernels: no server) in a process of its own."""
    monkeypatch.setenv("TRADEBOOK_KERNELS", kernels)
    (project / "data" / "trade.csv").write_text(HEADER + "\n2030,KAZ,ITA,export,-1,USD,bns-trade-by-country\n")
    try:
        proc = tradebook("build", cwd=project)
    finally:
        shutil.copyfile(ROOT / TRADE, project / TRADE)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: data/trade.csv:2: column 'value': expected a number ≥ 0, got -1.0")
