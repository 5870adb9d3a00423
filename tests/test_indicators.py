"""Indicators on cases small enough to check by hand."""

import math

import pandas as pd
import pytest

from tradebook.analysis import indicators


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
