"""Eurostat Comext: Italy's monthly exports to Kazakhstan of the goods on the EU's Russia export-restriction
lists (115 HS headings, 2,223 CN8 lines), 2020–2022 → annual rows of trade_products.csv, a PARTIAL list.

Codes stay as published, HS4 or CN8: rolled up to chapters they would look like whole chapters. A CN8 line
whose HS4 heading is itself listed is part of that heading and is left out, so rows never overlap. The
rows are only part of Italy's exports (sources.yml marks the source `coverage: partial`): never a total.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..contract import TRADE_PRODUCTS
from ..errors import InputError
from ..sources import Source
from . import comext_italy
from .common import number, records

FOLDER = "eurostat-comext-italy-to-kz-sanctions-listed-cn-2020-2022"
MONTHLY = f"{FOLDER}/italy_exports_to_kz_listed_codes_monthly_2020_2022_long.csv"
LABELS = f"{FOLDER}/product_labels.csv"
LEVELS = {"HS4": re.compile(r"\d{4}"), "CN8": re.compile(r"\d{8}")}
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
NOT_AVAILABLE = ":"

SOURCE = Source(
    id="eurostat-comext-italy-kz-listed",
    title="Italy's exports to Kazakhstan of goods on the EU's Russia export-restriction lists, by HS4 and CN8 "
    "code, Comext, 2020–2021 (a partial list)",
    citation="Eurostat Comext (listed goods, extraction of January 2023)",
    publisher="Eurostat, international trade in goods (Comext), dataset DS-045409 'EU trade since 1988 by "
    "HS2-4-6 and CN8', custom extractions 4542055 … 4630558, flow EXPORT, indicator VALUE_IN_EUROS",
    origin="The Italy × Kazakhstan cells of the 22 workbooks raw/eurostat_xlsx/*.xlsx of the GitHub repository "
    "vzemlys/ruimpeks (commit 7d52ee425db2062ef3dad57a444b512e12a4d6e1), extracted to a monthly long file, "
    "with the product labels; code list raw/input_codes.csv (the repository author's compilation of the "
    "EU's export-restriction annexes)",
    licence="Eurostat data: reuse with attribution (Eurostat copyright notice); repository MIT.",
    units="euro",
    caveats=[
        "A PARTIAL list, never a total: only goods on the export-restriction lists (luxury goods, clothing, "
        "footwear, machinery, vehicles, electronics, some chemicals and metals), about 40–50% of Italy's "
        "exports to Kazakhstan; no chapter 30 (pharmaceuticals). Its coverage of each year is its sum over "
        "Italy's total exports of the same extraction (source eurostat-comext-italy-kz-total-hs27).",
        "Codes as published: HS4 headings and CN8 lines. A CN8 line whose heading is itself listed is left "
        "out (it is part of the heading's row), so the rows never overlap.",
        "A code-year is the sum of the months that carry a number; ':' (no trade, or confidential: the "
        "extraction does not say which) is never read as zero, so sums are lower bounds, and a code with no "
        "number in a year has no row.",
        "Complete years only: December 2022 was not yet published at extraction (no code has a number), so "
        "2022 has no rows.",
        "Values as extracted on 2023-01-21; Eurostat revises.",
    ],
    coverage="partial",
    total_source=comext_italy.SOURCE.id,
)


def read_labels(path: Path) -> dict[str, tuple[str, bool]]:
    """code → (level, nested in a listed heading), the nesting recomputed and checked against the file's."""
    rows = records(path, ("code", "product", "code_level", "nested_in_listed_hs4"))
    levels: dict[str, tuple[str, str, int]] = {}
    for line, rec in rows:
        code, level = rec["code"], rec["code_level"]
        if level not in LEVELS or not LEVELS[level].fullmatch(code):
            raise InputError.at(path, f"code {code!r} is not a {level} code", line, "code")
        if not rec["product"].rstrip().endswith(f"[{code}]"):
            raise InputError.at(path, f"the label does not end with the code [{code}]", line, "product")
        if rec["nested_in_listed_hs4"] not in ("True", "False"):
            raise InputError.at(path, "expected True or False", line, "nested_in_listed_hs4")
        if code in levels:
            raise InputError.at(path, f"code {code} is listed twice (first on line {levels[code][2]})", line, "code")
        levels[code] = (level, rec["nested_in_listed_hs4"], line)
    headings = {c for c, (level, _, _) in levels.items() if level == "HS4"}
    out = {}
    for code, (level, flag, line) in levels.items():
        nested = level == "CN8" and code[:4] in headings
        if str(nested) != flag:
            raise InputError.at(
                path, f"code {code}: nested in a listed heading is {nested}", line, "nested_in_listed_hs4"
            )
        out[code] = (level, nested)
    return out


def read_monthly(shared: Path) -> pd.DataFrame:
    """The monthly cells: code, level, nested, year, month, value (EUR; NaN where ':')."""
    labels = read_labels(Path(shared) / LABELS)
    path = Path(shared) / MONTHLY
    cells, seen = [], set()
    for line, rec in records(path, ("code", "period", "value_eur_as_published")):
        code, period = rec["code"], MONTH.fullmatch(rec["period"])
        if code not in labels:
            raise InputError.at(path, f"code {code!r} is not in {Path(LABELS).name}", line, "code")
        if period is None:
            raise InputError.at(path, f"expected a month YYYY-MM, got {rec['period']!r}", line, "period")
        if (code, rec["period"]) in seen:
            raise InputError.at(path, f"{code} {rec['period']} appears twice", line, "period")
        seen.add((code, rec["period"]))
        text = rec["value_eur_as_published"]
        value = float("nan") if text == NOT_AVAILABLE else number(text, path, line, "value_eur_as_published")
        cells.append((code, *labels[code], int(period[1]), int(period[2]), value))
    frame = pd.DataFrame(cells, columns=["code", "level", "nested", "year", "month", "value"])
    missing = set(labels) - set(frame["code"])
    if missing:
        raise InputError.at(path, f"{len(missing)} listed codes have no monthly cells, e.g. {min(missing)}")
    return frame


def complete_years(monthly: pd.DataFrame) -> list[int]:
    """Years in which every month carries a number for some code: a month with none was not yet published.

    ':' in one code's month can mean no trade, so completeness is judged on the extraction as a whole.
    """
    published = monthly.dropna(subset=["value"]).groupby("year")["month"].nunique()
    return sorted(int(y) for y, n in published.items() if n == 12)


def read(shared: Path) -> pd.DataFrame:
    """trade_products rows: Italy's exports to Kazakhstan by listed code (not nested), complete years."""
    monthly = read_monthly(shared)
    rows = monthly[~monthly["nested"] & monthly["year"].isin(complete_years(monthly))]
    annual = rows.groupby(["code", "year"], as_index=False)["value"].sum(min_count=1).dropna(subset=["value"])
    out = pd.DataFrame(
        {
            "year": annual["year"].astype(int),
            "reporter": comext_italy.REPORTER,
            "partner": comext_italy.PARTNER,
            "flow": "export",
            "product": annual["code"],
            "value": annual["value"],
            "currency": "EUR",
            "source": SOURCE.id,
        }
    )
    return out[list(TRADE_PRODUCTS.columns)].reset_index(drop=True)


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    return read(shared), [Path(shared) / LABELS, Path(shared) / MONTHLY]
