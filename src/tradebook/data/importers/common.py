"""What every importer shares: merge new rows into a tidy file by key, atomically, and say what changed."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..contract import Dataset
from ..errors import InputError, Problem, display_path
from ..folder import DataFolder
from ..validate import check


@dataclass(frozen=True)
class MergeReport:
    added: int
    changed: int
    kept: int

    def __str__(self) -> str:
        return f"{self.added} rows added, {self.changed} changed, {self.kept} kept"

    def __add__(self, other: MergeReport) -> MergeReport:
        """What two merges (into two files) did together."""
        return MergeReport(self.added + other.added, self.changed + other.changed, self.kept + other.kept)


def sort_rows(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The canonical row order: by key, so files diff cleanly and rebuild byte for byte."""
    return frame.sort_values(list(dataset.key), kind="stable").reset_index(drop=True)


def merge(existing: pd.DataFrame, new: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, MergeReport]:
    """Rows of `new` replace rows of `existing` with the same key; other existing rows are kept."""
    key = list(dataset.key)
    new = new.drop_duplicates(key, keep="last")
    if existing.empty:
        return sort_rows(new, dataset), MergeReport(len(new), 0, 0)
    old, fresh = existing.set_index(key), new.set_index(key)
    matched = fresh.index.isin(old.index)
    values = [c for c in fresh.columns if c in old.columns]
    differs = ~_same(old.loc[fresh.index[matched], values], fresh.loc[matched, values])
    added, changed = int((~matched).sum()), int(differs.any(axis=1).sum())
    out = sort_rows(pd.concat([existing[~old.index.isin(fresh.index)], new], ignore_index=True), dataset)
    return out, MergeReport(added, changed, len(out) - added - changed)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    a, b = a.astype(object), b.astype(object)
    return (a == b) | (a.isna() & b.isna())


def write_csv(frame: pd.DataFrame, path: Path, dataset: Dataset) -> None:
    """Write via a temporary file and rename, so a failure never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [c for c in dataset.all_columns if c in frame.columns]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame[cols].to_csv(fh, index=False, lineterminator="\n")
        _, problems = check(Path(tmp), dataset)
        if problems:
            raise InputError(
                [
                    Problem(
                        display_path(path),
                        None,
                        None,
                        f"not written, the merged rows break the contract: {problems[0].message}",
                    )
                ]
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def merge_into(path: Path, new: pd.DataFrame, dataset: Dataset) -> MergeReport:
    """Merge rows into a tidy file (created if absent) and replace it atomically."""
    existing = DataFolder(path.parent).load(dataset.name) if path.exists() else new.iloc[0:0]
    merged, report = merge(existing, new, dataset)
    write_csv(merged, path, dataset)
    return report


def read_raw_csv(path: Path, columns: tuple[str, ...] | list[str], **read_csv_args) -> pd.DataFrame:
    """A publisher's CSV with the columns an importer needs; a missing file or column is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError.at(path, "file not found")
    try:
        raw = pd.read_csv(path, **read_csv_args)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError.at(path, f"not a readable CSV file: {reason}") from None
    for col in columns:
        if col not in raw.columns:
            raise InputError.at(path, "missing column", line=1, column=col)
    return raw


def product_rows(rows: pd.DataFrame, products: pd.Series | str, source: str) -> pd.DataFrame:
    """trade_products rows from the shared composition layout (reporter_iso3, partner_iso3, thousand USD)."""
    return pd.DataFrame(
        {
            "year": rows["year"].astype(int),
            "reporter": rows["reporter_iso3"],
            "partner": rows["partner_iso3"],
            "flow": rows["flow"],
            "product": products,
            "value": (rows["value"] * 1000).round(2),
            "currency": "USD",
            "source": source,
        }
    )


def crude_import_rows(
    year: pd.Series,
    reporter: pd.Series,
    partner: pd.Series | str,
    product: pd.Series | str,
    value_thousand_usd: pd.Series,
    thousand_barrels: pd.Series,
    source: str,
) -> pd.DataFrame:
    """trade_products rows of crude oil imports as the EU crude registers give them: value and barrels."""
    return pd.DataFrame(
        {
            "year": year.astype(int),
            "reporter": reporter,
            "partner": partner,
            "flow": "import",
            "product": product,
            "value": (value_thousand_usd * 1000).round(2),
            "currency": "USD",
            "source": source,
            "quantity": (thousand_barrels * 1000).round(2),
            "quantity_unit": "bbl",
        }
    )
