"""A CSV from UN Comtrade (the data download or the API, annual, HS) → rows of data/trade_products.csv,
and its `TOTAL` rows → rows of data/trade.csv.

The layout is UN Comtrade's own (refYear, reporterISO, partnerISO, flowCode, cmdCode, primaryValue, …);
extra columns are ignored. Only exports (flowCode X) and imports (M) are kept, only the totals over
customs procedures, modes of transport and second partners, and only country partners or the world
(W00); re-exports, re-imports and areas "not elsewhere specified" are left out.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from ..contract import MAX_YEAR, MIN_YEAR, TRADE, TRADE_PRODUCTS, WORLD, iso3_codes
from ..errors import InputError, Problem, display_path
from ..numbers import NumberError, parse_number
from ..sources import Source

REQUIRED = ("refYear", "reporterISO", "partnerISO", "flowCode", "cmdCode", "primaryValue")
FLOWS = {"X": "export", "M": "import"}
WORLD_CODES = {"W00": WORLD, "WLD": WORLD}
# Breakdown columns and the code of their total: other values are parts of a total also in the file.
TOTALS = {"customsCode": {"C00"}, "motCode": {"0"}, "mosCode": {"0"}, "partner2Code": {"0"}}
NO_UNIT = {"", "N/A", "NA", "-1"}

SOURCE = Source(
    id="un-comtrade",
    title="UN Comtrade: trade by HS commodity, as reported by each reporter (imported CSV)",
    citation="UN Comtrade",
    publisher="United Nations Statistics Division, UN Comtrade database",
    origin="A CSV exported from UN Comtrade (data download or API), merged with `tradebook import comtrade`",
    licence="UN Comtrade terms of use; cite 'UN Comtrade, United Nations Statistics Division'.",
    units="US dollars (primaryValue: exports FOB, imports CIF); quantities in the unit Comtrade gives",
    caveats=[
        "The reporter is the country that reported the flow; each side's report is kept as it is.",
        "Only totals over customs procedures, modes of transport and second partners are kept; "
        "re-exports and re-imports are left out.",
        "A year's HS chapters count as a full breakdown only when the file also holds that year's TOTAL "
        "and the chapters add up to it.",
        "Ranked last among the sources of trade.csv: its totals fill only keys no other source holds; where "
        "they differ from a higher-ranked value, the import keeps that value and reports the conflict.",
    ],
    precedence={"trade": 6},
)


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and every record with its line number; structure problems raise."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError.at(path, "not UTF-8 text; export the file from UN Comtrade as CSV", line) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not header:
            raise InputError.at(path, "file is empty; expected UN Comtrade's CSV header", 1)
        records = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError.at(path, f"{len(row)} fields where the header has {len(header)}", reader.line_num)
            records.append((reader.line_num, dict(zip(header, row, strict=True))))
    except csv.Error as err:
        raise InputError.at(path, f"malformed CSV: {err}", reader.line_num) from None
    return header, records


def _check_header(path: Path, header: list[str]) -> None:
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        raise InputError.at(path, "not comma-separated; export the file from UN Comtrade as CSV", 1)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            [
                Problem(
                    display_path(path),
                    1,
                    col,
                    "missing column; a UN Comtrade CSV has " + ", ".join(REQUIRED) + " (and more)",
                )
                for col in missing
            ]
        )


def _number(text: str, path: Path, line: int, column: str, what: str) -> float:
    """A value as UN Comtrade writes it (an exponent allowed); '1_000', 'nan', 'inf' or a sign are errors."""
    try:
        value: float | None = parse_number(text, exponent=True)
    except NumberError:
        value = None
    if value is None or value < 0:
        raise InputError.at(path, f"expected {what}, got {text!r}", line, column)
    return value


def _keep(rec: dict[str, str]) -> bool:
    """Exports and imports, totals over every breakdown, and country or world partners."""
    if rec["flowCode"].strip() not in FLOWS:
        return False
    for col, totals in TOTALS.items():
        if col in rec and rec[col].strip() not in totals | {""}:
            return False
    return all(_iso3(rec[c]) is not None for c in ("reporterISO", "partnerISO"))


def _iso3(code: str) -> str | None:
    code = code.strip().upper()
    code = WORLD_CODES.get(code, code)
    return code if code in iso3_codes() else None


def _check_kind(path: Path, line: int, rec: dict[str, str]) -> None:
    """Refuse what this importer cannot store: services, monthly data, another classification."""
    checks = (
        ("typeCode", {"C", ""}, "goods (typeCode C)"),
        ("freqCode", {"A", ""}, "annual data (freqCode A); download annual, not monthly, figures"),
    )
    for col, allowed, what in checks:
        if col in rec and rec[col].strip() not in allowed:
            raise InputError.at(path, f"expected {what}, got {rec[col]!r}", line, col)
    cls = rec.get("classificationCode", "").strip()
    if cls and not re.fullmatch(r"H[0-9S]", cls):
        raise InputError.at(
            path, f"expected the HS classification (H0–H6 or HS), got {cls!r}", line, "classificationCode"
        )


def read(path: Path) -> pd.DataFrame:
    """Contract rows (trade_products columns plus quantity) of a UN Comtrade CSV."""
    path = Path(path)
    if not path.is_file():
        raise InputError.at(path, "file not found")
    header, records = _rows(path)
    _check_header(path, header)
    out, first_line = [], {}
    for line, rec in records:
        _check_kind(path, line, rec)
        if not _keep(rec):
            continue
        year_text = rec["refYear"].strip()
        if not re.fullmatch(r"[0-9]{4}", year_text) or not MIN_YEAR <= int(year_text) <= MAX_YEAR:
            raise InputError.at(
                path, f"expected a year from {MIN_YEAR} to {MAX_YEAR}, got {year_text!r}", line, "refYear"
            )
        product = rec["cmdCode"].strip().upper()
        if product != "TOTAL" and not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", product):
            raise InputError.at(
                path, f"expected TOTAL or an HS code of 2, 4 or 6 digits, got {product!r}", line, "cmdCode"
            )
        level = rec.get("aggrLevel", "").strip()
        if level and product != "TOTAL" and level != str(len(product)):
            raise InputError.at(
                path, f"aggregation level {level} does not match cmdCode {product!r}", line, "aggrLevel"
            )
        value = _number(rec["primaryValue"].strip(), path, line, "primaryValue", "a value in US dollars ≥ 0")
        unit = rec.get("qtyUnitAbbr", "").strip()
        qty_text = rec.get("qty", "").strip()
        quantity = None
        if unit not in NO_UNIT and qty_text:
            quantity = _number(qty_text, path, line, "qty", "a quantity ≥ 0")
        row = (
            int(year_text),
            _iso3(rec["reporterISO"]),
            _iso3(rec["partnerISO"]),
            FLOWS[rec["flowCode"].strip()],
            product,
        )
        if row in first_line:
            raise InputError.at(
                path,
                f"the same reporter, partner, flow, year and cmdCode as line {first_line[row]}",
                line,
                "cmdCode",
            )
        first_line[row] = line
        out.append((*row, round(value, 2), "USD", SOURCE.id, quantity, unit if quantity is not None else ""))
    if not out:
        raise InputError.at(
            path,
            "no annual export (X) or import (M) rows between countries or with the world (W00) to import",
        )
    return pd.DataFrame(out, columns=[*TRADE_PRODUCTS.columns, "quantity", "quantity_unit"])


def totals(products: pd.DataFrame) -> pd.DataFrame:
    """The TOTAL rows as trade.csv rows."""
    return products[products["product"] == "TOTAL"][list(TRADE.columns)].reset_index(drop=True)
