"""data/sources.yml as a strict model: the shipped file reads and writes back unchanged; each problem names
file, line and key."""

from pathlib import Path

import pytest
from conftest import ROOT

from tradebook.data import sources
from tradebook.data.errors import InputError

SHIPPED = ROOT / "data" / "sources.yml"


def test_the_shipped_file_reads_and_dumps_back_byte_for_byte(tmp_path):
    known = sources.read(SHIPPED)
    assert known["bns-trade-by-country"].rank("trade") == 1
    assert known["eurostat-comext-italy-kz-listed"].coverage == "partial"
    assert known["bns-trade-by-partner-2024-2025"].release(2025).released == "2026-07-27"
    (tmp_path / "sources.yml").write_text(sources.text(known.values()), encoding="utf-8")
    assert (tmp_path / "sources.yml").read_bytes() == SHIPPED.read_bytes()


def _problems(tmp_path: Path, old: str, new: str) -> list[str]:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "sources.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        sources.read(path)
    return [str(p) for p in err.value.problems]


def _line(old: str) -> int:
    return SHIPPED.read_text(encoding="utf-8")[: SHIPPED.read_text(encoding="utf-8").index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    trade: 5\n", "    trade: first\n", "key 'trade': expected a rank: a whole number ≥ 1, got 'first'"),
        ("    trade: 5\n", "    trades: 5\n", "key 'trades': expected a dataset name"),
        ("    status: preliminary\n", "    status: early\n", "key 'status': expected one of final, preliminary"),
        ("    released: '2024-07-25'\n", "    released: '2024-13-25'\n", "key 'released': expected a date"),
        ("coverage: partial\n", "coverage: some\n", "key 'coverage': expected one of complete, partial"),
        ("total_source: eurostat-comext-italy-kz-total-hs27\n", "total_source: nowhere\n", "unknown source id"),
        ("    latest_year: 2019\n", "    latest_year: '2019'\n", "key 'latest_year': expected a year"),
    ],
)
def test_a_bad_entry_names_file_line_and_key(tmp_path, old, new, message):
    found = _problems(tmp_path, old, new)
    assert any(message in p and p.startswith(f"{tmp_path / 'sources.yml'}:{_line(old)}:") for p in found), found


def test_a_year_in_two_releases_is_refused(tmp_path):
    old = "  - years:\n    - 2019\n    edition: bns_main_foreign_trade_indicators_by_country_2020_2019.xls\n"
    new = "  - years:\n    - 2018\n    edition: bns_main_foreign_trade_indicators_by_country_2020_2019.xls\n"
    found = _problems(tmp_path, old, new)
    assert any("2018 is already in the release" in p for p in found), found


def test_the_same_bytes_are_parsed_once_and_changed_bytes_again(tmp_path, monkeypatch):
    path = tmp_path / "sources.yml"
    path.write_bytes(SHIPPED.read_bytes())
    parsed: list[Path] = []
    load_model = sources.load_model
    monkeypatch.setattr(sources, "load_model", lambda p, *a, **k: parsed.append(p) or load_model(p, *a, **k))
    first = sources.read(path)
    expected = dict(first)
    first.clear()  # the caller's dict is its own
    assert sources.read(tmp_path / ".." / tmp_path.name / "sources.yml") == expected and len(parsed) == 1
    text = SHIPPED.read_text(encoding="utf-8")
    path.write_text(text.replace("    trade: 5\n", "    trade: 6\n", 1), encoding="utf-8")
    changed = sources.read(path)
    assert len(parsed) == 2 and changed != expected
    path.write_text(text.replace("    trade: 5\n", "    trade: first\n", 1), encoding="utf-8")
    with pytest.raises(InputError):
        sources.read(path)  # a broken file is reported, never answered from an earlier parse


def test_warm_parses_ahead_and_leaves_a_broken_file_to_validation(tmp_path, monkeypatch):
    """The fork server's warm-up: a kernel reading the same bytes gets the parse; a bad file raises only there."""
    (tmp_path / "sources.yml").write_bytes(SHIPPED.read_bytes())
    expected = sources.read(SHIPPED)
    sources.warm(tmp_path)
    monkeypatch.setattr(sources, "load_model", lambda *a, **k: pytest.fail("parsed again"))
    assert sources.read(tmp_path / "sources.yml") == expected
    monkeypatch.undo()
    sources.warm(tmp_path / "absent")
    (tmp_path / "sources.yml").write_text("not: [a, mapping", encoding="utf-8")
    sources.warm(tmp_path)
    with pytest.raises(InputError):
        sources.read(tmp_path / "sources.yml")
