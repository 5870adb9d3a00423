"""What every importer shares: merge new rows into a tidy file by key and source precedence, atomically,
and say what changed."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .. import precedence
from ..contract import Dataset
from ..errors import InputError, Problem, display_path
from ..folder import DataFolder
from ..numbers import NumberError, parse_number, plain
from ..precedence import MergeReport
from ..sources import Source
from ..validate import check


def merge(
    existing: pd.DataFrame,
    new: pd.DataFrame,
    dataset: Dataset,
    old_sources: Mapping[str, Source] | None = None,
    new_sources: Mapping[str, Source] | None = None,
    override: bool = False,
) -> tuple[pd.DataFrame, MergeReport]:
    """Rows of `new` merged into `existing` by key, by source precedence (see `precedence.merge`)."""
    return precedence.merge(existing, new, dataset, old_sources or {}, new_sources or {}, override)


def csv_bytes(frame: pd.DataFrame, path: Path, dataset: Dataset) -> bytes:
    """The tidy file's new content, checked against the contract before anything is written.

    Numbers are written out in plain decimals: pandas would write 1e-05 or 1e+16, which the contract refuses.
    """
    cols = [c for c in dataset.all_columns if c in frame.columns]
    data = frame[cols].to_csv(index=False, lineterminator="\n", float_format=plain).encode("utf-8")
    _, problems = check(Path(path), dataset, raw=data)
    if problems:
        message = f"not written, the merged rows break the contract: {problems[0].message}"
        raise InputError(Problem(display_path(path), None, None, message))
    return data


def merge_into(
    path: Path,
    new: pd.DataFrame,
    dataset: Dataset,
    old_sources: Mapping[str, Source],
    new_sources: Mapping[str, Source],
    override: bool = False,
) -> tuple[MergeReport, bytes]:
    """Merge rows into a tidy file (empty if absent) by source precedence: what it did and the new content."""
    existing = DataFolder(path.parent).load(dataset.name) if path.exists() else new.iloc[0:0]
    merged, report = merge(existing, new, dataset, old_sources, new_sources, override)
    return report, csv_bytes(merged, path, dataset)


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


def records(path: Path, columns: tuple[str, ...] | list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line, record) of every data row of a publisher's UTF-8 CSV, read as text, every column present.

    The csv module's line numbers point at the line an editor shows, even when a quoted field spans lines.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.at(path, "file not found")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, strict=True)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError.at(path, "missing column", 1, missing[0])
            rows = []
            for rec in reader:
                if None in rec or None in rec.values():
                    raise InputError.at(path, "a row with another number of fields than the header", reader.line_num)
                rows.append((reader.line_num, rec))
    except UnicodeDecodeError as err:
        raise InputError.at(path, f"not UTF-8 text ({err.reason})") from None
    except csv.Error as err:
        raise InputError.at(path, f"not a readable CSV file: {err}") from None
    if not rows:
        raise InputError.at(path, "no data rows")
    return rows


def number(text: str, path: Path, line: int, column: str) -> float:
    """A number ≥ 0 as a publisher writes it (an exponent allowed: 4.7E-5): blanks, words, thousands
    separators, '1_000', 'nan' and 'inf' are errors naming file, line and column, never NaN."""
    try:
        value = parse_number(text.strip(), exponent=True)
    except NumberError as err:
        raise InputError.at(path, str(err), line, column) from None
    if value < 0:
        raise InputError.at(path, f"expected a number ≥ 0, got {text!r}", line, column)
    return value
