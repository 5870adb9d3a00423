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
