"""Country names: the short-name table gives exactly what country_converter's convert() gives."""

from __future__ import annotations

import country_converter as coco
import pytest
from conftest import ROOT

from tradebook.data import countries
from tradebook.data.contract import DATASETS, WORLD
from tradebook.data.folder import DataFolder

CONVERTER = coco.CountryConverter()


def convert_name(code: str) -> str:
    """countries.name as it was: one convert() per code."""
    if code == WORLD:
        return "World"
    found = CONVERTER.convert(code, src="ISO3", to="name_short", not_found="")
    return found if isinstance(found, str) and found else code


def data_codes() -> set[str]:
    """Every ISO3 code in the project's data files."""
    folder = DataFolder(ROOT / "data")
    codes: set[str] = set()
    for dataset in DATASETS.values():
        frame = folder.load(dataset.name)
        for column in ("reporter", "partner", "investor", "host", "market"):
            if column in frame:
                codes |= set(frame[column].dropna())
    return codes


def test_the_name_table_equals_convert_for_every_code():
    table_codes = set(CONVERTER.data["ISO3"].dropna())
    codes = sorted(table_codes | data_codes() | {WORLD})
    assert len(codes) >= 240
    assert {code: countries.name(code) for code in codes} == {code: convert_name(code) for code in codes}


@pytest.mark.parametrize("code", ["ita", "XXX", "", "KAZ|", "W/O"])
def test_other_inputs_still_go_through_convert(code: str):
    assert countries.name(code) == convert_name(code)
