"""The data-and-methods page as frames: sources, raw-file checksums, caveats, the contract, the data files.

Everything comes from `data/sources.yml`, the contract in `data/contract.py` and the data itself, so
the page cannot drift from what the build actually used.
"""

from __future__ import annotations

import pandas as pd

from ..data import coverage
from ..data.contract import DATASETS, WORLD, Dataset
from ..data.folder import DataFolder
from ..data.importers import IMPORT_COMMANDS
from ..data.precedence import sources_used
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


# ---------------------------------------------------------------------------------------------------
# Which source each trade series uses, year by year (source precedence), and its partial years


def year_runs(years: list[int]) -> str:
    """Consecutive years as ranges: [2018, 2019, 2020, 2022] → '2018–2020, 2022'."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _edition(row) -> str:
    parts = [row.source]
    parts += [str(row.status)] if isinstance(row.status, str) else []
    parts += [f"released {row.released}"] if isinstance(row.released, str) else []
    return ", ".join(parts)


def _group(reporter: str, partner: str, first: str, second: str) -> tuple[int, str, str]:
    """Where a series goes on the page: the edition's pair each way, the world, then the others together."""
    if (reporter, partner) == (first, second):
        return 0, first, second
    if (reporter, partner) == (second, first):
        return 1, second, first
    if reporter == first:
        return (2, first, WORLD) if partner == WORLD else (3, first, "other partners")
    return (4, "other reporters", first) if partner == first else (5, "other reporters", "other partners")


def _runs(block: pd.DataFrame, many: str) -> str:
    """Runs of years that use the same source and release: '2000–2017: wits-bns-panel; 2018–2020: …'; for a
    group of several series, with how many of them (`many`: partners, reporters) each run covers."""
    by_year = block.groupby("year")["edition"].agg(lambda e: tuple(sorted(set(e))))
    counts = block.groupby("year").size()
    runs: list[list] = []
    for year, editions in by_year.items():
        if runs and runs[-1][2] == editions and runs[-1][1] == year - 1:
            runs[-1][1], runs[-1][3] = year, [*runs[-1][3], int(counts[year])]
        else:
            runs.append([year, year, editions, [int(counts[year])]])
    texts = []
    for a, b, editions, n in runs:
        years = str(a) if a == b else f"{a}–{b}"
        count = str(min(n)) if min(n) == max(n) else f"{min(n)}–{max(n)}"
        noun = many[:-1] if max(n) == 1 else many  # "1 partner", "2–5 partners"
        series = f" ({count} {noun})" if many else ""
        texts.append(f"{years}: {' / '.join(editions)}{series}")
    return "; ".join(texts)


def sources_used_table(trade: pd.DataFrame, sources: dict[str, Source], reporter: str, partner: str) -> pd.DataFrame:
    """Which source (and release) each trade series uses in each run of years, compactly: the edition's pair
    each way and the reporter's world total one series a row, every other series grouped, the two flows in
    one row where they agree (data.precedence.sources_used)."""
    used = sources_used(trade, sources)
    used["edition"] = [_edition(r) for r in used.itertuples(index=False)]
    groups = [_group(r, p, reporter, partner) for r, p in zip(used["reporter"], used["partner"], strict=True)]
    used["group"] = groups
    rows = []
    for group, block in used.groupby("group", sort=True):
        several = block[["reporter", "partner"]].drop_duplicates().shape[0] > 1
        many = ("partners" if group[2] == "other partners" else "reporters") if several else ""
        texts = {flow: _runs(flows, many) for flow, flows in block.groupby("flow", sort=True)}
        merged = {}
        for flow, text in texts.items():
            merged.setdefault(text, []).append(f"{flow}s")
        for text, flows in merged.items():
            rows.append((group[1], group[2], " and ".join(flows), text))
    columns = ["Reporter", "Partner", "Flows", "Years: source used (release)"]
    return pd.DataFrame(rows, columns=columns).set_index(["Reporter", "Partner", "Flows"])


def partial_years_table(trade: pd.DataFrame) -> pd.DataFrame:
    """The years in which a series of trade.csv holds one flow but not the other (data.coverage), as ranges."""
    partial = coverage.partial_years(trade)
    rows = [
        (reporter, partner, present, missing, year_runs(block["year"].tolist()))
        for (reporter, partner, present, missing), block in partial.groupby(
            ["reporter", "partner", "present", "missing"]
        )
    ]
    columns = ["Reporter", "Partner", "Flow in the data", "Flow missing", "Years"]
    return pd.DataFrame(rows, columns=columns).set_index(["Reporter", "Partner"])
