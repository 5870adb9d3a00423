"""The data-and-methods page's source-by-year table and partial years, on small frames and on the book."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import page_text

from tradebook.book import methods
from tradebook.data.sources import Release, Source

COLUMNS = ["year", "reporter", "partner", "flow", "value", "currency", "source"]


def source(sid: str, *releases: Release) -> Source:
    return Source(
        id=sid, title="t", citation="c", publisher="p", origin="o", licence="l", units="u", caveats=[],
        releases=list(releases),
    )  # fmt: skip


KNOWN = {
    "panel": source("panel"),
    "bns": source(
        "bns",
        Release(years=[2018], edition="a", status="preliminary"),
        Release(years=[2019, 2020], edition="b", status="final", released="2021-07-01"),
    ),
}


def rows(reporter: str, partner: str, years: dict[int, str], flows=("export", "import")) -> list[tuple]:
    return [(y, reporter, partner, f, 1.0, "USD", s) for y, s in years.items() for f in flows]


def test_sources_used_runs_of_years_by_source_and_release():
    panel_then_bns = {2016: "panel", 2017: "panel", 2018: "bns", 2019: "bns", 2020: "bns"}
    trade = pd.DataFrame(
        rows("KAZ", "ITA", panel_then_bns)
        + rows("KAZ", "WLD", {2018: "bns", 2019: "bns", 2020: "bns"})
        + rows("KAZ", "CHN", panel_then_bns)
        + rows("KAZ", "RUS", {2019: "bns", 2020: "bns"})
        + rows("ITA", "KAZ", {2019: "panel"}, flows=("import",)),
        columns=COLUMNS,
    )
    table = methods.sources_used_table(trade, KNOWN, "KAZ", "ITA")["Years: source used (release)"]
    assert table[("KAZ", "ITA", "exports and imports")] == (
        "2016–2017: panel; 2018: bns, preliminary; 2019–2020: bns, final, released 2021-07-01"
    )
    assert table[("ITA", "KAZ", "imports")] == "2019: panel"
    assert table[("KAZ", "WLD", "exports and imports")].startswith("2018: bns, preliminary; ")
    assert table[("KAZ", "other partners", "exports and imports")] == (
        "2016–2017: panel (1 partner); 2018: bns, preliminary (1 partner); "
        "2019–2020: bns, final, released 2021-07-01 (2 partners)"
    )
    assert len(table) == 4  # one row a series group, never one a year


def test_partial_years_as_ranges():
    trade = pd.DataFrame(
        rows("KAZ", "ITA", {2019: "bns", 2020: "bns"})
        + [(y, "KAZ", "ITA", "export", 1.0, "USD", "bns") for y in (2021, 2022, 2024)],
        columns=COLUMNS,
    )
    table = methods.partial_years_table(trade)
    assert table.loc[("KAZ", "ITA"), "Years"] == "2021–2022, 2024"
    assert table.loc[("KAZ", "ITA"), "Flow missing"] == "import"
    assert methods.year_runs([2000, 2001, 2003]) == "2000–2001, 2003"


def test_the_data_page_shows_the_source_of_each_run_of_years(built_book: Path):
    text = page_text(built_book / "_build/html/notebooks/data_methods.html")
    assert "Which source each series uses" in text
    assert "2025: bns-trade-by-partner-2024-2025, final, released 2026-07-27" in text
    assert "2000–2017: wits-bns-panel" in text
