"""BNS Kazakhstan, trade with every partner country, final editions 2024–2025 → trade rows (and the world).

The files are a verbatim transcript of a data pipeline's parse of the official workbooks: country rows
only, in thousand US dollars, one file per flow. They hold no world total, so the world rows (WLD) are
the sum of the country rows, as BNS's own «Всего» is in its 2020–2023 workbooks (tested on them).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..contract import TRADE, WORLD, iso3_codes
from ..errors import InputError
from ..sources import Release, Source
from .bns import country_names, normalise
from .common import number

FOLDER = "bns-kz-trade-by-partner-2024-2025"
FILES = {
    "export": "kz_exports_by_partner_2024_2025_verbatim.csv",
    "import": "kz_imports_by_partner_2024_2025_verbatim.csv",
}
COLUMNS = ("date", "region", "item_code", "item_name", "value", "transformation")

SOURCE = Source(
    id="bns-trade-by-partner-2024-2025",
    title="Foreign trade of the Republic of Kazakhstan by partner country, 2024–2025 (final editions, all partners)",
    citation="BNS Kazakhstan, foreign trade by country (final editions 2024–2025)",
    publisher="Bureau of National Statistics of the Agency for Strategic Planning and Reforms "
    "of the Republic of Kazakhstan (BNS, stat.gov.kz), indicator 312101, listing 19182",
    origin="Country rows of the BNS workbooks as parsed by the data pipeline of the GitHub repository "
    "makenerzhan-gif/kazakhstan-economic-data (data/processed/dims/kz_exports_by_partner.csv at commit "
    "4384ebd481396b3425986e024c69934f4f20c6b5, kz_imports_by_partner.csv at commit "
    "826002bcfdb4eb42d65d24e83a0846b38e53bdd7), the 2024 and 2025 rows transcribed verbatim",
    licence="Official statistics of Kazakhstan, public; cite BNS. The pipeline's repository has no licence file.",
    units="thousand US dollars in the files; stored here in US dollars",
    caveats=[
        "Kazakhstan is the reporter: exports FOB, imports CIF, as recorded by Kazakh customs.",
        "A data pipeline's parse of the official workbooks, not the workbook bytes, so the workbooks' checksums "
        "cannot be recorded; the same files' 2020–2023 rows equal the BNS workbooks to five decimals.",
        "The world rows (WLD) are derived here as the sum of the country rows of each year and flow: the files "
        "hold no «Всего» row. In the official 2020–2023 workbooks the country rows add up to BNS's own total "
        "to the cent (a test checks this on the workbooks), and the pipeline refused files whose did not.",
        "2025 is the final edition released on 2026-07-27 (stat.gov.kz element 347387); 2024 is a final "
        "edition whose release the files do not record. BNS may still revise both.",
        "Partner names are checked against the BNS names of the 2018–2023 workbooks; blank cells are 0.",
        "Crude oil is recorded by contract destination: much oil 'exported to Italy' is landed at "
        "Trieste and piped on to other countries, so Italy's own import figures are far lower.",
    ],
    precedence={"trade": 1},
    releases=[
        Release(years=[2024], edition="final edition of 2024 (not identified in the files)", status="final"),
        Release(
            years=[2025],
            edition="stat.gov.kz element 347387, «… по странам (2025г.)»",
            status="final",
            released="2026-07-27",
            latest_year=2025,
        ),
    ],
)


def _read_flow(path: Path, flow: str) -> pd.DataFrame:
    """One flow's country rows, checked line by line: year-end dates, ISO3 codes agreeing with the names."""
    if not path.is_file():
        raise InputError.at(path, "file not found")
    names = country_names()
    rows, seen = [], {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError.at(path, "missing column", 1, missing[0])
        for rec in reader:
            line = reader.line_num
            date = re.fullmatch(r"([0-9]{4})-12-31", rec["date"])
            if not date:
                raise InputError.at(path, f"expected a year-end date YYYY-12-31, got {rec['date']!r}", line, "date")
            for column, expected in (("region", "national"), ("transformation", "level")):
                if rec[column] != expected:
                    raise InputError.at(path, f"expected {expected!r}, got {rec[column]!r}", line, column)
            code, name = rec["item_code"], normalise(rec["item_name"])
            if code not in iso3_codes() or code == WORLD:
                raise InputError.at(path, f"expected an ISO3 country code, got {code!r}", line, "item_code")
            if name not in names:
                raise InputError.at(
                    path,
                    f"unknown partner name {rec['item_name']!r}; add it with its ISO3 code to "
                    "src/tradebook/data/resources/bns_country_names.csv",
                    line,
                    "item_name",
                )
            if names[name] != code:
                message = f"{rec['item_name']!r} is {names[name] or 'an aggregate'} in BNS's names, not {code}"
                raise InputError.at(path, message, line, "item_code")
            year = int(date[1])
            if (year, code) in seen:
                raise InputError.at(path, f"{code} {year} already on line {seen[year, code]}", line, "item_code")
            seen[year, code] = line
            value = number(rec["value"], path, line, "value")
            rows.append((year, "KAZ", code, flow, round(value * 1000, 2), "USD", SOURCE.id))
    if not rows:
        raise InputError.at(path, "no data rows")
    return pd.DataFrame(rows, columns=list(TRADE.columns))


def read(folder: Path) -> pd.DataFrame:
    """Both flows with every partner, and the derived world rows; a partner with one flow is refused."""
    folder = Path(folder)
    exports, imports = (_read_flow(folder / FILES[f], f) for f in ("export", "import"))
    for year in sorted(set(exports["year"]) | set(imports["year"])):
        a = set(exports.loc[exports["year"] == year, "partner"])
        b = set(imports.loc[imports["year"] == year, "partner"])
        if a != b:
            raise InputError.at(
                folder,
                f"{year}: the export and import files list different partners (only exports: {sorted(a - b)}, "
                f"only imports: {sorted(b - a)}); a partner with one flow would be a partial year",
            )
    countries = pd.concat([exports, imports], ignore_index=True)
    return pd.concat([countries, world_totals(countries)], ignore_index=True)


def world_totals(countries: pd.DataFrame) -> pd.DataFrame:
    """World rows (WLD): the sum of the country rows of each year, reporter and flow."""
    keys = ["year", "reporter", "flow", "currency", "source"]
    world = countries.groupby(keys, as_index=False)["value"].sum()
    world["value"] = world["value"].round(2)
    return world.assign(partner=WORLD)[list(TRADE.columns)]


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    folder = Path(shared) / FOLDER
    return read(folder), [folder / FILES["export"], folder / FILES["import"]]
