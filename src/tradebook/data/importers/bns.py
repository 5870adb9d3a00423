"""BNS Kazakhstan workbook «Основные показатели внешней торговли … по странам» → trade rows.

Each workbook holds the current and the previous year, one sheet each, in thousand US dollars.
Only country rows and the world total («Всего») are kept; regional aggregates are skipped.
"""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from ..contract import TRADE
from ..errors import InputError
from ..sources import Source

SOURCE = Source(
    id="bns-trade-by-country",
    title="Main indicators of foreign trade of the Republic of Kazakhstan by country (annual workbooks)",
    citation="BNS Kazakhstan, foreign trade by country",
    publisher="Bureau of National Statistics of the Agency for Strategic Planning and Reforms "
    "of the Republic of Kazakhstan (BNS, stat.gov.kz)",
    origin="Original .xls workbooks as published by BNS, via the GitHub repository "
    "mary-lev/eu-export-sanctions (data/kazakhstan_data/, commit 4b6a5dfc864ab3352104974a4516458fd7347b38)",
    licence="Official statistics of Kazakhstan, public; cite BNS. Repository licence CC BY 4.0.",
    units="thousand US dollars in the workbooks; stored here in US dollars",
    caveats=[
        "Kazakhstan is the reporter: exports FOB, imports CIF, as recorded by Kazakh customs.",
        "Each year is taken from its newest edition; the previous-year sheet of a later workbook "
        "revises the preliminary figures of the earlier one.",
        "Crude oil is recorded by contract destination: much oil 'exported to Italy' is landed at "
        "Trieste and piped on to other countries, so Italy's own import figures are far lower.",
        "Blank export or import cells (turnover equal to the other flow) are recorded as 0.",
        "The 2018 sheet is rounded to 0.1 thousand US dollars.",
    ],
)

FOLDER = "bns-kz-trade-by-country/original_xls"
UNIT_MARK = "тыс. долларов США"
HEADINGS = {1: "товарооборот", 3: "экспорт", 5: "импорт"}
WORLD_LABEL = "всего"


def _normalise(name: object) -> str:
    text = re.sub(r"\s+", " ", str(name)).strip().casefold()
    return text.removesuffix(" в том числе")


def country_names() -> dict[str, str]:
    """BNS Russian partner name → ISO3 ('' for regional aggregates, WLD for the world)."""
    text = resources.files("tradebook.data.resources").joinpath("bns_country_names.csv").read_text("utf-8")
    return {_normalise(r["name_ru"]): r["iso3"] for r in csv.DictReader(text.splitlines())}


def _sheet_year(name: str) -> int | None:
    match = re.search(r"(19|20)\d\d$", name.strip())
    return int(match.group()) if match else None


def _number(cell: object, where: str, path: Path, column: str) -> float:
    if cell in ("", None):
        return 0.0
    if isinstance(cell, (int, float)):
        if cell < 0:
            raise InputError.at(path, f"{where}: expected a value ≥ 0, got {cell!r}", column=column)
        return round(float(cell) * 1000, 2)
    raise InputError.at(path, f"{where}: expected a number, got {cell!r}", column=column)


def read_sheet(rows: list[list], year: int, path: Path, sheet: str) -> pd.DataFrame:
    """Trade rows of one year's sheet; the layout is checked, not assumed."""
    names = country_names()
    head = next(
        (i for i, r in enumerate(rows) if len(r) >= 6 and all(h in _normalise(r[c]) for c, h in HEADINGS.items())),
        None,
    )
    if head is None:
        raise InputError.at(
            path,
            f"sheet '{sheet}': not a BNS foreign-trade-by-country table; "
            "expected the headings Товарооборот, Экспорт, Импорт in columns B, D, F",
        )
    if not any(UNIT_MARK in str(c) for r in rows[: head + 1] for c in r):
        raise InputError.at(path, f"sheet '{sheet}': expected the unit «{UNIT_MARK}» above the table")
    start = next((i for i in range(head, len(rows)) if _normalise(rows[i][0]) == WORLD_LABEL), None)
    if start is None:
        raise InputError.at(path, f"sheet '{sheet}': no world total row «Всего» below the headings")
    out = []
    for i in range(start, len(rows)):
        row = rows[i]
        label = _normalise(row[0])
        if not label:
            continue
        where = f"sheet '{sheet}' row {i + 1} ({str(row[0]).strip()})"
        if label not in names:
            raise InputError.at(
                path,
                f"{where}: unknown partner name; add it with its ISO3 code to "
                "src/tradebook/data/resources/bns_country_names.csv",
                column="A",
            )
        iso3 = names[label]
        if not iso3:
            continue
        for flow, col, letter in (("export", 3, "D"), ("import", 5, "F")):
            value = _number(row[col], where, path, letter)
            out.append((year, "KAZ", iso3, flow, value, "USD", SOURCE.id))
    frame = pd.DataFrame(out, columns=list(TRADE.columns))
    dup = frame.duplicated(list(TRADE.key))
    if dup.any():
        raise InputError.at(path, f"sheet '{sheet}': partner {frame.loc[dup, 'partner'].iloc[0]} appears twice")
    return frame


def read_workbook(path: Path) -> pd.DataFrame:
    """All years of one BNS workbook (current and previous year sheets)."""
    path = Path(path)
    if not path.is_file():
        raise InputError.at(path, "file not found")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError) as err:
        raise InputError.at(path, f"not a readable Excel workbook ({type(err).__name__})") from None
    frames = []
    for sheet in book.sheet_names:
        year = _sheet_year(sheet)
        if year is None:
            continue
        frames.append(read_sheet(book.get_sheet_by_name(sheet).to_python(), year, path, sheet))
    if not frames:
        raise InputError.at(
            path,
            "no sheet named by a year (e.g. '2023' or '12_2023'); expected a BNS foreign-trade-by-country workbook",
        )
    return pd.concat(frames, ignore_index=True)


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    return read_all(Path(shared) / FOLDER)


def read_all(folder: Path) -> tuple[pd.DataFrame, list[Path]]:
    """Every workbook in a folder, oldest edition first, so the newest edition of each year wins."""
    paths = sorted(Path(folder).glob("*.xls"))
    books = sorted(((read_workbook(p), p) for p in paths), key=lambda fp: int(fp[0]["year"].max()))
    frame = pd.concat([f for f, _ in books], ignore_index=True)
    return frame.drop_duplicates(list(TRADE.key), keep="last"), paths
