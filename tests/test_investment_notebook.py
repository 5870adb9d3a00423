"""The investment chapter executed for Italy and the Netherlands; its glued numbers against the data."""

from __future__ import annotations

import chapters
import pytest
from conftest import ROOT, built_chapter, page_text

from tradebook.analysis import indicators, timeseries
from tradebook.data import currency
from tradebook.data.folder import DataFolder

DATA = ROOT / "data"


def _fdi(partner: str, measure: str):
    fdi = DataFolder(DATA).load("fdi")
    return fdi[(fdi.investor == partner) & (fdi.measure == measure)].set_index("year")["value"]


@pytest.fixture(scope="module")
def italy(built_book):
    return built_chapter(built_book, "investment_history")


def test_italy_numbers_come_from_the_data(italy):
    inflow, stock = _fdi("ITA", "inflow"), _fdi("ITA", "stock")
    assert italy["partner_name"] == "Italy"
    assert italy["last_year"] == inflow.index.max()
    assert italy["inflow_last_eur_m"] == pytest.approx(inflow.iloc[-1] / 1e6)
    assert italy["negative_list"] == ", ".join(str(y) for y in inflow.index[inflow < 0])
    usd = inflow * [currency.annual_rate(y, "EUR", "USD") for y in inflow.index]
    assert italy["total_usd_m"] == pytest.approx(usd.sum() / 1e6)
    assert italy["inflow_min_year"] == usd.idxmin()
    assert italy["stock_last_eur_m"] == pytest.approx(stock.iloc[-1] / 1e6)
    world = _fdi("WLD", "stock")
    assert italy["stock_share_last"] == pytest.approx(stock.iloc[-1] / world.loc[stock.index[-1]])
    assert italy["events_count"] == len(DataFolder(DATA).load("events").query("partner == 'ITA'"))
    assert italy["has_shift_event"] is True and "Strategic Partnership Agreement" in italy["shift_event"]
    assert italy["has_statements"] is True and italy["statements_largest_bn"] == pytest.approx(15.0)
    assert italy["shift_tested"] is True and 0 <= italy["tr_placebo"] <= 1
    trade = DataFolder(DATA).load("trade")
    turnover = indicators.year_range(indicators.bilateral(trade, "KAZ", "ITA"), 2000, None)["turnover"].dropna()
    assert italy["tr_p"] == pytest.approx(timeseries.level_shift(turnover, 2009, log=True).p_value)
    usd_from_2000 = usd[usd.index >= 2000]
    assert italy["fd_shift_m"] == pytest.approx(timeseries.level_shift(usd_from_2000, 2009).shift / 1e6)


def test_netherlands_edition_runs_without_events_or_statements(tmp_path):
    nld = chapters.glued("investment_history", partner="NLD")
    assert nld["partner_name"] == "Netherlands"
    assert nld["events_count"] == 0 and nld["has_events"] is False  # the page says no milestones are on record
    assert nld["has_statements"] is False  # ... and no official statement
    assert nld["stock_rank_last"] == 1
    assert nld["stock_last_eur_m"] == pytest.approx(_fdi("NLD", "stock").iloc[-1] / 1e6)


def test_a_partner_with_too_few_years_for_the_shift_test_still_gets_the_chapter(tmp_path):
    deu = chapters.glued("investment_history", partner="DEU")
    assert deu["partner_name"] == "Germany"
    assert deu["stock_last_eur_m"] == pytest.approx(_fdi("DEU", "stock").iloc[-1] / 1e6)
    assert deu["shift_tested"] is False  # the page says the series are too short on one side of 2009
    trade = DataFolder(DATA).load("trade")
    turnover = indicators.bilateral(trade, "KAZ", "DEU")["turnover"].dropna()
    assert deu["tr_n"] == len(turnover) and (turnover.index < 2009).sum() < 2


def test_built_page_shows_the_computed_figures(built_book):
    text = page_text(built_book / "_build" / "html" / "notebooks" / "investment_history.html")
    inflow, stock = _fdi("ITA", "inflow"), _fdi("ITA", "stock")
    last = int(inflow.index.max())
    assert f"(€ {inflow.loc[last] / 1e6:,.0f} million)" in text
    assert f"(€ {stock.loc[last] / 1e6:,.0f} million) at the end of {last}" in text
    fdi = DataFolder(DATA).load("fdi")
    block = fdi[(fdi.year == last) & (fdi.measure == "stock") & (fdi.investor != "WLD")]
    rank = int((block["value"] > stock.loc[last]).sum()) + 1
    assert f"number {rank} among the {len(block)} investor countries" in text
    assert "Strategic Partnership Agreement" in text and "{glue" not in text
    trade = DataFolder(DATA).load("trade")
    years = indicators.year_range(indicators.bilateral(trade, "KAZ", "ITA"), 2000, None)["turnover"].dropna().index
    before, after = int((years < 2009).sum()), int((years >= 2009).sum())
    assert f"{before} years before, {after} from it on" in text and "placebo check" in text
    assert "No milestones" not in text and "No official statement" not in text
    intro = (built_book / "_build" / "html" / "notebooks" / "intro.html").read_text(encoding="utf-8")
    assert 'href="investment_history.html"' in intro  # the chapter is in the book's navigation
