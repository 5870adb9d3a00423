"""Source precedence: which of two values for the same key a tidy file keeps, and which source each
series uses.

sources.yml gives each source a rank per series (1 first: the official national edition before
secondary compilations) and the release of each of its years (final before preliminary, newer before
older). A value replaces another only when its source stands higher; otherwise the value already there
is kept and the difference is reported as a conflict, and only an explicit override replaces it. Every
import (`tradebook import`) and the rebuild of data/ (`tradebook data`) merge through `merge`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from .contract import Dataset
from .sources import RELEASE_STATUSES, Source

KEPT, REPLACED, OVERRIDDEN = "kept", "replaced", "overridden"


@dataclass(frozen=True)
class Standing:
    """What is known of a value's source for one series and year, to weigh it against another's."""

    source: str
    rank: int | None = None
    status: str | None = None
    latest_year: int | None = None
    released: str | None = None

    @classmethod
    def of(cls, source_id: str, source: Source | None, series: str, year: int) -> Standing:
        if source is None:
            return cls(source_id)
        release = source.release(year)
        if release is None:
            return cls(source_id, source.rank(series))
        return cls(source_id, source.rank(series), release.status, release.latest_year, release.released)

    def __str__(self) -> str:
        parts = [f"rank {self.rank}" if self.rank is not None else "no rank"]
        parts += [self.status] if self.status else []
        parts += [f"edition covering to {self.latest_year}"] if self.latest_year else []
        parts += [f"released {self.released}"] if self.released else []
        return f"{self.source}, {', '.join(parts)}"


def _order(a: int | str, b: int | str) -> int:
    return (a > b) - (a < b)


def compare(a: Standing, b: Standing) -> tuple[int, str]:
    """(+1 if `a` stands higher, -1 if lower, 0 if nothing recorded decides; and what decided).

    Rank first (a lower number is higher); then, within one publication line, a final release before a
    preliminary one, the edition covering a later year, the later release date (compared as precisely as
    both are stated). What is not recorded for both decides nothing.
    """
    if a.rank is not None and b.rank is not None and a.rank != b.rank:
        return _order(b.rank, a.rank), "rank"
    if a.status and b.status and a.status != b.status:
        return _order(RELEASE_STATUSES.index(b.status), RELEASE_STATUSES.index(a.status)), "release status"
    if a.latest_year and b.latest_year and a.latest_year != b.latest_year:
        return _order(a.latest_year, b.latest_year), "edition"
    if a.released and b.released:
        n = min(len(a.released), len(b.released))
        if a.released[:n] != b.released[:n]:
            return _order(a.released[:n], b.released[:n]), "release date"
    return 0, ""


@dataclass(frozen=True)
class Conflict:
    """Two sources' different values for one key, and which one the file now holds."""

    file: str
    key: tuple
    outcome: str  # kept: the value already there stays; replaced / overridden: the new value took its place
    old: tuple[float, str, Standing]  # value, currency, standing
    new: tuple[float, str, Standing]
    reason: str

    def __str__(self) -> str:
        def show(value: tuple[float, str, Standing]) -> str:
            return f"{value[0]:,.2f} {value[1]} ({value[2]})"

        key = ", ".join(map(str, self.key))
        if self.outcome == KEPT:
            return (
                f"{self.file} ({key}): kept {show(self.old)}; not taken {show(self.new)}: {self.reason}; "
                "`tradebook import … --override` replaces it"
            )
        return f"{self.file} ({key}): {self.outcome} {show(self.old)} by {show(self.new)}: {self.reason}"


@dataclass(frozen=True)
class MergeReport:
    added: int
    changed: int
    kept: int
    conflicts: tuple[Conflict, ...] = ()
    taken: frozenset[tuple[str, int]] = field(default_factory=frozenset)  # (source, year) of new rows used

    def __str__(self) -> str:
        text = f"{self.added} rows added, {self.changed} changed, {self.kept} kept"
        held = sum(c.outcome == KEPT for c in self.conflicts)
        if held:
            text += f"; {held} values of higher-standing sources kept (conflicts below)"
        return text

    def __add__(self, other: MergeReport) -> MergeReport:
        """What two merges (into two files) did together."""
        return MergeReport(
            self.added + other.added,
            self.changed + other.changed,
            self.kept + other.kept,
            self.conflicts + other.conflicts,
            self.taken | other.taken,
        )


def _decide(decision: int, why: str, same_source: bool, override: bool) -> tuple[bool, str, str]:
    """Whether the new row wins, the outcome to report, and why."""
    if decision > 0:
        what = "it ranks higher" if why == "rank" else "a newer or more final edition"
        return True, REPLACED, f"{what} ({why})"
    if decision == 0 and same_source:
        return True, REPLACED, "the same source, read again"
    if override:
        return True, OVERRIDDEN, "--override"
    if decision < 0:
        what = "it ranks lower" if why == "rank" else "an older or less final edition"
        return False, KEPT, f"{what} ({why})"
    return False, KEPT, "no rank or release decides between the two sources"


def merge(
    existing: pd.DataFrame,
    new: pd.DataFrame,
    dataset: Dataset,
    old_sources: Mapping[str, Source],
    new_sources: Mapping[str, Source],
    override: bool = False,
) -> tuple[pd.DataFrame, MergeReport]:
    """Merge `new` rows into `existing` by key, the row of the higher-standing source winning each key.

    A new row takes an existing row's place when its source stands higher for the row's year, when
    nothing decides and it is the same source (a file of the same publication read again), or with
    `override`. Otherwise the existing row stays. Each key whose two rows differ in value between two
    sources (or two editions of one) is reported as a `Conflict`. The standings come from `old_sources`
    for existing rows and `new_sources` for new rows (the release of a year can differ between the two).
    """
    key = list(dataset.key)
    new = new.drop_duplicates(key, keep="last").reset_index(drop=True)
    old = existing.set_index(key)
    fresh = new.set_index(key)
    matched = fresh.index.isin(old.index)
    rivals = old.loc[fresh.index[matched]].reset_index()
    columns = [c for c in new.columns if c in existing.columns]
    take = ~matched
    changed, conflicts = 0, []
    positions = [i for i, m in enumerate(matched) if m]
    for position, a, b in zip(positions, new[matched].to_dict("records"), rivals.to_dict("records"), strict=True):
        year = int(a["year"]) if "year" in a else 0
        mine = Standing.of(a["source"], new_sources.get(a["source"]), dataset.name, year)
        theirs = Standing.of(b["source"], old_sources.get(b["source"]), dataset.name, year)
        decision, why = compare(mine, theirs)
        same_source = a["source"] == b["source"]
        wins, outcome, reason = _decide(decision, why, same_source, override)
        take[position] = wins
        changed += wins and not all(_equal(a[c], b[c]) for c in columns)
        differs = not (_equal(a.get("value"), b.get("value")) and _equal(a.get("currency"), b.get("currency")))
        if differs and (not same_source or decision != 0):
            old_value = (float(b.get("value", "nan")), str(b.get("currency", "")), theirs)
            new_value = (float(a.get("value", "nan")), str(a.get("currency", "")), mine)
            conflicts.append(
                Conflict(dataset.filename, tuple(a[k] for k in key), outcome, old_value, new_value, reason)
            )
    winners = fresh[take]
    order = list(dict.fromkeys([*existing.columns, *new.columns]))
    out = _rows_of_both(old[~old.index.isin(winners.index)], winners).reset_index()[order]
    added = int((~matched).sum())
    used = winners.reset_index()
    taken = frozenset(zip(used["source"], used["year"].astype(int), strict=True)) if "year" in used else frozenset()
    report = MergeReport(added, changed, len(out) - added - changed, tuple(conflicts), taken)
    return sort_rows(out, dataset), report


def _rows_of_both(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The rows of both frames; a column with no value in one frame (e.g. new rows without quantities) takes
    the type it has in the other, where it has values, as pandas did implicitly (a behaviour it deprecates)."""

    def typed(frame: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
        empty = [c for c in frame if c in other and frame[c].isna().all() and other[c].notna().any()]
        return frame.astype({c: other[c].dtype for c in empty if frame.empty or other[c].dtype.kind in "fO"})

    return pd.concat([typed(first, second), typed(second, first)])


def _equal(a: object, b: object) -> bool:
    return bool((pd.isna(a) and pd.isna(b)) or a == b) if not isinstance(a, str) else a == b


def sort_rows(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The canonical row order: by key, so files diff cleanly and rebuild byte for byte."""
    return frame.sort_values(list(dataset.key), kind="stable").reset_index(drop=True)


def sources_used(trade: pd.DataFrame, sources: Mapping[str, Source], series: str = "trade") -> pd.DataFrame:
    """Which source each series (reporter, partner, flow) uses in each year, with its rank and release.

    One row per series and year of `trade` (a tidy file holds one row per key: the winner of the
    precedence), for the data-and-methods page: source, rank, release status, release date, edition.
    """
    rows = []
    for r in trade.itertuples(index=False):
        source = sources.get(r.source)
        release = source.release(int(r.year)) if source else None
        rows.append(
            {
                "reporter": r.reporter,
                "partner": r.partner,
                "flow": r.flow,
                "year": int(r.year),
                "source": r.source,
                "rank": source.rank(series) if source else None,
                "status": release.status if release else None,
                "released": release.released if release else None,
                "edition": release.edition if release else None,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["reporter", "partner", "flow", "year", "source", "rank", "status", "released", "edition"]
    )
    frame["rank"] = frame["rank"].astype("Int64")
    return frame.sort_values(["reporter", "partner", "flow", "year"], kind="stable").reset_index(drop=True)
