"""CEPII BACI extracts on Kazakhstan's exports → product rows of data/trade_products.csv.

Three files of the ADB study on Kazakhstan in global value chains:
- exports by partner of crude oil (HS 270900; 2019 top ten, 2021 all partners) and of base metals
  (HS Section XV, 2021, all partners), with quantities in tonnes for crude in 2021;
- exports to the world by HS6 line (2002, 2019, 2021), summed here to HS chapters;
- exports to the world in ten broad groups, 2002–2021: only the groups that are one HS code
  (all goods, crude oil 270900) are kept, the others mix several codes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..contract import TRADE_PRODUCTS, iso3_codes
from ..errors import InputError
from ..sources import Source
from .common import product_rows, read_raw_csv

FOLDER = "composition"
BY_PARTNER = f"{FOLDER}/baci_kz_exports_by_partner_crude_metals_2019_2021.csv"
WORLD_HS6 = f"{FOLDER}/baci_kz_exports_world_hs6_2002_2019_2021.csv"
WORLD_GROUPS = f"{FOLDER}/baci_kz_exports_world_broad_groups_2002_2021.csv"
COLUMNS = ("year", "reporter_iso3", "partner_iso3", "flow", "hs_code", "hs_level", "product", "value", "unit")
# Broad groups that are exactly one product code of the contract.
GROUPS = {"all goods": "TOTAL", "HS02 270900": "270900"}
TONNES = "tonnes"

SOURCE = Source(
    id="baci",
    title="CEPII BACI: Kazakhstan's exports by product and partner (HS 2002, release V202301)",
    citation="CEPII BACI",
    publisher="CEPII, BACI database of reconciled UN Comtrade flows (Gaulier & Zignago 2010), "
    "HS 2002 nomenclature, release V202301",
    origin="Extracts in the GitHub repository ksreyes/adb-kaz-gvc (code and outputs of the ADB report on "
    "Kazakhstan in global value chains), commit ee40277355dadb2ecdb50ec52b14ee30b26473af: "
    "data/interim/kaz_exports_oil_2021.csv, kaz_products_partners_2021.csv, "
    "kaz_exports_{2002,2019,2021}.csv, "
    "data/final/2.4_products.csv and the printed output of codes/eda-baci.ipynb",
    licence="BACI is free for use with citation of Gaulier & Zignago (2010); the repository has no licence "
    "file, so BACI, not the repository, is cited.",
    units="thousand current US dollars (FOB) and tonnes in the files; stored here in US dollars and kg",
    caveats=[
        "BACI reconciles the reports of exporters and importers and keeps the importer's partner where that "
        "is more reliable: much crude oil that Kazakhstan reports as sold to Italy is attributed to other "
        "destinations, so BACI's Kazakhstan→Italy crude is far below Kazakhstan's own figure.",
        "Crude oil by partner in 2019 is the top ten destinations only (printed in a notebook); 2021 lists "
        "every partner.",
        "The base-metals file has no product column: it is identified as HS Section XV (code SXV) because "
        "its 82 partner rows sum exactly to the ferroalloys, copper and other-metals groups of 2021.",
        "Exports to the world by HS chapter (2002, 2019, 2021) are sums of the HS6 lines of each chapter.",
        "Of the ten broad groups 2002–2021 only all goods (TOTAL) and crude oil (270900) are kept: "
        "the others are not one HS code.",
        "Partner 'Other Asia, not elsewhere specified' (S19 in the file) has no ISO code and is left out.",
        "BACI world totals are below Kazakhstan's national totals: BACI drops flows it cannot reconcile.",
    ],
)


def _read(path: Path) -> pd.DataFrame:
    path = Path(path)
    raw = read_raw_csv(path, COLUMNS, dtype={"hs_code": str})
    bad = raw["unit"].ne("thousand USD") & raw["unit"].ne(TONNES)
    if bad.any():
        line = int(raw.index[bad][0]) + 2
        raise InputError.at(
            path,
            f"expected unit 'thousand USD' or 'tonnes', got {raw.loc[bad, 'unit'].iloc[0]!r}",
            line,
            "unit",
        )
    return raw


def read_by_partner(path: Path) -> pd.DataFrame:
    """Crude oil and base metals by partner; the tonnes rows become the quantity of the value rows."""
    raw = _read(path)
    raw = raw[raw["partner_iso3"].isin(iso3_codes())]
    code = raw["hs_code"].map(lambda c: "SXV" if c == "XV" else c)
    if not code.isin(["270900", "SXV"]).all():
        raise InputError.at(path, f"unexpected hs_code {sorted(set(code) - {'270900', 'SXV'})}", column="hs_code")
    raw = raw.assign(code=code)
    values = raw[raw["unit"] != TONNES]
    tonnes = raw[raw["unit"] == TONNES].set_index(["year", "partner_iso3", "code"])["value"]
    out = product_rows(values, values["code"], SOURCE.id)
    qty = [
        tonnes.get((y, p, c)) for y, p, c in zip(values["year"], values["partner_iso3"], values["code"], strict=True)
    ]
    out["quantity"] = [round(q * 1000, 2) if q is not None else None for q in qty]
    out["quantity_unit"] = ["kg" if q is not None else "" for q in qty]
    return out


def read_world_chapters(path: Path) -> pd.DataFrame:
    """Kazakhstan's exports to the world summed from HS6 lines to HS chapters."""
    raw = _read(path)
    if not raw["hs_code"].str.fullmatch(r"\d{6}").all():
        raise InputError.at(path, "expected six-digit HS codes", column="hs_code")
    raw = raw.assign(chapter=raw["hs_code"].str[:2])
    summed = raw.groupby(["year", "reporter_iso3", "partner_iso3", "flow", "chapter"], as_index=False)["value"].sum()
    return product_rows(summed, summed["chapter"], SOURCE.id)


def read_world_groups(path: Path) -> pd.DataFrame:
    """All goods and crude oil of the broad groups, 2002–2021."""
    raw = _read(path)
    kept = raw[raw["hs_code"].isin(GROUPS)]
    return product_rows(kept, kept["hs_code"].map(GROUPS), SOURCE.id)


def from_shared(shared: Path) -> tuple[pd.DataFrame, list[Path]]:
    paths = [Path(shared) / f for f in (BY_PARTNER, WORLD_HS6, WORLD_GROUPS)]
    frames = [read_by_partner(paths[0]), read_world_chapters(paths[1]), read_world_groups(paths[2])]
    frame = pd.concat(frames, ignore_index=True)
    return frame[[*TRADE_PRODUCTS.columns, "quantity", "quantity_unit"]], paths
