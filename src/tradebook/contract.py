"""The data contract of DESIGN.md as pandera schemas: one `Dataset` per tidy file in data/."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pandera.pandas as pa

FLOWS = ("export", "import")
WORLD = "WLD"
MIN_YEAR, MAX_YEAR = 1990, 2100


@cache
def iso3_codes() -> frozenset[str]:
    """ISO 3166 alpha-3 codes known to country_converter, plus WLD for the world total."""
    import country_converter as coco

    codes = coco.CountryConverter().data["ISO3"].dropna()
    return frozenset(codes) | {WORLD}


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes that the ECB reference rates in currencyconverter can convert."""
    from currency_converter import CurrencyConverter

    return frozenset(CurrencyConverter().currencies)


def year_column() -> pa.Column:
    return pa.Column(int, pa.Check.in_range(MIN_YEAR, MAX_YEAR, error=f"a year from {MIN_YEAR} to {MAX_YEAR}"))


def iso3_column() -> pa.Column:
    return pa.Column(
        str,
        pa.Check(lambda s: s.isin(iso3_codes()), element_wise=False, error="an ISO 3166 alpha-3 code or WLD"),
    )


def text_column(nullable: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_length(min_value=1, error="a non-empty text"), nullable=nullable)


def currency_column() -> pa.Column:
    return pa.Column(str, pa.Check(lambda s: s.isin(currency_codes()), error="an ISO 4217 currency code (USD, EUR, …)"))


def value_column(allow_negative: bool = False) -> pa.Column:
    checks = [] if allow_negative else [pa.Check.ge(0, error="a number ≥ 0")]
    return pa.Column(float, checks)


@dataclass(frozen=True)
class Dataset:
    """A tidy file in data/: its columns in order, which are numbers, and the contract rules."""

    name: str
    filename: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    schema: pa.DataFrameSchema
    integer: tuple[str, ...] = ()
    number: tuple[str, ...] = ()
    optional: tuple[str, ...] = field(default=())


TRADE_COLUMNS = ("year", "reporter", "partner", "flow", "value", "currency", "source")
TRADE_KEY = ("year", "reporter", "partner", "flow")


def _trade_schema_columns() -> dict[str, pa.Column]:
    return {
        "year": year_column(),
        "reporter": iso3_column(),
        "partner": iso3_column(),
        "flow": pa.Column(str, pa.Check.isin(FLOWS, error="'export' or 'import'")),
        "value": value_column(),
        "currency": currency_column(),
        "source": text_column(),
    }


TRADE = Dataset(
    name="trade",
    filename="trade.csv",
    columns=TRADE_COLUMNS,
    key=TRADE_KEY,
    integer=("year",),
    number=("value",),
    schema=pa.DataFrameSchema(_trade_schema_columns(), strict=True, ordered=True),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (TRADE,)}
