"""The trade-growth chapter and the introduction, executed with papermill and checked against the code."""

import pytest
from conftest import ROOT, page_text, run_notebook

from tradebook.analysis import indicators, models
from tradebook.data.folder import DataFolder

TRADE = DataFolder(ROOT / "data").load("trade")


@pytest.mark.parametrize("partner", ["ITA", "CHN"])
def test_trade_growth_notebook_glues_what_the_code_computes(tmp_path, partner):
    got = run_notebook("trade_growth", tmp_path, partner=partner, data_dir="../data")
    turnover = indicators.bilateral(TRADE, "KAZ", partner)["turnover"].dropna()
    assert got["last_year"] == int(turnover.index[-1])
    assert got["turnover_last_bn"] == pytest.approx(turnover.iloc[-1] / 1e9)
    assert got["cagr_all"] == pytest.approx(indicators.cagr(turnover, 2000, int(turnover.index[-1])))
    assert got["trend_growth"] == pytest.approx(models.log_trend(turnover).growth)
    assert got["break_p"] == pytest.approx(models.chow_break(turnover, 2015).p_value)
    ranks = indicators.share_and_rank(TRADE, "KAZ", partner)
    assert got["rank_last"] == int(ranks["rank"].iloc[-1])
    assert isinstance(got["forecast_last_bn"], float) and got["forecast_low_bn"] < got["forecast_high_bn"]


def test_trade_growth_respects_the_year_window(tmp_path):
    got = run_notebook("trade_growth", tmp_path, start_year=2005, end_year=2020, forecast_years=2)
    assert (got["first_year"], got["last_year"], got["forecast_last_year"]) == (2005, 2020, 2022)


@pytest.mark.xdist_group("book")
def test_built_book_shows_the_headline_numbers_for_italy(built_book):
    pair = indicators.bilateral(TRADE, "KAZ", "ITA")
    latest = int(pair.index[-1])
    growth = indicators.yoy_growth(pair["turnover"]).iloc[-1]
    intro = page_text(built_book / "_build/html/notebooks/intro.html")
    assert f"In {latest} Kazakhstan reported goods trade with Italy" in intro
    assert f"US$ {pair['turnover'].iloc[-1] / 1e9:,.1f} billion" in intro
    assert f"{growth:+.1%} on {latest - 1}" in intro
    rank = indicators.share_and_rank(TRADE, "KAZ", "ITA")
    assert f"number {int(rank['rank'].iloc[-1])} trading partner" in intro
    chapter = page_text(built_book / "_build/html/notebooks/trade_growth.html")
    t2024 = pair.loc[2024, "turnover"]
    assert f"US$ {t2024 / 1e9:,.2f} billion in 2024" in chapter  # the peak year, as the article's year
    growth_2024 = pair.loc[2024, "turnover"] / pair.loc[2023, "turnover"] - 1
    assert f"US$ {t2024 / 1e9:,.1f} billion, itself {growth_2024:+.1%} on 2023" in intro


def test_a_partner_known_only_since_2018_says_the_break_cannot_be_tested(tmp_path):
    got = run_notebook("trade_growth", tmp_path, partner="DEU")
    turnover = indicators.bilateral(TRADE, "KAZ", "DEU")["turnover"].dropna()
    assert got["n_years"] == len(turnover) and got["first_year"] == int(turnover.index[0]) > 2015
    assert got["break_text"].startswith("Not with these data: a break at 2015 needs at least 3 years")
    assert "break_p" not in got
