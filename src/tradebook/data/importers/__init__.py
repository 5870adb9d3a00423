"""Importers: official raw files → tidy CSV in data/. `build_data` rebuilds all of data/ from shared/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import sources
from ..contract import DATASETS, Dataset
from ..errors import InputError
from ..folder import DataFolder
from . import baci, bns, cepii, coifpm, coir, comtrade, eurostat, panel, published_figures, reference, wiiw
from .common import MergeReport, merge_into, sort_rows, write_csv


@dataclass(frozen=True)
class Importer:
    """One source feeding one tidy file; `read` returns its rows and the raw files it read."""

    source: sources.Source
    dataset: Dataset
    read: Callable[[Path], tuple[pd.DataFrame, list[Path]]]


# In priority order: for the same key, a later importer's row replaces an earlier one's.
IMPORTERS: list[Importer] = [
    Importer(panel.SOURCE, DATASETS["trade"], panel.from_shared),
    Importer(cepii.SOURCE, DATASETS["trade"], cepii.from_shared),
    Importer(eurostat.SOURCE, DATASETS["trade"], eurostat.from_shared),
    Importer(bns.SOURCE, DATASETS["trade"], bns.from_shared),
    Importer(wiiw.SOURCE, DATASETS["fdi"], wiiw.from_shared),
    Importer(published_figures.SOURCE, DATASETS["published_figures"], published_figures.from_shared),
    # Product rows: the source is part of the key, so these never replace one another.
    Importer(cepii.SOURCE, DATASETS["trade_products"], cepii.products_from_shared),
    Importer(cepii.BACI_SOURCE, DATASETS["trade_products"], cepii.baci_from_shared),
    Importer(baci.SOURCE, DATASETS["trade_products"], baci.from_shared),
    Importer(coir.SOURCE, DATASETS["trade_products"], coir.from_shared),
    Importer(coifpm.SOURCE, DATASETS["trade_products"], coifpm.from_shared),
]

# Documents cited by hand-curated files (data/events.csv), recorded in sources.yml with checksums.
# They produce no rows, so `make data` never rewrites or deletes the curated files that cite them.
REFERENCES: list[Callable[[Path], sources.Source]] = [reference.provenance]


def build_data(shared: Path, data_dir: Path, log: Callable[[str], None] = print) -> None:
    """Rebuild every importer-made file of data/ from the raw files, byte for byte reproducibly."""
    shared, data_dir = Path(shared), Path(data_dir)
    if not shared.is_dir():
        raise InputError.at(shared, "folder of raw sources not found (expected ../shared/data-sources)")
    frames: dict[str, list[pd.DataFrame]] = {}
    provenance = []
    for imp in IMPORTERS:
        frame, raw_files = imp.read(shared)
        log(f"{imp.source.id}: {len(frame)} rows from {len(raw_files)} file(s)")
        frames.setdefault(imp.dataset.name, []).append(frame)
        provenance.append(imp.source.with_files(raw_files, shared))
    for cited in REFERENCES:
        provenance.append(cited(shared))
    # A source feeding two files (CEPII Gravity) is listed once, with every raw file it read.
    by_id: dict[str, sources.Source] = {}
    for entry in provenance:
        if entry.id in by_id:
            seen = {f["path"] for f in by_id[entry.id].files}
            by_id[entry.id].files += [f for f in entry.files if f["path"] not in seen]
        else:
            by_id[entry.id] = entry
    provenance = list(by_id.values())
    for name, parts in frames.items():
        dataset = DATASETS[name]
        merged = pd.concat(parts, ignore_index=True).drop_duplicates(list(dataset.key), keep="last")
        write_csv(sort_rows(merged, dataset), data_dir / dataset.filename, dataset)
        log(f"wrote {data_dir / dataset.filename} ({len(merged)} rows)")
    sources.dump(provenance, data_dir / sources.FILENAME)
    log(f"wrote {data_dir / sources.FILENAME} ({len(provenance)} sources)")


def import_bns(path: Path, data_dir: Path) -> MergeReport:
    """Merge a (newer) BNS workbook into data/trade.csv and record its checksum."""
    frame = bns.read_workbook(path)
    return _merge_and_record(frame, path, bns.SOURCE, DATASETS["trade"], data_dir)


def _csv_importer(module) -> Callable[[Path, Path], MergeReport]:
    """`tradebook import` for a module whose `read(path)` parses one CSV in the publisher's layout."""

    def run(path: Path, data_dir: Path) -> MergeReport:
        try:
            frame = module.read(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError.at(path, f"not a {module.SOURCE.citation} CSV file: {reason}") from None
        return _merge_and_record(frame, path, module.SOURCE, DATASETS["trade"], data_dir)

    run.__doc__ = f"Merge a {module.SOURCE.citation} CSV into data/trade.csv."
    return run


def import_comtrade(path: Path, data_dir: Path) -> MergeReport:
    """Merge a UN Comtrade CSV into data/trade_products.csv and its TOTAL rows into data/trade.csv."""
    products = comtrade.read(path)
    report = _merge_and_record(products, path, comtrade.SOURCE, DATASETS["trade_products"], data_dir)
    total = comtrade.totals(products)
    if total.empty:
        return report
    return report + merge_into(Path(data_dir) / DATASETS["trade"].filename, total, DATASETS["trade"])


def _merge_and_record(
    frame: pd.DataFrame, path: Path, source: sources.Source, dataset: Dataset, data_dir: Path
) -> MergeReport:
    """Merge rows into a tidy file and add the raw file's sha256 to its source in sources.yml."""
    known = DataFolder(data_dir).sources()
    entry = known.get(source.id, source)
    digest = sources.sha256(path)
    same_name = [f for f in entry.files if Path(f["path"]).name == Path(path).name]
    if same_name:
        same_name[0]["sha256"] = digest
    else:
        entry.files.append({"path": Path(path).name, "sha256": digest})
    known[source.id] = entry
    report = merge_into(data_dir / dataset.filename, frame, dataset)
    sources.dump(list(known.values()), data_dir / sources.FILENAME)
    return report


# `tradebook import KIND FILE`: each takes (file, data_dir) and returns what the merge did.
IMPORT_COMMANDS: dict[str, Callable[[Path, Path], MergeReport]] = {
    "bns": import_bns,
    "comtrade": import_comtrade,
    "eurostat": _csv_importer(eurostat),
    "panel": _csv_importer(panel),
}
