"""The command line as an analyst uses it: help, validate, import reports, editions."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, copy_project, run_cli


def test_help_lists_the_commands_and_build_options(cli):
    top = cli("--help", cwd=ROOT)
    for command in ("build", "validate", "import", "editions", "data"):
        assert command in top.stdout
    assert "--override" in cli("import", "--help", cwd=ROOT).stdout
    build = cli("build", "--help", cwd=ROOT)
    for option in ("--partner", "--start-year", "--end-year", "--data-dir", "--params", "-p NAME=VALUE"):
        assert option in build.stdout


def test_validate_reports_every_problem_not_just_the_first(tmp_path, capsys, monkeypatch):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    with open(data / "trade.csv", "a", encoding="utf-8") as fh:
        fh.write("2030,KAZ,ITA,export,-1,USD,bns-trade-by-country\n")
        fh.write("2030,KAZ,XXX,import,5,USD,bns-trade-by-country\n")
    code, _, err = run_cli(["validate", "--data-dir", str(data)], ROOT, capsys, monkeypatch)
    assert code == 1
    lines = err.strip().splitlines()
    assert any("column 'value'" in ln for ln in lines) and any("column 'partner'" in ln for ln in lines)
    assert lines[-1].startswith("2 problem(s) found")


def test_validate_accepts_the_shipped_data(capsys, monkeypatch):
    code, out, _ = run_cli(["validate"], ROOT, capsys, monkeypatch)
    assert code == 0 and "follow the contract" in out


def test_validate_warns_of_a_partial_year_naming_its_line_and_passes(tmp_path, capsys, monkeypatch):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    with open(data / "trade.csv", "a", encoding="utf-8") as fh:
        fh.write("2026,KAZ,ITA,export,1.0,USD,bns-trade-by-partner-2024-2025\n")
    line = len((data / "trade.csv").read_text().splitlines())
    code, out, err = run_cli(["validate", "--data-dir", str(data)], ROOT, capsys, monkeypatch)
    assert code == 0 and "follow the contract" in out
    assert f"warning: {data / 'trade.csv'}:{line}: KAZ→ITA 2026: export without import (line {line})" in err


def test_a_successful_import_reports_added_changed_kept(tmp_path, capsys, monkeypatch):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    incoming = tmp_path / "eurostat_fixture.csv"  # synthetic rows in Eurostat's layout
    months = [f"2025-{m:02d}" for m in range(1, 13)]  # a year with an ECB rate: euro values are converted
    incoming.write_text(
        "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,month,VALUE_IN_EUR\n"
        + "".join(f"Italy,Kazakhstan,TOTAL-Total,2-EXPORT,T-Total,{m},100\n" for m in months)
    )
    code, out, err = run_cli(["import", "eurostat", str(incoming), "--data-dir", str(data)], ROOT, capsys, monkeypatch)
    assert code == 0, err
    assert "1 rows added, 0 changed" in out
    assert "2025,ITA,KAZ,export,1200.0,EUR,eurostat-comext-exports-kz" in (data / "trade.csv").read_text()
    code, out, _ = run_cli(["import", "eurostat", str(incoming), "--data-dir", str(data)], ROOT, capsys, monkeypatch)
    assert "0 rows added, 0 changed" in out  # importing the same file again changes nothing
    assert "eurostat_fixture.csv" in (data / "sources.yml").read_text()


def test_editions_lists_where_each_edition_is_built(capsys, monkeypatch):
    code, out, _ = run_cli(["editions"], ROOT, capsys, monkeypatch)
    assert code == 0
    assert "kazakhstan-italy.yml" in out and "_build/html" in out
    assert "_build/editions/kazakhstan-china/html" in out and "_build/editions/kazakhstan-russia/html" in out


@pytest.mark.parametrize("partner", ["CHN", "RUS"])
def test_partner_flag_picks_the_shipped_edition(partner):
    from tradebook.book import editions

    edition = editions.resolve(ROOT, None, {"partner": (partner, "--partner")})
    assert edition.parameters["partner"] == partner and not edition.default
    assert edition.slug in {"kazakhstan-china", "kazakhstan-russia"}


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["build", "--jobs", "-3"], "--jobs: expected a whole number ≥ 1, got '-3'"),
        (["build", "--jobs", "0"], "--jobs: expected a whole number ≥ 1, got '0'"),
        (["build", "--end-year", "+2031"], "--end-year: expected a year of four digits, got '+2031'"),
        (["build", "--start-year", "203e1"], "--start-year: expected a year of four digits, got '203e1'"),
        (["build", "--start-year", "2_000"], "--start-year: expected a year of four digits, got '2_000'"),
    ],
)
def test_bad_options_are_one_line(argv, fragment, capsys, monkeypatch):
    code, out, err = run_cli(argv, ROOT, capsys, monkeypatch)
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1 and fragment in err


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(28, "No space left on device", "data/trade.csv"), "error: data/trade.csv: No space left on device"),
        (PermissionError(13, "Permission denied", "data"), "error: data: Permission denied"),
        (ValueError("an unforeseen value\nacross lines"), "error: ValueError: an unforeseen value across lines"),
    ],
)
def test_system_errors_are_one_line_and_debug_shows_the_traceback(error, expected, capsys, monkeypatch):
    from tradebook.book import cli

    def fail(args):
        raise error

    monkeypatch.setattr(cli, "cmd_editions", fail)
    code, _, err = run_cli(["editions"], ROOT, capsys, monkeypatch)
    assert code == 2 and err.strip() == expected
    with pytest.raises(type(error)):
        cli.main(["--debug", "editions"])


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--end-year", "2001"], "parameter 'end_year': expected at least 10 years of trade, got 2000–2001"),
        (["--start-year", "1980"], "parameter 'start_year': expected a year within the data"),
        (["--end-year", "2090"], "parameter 'end_year': expected a year within the data"),
        (["--partner", "WLD"], "parameter 'partner': expected a partner country, got WLD"),
        (["--partner", "KAZ"], "parameter 'partner': expected a partner other than the reporter"),
        (["-p", "forecast_years=-2"], "parameter 'forecast_years': expected 1 to 10 years, got -2"),
        (["-p", "forecast_years=0"], "parameter 'forecast_years': expected 1 to 10 years, got 0"),
        (["-p", "forecast_years=200000000"], "parameter 'forecast_years': expected 1 to 10 years"),
        (["-p", "forecast_years=1_000"], "parameter 'forecast_years': expected int, got '1_000'"),
    ],
)
def test_parameters_out_of_range_stop_the_build_before_anything_runs(argv, fragment, tmp_path, capsys, monkeypatch):
    # In a copy of its own: builds of one project wait for each other (the build lock), and these run in parallel.
    project = copy_project(tmp_path / "project")
    code, out, err = run_cli(["build", *argv], project, capsys, monkeypatch)
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1 and fragment in err, err
