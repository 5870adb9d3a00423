"""The data-and-methods page as frames: sources, raw-file checksums, caveats, the contract, the data files.

Everything comes from `data/sources.yml`, the contract in `data/contract.py` and the data itself, so
the page cannot drift from what the build actually used.
"""

from __future__ import annotations

import pandas as pd

from ..data.contract import DATASETS, Dataset
from ..data.folder import DataFolder
from ..data.importers import IMPORT_COMMANDS
from ..data.sources import Source

SOURCE_FIELDS = {
    "title": "Title",
    "publisher": "Publisher",
    "licence": "Licence",
    "units": "Units",
    "origin": "Obtained from",
    "citation": "Cited in charts as",
}


def sources_table(sources: dict[str, Source]) -> pd.DataFrame:
    """One row per source and field (tidy, and narrow enough to read): publisher, licence, units…"""
    rows = [
        {"Source id": s.id, "Field": label, "Value": getattr(s, attribute)}
        for s in sorted(sources.values(), key=lambda s: s.id)
        for attribute, label in SOURCE_FIELDS.items()
    ]
    return pd.DataFrame(rows, columns=["Source id", "Field", "Value"]).set_index(["Source id", "Field"])


def files_table(sources: dict[str, Source]) -> pd.DataFrame:
    """Every raw file the importers read, with its sha256, so anyone can check they have the same bytes."""
    rows = [
        {"Source id": s.id, "Raw file": f.path, "sha256": f.sha256}
        for s in sorted(sources.values(), key=lambda s: s.id)
        for f in s.files
    ]
    return pd.DataFrame(rows, columns=["Source id", "Raw file", "sha256"]).set_index("Source id")


def caveats_table(sources: dict[str, Source]) -> pd.DataFrame:
    rows = [{"Source id": s.id, "Caveat": c} for s in sorted(sources.values(), key=lambda s: s.id) for c in s.caveats]
    return pd.DataFrame(rows, columns=["Source id", "Caveat"]).set_index("Source id")


def _column_rule(dataset: Dataset, column: str) -> tuple[str, str]:
    """The column's type and the rule its values must follow, as the pandera schema states them."""
    spec = dataset.schema.columns[column]
    kind = "whole number" if column in dataset.integer else "number" if column in dataset.number else "text"
    rules = "; ".join(str(check.error) for check in spec.checks if check.error)
    return kind, rules


def contract_table(datasets: dict[str, Dataset] | None = None) -> pd.DataFrame:
    """The data contract, one row per column of each tidy file."""
    rows = []
    for dataset in (datasets or DATASETS).values():
        for column in (*dataset.columns, *dataset.optional):
            kind, rules = _column_rule(dataset, column) if column in dataset.schema.columns else ("text", "")
            rows.append(
                {
                    "File": f"data/{dataset.filename}",
                    "Column": column,
                    "Type": kind,
                    "Part of the key": "yes" if column in dataset.key else "",
                    "Required": "no" if column in dataset.optional else "yes",
                    "Values": rules,
                }
            )
    return pd.DataFrame(rows, columns=["File", "Column", "Type", "Part of the key", "Required", "Values"])


def load_datasets(folder: DataFolder) -> dict[str, pd.DataFrame]:
    """Every tidy file of the contract, validated (and noted as read for the build cache)."""
    return {name: folder.load(name) for name in DATASETS}


def datasets_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What each tidy file holds: rows, years covered and the sources its rows cite."""
    rows = []
    for name, frame in frames.items():
        years = frame["year"] if "year" in frame else pd.Series(dtype="int64")
        rows.append(
            {
                "File": f"data/{DATASETS[name].filename}",
                "Rows": len(frame),
                "First year": int(years.min()) if len(years) else None,
                "Last year": int(years.max()) if len(years) else None,
                "Sources": ", ".join(sorted(frame["source"].unique())) if "source" in frame else "",
            }
        )
    table = pd.DataFrame(rows, columns=["File", "Rows", "First year", "Last year", "Sources"])
    return table.astype({"First year": "Int64", "Last year": "Int64"}).set_index("File")


def import_commands() -> pd.DataFrame:
    """The `tradebook import KIND FILE` commands this version offers, with what each one merges."""
    rows = [
        {
            "Command": f"tradebook import {kind} FILE",
            "What it does": (func.__doc__ or "").strip().splitlines()[0],
        }
        for kind, func in sorted(IMPORT_COMMANDS.items())
    ]
    return pd.DataFrame(rows, columns=["Command", "What it does"])
