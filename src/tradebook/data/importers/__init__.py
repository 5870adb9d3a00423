"""Importers: official raw files → tidy CSV in data/. `build_data` rebuilds all of data/ from shared/.

Both `build_data` and `tradebook import` merge by source precedence (`precedence.merge`): for one key the
row of the source ranked higher in sources.yml is kept, and then the final, newer edition; a value that
loses is reported, never silently dropped or written over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import sources
from ..atomic import write_files
from ..contract import DATASETS, Dataset
from ..errors import InputError
from ..folder import DataFolder
from ..precedence import KEPT, Conflict, MergeReport, merge
from ..sources import Release, Source
from . import (
    baci,
    bns,
    bns_partners,
    cepii,
    coifpm,
    coifpm_prices,
    coir,
    comext_italy,
    comext_listed,
    comtrade,
    eia_brent,
    eurostat,
    faostat,
    panel,
    press_figures,
    published_figures,
    reference,
    wiiw,
)
from .common import csv_bytes, merge_into


@dataclass(frozen=True)
class Importer:
    """One source feeding one tidy file; `read` returns its rows and the raw files it read, `releases` the
    editions those files state (for sources whose files say which edition each year comes from)."""

    source: Source
    dataset: Dataset
    read: Callable[[Path], tuple[pd.DataFrame, list[Path]]]
    releases: Callable[[Path], list[Release]] | None = None


# The order does not decide which value a key keeps (the sources' precedence does); it is the order of
# the log, and of the files' provenance in sources.yml.
IMPORTERS: list[Importer] = [
    Importer(panel.SOURCE, DATASETS["trade"], panel.from_shared),
    Importer(cepii.SOURCE, DATASETS["trade"], cepii.from_shared),
    Importer(eurostat.SOURCE, DATASETS["trade"], eurostat.from_shared),
    Importer(comext_italy.SOURCE, DATASETS["trade"], comext_italy.from_shared, comext_italy.releases_from_shared),
    Importer(bns.SOURCE, DATASETS["trade"], bns.from_shared, bns.releases_from_shared),
    Importer(bns_partners.SOURCE, DATASETS["trade"], bns_partners.from_shared),
    Importer(wiiw.SOURCE, DATASETS["fdi"], wiiw.from_shared),
    Importer(published_figures.SOURCE, DATASETS["published_figures"], published_figures.from_shared),
    Importer(press_figures.SOURCE, DATASETS["published_figures"], press_figures.from_shared),
    # Product rows and prices: the source is part of the key, so these never replace one another.
    Importer(cepii.SOURCE, DATASETS["trade_products"], cepii.products_from_shared),
    Importer(cepii.BACI_SOURCE, DATASETS["trade_products"], cepii.baci_from_shared),
    Importer(baci.SOURCE, DATASETS["trade_products"], baci.from_shared),
    Importer(coir.SOURCE, DATASETS["trade_products"], coir.from_shared),
    Importer(coifpm.SOURCE, DATASETS["trade_products"], coifpm.from_shared),
    Importer(comext_italy.SOURCE, DATASETS["trade_products"], comext_italy.products_from_shared),
    Importer(comext_listed.SOURCE, DATASETS["trade_products"], comext_listed.from_shared),
    Importer(faostat.SOURCE, DATASETS["trade_products"], faostat.from_shared),
    Importer(eia_brent.SOURCE, DATASETS["oil_prices"], eia_brent.from_shared),
    Importer(
        coifpm_prices.SOURCE, DATASETS["oil_prices"], coifpm_prices.from_shared, coifpm_prices.releases_from_shared
    ),
]

# Documents cited by hand-curated files (data/events.csv), recorded in sources.yml with checksums.
# They produce no rows, so `make data` never rewrites or deletes the curated files that cite them.
REFERENCES: list[Callable[[Path], Source]] = [reference.provenance]


def _with_files(entry: Source, more: Source) -> Source:
    """`entry` with the raw files of `more` it does not list yet (a source feeding two files)."""
    seen = {f.path for f in entry.files}
    return entry.model_copy(update={"files": [*entry.files, *(f for f in more.files if f.path not in seen)]})


def build_data(shared: Path, data_dir: Path, log: Callable[[str], None] = print) -> None:
    """Rebuild every importer-made file of data/ from the raw files, byte for byte reproducibly."""
    shared, data_dir = Path(shared), Path(data_dir)
    if not shared.is_dir():
        raise InputError.at(shared, "folder of raw sources not found (expected ../shared/data-sources)")
    frames: dict[str, pd.DataFrame] = {}
    provenance: dict[str, Source] = {}
    for imp in IMPORTERS:
        frame, raw_files = imp.read(shared)
        entry = imp.source.with_files(raw_files, shared)
        if imp.releases is not None:
            entry = entry.with_releases(imp.releases(shared))
        provenance[entry.id] = _with_files(provenance[entry.id], entry) if entry.id in provenance else entry
        log(f"{imp.source.id}: {len(frame)} rows from {len(raw_files)} file(s)")
        name = imp.dataset.name
        existing = frames.get(name, frame.iloc[0:0])
        frames[name], report = merge(existing, frame, imp.dataset, provenance, {entry.id: entry})
        for line in conflict_summary(report.conflicts):
            log(f"  {line}")
    for cited in REFERENCES:
        entry = cited(shared)
        provenance[entry.id] = entry
    files: dict[Path, bytes | str] = {}
    for name, frame in frames.items():
        dataset = DATASETS[name]
        files[data_dir / dataset.filename] = csv_bytes(frame, data_dir / dataset.filename, dataset)
    files[data_dir / sources.FILENAME] = sources.text(provenance.values())
    data_dir.mkdir(parents=True, exist_ok=True)
    write_files(files)  # every file or none: a failure leaves data/ as it was
    for name, frame in frames.items():
        log(f"wrote {data_dir / DATASETS[name].filename} ({len(frame)} rows)")
    log(f"wrote {data_dir / sources.FILENAME} ({len(provenance)} sources)")


def conflict_summary(conflicts: tuple[Conflict, ...]) -> list[str]:
    """One line per pair of sources and outcome: how many values differed, and the largest difference."""
    groups: dict[tuple[str, str, str], list[Conflict]] = {}
    for c in conflicts:
        groups.setdefault((c.old[2].source, c.new[2].source, c.outcome), []).append(c)
    lines = []
    for (old, new, outcome), group in sorted(groups.items()):
        kept, other = (old, new) if outcome == KEPT else (new, old)
        gaps = [abs(c.new[0] - c.old[0]) for c in group if c.new[1] == c.old[1]]
        largest = f"largest difference {max(gaps):,.2f}" if gaps else "in different currencies"
        lines.append(f"{len(group)} values differ between {kept} (kept) and {other} ({largest})")
    return lines


def import_bns(path: Path, data_dir: Path, override: bool = False) -> MergeReport:
    """Merge a BNS workbook into data/trade.csv: each year by its edition (a newer or final one wins)."""
    frame = bns.read_workbook(path)
    incoming = bns.SOURCE.with_releases(bns.edition(path).values())
    return _merge_and_record([(frame, DATASETS["trade"])], path, incoming, data_dir, override)


def _csv_importer(module) -> Callable[..., MergeReport]:
    """`tradebook import` for a module whose `read(path)` parses one CSV in the publisher's layout."""

    def run(path: Path, data_dir: Path, override: bool = False) -> MergeReport:
        try:
            frame = module.read(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError.at(path, f"not a {module.SOURCE.citation} CSV file: {reason}") from None
        return _merge_and_record([(frame, DATASETS["trade"])], path, module.SOURCE, data_dir, override)

    run.__doc__ = f"Merge a {module.SOURCE.citation} CSV into data/trade.csv."
    return run


def import_comtrade(path: Path, data_dir: Path, override: bool = False) -> MergeReport:
    """Merge a UN Comtrade CSV into data/trade_products.csv and its TOTAL rows into data/trade.csv."""
    products = comtrade.read(path)
    parts = [(products, DATASETS["trade_products"])]
    total = comtrade.totals(products)
    if not total.empty:
        parts.append((total, DATASETS["trade"]))
    return _merge_and_record(parts, path, comtrade.SOURCE, data_dir, override)


def _merge_and_record(
    parts: list[tuple[pd.DataFrame, Dataset]], path: Path, source: Source, data_dir: Path, override: bool
) -> MergeReport:
    """Merge rows into tidy files by precedence; record the raw file's sha256 and the editions now used.

    `source` is the importer's own description with the editions the file states; in sources.yml the
    source then lists the file and, for each year whose rows were taken, that year's edition.
    """
    data_dir = Path(data_dir)
    known = DataFolder(data_dir).sources()
    report = MergeReport(0, 0, 0)
    writes: dict[Path, bytes | str] = {}
    for frame, dataset in parts:
        target = data_dir / dataset.filename
        done, writes[target] = merge_into(target, frame, dataset, known, {source.id: source}, override)
        report += done
    entry = known.get(source.id)
    entry = source.model_copy(update={"files": entry.files, "releases": entry.releases}) if entry else source
    digest = sources.sha256(path)
    files = [
        f.model_copy(update={"sha256": digest}) if Path(f.path).name == Path(path).name else f for f in entry.files
    ]
    if not any(Path(f.path).name == Path(path).name for f in files):
        files.append(sources.SourceFile(path=Path(path).name, sha256=digest))
    entry = entry.model_copy(update={"files": files})
    years = {year for sid, year in report.taken if sid == source.id}
    used = [r.model_copy(update={"years": [y for y in r.years if y in years]}) for r in source.releases]
    known[source.id] = entry.with_releases(r for r in used if r.years)
    writes[data_dir / sources.FILENAME] = sources.text(known.values())
    write_files(writes)  # read and checked everything first; now every file or none
    return report


# `tradebook import KIND FILE [--override]`: each takes (file, data_dir, override) and says what it did.
IMPORT_COMMANDS: dict[str, Callable[..., MergeReport]] = {
    "bns": import_bns,
    "comtrade": import_comtrade,
    "eurostat": _csv_importer(eurostat),
    "panel": _csv_importer(panel),
}
