"""Investment analysis: FDI shares and ranks, statement windows, level shifts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradebook.analysis import investment, timeseries


def _fdi() -> pd.DataFrame:
    rows = []
    for year, values in {
        2020: {"WLD": 100, "AAA": 50, "BBB": 30, "CCC": -5},
        2021: {"WLD": 80, "AAA": 10, "CCC": 20},
    }.items():
        for investor, v in values.items():
            rows.append((year, "KAZ", investor, "inflow", float(v), "EUR", "t"))
    return pd.DataFrame(rows, columns=["year", "host", "investor", "measure", "value", "currency", "source"])


def test_share_and_rank_among_listed_countries():
    table = investment.share_and_rank(_fdi(), "KAZ", "CCC", "inflow")
    assert list(table.index) == [2020, 2021]
    assert table.loc[2020, "rank"] == 3 and table.loc[2020, "investors"] == 3
    assert table.loc[2020, "share"] == pytest.approx(-0.05)
    assert table.loc[2021, "rank"] == 1 and table.loc[2021, "leader"] == "CCC"
    assert investment.share_and_rank(_fdi(), "KAZ", "BBB", "inflow").index.tolist() == [2020]


def test_series_is_wide_by_year():
    wide = investment.series(_fdi(), "KAZ", "AAA")
    assert wide.loc[2021, "inflow"] == 10 and wide["stock"].isna().all()
    assert wide.attrs["currency"] == "EUR"


@pytest.mark.parametrize(
    ("period", "published", "window"),
    [
        ("2005-2023H1 cumulative", "2024-01-17", (2005, 2023)),
        ("1994-2014 cumulative", "2014-06", (1994, 2014)),
        ("since independence cumulative", "2019-09-05", (None, 2019)),
        ("'in 2024' (probably cumulative)", "2025-05", None),
    ],
)
def test_statement_window(period, published, window):
    assert investment.statement_window(period, published) == window


def test_cumulative_covers_only_years_with_data():
    values = pd.Series([1.0, np.nan, 3.0, 4.0], index=[2003, 2004, 2005, 2006])
    w = investment.cumulative(values, 1990, 2005)
    assert (w.first, w.last, w.years, w.total) == (2003, 2005, 2, 4.0)
    assert investment.cumulative(values, None, 2030).total == 8.0
    assert investment.cumulative(values, 2010, 2012).years == 0


def test_compare_statements_puts_each_beside_its_window():
    statements = pd.DataFrame(
        {
            "published": ["2015", "2025"],
            "attributed_to": ["a", "b"],
            "publisher": ["p", "p"],
            "period": ["2003-2005", "in 2024"],
            "amount": [9.0, 7.0],
            "currency": ["USD", "USD"],
            "qualifier": ["", "approx."],
            "start": pd.array([2003, None], dtype="Int64"),
            "end": pd.array([2005, None], dtype="Int64"),
        }
    )
    inflows = pd.DataFrame({"USD": [1.0, 2.0, 4.0]}, index=[2003, 2004, 2006])
    out = investment.compare_statements(statements, inflows)
    assert out.loc[0, "net"] == 3.0 and out.loc[0, "ratio"] == 3.0 and out.loc[0, "years"] == 2
    assert np.isnan(out.loc[1, "net"]) and out.loc[1, "years"] == 0
    assert investment.compare_statements(statements.iloc[0:0], inflows).empty


def test_decimal_year_is_the_middle_of_the_stated_period():
    assert investment.decimal_year("2009") == 2009.5
    assert investment.decimal_year("2021-07") == pytest.approx(2021 + (181 + 15.5) / 365)
    assert investment.decimal_year("2024-01-01") == pytest.approx(2024 + 0.5 / 366)
    assert 1992.75 < investment.decimal_year("1992-10") < 1992.84


def test_level_shift_finds_a_clear_step_and_not_a_flat_series():
    years = range(2000, 2020)
    rng = np.random.default_rng(1)
    step = pd.Series([10.0 + (5 if y >= 2010 else 0) + rng.normal(0, 0.5) for y in years], index=years)
    res = timeseries.level_shift(step, 2010)
    assert res.shift == pytest.approx(5, abs=0.7) and res.p_value < 0.001
    assert (res.n_before, res.n_after) == (10, 10)
    assert res.placebo_share == 0.0  # no other break year fits as well as the true one
    flat = pd.Series(10 + rng.normal(0, 0.5, len(years)), index=years)
    assert timeseries.level_shift(flat, 2010).p_value > 0.05
    growth = pd.Series(np.exp(0.1 * np.arange(20)), index=years)
    assert timeseries.level_shift(growth, 2010, log=True, trend=True).shift == pytest.approx(0, abs=1e-6)
    with pytest.raises(ValueError, match="two years on each side"):
        timeseries.level_shift(flat, 2019)


def test_level_shift_or_none_when_one_side_is_too_short():
    years = range(2000, 2012)
    series = pd.Series(np.linspace(1.0, 2.0, len(years)), index=years)
    assert timeseries.level_shift_or_none(series, 2011) is None  # one year after: nothing to test
    assert timeseries.level_shift_or_none(series, 2006) == timeseries.level_shift(series, 2006)
    scaled = timeseries.level_shift_or_none(series * 1e6, 2006)
    assert scaled.p_value == pytest.approx(timeseries.level_shift(series, 2006).p_value)  # units do not matter


def test_statements_summary_counts_those_above_their_window():
    compared = pd.DataFrame(
        {
            "stated": [2.0, 9.0, 5.0, 1.0],
            "qualifier": ["", "more than", "", "about"],
            "period": ["2003-2005", "since independence", "2010-2012", "in 2024"],
            "attributed_to": ["a", "b", "c", "d"],
            "net": [3.0, 4.0, -1.0, float("nan")],  # the last has no window in the data
        }
    )
    got = investment.summarise_statements(compared)
    assert (got.count, got.smallest, got.largest) == (4, 1.0, 9.0)
    assert (got.largest_qualifier, got.largest_period, got.largest_attributed_to) == (
        "more than",
        "since independence",
        "b",
    )
    assert (got.summed, got.net_low, got.net_high) == (3, -1.0, 4.0)
    assert got.larger_than_net == sum(s > n for s, n in [(2.0, 3.0), (9.0, 4.0), (5.0, -1.0)])
    assert investment.summarise_statements(compared.iloc[:0]) is None
    unsummed = investment.summarise_statements(compared.iloc[3:])
    assert unsummed.summed == 0 and np.isnan(unsummed.net_low)


def test_the_stock_in_place_before_the_data_beside_a_window_that_starts_earlier():
    statements = pd.DataFrame(
        {
            "published": ["2015", "2020", "2019"],
            "attributed_to": ["a", "b", "c"],
            "publisher": ["p", "p", "p"],
            "period": ["2000-2005", "2005-2006", "since independence"],
            "amount": [9.0, 7.0, 8.0],
            "currency": ["USD", "USD", "USD"],
            "qualifier": ["", "", ""],
            "start": pd.array([2000, 2005, None], dtype="Int64"),
            "end": pd.array([2005, 2006, 2019], dtype="Int64"),
        }
    )
    inflows = pd.DataFrame({"USD": [-1.0, -2.0, -4.0, -1.0]}, index=[2003, 2004, 2005, 2006])
    stocks = pd.DataFrame({"USD": [12.0, 10.0, 6.0, 5.0]}, index=[2003, 2004, 2005, 2006])
    out = investment.compare_statements(statements, inflows, stocks)
    assert out["stock_year"].tolist()[::2] == [2003, 2003] and pd.isna(out.loc[1, "stock_year"])
    assert out.loc[0, "stock_start"] == 12.0 and np.isnan(out.loc[1, "stock_start"])  # 2005 is inside the data
    assert out["ratio"].isna().all()  # no ratio to a negative sum
    summary = investment.summarise_statements(out)
    assert summary.all_net_negative and summary.larger_than_net == 3  # true, and says nothing
    assert not investment.summarise_statements(out.assign(net=[1.0, -1.0, -1.0])).all_net_negative
