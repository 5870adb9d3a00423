"""What the kernels trust: a data file validated by the build is not checked twice, a changed one is."""

import shutil

import pytest
from conftest import ROOT

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
