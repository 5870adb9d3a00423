"""Eurostat Comext extraction 4630244: Italy's monthly imports from and exports to Kazakhstan, all goods
and HS 27 (mineral fuels), 2020–2022 → annual rows of trade.csv (all goods) and trade_products.csv.

The workbook (one sheet per product and flow, EU members × seven partners × months, in euro) is read
cell by cell with its own header checked. A month shown as ':' is not available (no trade and
confidential look the same), so a year becomes a row only when all twelve months carry a number.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from ..contract import TRADE, TRADE_PRODUCTS
from ..countries import to_iso3
from ..errors import InputError
from ..sources import Release, Source

FOLDER = "eurostat-comext-italy-kz-total-hs27-monthly-2020-2022"
FILE = f"{FOLDER}/eu_total_trade_4630244_spreadsheet.xlsx"
REPORTER, PARTNER = "ITA", "KAZ"
FLOWS = {"IMPORT": "import", "EXPORT": "export"}
NOT_AVAILABLE = ":"
LABELS = ("PRODUCT [PRODUCT]", "FLOW", "INDICATORS", "TIME", "REPORTER (Labels)")
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
UPDATED = re.compile(r"(\d{2})/(\d{2})/(\d{4}) \d{2}:\d{2}")

SOURCE = Source(
    id="eurostat-comext-italy-kz-total-hs27",
    title="Italy's trade with Kazakhstan, all goods and HS 27 (mineral fuels), Comext, 2020–2021",
    citation="Eurostat Comext (extraction of January 2023)",
    publisher="Eurostat, international trade in goods (Comext), dataset DS-045409 'EU trade since 1988 by "
    "HS2-4-6 and CN8', custom extraction 4630244, indicator VALUE_IN_EUROS",
    origin="The workbook xlsx/eu_total_trade_4630244_spreadsheet.xlsx of the GitHub repository vzemlys/ruimpeks "
    "(commit 1c68091a963680daed2861502f7db2c2f6a87c42), copied unmodified; the rows of reporter Italy and "
    "partner Kazakhstan",
    licence="Eurostat data: reuse with attribution (Eurostat copyright notice); repository MIT.",
    units="euro",
    caveats=[
        "Italy is the reporter: its imports from Kazakhstan (CIF) are the mirror of Kazakhstan's exports, and "
        "the first Italian-reported imports after 2020 in this book. Converted to US dollars only in the "
        "analysis, at ECB annual averages.",
        "Monthly values summed to years only where all twelve months carry a number: ':' (not available) is "
        "never read as zero. Italy's HS 27 imports of 2021 lack two months and its HS 27 exports of 2021 one, "
        "so those have no 2021 row; 2022 lacks December (not yet published at extraction) and has no row.",
        "Values as extracted on 2023-01-22; Eurostat revises. Italy's exports to Kazakhstan of 2020–2021 equal "
        "the November 2024 download (source eurostat-comext-exports-kz), which ranks above this extraction.",
        "TOTAL and HS 27 rows are also in trade_products.csv, so that the HS 27 share is read from one source.",
    ],
    precedence={"trade": 3},
)


def _open(path: Path) -> CalamineWorkbook:
    if not path.is_file():
        raise InputError.at(path, "file not found")
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError) as err:
        raise InputError.at(path, f"not a readable Excel workbook ({type(err).__name__})") from None


def _column(index: int) -> str:
    """0 → A, 27 → AB: the column letter a spreadsheet user sees."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _country(label: object) -> str | None:
    """ISO3 of a Comext country label, without its footnote: "Italy (incl. San Marino 'SM' -> 1993)" → ITA."""
    return to_iso3(re.sub(r"\s*\(.*\)$", "", str(label)).strip())


def _sheet(rows: list[list], where: str) -> list[tuple]:
    """(reporter, partner, flow, product, year, month, value) of every cell of one data sheet."""
    labels = {str(r[0]).strip(): i for i, r in enumerate(rows) if r and str(r[0]).strip()}
    missing = [label for label in LABELS if label not in labels]
    if missing:
        raise InputError.at(where, f"no row labelled {missing[0]!r} in column A")
    product = re.search(r"\[(TOTAL|\d{2})\]$", str(rows[labels["PRODUCT [PRODUCT]"]][2]).strip())
    flow = FLOWS.get(str(rows[labels["FLOW"]][2]))
    if product is None or flow is None:
        raise InputError.at(where, "expected product TOTAL or an HS chapter [NN] and flow IMPORT or EXPORT", None, "C")
    if rows[labels["INDICATORS"]][2] != "VALUE_IN_EUROS":
        raise InputError.at(where, "expected the indicator VALUE_IN_EUROS", labels["INDICATORS"] + 1, "C")
    months = []
    for j, cell in enumerate(rows[labels["TIME"]][2:], start=2):
        found = MONTH.fullmatch(str(cell))
        if not found:
            raise InputError.at(where, f"expected a month YYYY-MM, got {cell!r}", labels["TIME"] + 1, _column(j))
        months.append((int(found[1]), int(found[2])))
    if len(set(months)) != len(months):
        raise InputError.at(where, "a month appears twice in the TIME row", labels["TIME"] + 1)
    if not any(r[0] == NOT_AVAILABLE and str(r[1]).strip() == "not available" for r in rows):
        raise InputError.at(where, "no legend ': not available' below the table")
    out = []
    for i in range(labels["REPORTER (Labels)"] + 1, len(rows)):
        row = rows[i]
        if not str(row[0]).strip():
            break
        reporter, partner = _country(row[0]), _country(row[1])
        if reporter is None or partner is None:
            raise InputError.at(where, f"not a country: {row[0]!r} / {row[1]!r}", i + 1, "A")
        for j, (year, month) in enumerate(months, start=2):
            cell = row[j] if j < len(row) else ""
            if cell == NOT_AVAILABLE:
                value = float("nan")
            elif isinstance(cell, int | float) and not isinstance(cell, bool) and cell >= 0:
                value = float(cell)
            else:
                raise InputError.at(where, f"expected a value ≥ 0 or ':', got {cell!r}", i + 1, _column(j))
            out.append((reporter, partner, flow, product[1], year, month, value))
    return out


def _workbook(path: Path) -> tuple[pd.DataFrame, str]:
    """Every cell of the data sheets, and the dataset's last update (YYYY-MM-DD) stated above them."""
    path = Path(path)
    book = _open(path)
    cells, updated = [], set()
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        if any(r and str(r[0]).strip() == "PRODUCT [PRODUCT]" for r in rows):
            cells += _sheet(rows, f"{path}[{name}]")
            stamps = (UPDATED.fullmatch(str(r[1]).strip()) for r in rows[:4] if str(r[0]).startswith("Last updated"))
            updated |= {f"{m[3]}-{m[2]}-{m[1]}" for m in stamps if m}
    if not cells:
        raise InputError.at(path, "no Comext data sheet (a sheet with a row 'PRODUCT [PRODUCT]')")
    if len(updated) != 1:
        raise InputError.at(path, "expected one 'Last updated: DD/MM/YYYY hh:mm' date above the data sheets")
    frame = pd.DataFrame(cells, columns=["reporter", "partner", "flow", "product", "year", "month", "value"])
    if frame.duplicated(["reporter", "partner", "flow", "product", "year", "month"]).any():
        raise InputError.at(path, "the same reporter, partner, flow, product and month appear twice")
    return frame, updated.pop()


def read_monthly(path: Path) -> pd.DataFrame:
    """Every cell of the workbook's data sheets: reporter, partner, flow, product, year, month, value (NaN: ':')."""
    return _workbook(path)[0]


def months_published(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per flow, product and year of Italy–Kazakhstan: the months carrying a number (12: a complete year)."""
    pair = monthly[(monthly["reporter"] == REPORTER) & (monthly["partner"] == PARTNER)]
    keys = ["flow", "product", "year"]
    return pair.groupby(keys, as_index=False).agg(months=("value", "count"), value=("value", "sum"))


def _annual(monthly: pd.DataFrame) -> pd.DataFrame:
    annual = months_published(monthly)
    annual = annual[annual["months"] == 12]
    out = annual.assign(reporter=REPORTER, partner=PARTNER, currency="EUR", source=SOURCE.id)
    out["year"] = out["year"].astype(int)
    return out[list(TRADE_PRODUCTS.columns)].reset_index(drop=True)


def read_products(path: Path) -> pd.DataFrame:
    """trade_products rows (TOTAL and 27) of Italy's trade with Kazakhstan, complete years only."""
    return _annual(read_monthly(path))


def release(path: Path) -> Release:
    """The extraction the rows come from: the dataset's last update, and the latest year it covers."""
    monthly, updated = _workbook(path)
    return Release(
        years=sorted(_annual(monthly)["year"].unique().tolist()),
        edition="Comext DS-045409 custom extraction 4630244",
        released=updated,
        latest_year=int(monthly["year"].max()),
    )


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    """The all-goods rows, for trade.csv."""
    path = Path(shared) / FILE
    products = read_products(path)
    return products[products["product"] == "TOTAL"][list(TRADE.columns)].reset_index(drop=True), [path]


def products_from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read_products(path), [path]


def releases_from_shared(shared: Path) -> list[Release]:
    return [release(Path(shared) / FILE)]
