"""What the kernels trust: a data file validated by the build is not checked twice, a changed one is."""

import shutil

import pytest
from conftest import ROOT

from tradebook.data import validate
from tradebook.data.contract import DATASETS
from tradebook.data.errors import InputError
from tradebook.data.folder import DataFolder
from tradebook.data.validate import VALIDATED, already_validated, record_validated


def test_a_file_changed_after_validation_is_checked_in_full(tmp_path, monkeypatch):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    record = tmp_path / "validated.json"
    record_validated(data, record)
    monkeypatch.setenv(VALIDATED, str(record))
    assert already_validated(data / "trade.csv")
    assert len(DataFolder(data).load("trade")) > 0
    with open(data / "trade.csv", "a", encoding="utf-8") as fh:
        fh.write("2030,KAZ,ITA,export,-1,USD,bns-trade-by-country\n")
    assert not already_validated(data / "trade.csv")
    with pytest.raises(InputError, match="expected a number ≥ 0"):
        DataFolder(data).load("trade")


def test_without_the_builds_record_every_load_checks_the_rules(monkeypatch):
    monkeypatch.delenv(VALIDATED, raising=False)
    assert not already_validated(ROOT / "data" / "trade.csv")


def test_the_same_bytes_are_parsed_once_and_the_rules_never_taken_from_a_parse(tmp_path, monkeypatch):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    path, trade = data / "trade.csv", DATASETS["trade"]
    original = path.read_text(encoding="utf-8")
    monkeypatch.setattr(validate, "_CHECKED", {})  # nothing this process checked before (the same bytes would hit)
    path.write_text(original + "2030,KAZ,ITA,export,-1,USD,bns-trade-by-country\n", encoding="utf-8")
    parsed = []
    read_records = validate._read_records
    monkeypatch.setattr(validate, "_read_records", lambda *a: parsed.append(a[0]) or read_records(*a))
    first, problems = validate.check(path, trade, rules=False)  # parses; breaks a rule (a value < 0)
    assert not problems and len(parsed) == 1
    first.loc[first.index[0], "value"] = -5.0
    first.attrs["lines"].clear()  # the caller's copy is its own
    again, _ = validate.check(tmp_path / "data" / ".." / "data" / "trade.csv", trade, rules=False)
    assert len(parsed) == 1 and again.attrs["lines"] and again["value"].iloc[0] != -5.0
    _, problems = validate.check(path, trade)
    assert problems and len(parsed) == 2
    path.write_text(original, encoding="utf-8")
    checked, problems = validate.check(path, trade)
    assert not problems and len(parsed) == 3 and len(checked) == len(first) - 1
    assert validate.check(path, trade, rules=False)[0].equals(checked) and len(parsed) == 3


def test_a_kernel_finds_the_files_its_fork_server_parsed(tmp_path, monkeypatch):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    record = tmp_path / "validated.json"
    record_validated(data, record)
    monkeypatch.setenv(VALIDATED, str(record))
    validate.warm(data)
    monkeypatch.setattr(validate, "_read_records", lambda *a: pytest.fail("parsed again"))
    assert len(DataFolder(data).load("trade")) > 0 and len(DataFolder(data).load("fdi")) > 0
    validate.warm(tmp_path / "absent")  # nothing to parse: nothing to report either


def test_a_copy_of_the_data_finds_its_files_checked(tmp_path, monkeypatch):
    """The same bytes give the same frame wherever they lie: a copied project's staging (forked from a server
    that checked the original) checks only what the copy changed."""
    trade = DATASETS["trade"]
    checked, problems = validate.check(ROOT / "data" / "trade.csv", trade)
    assert not problems
    copy = shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setattr(validate, "_read_records", lambda *a: pytest.fail("parsed again"))
    again, problems = validate.check(copy / "trade.csv", trade)
    assert not problems and again.equals(checked) and again.attrs["lines"] == checked.attrs["lines"]


def test_a_broken_files_problems_are_found_once_for_the_same_bytes(tmp_path, monkeypatch):
    """A build checks trade.csv for the edition, then with the other files: a broken one is read once."""
    path, trade = tmp_path / "trade.csv", DATASETS["trade"]
    path.write_text((ROOT / "data" / "trade.csv").read_text(encoding="utf-8") + "2030,KAZ,ITA,export,-1,USD,x\n")
    parsed = []
    read_records = validate._read_records
    monkeypatch.setattr(validate, "_read_records", lambda *a: parsed.append(a[0]) or read_records(*a))
    first = validate.check(path, trade)
    assert first[0] is None and first[1] and validate.check(path, trade) == first and len(parsed) == 1
    path.write_text(path.read_text(encoding="utf-8").replace(",-1,", ",-2,"), encoding="utf-8")
    again = validate.check(path, trade)
    assert again[1] != first[1] and len(parsed) == 2  # other bytes: read and checked again
