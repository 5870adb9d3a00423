"""Figures quoted on public web pages (officials, press) → data/published_figures.csv, as published."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import PUBLISHED_FIGURES, QUALIFIERS
from ..errors import InputError, Problem, display_path
from ..numbers import NumberError, parse_number
from ..sources import Source
from .common import read_raw_csv

FILE = "published-figures-web/published_figures_kz_it.csv"
COLUMNS = ("url", "publisher", "pub_date", "period", "indicator", "value", "unit", "attributed_to", "note")
PARTNER = "ITA"  # the file collects figures on Kazakhstan–Italy trade and investment
SCALES = {"": 1.0, "mn": 1e6, "bn": 1e9}
MONEY = re.compile(r"^(?:(?P<scale>mn|bn)\s+)?(?P<currency>USD|EUR)$")
QUALIFIED = re.compile(r"^(?P<unit>.*?)\s*\((?P<qualifier>[^)]*)\)$")
WORDING = {"about": "approx."}  # a page's word → the contract's qualifier of the same meaning

SOURCE = Source(
    id="published-figures-web",
    title="Figures on Kazakhstan–Italy trade and investment quoted in official statements and the press",
    citation="Published statements (news agencies, official pages), as cited",
    publisher="Various: Kazinform, Astana Times, Agenzia Nova, Times of Central Asia, Trend and others; "
    "each row names its publisher, URL and whom the page attributes the figure to",
    origin="Figures read from stored copies of the public web pages, one row per figure, with URL",
    licence="No licence: short factual quotations with attribution only; article text is not republished.",
    units="as published (`value` in `unit`); `amount` in whole units of `currency` where the unit is money",
    caveats=[
        "Secondary quotations, not datasets: the figures conflict with one another, depending on "
        "period, definition (gross or net, immediate or ultimate investor) and speaker.",
        "`amount` only rescales the quoted number (million, billion); it adds no precision. "
        "`qualifier` keeps the page's 'approx.' or 'more than'.",
        "The period is kept as the page states it; some are vague ('since independence', 'in 2024').",
    ],
)


def parse_unit(unit: str) -> tuple[float | None, str, str]:
    """(scale to whole units or None if not money, ISO currency or '', qualifier) of a published unit."""
    match = QUALIFIED.match(unit.strip())
    base, qualifier = (match["unit"], match["qualifier"]) if match else (unit.strip(), "")
    qualifier = WORDING.get(qualifier, qualifier)
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS[1:])}")
    money = MONEY.match(base)
    if not money:
        return None, "", qualifier
    return SCALES[money["scale"] or ""], money["currency"], qualifier


def read(path: Path, source: str = SOURCE.id) -> pd.DataFrame:
    """One row a statement, as published; `amount` in whole currency units where the unit is money."""
    path = Path(path)
    name = display_path(path)
    raw = read_raw_csv(path, COLUMNS, dtype=str, keep_default_na=False)
    rows = []
    for i, rec in enumerate(raw.to_dict("records")):
        line = i + 2
        text = rec["value"].strip()
        try:
            value = parse_number(text, exponent=True) if text else None
        except NumberError as err:
            raise InputError(Problem(name, line, "value", str(err))) from None
        try:
            scale, currency, qualifier = parse_unit(rec["unit"])
        except ValueError as err:
            raise InputError(Problem(name, line, "unit", str(err))) from None
        if value is None:
            scale, currency = None, ""
        amount = round(value * scale, 2) if scale is not None and value is not None else None
        rows.append(
            {
                "published": rec["pub_date"].strip(),
                "partner": PARTNER,
                "period": rec["period"].strip(),
                "indicator": rec["indicator"].strip(),
                "value": value,
                "unit": rec["unit"].strip(),
                "amount": amount,
                "currency": currency,
                "qualifier": qualifier,
                "attributed_to": rec["attributed_to"].strip(),
                "publisher": rec["publisher"].strip(),
                "url": rec["url"].strip(),
                "note": rec["note"].strip(),
                "source": source,
            }
        )
    return pd.DataFrame(rows, columns=list(PUBLISHED_FIGURES.columns))


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
