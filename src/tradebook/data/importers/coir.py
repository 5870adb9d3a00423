"""EU crude oil import register (COIR), 2013–2019: EU countries' crude imports from Kazakhstan → product
rows (HS 2709, value CIF and barrels) of data/trade_products.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..countries import to_iso3
from ..errors import InputError
from ..sources import Source
from .common import crude_import_rows, read_raw_csv

FILE = "eu-coir-crude-imports-italy-from-kz/coir_crude_imports_from_kazakhstan_by_eu_reporter_2013_2019.csv"
COLUMNS = ("year", "reporting_country", "country_of_origin", "crude_type", "volume_1000bbl", "value_1000usd")
CRUDE = "2709"

SOURCE = Source(
    id="eu-coir",
    title="EU crude oil imports register (COIR): crude imports from Kazakhstan by EU reporting country, 2013–2019",
    citation="European Commission, DG Energy, crude oil imports register",
    publisher="European Commission, Directorate-General for Energy: Registration of Crude Oil Imports and "
    "Deliveries in the European Union (annual cumulative sheets)",
    origin="Workbooks inst/extdata/Crude_Oil_Imports_Reporting_Country_2013…2019.xlsx of the GitHub "
    "repository "
    "OehlingerP/NotAllOilTypesAreAlike (commit 1f24844cf845a7f629d185881be7c5e3d73f925f), rows with "
    "country of origin Kazakhstan",
    licence="European Commission data: reuse with attribution; repository GPL-3.",
    units="thousand US dollars (CIF) and thousand barrels in the file; stored here in US dollars and barrels",
    caveats=[
        "The importing EU country is the reporter: these are the importers' (mirror) figures for "
        "Kazakhstan's crude oil exports, valued CIF at the border of the importing country.",
        "All Kazakh crude is one line ('Kazakhstan Crude'): no grades before 2020.",
        "Values withheld as confidential in the register (marked by a footnote: Hungary 2015, 2016 and 2019) "
        "are left out, together with their volumes.",
        "Continued from 2020 by Eurostat's nrg_ti_coifpm (source eurostat-nrg-ti-coifpm).",
    ],
)


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    raw = read_raw_csv(path, COLUMNS)
    raw = raw[raw["country_of_origin"] == "Kazakhstan"]
    reporters = raw["reporting_country"].map(to_iso3)
    if reporters.isna().any():
        line = int(raw.index[reporters.isna()][0]) + 2
        raise InputError.at(path, "unknown reporting country", line, "reporting_country")
    # A footnote mark such as "(3)" in place of a value: withheld as confidential in the register.
    withheld = raw["value_1000usd"].astype(str).str.fullmatch(r"\(\d+\)")
    raw, reporters = raw[~withheld], reporters[~withheld]
    for col in ("volume_1000bbl", "value_1000usd"):
        numbers = pd.to_numeric(raw[col], errors="coerce")
        if numbers.isna().any():
            line = int(raw.index[numbers.isna()][0]) + 2
            raise InputError.at(path, f"expected a number, got {raw.loc[numbers.isna(), col].iloc[0]!r}", line, col)
        raw = raw.assign(**{col: numbers})
    frame = crude_import_rows(
        raw["year"], reporters, "KAZ", CRUDE, raw["value_1000usd"], raw["volume_1000bbl"], SOURCE.id
    )
    dup = frame.duplicated(["year", "reporter"])
    if dup.any():
        line = int(frame.index[dup][0]) + 2
        raise InputError.at(path, "a second Kazakh crude line for this reporter and year", line, "crude_type")
    return frame.reset_index(drop=True)


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
