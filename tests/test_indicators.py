"""Indicators on cases small enough to check by hand."""

import math

import pandas as pd
import pytest

from tradebook.analysis import indicators
from tradebook.data.sources import Release, Source


def trade_rows(rows):
    return pd.DataFrame(rows, columns=["year", "reporter", "partner", "flow", "value", "currency", "source"])


def test_bilateral_sums_flows_into_turnover_and_ignores_other_currencies():
    trade = trade_rows(
        [
            (2020, "KAZ", "ITA", "export", 80.0, "USD", "s"),
            (2020, "KAZ", "ITA", "import", 20.0, "USD", "s"),
            (2021, "KAZ", "ITA", "export", 90.0, "USD", "s"),
            (2021, "KAZ", "ITA", "import", 30.0, "USD", "s"),
            (2021, "ITA", "KAZ", "export", 999.0, "EUR", "s"),
        ]
    )
    pair = indicators.bilateral(trade, "KAZ", "ITA")
    assert pair.loc[2020, "turnover"] == 100.0
    assert pair.loc[2021, "turnover"] == 120.0
    assert list(pair.index) == [2020, 2021]


def test_yoy_growth_is_blank_after_a_gap():
    s = pd.Series([100.0, 110.0, 121.0, 50.0], index=[2000, 2001, 2002, 2004])
    g = indicators.yoy_growth(s)
    assert g.loc[2001] == pytest.approx(0.10)
    assert g.loc[2002] == pytest.approx(0.10)
    assert math.isnan(g.loc[2004])


def test_cagr_of_ten_percent_a_year():
    s = pd.Series([100.0, 110.0, 121.0], index=[2000, 2001, 2002])
    assert indicators.cagr(s, 2000, 2002) == pytest.approx(0.10)
    with pytest.raises(ValueError):
        indicators.cagr(s, 2002, 2000)


def test_cagr_from_or_to_a_year_without_trade_is_no_rate():
    s = pd.Series([0.0, 110.0, 121.0], index=[2000, 2001, 2002])
    assert math.isnan(indicators.cagr(s, 2000, 2002))
    assert indicators.cagr(s, 2001, 2002) == pytest.approx(0.10)
    assert indicators.yoy_growth(s).isna().tolist() == [True, True, False]


def test_windows_split_at_breaks_inside_the_data():
    years = pd.Index(range(2000, 2026))
    assert indicators.windows(years, [2008, 2014, 2030]) == [(2000, 2008), (2008, 2014), (2014, 2025)]


def test_share_and_rank_among_all_partners():
    rows = [
        (2020, "KAZ", "WLD", "export", 1000.0, "USD", "s"),
        (2020, "KAZ", "WLD", "import", 1000.0, "USD", "s"),
    ]
    # 25 partners with turnover 10, 20, ..., 250; ITA has 200 → rank 6 (250, 240, 230, 220, 210 above it).
    codes = [
        "ITA",
        "CHN",
        "RUS",
        "DEU",
        "FRA",
        "NLD",
        "CHE",
        "GBR",
        "USA",
        "TUR",
        "KOR",
        "JPN",
        "IND",
        "POL",
        "ESP",
        "AUT",
        "BEL",
        "UZB",
        "KGZ",
        "BLR",
        "UKR",
        "IRN",
        "AZE",
        "GEO",
        "ARM",
    ]
    values = {c: 10.0 * (i + 1) for i, c in enumerate(codes[1:])}
    values["ITA"] = 200.0
    values["CHN"] = 250.0
    for code, v in values.items():
        rows.append((2020, "KAZ", code, "export", v, "USD", "s"))
    ranks = indicators.share_and_rank(trade_rows(rows), "KAZ", "ITA")
    assert ranks.loc[2020, "share_turnover"] == pytest.approx(200 / 2000)
    assert ranks.loc[2020, "share_export"] == pytest.approx(200 / 1000)
    assert ranks.loc[2020, "leader"] == "CHN"
    higher = sum(v > 200 for v in values.values())
    assert ranks.loc[2020, "rank"] == higher + 1


def test_year_range_on_the_index_or_a_column():
    long = trade_rows([(y, "KAZ", "ITA", "export", float(y), "USD", "s") for y in (1995, 2000, 2010, 2024)])
    assert long.pipe(indicators.year_range, 2000, 2010, on="year")["year"].tolist() == [2000, 2010]
    assert indicators.year_range(long, 2001, None, on="year")["year"].tolist() == [2010, 2024]
    by_year = long.set_index("year")
    assert indicators.year_range(by_year, None, 2000).index.tolist() == [1995, 2000]
    assert indicators.year_range(by_year, None, None).index.tolist() == [1995, 2000, 2010, 2024]
    assert indicators.year_range(by_year.iloc[:0], 2000, None).empty


def test_reported_takes_one_source_a_year_and_the_currency_asked_for():
    trade = trade_rows(
        [
            (2020, "ITA", "KAZ", "import", 5.0, "USD", "wits"),
            (2020, "ITA", "KAZ", "import", 4.0, "USD", "cepii"),  # first by name
            (2021, "ITA", "KAZ", "import", 7.0, "USD", "cepii"),
            (2021, "ITA", "KAZ", "import", 6.0, "EUR", "eurostat"),
            (2021, "ITA", "KAZ", "export", 1.0, "USD", "cepii"),
        ]
    )
    usd = indicators.reported(trade, "ITA", "KAZ", "import", currency="USD")
    assert usd["value"].to_dict() == {2020: 4.0, 2021: 7.0}
    assert usd.loc[2020, "source"] == "cepii"
    assert indicators.reported(trade, "ITA", "KAZ", "import").loc[2021, "source"] == "cepii"
    assert indicators.reported(trade, "ITA", "KAZ", "import", currency="EUR")["value"].to_dict() == {2021: 6.0}


def test_summary_of_a_series_with_gaps():
    s = pd.Series([0.5, None, 0.2, 0.9, 0.2, 0.4], index=[2003, 2001, 2004, 2006, 2005, 2002])
    got = indicators.summarise(s)
    known = [(2002, 0.4), (2003, 0.5), (2004, 0.2), (2005, 0.2), (2006, 0.9)]  # by year, the gap left out
    values = [v for _, v in known]
    assert (got.first_year, got.first, got.last_year, got.last) == (2002, 0.4, 2006, 0.9)
    assert (got.low_year, got.low) == (2004, 0.2)  # the earlier of two equal lows
    assert (got.high_year, got.high) == (2006, 0.9)
    assert got.median == pytest.approx(sorted(values)[2])
    assert got.years == (2002, 2003, 2004, 2005, 2006)
    assert indicators.summarise(pd.Series([None], index=[2000], dtype=float)) is None
    assert indicators.summarise(pd.Series(dtype=float)) is None


# --- complete years only --------------------------------------------------------------------------------


def pair_with_partial_year():
    """2020 and 2021 complete; 2022 exports only (the imports not yet published)."""
    return trade_rows(
        [
            (2020, "KAZ", "ITA", "export", 80.0, "USD", "s"),
            (2020, "KAZ", "ITA", "import", 20.0, "USD", "s"),
            (2021, "KAZ", "ITA", "export", 90.0, "USD", "s"),
            (2021, "KAZ", "ITA", "import", 30.0, "USD", "s"),
            (2022, "KAZ", "ITA", "export", 500.0, "USD", "s"),
        ]
    )


def test_bilateral_leaves_out_a_year_with_one_flow_and_partial_years_names_it():
    trade = pair_with_partial_year()
    pair = indicators.bilateral(trade, "KAZ", "ITA")
    assert list(pair.index) == [2020, 2021]  # 2022 is not a year of turnover, nor of exports alone
    growth = indicators.yoy_growth(pair["turnover"])
    assert growth.loc[2021] == pytest.approx(120 / 100 - 1)
    partial = indicators.partial_years(trade, "KAZ", "ITA")
    assert partial[["year", "present", "missing"]].values.tolist() == [[2022, "export", "import"]]
    assert indicators.partial_text(partial) == "2022 (exports only)"
    assert indicators.partial_text(partial.iloc[:0]) == ""


def test_a_one_sided_record_is_not_partial():
    """A series that never holds both flows (a partner's imports alone, say) is a record of one flow."""
    trade = trade_rows([(y, "ITA", "KAZ", "import", 10.0, "USD", "s") for y in (2019, 2020)])
    assert indicators.partial_years(trade, "ITA", "KAZ").empty
    assert indicators.bilateral(trade, "ITA", "KAZ")["import"].tolist() == [10.0, 10.0]


def ranking_rows(year: int, partners: int = 22) -> list[tuple]:
    """A year with a world total and `partners` partners of turnover 10, 20, …: ITA is the largest."""
    codes = ["ITA", *[f"P{i:02d}" for i in range(1, partners)]]
    rows = []
    for i, code in enumerate(reversed(codes)):
        rows += [(year, "KAZ", code, f, 5.0 * (i + 1), "USD", "s") for f in ("export", "import")]
    total = sum(10.0 * (i + 1) for i in range(partners)) / 2
    return rows + [(year, "KAZ", "WLD", f, total, "USD", "s") for f in ("export", "import")]


def test_a_ranking_with_a_partial_partner_is_not_a_ranking():
    rows = ranking_rows(2020) + ranking_rows(2021)
    # 2021: P05's imports are missing; its turnover would be read as its exports alone.
    rows = [r for r in rows if not (r[0] == 2021 and r[2] == "P05" and r[3] == "import")]
    trade = pd.DataFrame(rows, columns=["year", "reporter", "partner", "flow", "value", "currency", "source"])
    trade["partner"] = trade["partner"].str.replace("P", "X")  # no ISO code is needed by the ranking
    ranks = indicators.share_and_rank(trade, "KAZ", "ITA")
    assert list(ranks.index) == [2020]
    assert ranks.loc[2020, "rank"] == 1 and ranks.loc[2020, "partners"] == 22
    assert ranks.loc[2020, "share_turnover"] == pytest.approx(220.0 / sum(10.0 * (i + 1) for i in range(22)))
    table = indicators.partner_table(trade, "KAZ", with_world=False)
    assert (2021, "X05") not in table.index and (2020, "X05") in table.index
    assert "X05" not in indicators.partner_turnover(trade, "KAZ", 2021).index


def source(sid: str, *releases: Release) -> Source:
    return Source(
        id=sid, title="t", citation="c", publisher="p", origin="o", licence="l", units="u", caveats=[],
        releases=list(releases),
    )  # fmt: skip


def test_release_text_reads_the_release_of_the_year_from_sources_yml():
    known = {
        "bns": source(
            "bns",
            Release(years=[2021], edition="e", status="final", released="2022-07-01"),
            Release(years=[2022], edition="f", status="preliminary"),
        ),
        "panel": source("panel"),
    }
    trade = trade_rows(
        [
            (2021, "KAZ", "ITA", "export", 1.0, "USD", "bns"),
            (2021, "KAZ", "ITA", "import", 1.0, "USD", "bns"),
            (2022, "KAZ", "ITA", "export", 1.0, "USD", "bns"),
            (2022, "KAZ", "ITA", "import", 1.0, "USD", "panel"),
        ]
    )
    assert indicators.release_text(trade, known, "KAZ", "ITA", 2021) == "final edition, released 2022-07-01"
    assert indicators.release_text(trade, known, "KAZ", "ITA", 2022) == (
        "exports: preliminary edition, release date not recorded; "
        "imports: edition status not recorded, release date not recorded"
    )
    assert indicators.release_text(trade, known, "KAZ", "ITA", 2030) == "release not recorded"
