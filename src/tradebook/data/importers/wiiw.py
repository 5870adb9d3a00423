"""wiiw FDI Database: Kazakhstan's inward FDI by partner (National Bank of Kazakhstan) → data/fdi.csv."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..contract import FDI, WORLD
from ..countries import from_iso2
from ..errors import InputError, Problem, display_path
from ..numbers import NumberError, parse_number
from ..sources import Source

FILE = "wiiw-nbk-fdi-kz-by-partner/wiiw_fdi_kazakhstan_by_partner_2003_2021.csv"
COLUMNS = ("Country-Code", "Direction", "Partner-Code", "Partner", "Unit")
MEASURES = {"FDI inflow": "inflow", "FDI inward stock": "stock"}
UNIT = "EUR m"  # the other unit, "in % of total", is derived from these rows and recomputed by the book
MISSING = "."
WORLD_CODE = "WORLD"

SOURCE = Source(
    id="wiiw-fdi-nbk",
    title="Kazakhstan: inward foreign direct investment by partner country, 2003–2021",
    citation="wiiw FDI Database, based on National Bank of Kazakhstan",
    publisher="The Vienna Institute for International Economic Studies (wiiw) FDI Database; "
    "underlying data: National Bank of Kazakhstan",
    origin="Extract wiiw_partners.csv in the GitHub repository dfshapir/kazakhstan_ipe "
    "(commit e07b99d70b2077a4d3df1e8780913692563d1e84)",
    licence="No licence stated in the repository; wiiw database terms apply: cite 'wiiw FDI Database, based on NBK'.",
    units="million euro (current) in the file; stored here in euro",
    caveats=[
        "Net flows and positions by the directional principle (BPM6 from 2013; 2011–2012 unrevised), "
        "by immediate investor country: equity, reinvested earnings and debt instruments.",
        "Net inflows are negative in years when disinvestment and repayment of intra-company debt "
        "exceeded new investment; a single investor's position can be negative too.",
        "'.' in the file means missing; those years have no row here (never zero).",
        "The regional aggregates (EU-27, EU-28, EU-15) are left out: they overlap the countries. "
        "The Netherlands Antilles, dissolved in 2010 and without an ISO 3166 code today, is left out "
        "(its series ends in 2012); the world total still includes it.",
        "The file lists the partners wiiw publishes, not every investor: their sum is not the world total.",
        "The 'in % of total' rows are not imported; the book recomputes shares from the euro values.",
    ],
    precedence={"fdi": 1},
)


def read(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The tidy rows, and the names of the partners left out (aggregates, no current ISO code)."""
    path = Path(path)
    name = display_path(path)
    if not path.is_file():
        raise InputError.at(path, "file not found")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        for col in COLUMNS:
            if col not in header:
                raise InputError.at(path, "missing column", line=1, column=col)
        years = {col: int(col[1:]) for col in header if re.fullmatch(r"_[0-9]{4}", col)}
        if not years:
            raise InputError.at(path, "no year columns (_2003, _2004, …)", line=1)
        rows, dropped = [], []
        for record in reader:
            line = reader.line_num
            direction, unit = record["Direction"], record["Unit"]
            if direction not in MEASURES:
                raise InputError(Problem(name, line, "Direction", f"unknown direction {direction!r}"))
            if unit != UNIT:
                continue
            host = from_iso2(record["Country-Code"])
            if host is None:
                raise InputError(Problem(name, line, "Country-Code", "expected an ISO 3166 alpha-2 code"))
            code = record["Partner-Code"]
            investor = WORLD if code == WORLD_CODE else from_iso2(code)
            if investor is None:
                dropped.append(record["Partner"])
                continue
            for col, year in years.items():
                text = record[col].strip()
                if text == MISSING:
                    continue
                try:
                    value = parse_number(text, exponent=True)
                except NumberError:
                    raise InputError(Problem(name, line, col, f"expected a number or '.', got {text!r}")) from None
                rows.append((year, host, investor, MEASURES[direction], round(value * 1e6, 2)))
    frame = pd.DataFrame(rows, columns=["year", "host", "investor", "measure", "value"])
    frame = frame.assign(currency="EUR", source=SOURCE.id)[list(FDI.columns)]
    return frame, sorted(set(dropped))


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path)[0], [path]
