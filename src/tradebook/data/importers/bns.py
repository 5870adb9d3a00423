"""BNS Kazakhstan workbook «Основные показатели внешней торговли … по странам» → trade rows.

Each workbook holds the current and the previous year, one sheet each, in thousand US dollars.
Only country rows and the world total («Всего») are kept; regional aggregates are skipped. Each sheet
is an edition of its year: its title tells the early release («за январь-декабрь 2019 года») from the
final one («2023 год»), and a workbook with a cover sheet states its release date.
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
from ..precedence import Standing, compare
from ..sources import Release, Source

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
        "Each year is taken from its best edition: a sheet titled «YYYY год» (final) before one titled "
        "«за январь-декабрь YYYY года» (the early, preliminary release), then the workbook covering the later "
        "year; the release date is read from the cover sheet («Дата опубликования») where the workbook has one.",
        "Crude oil is recorded by contract destination: much oil 'exported to Italy' is landed at "
        "Trieste and piped on to other countries, so Italy's own import figures are far lower.",
        "Blank export or import cells (turnover equal to the other flow) are recorded as 0.",
        "The 2018 sheet is rounded to 0.1 thousand US dollars.",
    ],
    precedence={"trade": 1},
)

FOLDER = "bns-kz-trade-by-country/original_xls"
UNIT_MARK = "тыс. долларов США"
HEADINGS = {1: "товарооборот", 3: "экспорт", 5: "импорт"}
WORLD_LABEL = "всего"
PRELIMINARY_TITLE = re.compile(r"за январь\s*-\s*декабрь (\d{4}) года")
FINAL_TITLE = re.compile(r"(?:за )?(\d{4}) год|.*\((\d{4}) ?г\.\)")
RELEASE_DATE = re.compile(r"дата опубликования:\s*(\d{2})\.(\d{2})\.(\d{4})")


def normalise(name: object) -> str:
    text = re.sub(r"\s+", " ", str(name)).strip().casefold()
    return text.removesuffix(" в том числе")


def country_names() -> dict[str, str]:
    """BNS Russian partner name → ISO3 ('' for regional aggregates, WLD for the world)."""
    text = resources.files("tradebook.data.resources").joinpath("bns_country_names.csv").read_text("utf-8")
    return {normalise(r["name_ru"]): r["iso3"] for r in csv.DictReader(text.splitlines())}


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
        (i for i, r in enumerate(rows) if len(r) >= 6 and all(h in normalise(r[c]) for c, h in HEADINGS.items())),
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
    start = next((i for i in range(head, len(rows)) if normalise(rows[i][0]) == WORLD_LABEL), None)
    if start is None:
        raise InputError.at(path, f"sheet '{sheet}': no world total row «Всего» below the headings")
    out = []
    for i in range(start, len(rows)):
        row = rows[i]
        label = normalise(row[0])
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


def _open(path: Path) -> CalamineWorkbook:
    if not path.is_file():
        raise InputError.at(path, "file not found")
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError) as err:
        raise InputError.at(path, f"not a readable Excel workbook ({type(err).__name__})") from None


def read_workbook(path: Path) -> pd.DataFrame:
    """All years of one BNS workbook (current and previous year sheets)."""
    path = Path(path)
    book = _open(path)
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


def _title_status(rows: list[list], year: int, path: Path, sheet: str) -> str:
    """'final' or 'preliminary', from the sheet's title above the table (which must name its year)."""
    for row in rows[:6]:
        text = normalise(row[0] if row else "")
        for status, pattern in (("preliminary", PRELIMINARY_TITLE), ("final", FINAL_TITLE)):
            found = pattern.fullmatch(text)
            if found:
                named = int(next(g for g in found.groups() if g))
                if named != year:
                    raise InputError.at(path, f"sheet '{sheet}': its title names {named}, not {year}")
                return status
    raise InputError.at(
        path,
        f"sheet '{sheet}': no title «{year} год» (final) or «за январь-декабрь {year} года» (preliminary) "
        "above the table, so its edition is unknown",
    )


def edition(path: Path) -> dict[int, Release]:
    """The edition of each year's sheet in a workbook: final or preliminary by the sheet's title, the
    release date from the cover sheet where there is one, and the latest year the workbook covers."""
    book = _open(Path(path))
    sheets = {year: s for s in book.sheet_names if (year := _sheet_year(s)) is not None}
    released = None
    for name in (s for s in book.sheet_names if _sheet_year(s) is None):
        for row in book.get_sheet_by_name(name).to_python():
            found = RELEASE_DATE.search(normalise(" ".join(map(str, row))))
            released = f"{found[3]}-{found[2]}-{found[1]}" if found else released
    latest = max(sheets, default=None)
    return {
        year: Release(
            years=[year],
            edition=Path(path).name,
            status=_title_status(book.get_sheet_by_name(sheet).to_python(), year, Path(path), sheet),
            released=released,
            latest_year=latest,
        )
        for year, sheet in sheets.items()
    }


def best_editions(paths: list[Path]) -> dict[int, tuple[Release, Path]]:
    """For each year, the best edition among the workbooks and the workbook it is in (see `compare`)."""
    best: dict[int, tuple[Release, Path]] = {}
    for path in paths:
        for year, release in edition(path).items():
            if year in best:
                mine = Standing(SOURCE.id, None, release.status, release.latest_year, release.released)
                held = best[year][0]
                theirs = Standing(SOURCE.id, None, held.status, held.latest_year, held.released)
                if compare(mine, theirs)[0] < 0:
                    continue
            best[year] = (release, path)
    return best


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    return read_all(Path(shared) / FOLDER)


def releases_from_shared(shared: Path) -> list[Release]:
    """The edition each year of `from_shared` comes from."""
    return [release for release, _ in best_editions(sorted((Path(shared) / FOLDER).glob("*.xls"))).values()]


def read_all(folder: Path) -> tuple[pd.DataFrame, list[Path]]:
    """Every workbook in a folder, each year from its best edition (final first, then the newest)."""
    paths = sorted(Path(folder).glob("*.xls"))
    chosen = best_editions(paths)
    frames = []
    for path in paths:
        frame = read_workbook(path)
        frames.append(frame[frame["year"].map(lambda y, p=path: chosen[y][1] == p)])
    return pd.concat(frames, ignore_index=True), paths
