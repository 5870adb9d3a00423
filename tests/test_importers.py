"""Importers: on the real raw files (where ../shared is present) and on small synthetic fixtures."""

import filecmp
import shutil

import pandas as pd
import pytest
from conftest import ROOT, SHARED, needs_shared

from tradebook.data.contract import TRADE
from tradebook.data.errors import InputError
from tradebook.data.folder import DataFolder
from tradebook.data.importers import bns, build_data, cepii, eurostat, import_bns, panel
from tradebook.data.importers.common import merge

BNS_DIR = SHARED / bns.FOLDER


def sheet(rows):
    """A synthetic BNS sheet: the real layout around the given (name, turnover, exports, imports) rows."""
    head = [
        [" Основные показатели внешней торговли Республики Казахстан", "", "", "", "", "", ""],
        ["2030 год", "", "", "", "", "", ""],
        ["", "", "", "", "тыс. долларов США", "", ""],
        ["Наименование", "Товарооборот", "", "Экспорт", "", "Импорт", ""],
        ["", "всего", "%", "всего", "%", "всего", "%"],
    ]
    return head + [[n, t, "", e, "", i, ""] for n, t, e, i in rows]


def test_bns_sheet_keeps_countries_and_world_and_scales_thousands():
    rows = [
        ("Всего", 30.0, 20.0, 10.0),
        ("Страны СНГ", 5.0, 3.0, 2.0),
        ("Италия", 12.5, 12.0, 0.5),
        ("Китай", 4.0, "", 4.0),
    ]
    frame = bns.read_sheet(sheet(rows), 2030, ROOT / "fixture.xls", "2030")
    got = frame.set_index(["partner", "flow"])["value"]
    assert got[("WLD", "export")] == 20_000.0
    assert got[("ITA", "import")] == 500.0
    assert got[("CHN", "export")] == 0.0  # a blank cell is no trade
    assert "AGG" not in "".join(frame["partner"]) and len(frame) == 6


def test_bns_sheet_refuses_an_unknown_partner_name():
    with pytest.raises(InputError, match="row 7 .*unknown partner name"):
        bns.read_sheet(
            sheet([("Всего", 1.0, 1.0, 0.0), ("Атлантида", 1.0, 1.0, 0.0)]),
            2030,
            ROOT / "fixture.xls",
            "2030",
        )


def test_bns_sheet_refuses_another_layout():
    rows = sheet([("Всего", 1.0, 1.0, 0.0)])
    rows[3] = ["Наименование", "Экспорт", "", "Импорт", "", "Сальдо", ""]
    with pytest.raises(InputError, match="not a BNS foreign-trade-by-country table"):
        bns.read_sheet(rows, 2030, ROOT / "fixture.xls", "2030")


@needs_shared
def test_bns_workbooks_take_each_year_from_its_newest_edition():
    frame, paths = bns.read_all(BNS_DIR)
    assert len(paths) == 5
    assert sorted(frame["year"].unique()) == list(range(2018, 2024))
    ita = frame[(frame.partner == "ITA")].set_index(["year", "flow"])["value"]
    # 2022 appears in the 2022 and 2023 editions; the 2023 edition's figure is kept.
    newest = bns.read_workbook(BNS_DIR / "bns_main_foreign_trade_indicators_by_country_2023_2022.xls")
    expected = newest[(newest.partner == "ITA") & (newest.year == 2022) & (newest.flow == "export")]["value"]
    assert ita[(2022, "export")] == expected.iloc[0]
    assert ita[(2020, "import")] == pytest.approx(937_173_433.34)


@needs_shared
def test_panel_cepii_and_eurostat_read_the_shared_files():
    p, _ = panel.from_shared(SHARED)
    assert set(p["partner"]) == {"ITA", "CHN", "RUS", "CHE", "NLD", "FRA", "GBR"}
    assert p[(p.partner == "ITA") & (p.year == 2024) & (p.flow == "export")]["value"].iloc[0] == 18_663_800_000
    assert p[(p.partner == "RUS") & (p.year == 2010)].empty  # a gap stays a gap
    c, _ = cepii.from_shared(SHARED)
    assert set(c["reporter"]) == {"ITA"} and c["year"].min() == 1992 and c["year"].max() == 2020
    e, _ = eurostat.from_shared(SHARED)
    ita = e[e.reporter == "ITA"].set_index("year")["value"]
    assert ita[2019] == 1_088_294_596 and 2024 not in ita.index  # partial 2024 left out


@needs_shared
def test_make_data_reproduces_the_committed_files_byte_for_byte(tmp_path):
    build_data(SHARED, tmp_path, log=lambda _: None)
    for made in tmp_path.iterdir():
        assert filecmp.cmp(made, ROOT / "data" / made.name, shallow=False), made.name


@needs_shared
def test_reimporting_a_bns_workbook_changes_nothing(tmp_path):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    before = (data / "trade.csv").read_bytes()
    report = import_bns(BNS_DIR / "bns_main_foreign_trade_indicators_by_country_2023_2022.xls", data)
    assert (report.added, report.changed) == (0, 0) and report.kept > 0
    assert (data / "trade.csv").read_bytes() == before


@needs_shared
def test_an_older_bns_edition_never_replaces_a_newer_one(tmp_path):
    """2020 is in the 2020 workbook (its early release) and in the 2021 one; the data hold the 2021 one's."""
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    older, newer = (BNS_DIR / f"bns_main_foreign_trade_indicators_by_country_{y}_{y - 1}.xls" for y in (2020, 2021))
    before = (data / "trade.csv").read_bytes()
    report = import_bns(older, data)
    assert (data / "trade.csv").read_bytes() == before and report.changed == 0
    assert len(report.conflicts) == 8 and {c.key[0] for c in report.conflicts} == {2020}
    assert all(c.outcome == "kept" and "older or less final edition (edition)" in c.reason for c in report.conflicts)
    release = DataFolder(data).sources()["bns-trade-by-country"].release(2020)
    assert release.edition == newer.name
    # The other way round: with the older edition forced in, the newer one replaces it again.
    forced = import_bns(older, data, override=True)
    assert (
        forced.changed == 8 and DataFolder(data).sources()["bns-trade-by-country"].release(2020).edition == older.name
    )
    again = import_bns(newer, data)
    assert again.changed == 8 and all(c.outcome == "replaced" for c in again.conflicts)
    assert (data / "trade.csv").read_bytes() == before


def test_merge_reports_added_changed_kept():
    cols = list(TRADE.columns)
    old = pd.DataFrame(
        [(2020, "KAZ", "ITA", "export", 1.0, "USD", "s"), (2020, "KAZ", "ITA", "import", 2.0, "USD", "s")],
        columns=cols,
    )
    new = pd.DataFrame(
        [(2020, "KAZ", "ITA", "import", 3.0, "USD", "s"), (2021, "KAZ", "ITA", "export", 4.0, "USD", "s")],
        columns=cols,
    )
    merged, report = merge(old, new, TRADE)
    assert (report.added, report.changed, report.kept) == (1, 1, 1)
    assert merged.set_index(["year", "flow"]).loc[(2020, "import"), "value"] == 3.0
    assert len(merged) == 3


def test_committed_data_follows_the_contract():
    trade = DataFolder(ROOT / "data").load("trade")
    assert {"KAZ", "ITA"} <= set(trade["reporter"])
    assert (trade["value"] >= 0).all()
