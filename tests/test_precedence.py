"""Source precedence: rank first, then a final release before a preliminary one, then the newer edition;
a value that loses is kept out and reported, and only an override replaces a higher-standing one."""

import warnings

import pandas as pd
import pytest
from conftest import ROOT

from tradebook.data.contract import TRADE, TRADE_PRODUCTS
from tradebook.data.folder import DataFolder
from tradebook.data.precedence import KEPT, OVERRIDDEN, REPLACED, Standing, compare, merge, sources_used
from tradebook.data.sources import Release, Source

COLUMNS = list(TRADE.columns)


def source(sid: str, rank: int | None = None, *releases: Release) -> Source:
    return Source(
        id=sid,
        title="t",
        citation="c",
        publisher="p",
        origin="o",
        licence="l",
        units="u",
        caveats=[],
        precedence={"trade": rank} if rank else {},
        releases=list(releases),
    )


def rows(*values: tuple[int, str, float, str]) -> pd.DataFrame:
    return pd.DataFrame([(y, "KAZ", "ITA", f, v, "USD", s) for y, f, v, s in values], columns=COLUMNS)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (Standing("x", 1), Standing("y", 2), (1, "rank")),
        (Standing("x", 2, "final"), Standing("y", 1, "preliminary"), (-1, "rank")),
        (Standing("x", 1, "final", 2022), Standing("x", 1, "preliminary", 2023), (1, "release status")),
        (Standing("x", 1, "final", 2022), Standing("x", 1, "final", 2023), (-1, "edition")),
        (Standing("x", 1, "final", 2023, "2024-07"), Standing("x", 1, "final", 2023, "2024-07-25"), (0, "")),
        (Standing("x", 1, None, None, "2024-11"), Standing("x", 1, None, None, "2023-01-13"), (1, "release date")),
        (Standing("x"), Standing("y", 1), (0, "")),
    ],
)
def test_compare(a, b, expected):
    assert compare(a, b) == expected


def test_a_lower_ranked_value_is_kept_out_and_reported():
    known = {"bns": source("bns", 1), "comtrade": source("comtrade", 6)}
    old = rows((2023, "export", 14.8, "bns"))
    new = rows((2023, "export", 9.5, "comtrade"), (2024, "export", 1.0, "comtrade"))
    merged, report = merge(old, new, TRADE, known, known)
    assert merged.set_index("year")["value"].to_dict() == {2023: 14.8, 2024: 1.0}
    assert (report.added, report.changed, report.kept) == (1, 0, 1)
    (conflict,) = report.conflicts
    assert conflict.outcome == KEPT and conflict.key == (2023, "KAZ", "ITA", "export")
    assert "kept 14.80 USD (bns, rank 1)" in str(conflict) and "not taken 9.50 USD (comtrade, rank 6)" in str(conflict)


def test_an_override_replaces_it_and_says_so():
    known = {"bns": source("bns", 1), "comtrade": source("comtrade", 6)}
    merged, report = merge(
        rows((2023, "export", 14.8, "bns")), rows((2023, "export", 9.5, "comtrade")), TRADE, known, known, True
    )
    assert merged["value"].tolist() == [9.5] and report.conflicts[0].outcome == OVERRIDDEN and report.changed == 1


def test_an_older_edition_never_replaces_a_newer_one():
    newer = Release(years=[2020], edition="2021 workbook", status="preliminary", latest_year=2021)
    older = Release(years=[2020], edition="2020 workbook", status="preliminary", latest_year=2020)
    old, new = rows((2020, "import", 2.0, "bns")), rows((2020, "import", 1.0, "bns"))
    merged, report = merge(old, new, TRADE, {"bns": source("bns", 1, newer)}, {"bns": source("bns", 1, older)})
    assert merged["value"].tolist() == [2.0] and report.conflicts[0].outcome == KEPT
    assert "edition" in report.conflicts[0].reason
    merged, report = merge(new, old, TRADE, {"bns": source("bns", 1, older)}, {"bns": source("bns", 1, newer)})
    assert merged["value"].tolist() == [2.0] and report.conflicts[0].outcome == REPLACED
    assert report.taken == {("bns", 2020)}


def test_a_final_edition_outranks_a_later_preliminary_one():
    final = Release(years=[2025], edition="final", status="final", latest_year=2025)
    early = Release(years=[2025], edition="early", status="preliminary", latest_year=2026)
    old, new = rows((2025, "export", 2.0, "a")), rows((2025, "export", 1.0, "b"))
    merged, _ = merge(old, new, TRADE, {"a": source("a", 1, final)}, {"b": source("b", 1, early)})
    assert merged["value"].tolist() == [2.0]


def test_two_sources_nothing_decides_between_keep_the_value_there():
    merged, report = merge(rows((2020, "export", 2.0, "a")), rows((2020, "export", 1.0, "b")), TRADE, {}, {})
    assert merged["source"].tolist() == ["a"] and "no rank or release decides" in report.conflicts[0].reason


def test_the_same_source_read_again_replaces_its_values_quietly():
    merged, report = merge(rows((2020, "export", 2.0, "a")), rows((2020, "export", 1.0, "a")), TRADE, {}, {})
    assert merged["value"].tolist() == [1.0] and report.changed == 1 and report.conflicts == ()


def test_new_rows_without_quantities_keep_the_quantities_a_number_column():
    """Rows of a source that reports no quantities, merged into rows that have them: the column stays a
    column of numbers (pandas' concat would type it by its missing values in a future version)."""
    columns = list(TRADE_PRODUCTS.all_columns)
    line = (2021, "KAZ", "ITA", "export", "27", 1.0, "USD", "a")
    existing = pd.DataFrame([(*line, 5.0, "t")], columns=columns)
    new = pd.DataFrame([(2022, *line[1:], None, None)], columns=columns)
    assert new["quantity"].dtype == object
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        merged, report = merge(existing, new, TRADE_PRODUCTS, {}, {})
    assert report.added == 1 and merged["quantity"].dtype == "float64"
    assert merged["quantity"].tolist()[0] == 5.0 and pd.isna(merged["quantity"].tolist()[1])


def test_sources_used_names_the_source_and_release_of_each_year():
    data = DataFolder(ROOT / "data")
    used = sources_used(data.load("trade"), data.sources())
    ita = used[(used.reporter == "KAZ") & (used.partner == "ITA") & (used.flow == "export")].set_index("year")
    assert ita.loc[2010, "source"] == "wits-bns-panel" and pd.isna(ita.loc[2010, "status"])
    assert ita.loc[2023, ["source", "rank", "status", "released"]].tolist() == [
        "bns-trade-by-country",
        1,
        "final",
        "2024-07-25",
    ]
    assert ita.loc[2025, ["source", "status", "released"]].tolist() == [
        "bns-trade-by-partner-2024-2025",
        "final",
        "2026-07-27",
    ]
    assert not used.duplicated(["reporter", "partner", "flow", "year"]).any()
