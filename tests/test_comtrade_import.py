"""`tradebook import comtrade FILE.csv` on a synthetic file in UN Comtrade's exact CSV layout."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, ROOT, run_cli

from tradebook.data.errors import InputError
from tradebook.data.folder import DataFolder
from tradebook.data.importers import IMPORT_COMMANDS, comtrade, import_comtrade
from tradebook.data.validate import validate_all

FIXTURE = FIXTURES / "comtrade_synthetic_kaz_ita_hs2_2021_2023.csv"
YEARS = ("2021", "2022", "2023")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def _rows() -> tuple[list[str], list[dict[str, str]]]:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def _variant(tmp_path: Path, header: list[str], rows: list[dict[str, str]], name: str = "variant.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_registered_as_an_import_command():
    assert IMPORT_COMMANDS["comtrade"] is import_comtrade


def test_reads_the_comtrade_layout():
    frame = comtrade.read(FIXTURE)
    header, rows = _rows()
    assert len(frame) == len(rows)
    assert set(frame["flow"]) == {"export", "import"} and set(frame["source"]) == {"un-comtrade"}
    first = rows[0]
    row = frame.iloc[0]
    assert (row["year"], row["reporter"], row["partner"], row["product"]) == (
        int(first["refYear"]),
        first["reporterISO"],
        first["partnerISO"],
        first["cmdCode"],
    )
    assert row["value"] == pytest.approx(float(first["primaryValue"]))
    crude = frame[(frame["product"] == "27") & (frame["flow"] == "export")]
    assert set(crude["quantity_unit"]) == {"kg"} and crude["quantity"].notna().all()
    assert frame.loc[frame["product"] == "84", "quantity"].isna().all()  # qtyUnitAbbr N/A: no quantity


def test_import_merges_and_reimport_changes_nothing(data_dir):
    before = DataFolder(data_dir).load("trade_products")
    first = import_comtrade(FIXTURE, data_dir)
    assert first.added == len(comtrade.read(FIXTURE))
    products = DataFolder(data_dir).load("trade_products")
    assert len(products) == len(before) + first.added
    trade = DataFolder(data_dir).load("trade")
    assert trade[trade.source == "un-comtrade"].empty  # every TOTAL's key is held by a higher-ranked source
    assert validate_all(data_dir) == []
    snapshot = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    again = import_comtrade(FIXTURE, data_dir)
    assert (again.added, again.changed) == (0, 0)
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == snapshot


def test_import_keeps_the_bns_totals_and_reports_each_conflict(data_dir, cli):
    """The fixture's totals differ from BNS's: BNS ranks first, so its rows stay and each conflict is listed."""
    trade_csv = data_dir / "trade.csv"
    bns_rows = [line for line in trade_csv.read_text().splitlines() if ",KAZ,ITA," in line and line[:4] in YEARS]
    proc = cli("import", "comtrade", str(FIXTURE), "--data-dir", str(data_dir), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    after = [line for line in trade_csv.read_text().splitlines() if ",KAZ,ITA," in line and line[:4] in YEARS]
    assert after == bns_rows and all(line.endswith(",bns-trade-by-country") for line in after)
    conflicts = [line for line in proc.stdout.splitlines() if line.startswith("conflict: ")]
    totals = comtrade.totals(comtrade.read(FIXTURE)).set_index(["year", "flow"])["value"]
    assert len(conflicts) == len(totals) == 6
    for (year, flow), value in totals.items():
        line = next(c for c in conflicts if f"({year}, KAZ, ITA, {flow})" in c)
        kept = next(r for r in bns_rows if r.startswith(f"{year},KAZ,ITA,{flow},"))
        assert f"kept {float(kept.split(',')[4]):,.2f} USD (bns-trade-by-country, rank 1" in line
        assert f"not taken {value:,.2f} USD (un-comtrade, rank 6)" in line


def test_override_replaces_the_higher_ranked_totals_and_says_so(data_dir):
    report = IMPORT_COMMANDS["comtrade"](FIXTURE, data_dir, override=True)
    trade = DataFolder(data_dir).load("trade")
    assert len(trade[trade.source == "un-comtrade"]) == 6
    assert {c.outcome for c in report.conflicts} == {"overridden"} and len(report.conflicts) == 6


def test_cli_reports_the_merge(data_dir, cli):
    proc = cli("import", "comtrade", str(FIXTURE), "--data-dir", str(data_dir), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    proc = cli("import", "comtrade", str(FIXTURE), "--data-dir", str(data_dir), cwd=ROOT)
    assert "0 rows added, 0 changed" in proc.stdout


def test_missing_primary_value_column(tmp_path, data_dir, cli):
    header, rows = _rows()
    path = _variant(tmp_path, [h for h in header if h != "primaryValue"], rows)
    with pytest.raises(InputError) as err:
        comtrade.read(path)
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (1, "primaryValue")
    assert problem.file.endswith("variant.csv")
    proc = cli("import", "comtrade", str(path), "--data-dir", str(data_dir), cwd=ROOT)
    assert proc.returncode == 2
    assert "variant.csv:1: column 'primaryValue': missing column" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("primaryValue", "12,5", "expected a value in US dollars"),
        ("primaryValue", "-3", "expected a value in US dollars"),
        ("primaryValue", "", "expected a value in US dollars"),
        ("refYear", "20x1", "expected a year"),
        ("cmdCode", "27A", "expected TOTAL or an HS code"),
        ("qty", "lots", "expected a quantity"),
        ("freqCode", "M", "expected annual data"),
    ],
)
def test_bad_values_name_file_line_and_column(tmp_path, column, bad, message):
    header, rows = _rows()
    index = next(i for i, r in enumerate(rows) if r["qtyUnitAbbr"] == "kg")  # a row with a quantity
    rows[index] = {**rows[index], column: bad}
    path = _variant(tmp_path, header, rows)
    with pytest.raises(InputError) as err:
        comtrade.read(path)
    problem = err.value.problems[0]
    assert problem.line == index + 2 and problem.column == column and message in problem.message


def test_breakdowns_reexports_and_areas_are_left_out(tmp_path):
    header, rows = _rows()
    extra = [
        {**rows[0], "flowCode": "RX", "flowDesc": "Re-export"},
        {**rows[0], "customsCode": "C01", "customsDesc": "Inward processing"},
        {**rows[0], "motCode": "2100", "motDesc": "Sea"},
        {**rows[0], "partnerCode": "490", "partnerISO": "S19", "partnerDesc": "Other Asia, nes"},
    ]
    world = {**rows[0], "partnerCode": "0", "partnerISO": "W00", "partnerDesc": "World"}
    frame = comtrade.read(_variant(tmp_path, header, [*rows, *extra, world]))
    assert len(frame) == len(rows) + 1
    assert "WLD" in set(frame["partner"])


def test_duplicate_rows_are_refused(tmp_path):
    header, rows = _rows()
    path = _variant(tmp_path, header, [*rows, rows[3]])
    with pytest.raises(InputError, match="as line 5") as err:
        comtrade.read(path)
    assert err.value.problems[0].line == len(rows) + 2


def test_merged_rows_keep_other_sources(data_dir):
    before = DataFolder(data_dir).load("trade_products")
    import_comtrade(FIXTURE, data_dir)
    after = DataFolder(data_dir).load("trade_products")
    kept = after[after.source != "un-comtrade"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before.reset_index(drop=True), check_dtype=False)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mode & 0o7777) for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_failed_import_leaves_data_byte_identical(data_dir, cli):
    """A bad row in trade.csv: the import refuses in one line before writing trade_products.csv or sources.yml."""
    with open(data_dir / "trade.csv", "a", encoding="utf-8") as fh:
        fh.write("2030,KAZ,ITA,export,-5,USD,bns-trade-by-country\n")
    before = _snapshot(data_dir)
    proc = cli("import", "comtrade", str(FIXTURE), "--data-dir", str(data_dir), cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "trade.csv" in proc.stderr
    assert _snapshot(data_dir) == before


@pytest.mark.parametrize("failing", ["write", "replace"])
def test_a_full_disk_during_an_import_changes_no_file(data_dir, failing, capsys, monkeypatch):
    """The disk fills up while the files are written, or a rename fails: data/ stays as it was, one line."""
    import errno
    import os

    before = _snapshot(data_dir)
    real, calls = getattr(os, failing), {"n": 0}

    def fail_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, failing, fail_second)
    code, _, err = run_cli(["import", "comtrade", str(FIXTURE), "--data-dir", str(data_dir)], ROOT, capsys, monkeypatch)
    monkeypatch.undo()
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "No space left on device; no file was changed" in err
    assert _snapshot(data_dir) == before


def test_an_import_keeps_the_files_modes(data_dir, cli):
    for name, mode in (("trade.csv", 0o640), ("trade_products.csv", 0o664), ("sources.yml", 0o600)):
        (data_dir / name).chmod(mode)
    proc = cli("import", "comtrade", str(FIXTURE), "--data-dir", str(data_dir), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    modes = {name: (data_dir / name).stat().st_mode & 0o777 for name in ("trade_products.csv", "sources.yml")}
    assert modes == {"trade_products.csv": 0o664, "sources.yml": 0o600}
