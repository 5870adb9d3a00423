"""Official and press figures on Italian companies in Kazakhstan and on Italian investment → rows of
data/published_figures.csv, with what each figure measures and the sentence it was read from.

The file has the layout of published-figures-web plus `quote_excerpt`. What a figure measures is set
from its indicator by the explicit table below (a count of operating companies is not one of registered
entities), so a new indicator must be classified before it is imported.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..contract import MEASURES
from ..errors import InputError
from ..sources import Source
from . import published_figures
from .common import records

FILE = "italian-companies-and-fdi-press-figures/italian_companies_and_investment_press_figures.csv"
QUOTE = "quote_excerpt"
CUMULATIVE = "investment, cumulative"
MEASURE_OF_INDICATOR = {
    "Italian companies operating in Kazakhstan": "companies operating",
    "Enterprises with Italian capital operating in Kazakhstan": "companies operating",
    "Italian enterprises in Kazakhstan": "companies operating",
    "Legal entities with Italian capital registered in Kazakhstan": "companies registered",
    "Companies with Italian participation in Kazakhstan": "companies with participation",
    "Italian–Kazakh joint ventures": "joint ventures",
    "Entities with Italian capital operating in Atyrau region": "companies in one region",
    "Italian companies in KZ government investment programme 2021-2025": "companies in a programme",
    "Italian investment in Kazakhstan": CUMULATIVE,
    "Italy's total direct investment in Kazakhstan": CUMULATIVE,
    "Investment inflow from Italy": "investment, one period",
}

SOURCE = Source(
    id="press-companies-fdi",
    title="Italian companies in Kazakhstan and Italian investment: figures quoted in official statements and "
    "the press, 2014–2025",
    citation="Published statements on Italian companies and investment (news agencies, official pages), as cited",
    publisher="Various: AGC News, The Astana Times, Kazinform, Italiani all'estero TV, Agenzia Nova, "
    "news.mail.ru, atr.kz; each row names its publisher, URL and whom the page attributes the figure to",
    origin="Figures read from stored copies of the public web pages, one row per figure, with URL and the "
    "sentence it was read from",
    licence="No licence: short factual quotations with attribution only; article text is not republished.",
    units="as published (`value` in `unit`); `amount` in whole units of `currency` where the unit is money",
    caveats=[
        "Secondary quotations, not statistics: no register of companies by owner country, and no gross FDI "
        "inflows by investor country, is among the sources of this book.",
        "Counts differ by what they count (`measure`): companies operating, legal entities registered (not "
        "necessarily active), companies with any Italian participation, joint ventures, one region only, one "
        "programme only. Only figures of the same measure compare.",
        "Investment figures do not say whether they are gross or net, nor by immediate or ultimate investor.",
        "'about' on a page is the qualifier 'approx.'; `unit` keeps the page's word.",
        "The atr.kz page carries no date: its `published` is blank and its note says so.",
    ],
)


def read(path: Path) -> pd.DataFrame:
    """published_figures rows with `measure` and `quote`."""
    path = Path(path)
    rows = records(path, (*published_figures.COLUMNS, QUOTE))
    frame = published_figures.read(path, source=SOURCE.id)
    measures = []
    for (line, rec), period in zip(rows, frame["period"], strict=True):
        measure = MEASURE_OF_INDICATOR.get(rec["indicator"].strip())
        if measure not in MEASURES:
            raise InputError.at(
                path, "an indicator without a measure; add it to MEASURE_OF_INDICATOR", line, "indicator"
            )
        if measure == CUMULATIVE and "cumulative" not in period:
            raise InputError.at(path, f"a cumulative investment figure whose period is {period!r}", line, "period")
        measures.append(measure)
    return frame.assign(measure=measures, quote=[rec[QUOTE].strip() for _, rec in rows])


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
