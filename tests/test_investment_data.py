"""The investment chapter's inputs: wiiw FDI and published-figures importers, events, contract checks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, ROOT, SHARED, copy_project, needs_shared

from tradebook.data.contract import DATASETS
from tradebook.data.errors import InputError
from tradebook.data.folder import DataFolder
from tradebook.data.importers import build_data, published_figures, reference, wiiw
from tradebook.data.validate import check, validate_all

DATA = ROOT / "data"


def test_wiiw_fixture_scales_skips_missing_and_aggregates():
    frame, dropped = wiiw.read(FIXTURES / "wiiw_fdi_small.csv")
    assert dropped == ["EU - 27 countries (from 2020)", "Netherlands Antilles"]
    assert set(frame["investor"]) == {"WLD", "ITA", "NLD"}
    assert set(frame["host"]) == {"KAZ"} and set(frame["currency"]) == {"EUR"}
    ita = frame[(frame.investor == "ITA")].set_index(["measure", "year"])["value"]
    assert ita[("inflow", 2019)] == pytest.approx(-12345678.9)
    assert ("inflow", 2020) not in ita.index  # '.' is missing, not zero
    assert ("stock", 2019) not in ita.index
    assert ita[("stock", 2021)] == -500000.0
    world = frame[(frame.investor == "WLD") & (frame.measure == "inflow")]
    assert list(world["value"]) == [100500000.0, 200000000.0, 300000000.0]  # % rows not imported


def test_wiiw_unknown_direction_names_line_and_column(tmp_path):
    text = (FIXTURES / "wiiw_fdi_small.csv").read_text().replace('"FDI inward stock","NL"', '"FDI outflow","NL"')
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(InputError) as err:
        wiiw.read(bad)
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (9, "Direction")


def test_wiiw_text_value_is_an_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text((FIXTURES / "wiiw_fdi_small.csv").read_text().replace("450", "n/a"))
    with pytest.raises(InputError, match="expected a number or '.'"):
        wiiw.read(bad)


@needs_shared
def test_wiiw_real_file_every_partner():
    frame, dropped = wiiw.read(SHARED / wiiw.FILE)
    assert dropped == sorted(
        [
            "EU - 27 countries (from 2020)",
            "EU - 28 countries (2013-2020)",
            "EU - 15 countries (1995-2004)",
            "Netherlands Antilles",
        ]
    )
    assert frame["investor"].nunique() == 84 - len(dropped)  # 80 countries and the world
    assert frame["year"].min() == 2003 and frame["year"].max() == 2021
    ita = frame[frame.investor == "ITA"].set_index(["measure", "year"])["value"]
    # Values as the shared SOURCE.md quotes them, in EUR million
    assert ita[("inflow", 2005)] / 1e6 == pytest.approx(-273.7, abs=0.05)
    assert ita[("inflow", 2016)] / 1e6 == pytest.approx(282.0, abs=0.05)
    assert ita[("stock", 2021)] / 1e6 == pytest.approx(118.9, abs=0.05)
    assert len(ita) == 38


def test_parse_unit():
    assert published_figures.parse_unit("bn USD") == (1e9, "USD", "")
    assert published_figures.parse_unit("mn EUR") == (1e6, "EUR", "")
    assert published_figures.parse_unit("bn USD (more than)") == (1e9, "USD", "more than")
    assert published_figures.parse_unit("% (approx.)") == (None, "", "approx.")
    assert published_figures.parse_unit("tonnes") == (None, "", "")
    with pytest.raises(ValueError, match="unknown qualifier"):
        published_figures.parse_unit("bn USD (at least)")


def test_published_fixture_keeps_every_row_as_published():
    frame = published_figures.read(FIXTURES / "published_small.csv")
    assert len(frame) == 5
    rows = frame.set_index("url")
    assert rows.loc["https://example.org/a", "amount"] == 7.3e9
    assert rows.loc["https://example.org/b", "qualifier"] == "more than"
    assert rows.loc["https://example.org/c", "amount"] == 973.2e6
    assert rows.loc["https://example.org/d", "currency"] == "" and pd.isna(rows.loc["https://example.org/d", "amount"])
    assert pd.isna(rows.loc["https://example.org/e", "value"])
    assert rows.loc["https://example.org/a", "value"] == 7.3 and rows.loc["https://example.org/a", "unit"] == "bn USD"


def test_published_bad_unit_names_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text((FIXTURES / "published_small.csv").read_text().replace("(more than)", "(at least)"))
    with pytest.raises(InputError) as err:
        published_figures.read(bad)
    assert (err.value.problems[0].line, err.value.problems[0].column) == (3, "unit")


@needs_shared
def test_published_real_file_every_figure():
    frame = published_figures.read(SHARED / published_figures.FILE)
    raw = pd.read_csv(SHARED / published_figures.FILE, dtype=str)
    assert len(frame) == len(raw) == 36
    assert set(frame["url"]) == set(raw["url"])
    stated = frame[frame.indicator.str.contains("invest", case=False) & (frame.currency == "USD")]
    assert {7.3e9, 7.6e9, 8.7e9, 15e9, 5.7e9, 58.24e6} <= set(stated["amount"]) | set(
        frame.loc[frame.indicator.str.contains("FDI"), "amount"]
    )


def test_committed_data_follows_the_contract():
    assert validate_all(DATA) == []
    data = DataFolder(DATA)
    fdi = data.load("fdi")
    assert (fdi.loc[fdi.investor == "WLD", "value"] > 0).all()
    cited = set(data.load("published_figures")["source"]) | {reference.SOURCE.id}
    assert set(data.load("events")["source"]) <= cited


def test_issue_milestones_are_on_record():
    events = DataFolder(DATA).load("events")
    ita = events[events.partner == "ITA"]
    needed = {
        "1992": "Diplomatic relations",
        "1992-10": "embassy",
        "1994": "Nazarbayev",
        "1996": "embassy",
        "2009": "Strategic Partnership",
        "2018": "Senate",
        "2024-01": "president",
    }
    for date, words in needed.items():
        assert ita[(ita.date == date) & ita.event.str.contains(words)].shape[0] == 1, date
    assert len(ita[ita.date == "1997"]) == 2  # Scalfaro's visit and Tokayev as foreign minister
    assert {"summit", "visit"} <= set(ita.loc[ita.date == "2025-05-30", "kind"])


@needs_shared
def test_every_event_quotes_its_document():
    """The evidence of each event is found word for word in the file or page row it cites."""
    events = DataFolder(DATA).load("events")
    figures = DataFolder(DATA).load("published_figures")
    for row in events.itertuples():
        if row.reference.startswith("http"):
            page = figures[figures.url == row.reference]
            assert row.evidence in " ".join(page["url"] + " " + page["note"]), row.event
        else:
            text = re.sub(r"\s+", " ", (SHARED.parent / row.reference).read_text(encoding="utf-8"))
            assert row.evidence in text, row.event


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return data


def test_negative_world_stock_is_rejected(tmp_path):
    line = next(x for x in (DATA / "fdi.csv").read_text().splitlines() if ",KAZ,WLD,stock," in x)
    data = _broken(tmp_path, "fdi.csv", line, line.replace(",stock,", ",stock,-"))
    problems = validate_all(data)
    assert problems and all(p.file.endswith("fdi.csv") for p in problems)
    assert "world-total stock" in problems[0].message and problems[0].line is not None


def test_bad_event_date_and_unrecorded_url(tmp_path):
    data = _broken(tmp_path, "events.csv", "1992-10,", "1992-13,")
    assert any(p.column == "date" and p.line == 3 for p in validate_all(data))
    url = "https://example.org/not-on-record"
    data2 = _broken(tmp_path / "b", "events.csv", "reference/article-kazakhstan-italy-2025.txt", url)
    problems = validate_all(data2)
    assert [(p.line, p.column) for p in problems] == [(2, "reference")]


def test_validate_command_reports_event_problem_in_one_line(tmp_path, cli):
    project = copy_project(tmp_path)
    events = project / "data" / "events.csv"
    events.write_text(events.read_text().replace(",ITA,visit,", ",ITA,party,", 1))
    proc = cli("validate", cwd=project)
    assert proc.returncode == 1
    assert re.search(r"data/events\.csv:\d+: column 'kind'", proc.stderr)
    assert "Traceback" not in proc.stderr


@needs_shared
def test_make_data_reproduces_investment_files_and_keeps_events(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    shutil.copy(DATA / "events.csv", out / "events.csv")
    build_data(SHARED, out, log=lambda _: None)
    for name in ("fdi.csv", "published_figures.csv", "sources.yml", "trade.csv"):
        assert (out / name).read_bytes() == (DATA / name).read_bytes(), name
    assert (out / "events.csv").read_bytes() == (DATA / "events.csv").read_bytes()
    assert validate_all(out) == []


def test_check_reports_fdi_key_duplicates(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "fdi.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    _, problems = check(path, DATASETS["fdi"])
    assert problems and "duplicate key" in problems[0].message
