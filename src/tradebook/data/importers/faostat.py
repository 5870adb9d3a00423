"""FAOSTAT detailed trade matrix: Kazakhstan's exports to Italy of wheat, lentils, linseed (and crude
sunflower-seed oil), 2018–2024 → rows of trade_products.csv with tonnes as the quantity.

FAO names its items by CPC code; each becomes the HS code of FAO's correspondence. The file is FAO's own
download layout (thousand US dollars and tonnes, one element a row).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..contract import TRADE_PRODUCTS
from ..countries import from_m49
from ..errors import InputError
from ..sources import Source
from .common import number, records

FILE = "faostat-kz-agri-exports-to-italy/faostat_tm_kz_exports_to_italy_nonempty_verbatim.csv"
COLUMNS = (
    "Domain Code",
    "Reporter Country Code (M49)",
    "Partner Country Code (M49)",
    "Element Code",
    "Element",
    "Item Code (CPC)",
    "Item",
    "Year Code",
    "Year",
    "Unit",
    "Value",
    "Flag",
)
ELEMENTS = {"5910": ("Export quantity", "t"), "5922": ("Export value", "1000 USD")}
FLAGS = {"A": "official figure", "X": "figure from an external organisation"}
# FAO item (CPC) → HS code (FAO's item–HS correspondence): wheat is HS 1001 'wheat and meslin' (FAO counts
# meslin elsewhere), crude sunflower-seed oil is part of HS 151211 (which also holds safflower oil).
HS_OF_ITEM = {"0111": "1001", "01704": "071340", "01441": "1204", "21631.01": "151211"}
TONNES = "t"

SOURCE = Source(
    id="faostat-tm-kz-it",
    title="FAOSTAT detailed trade matrix: Kazakhstan's exports to Italy of wheat, lentils, linseed and crude "
    "sunflower-seed oil, 2018–2024",
    citation="FAO, FAOSTAT detailed trade matrix",
    publisher="Food and Agriculture Organization of the United Nations (FAO), FAOSTAT domain TM 'Detailed trade "
    "matrix', reporter Kazakhstan (M49 398), partner Italy (M49 380)",
    origin="The Italy rows with values of data/raw/FAOSTAT_data_en_matrix.csv (a FAOSTAT bulk download) in the "
    "GitHub repository dilcetto/kazakhstan-eu-agricultural-trade (commit "
    "0628055ff63b2fee8ffc0577fc555b3c09b95bf5), copied verbatim",
    licence="FAOSTAT: CC BY 4.0; cite 'FAO. FAOSTAT, Detailed trade matrix'. The repository has no licence file.",
    units="thousand US dollars and tonnes in the file; stored here in US dollars and tonnes",
    caveats=[
        "Reporter-side figures: FAO compiles the matrix from Kazakhstan's customs data (UN Comtrade or national "
        "submissions), so it is a compilation of the records behind BNS's totals.",
        "Only the items the repository's author selected, and only those with values for Italy: not a full "
        "breakdown of Kazakhstan's exports to Italy.",
        "Items are FAO's (CPC codes) given the HS code of FAO's correspondence: wheat (0111) as 1001, which HS "
        "calls 'wheat and meslin'; lentils (01704) as 071340; linseed (01441) as 1204; crude sunflower-seed oil "
        "(21631.01) as 151211, which also holds safflower oil.",
        "Flag A: official figure; flag X (lentils 2024): a figure from an external organisation.",
    ],
)


def read(path: Path) -> pd.DataFrame:
    """trade_products rows: value in US dollars, quantity in tonnes where FAO gives one."""
    path = Path(path)
    cells: dict[tuple[int, str, str, str, str], tuple[float, int]] = {}
    for line, rec in records(path, COLUMNS):
        if rec["Domain Code"] != "TM":
            raise InputError.at(path, f"expected the domain TM, got {rec['Domain Code']!r}", line, "Domain Code")
        element = ELEMENTS.get(rec["Element Code"])
        if element is None or rec["Element"] != element[0]:
            raise InputError.at(path, f"unexpected element {rec['Element Code']} {rec['Element']!r}", line, "Element")
        if rec["Unit"] != element[1]:
            raise InputError.at(path, f"{element[0]} should be in {element[1]!r}, got {rec['Unit']!r}", line, "Unit")
        item = rec["Item Code (CPC)"]
        if item not in HS_OF_ITEM:
            raise InputError.at(path, f"no HS code known for FAO item {item} ({rec['Item']})", line, "Item Code (CPC)")
        if rec["Year Code"] != rec["Year"] or not rec["Year"].isdigit():
            raise InputError.at(path, f"expected one year, got {rec['Year Code']!r} / {rec['Year']!r}", line, "Year")
        if rec["Flag"] not in FLAGS:
            raise InputError.at(path, f"flag {rec['Flag']!r}: expected one of {', '.join(FLAGS)}", line, "Flag")
        reporter = from_m49(rec["Reporter Country Code (M49)"])
        partner = from_m49(rec["Partner Country Code (M49)"])
        if reporter is None or partner is None:
            raise InputError.at(path, "the reporter's or partner's M49 code is not one country", line)
        kind = "quantity" if rec["Element Code"] == "5910" else "value"
        cell = (int(rec["Year"]), reporter, partner, item, kind)
        if cell in cells:
            raise InputError.at(path, f"{kind} of {rec['Item']} {rec['Year']} already on line {cells[cell][1]}", line)
        cells[cell] = (number(rec["Value"], path, line, "Value"), line)
    rows = []
    for (year, reporter, partner, item, kind), (value, line) in sorted(cells.items()):
        quantity = cells.get((year, reporter, partner, item, "quantity"))
        if kind == "quantity":
            if (year, reporter, partner, item, "value") not in cells:
                raise InputError.at(path, "an export quantity without its export value", line, "Value")
            continue
        tonnes = quantity[0] if quantity else float("nan")
        unit = TONNES if quantity else ""
        rows.append(
            (
                year,
                reporter,
                partner,
                "export",
                HS_OF_ITEM[item],
                round(value * 1000, 2),
                "USD",
                SOURCE.id,
                tonnes,
                unit,
            )
        )
    return pd.DataFrame(rows, columns=[*TRADE_PRODUCTS.columns, "quantity", "quantity_unit"])


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    path = Path(shared) / FILE
    return read(path), [path]
