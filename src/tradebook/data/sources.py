"""Provenance: data/sources.yml lists every source id with publisher, licence, units, checksums, caveats,
and what decides between sources of the same series: each source's rank, the release (edition) of its
years, and whether its rows are a whole or only part of one.

The file is read into strict pydantic models (`Source`, `SourcesFile`), so a problem names file, line
and key. The importers declare their `Source` in code and `dump` writes the file from them.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, PlainValidator, RootModel, model_validator

from .config import (
    Date,
    Line,
    Rank,
    Sha256,
    Strict,
    Text,
    Vocabulary,
    expected,
    load_model,
    one_of,
    pattern,
    refused_all,
    relative_path,
    series_name,
)
from .contract import DATASETS, MAX_YEAR, MIN_YEAR
from .errors import InputError, Problem
from .yamlfile import LineDict, Loc, dumps

FILENAME = "sources.yml"
RELEASE_STATUSES = ("final", "preliminary")  # in order of precedence: a final edition outranks a preliminary one
COVERAGES = ("complete", "partial")

SourceId = Annotated[str, pattern(r"[a-z0-9][a-z0-9.-]*", "a source id (lower-case letters, digits, . and -)")]


def _year(value: Any) -> int:
    if type(value) is not int or not MIN_YEAR <= value <= MAX_YEAR:
        raise expected(f"a year from {MIN_YEAR} to {MAX_YEAR}")
    return value


def _years(value: list[int]) -> list[int]:
    if not value or value != sorted(set(value)):
        raise expected("a list of years, each once, in order")
    return value


Year = Annotated[int, PlainValidator(_year)]
Series = Annotated[str, AfterValidator(series_name)]


class SourceFile(Strict):
    """A raw file an importer read, named relative to the folder of raw sources, and its checksum."""

    path: Annotated[Text, AfterValidator(relative_path)]
    sha256: Sha256


class Release(Strict):
    """The edition of a publication that a source's rows of some years come from.

    Editions of one series are ordered by status (final before preliminary), then by the latest year the
    publication covers (a workbook covering 2023 appeared after one covering 2022), then by release date;
    what the publisher does not state stays empty and decides nothing.
    """

    years: Annotated[list[Year], AfterValidator(_years)]
    edition: Line  # which publication: a file name, a page element, an extraction id
    status: Annotated[str, one_of(RELEASE_STATUSES)] | None = None
    released: Date | None = None  # YYYY-MM-DD or YYYY-MM, as precise as the publisher states it
    latest_year: Year | None = None


class Source(Strict):
    """What a reader needs to trust and reuse a number, and how it ranks against other sources.

    `precedence` maps a series (a tidy file, e.g. trade) to the source's rank in it, 1 first: the official
    national edition before secondary compilations. Sources of one publication line share a rank, and
    their releases decide between them. `coverage: partial` marks rows that are only part of a total
    (of the `total_source`'s TOTAL, or of the source's own): they must never be summed as a total.
    """

    id: SourceId
    title: Line
    citation: Line
    publisher: Text
    origin: Text
    licence: Text
    units: Text
    caveats: list[Text]
    files: list[SourceFile] = []
    precedence: dict[Series, Rank] = {}
    releases: list[Release] = []
    coverage: Annotated[str, one_of(COVERAGES)] = "complete"
    total_source: SourceId | None = None

    def with_files(self, paths: Iterable[Path], base: Path) -> Source:
        """A copy recording the sha256 of each raw file, named relative to `base`."""
        files = [SourceFile(path=Path(p).relative_to(base).as_posix(), sha256=sha256(p)) for p in paths]
        return self.model_copy(update={"files": files})

    def with_releases(self, releases: Iterable[Release]) -> Source:
        """A copy whose releases of the given years are replaced by `releases` (other years keep theirs)."""
        new = list(releases)
        years = {y for r in new for y in r.years}
        kept = [
            r.model_copy(update={"years": [y for y in r.years if y not in years]})
            for r in self.releases
            if set(r.years) - years
        ]
        editions: dict[tuple, list[int]] = {}
        for r in [*kept, *new]:
            editions.setdefault((r.edition, r.status, r.released, r.latest_year), []).extend(r.years)
        merged = [
            Release(years=sorted(ys), edition=e, status=st, released=rel, latest_year=last)
            for (e, st, rel, last), ys in editions.items()
        ]
        return self.model_copy(update={"releases": sorted(merged, key=lambda r: (r.years[0], r.edition))})

    def release(self, year: int) -> Release | None:
        """The release the source's rows of `year` come from, if recorded."""
        return next((r for r in self.releases if year in r.years), None)

    def rank(self, series: str) -> int | None:
        return self.precedence.get(series)


class SourcesFile(RootModel[dict[SourceId, Source]]):
    """Every source id with its provenance: sources.yml maps ids to entries without the id."""

    model_config = ConfigDict(strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data:
            raise expected("a mapping of source ids to their descriptions")
        entries = {}
        for sid, entry in data.items():
            if isinstance(entry, LineDict) and "id" not in entry:
                copy = LineDict({"id": sid, **entry})  # the same lines, for messages
                copy.line, copy.lines = entry.line, entry.lines
                entry = copy
            entries[sid] = entry
        return entries

    @model_validator(mode="after")
    def _checks_across_sources(self) -> SourcesFile:
        found: list[tuple[Loc, str]] = []
        for sid, source in self.root.items():
            if source.total_source is not None and source.total_source not in self.root:
                found.append(((sid, "total_source"), f"unknown source id {source.total_source!r}"))
            seen: dict[int, str] = {}
            for i, release in enumerate(source.releases):
                for year in release.years:
                    if year in seen:
                        found.append(
                            ((sid, "releases", i, "years"), f"{year} is already in the release {seen[year]!r}")
                        )
                    seen.setdefault(year, release.edition)
        if found:
            raise refused_all(found)
        return self

    @classmethod
    def describe(cls, data: Any, loc: Loc) -> str:
        return f"source '{loc[0]}'" if loc else "sources.yml"


def _vocabulary() -> Vocabulary:
    return Vocabulary(series=tuple(DATASETS))


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def text(sources: Iterable[Source]) -> str:
    """sources.yml, deterministically (sorted by id, defaults left out) so `make data` reproduces it."""
    body = {s.id: s.model_dump(exclude={"id"}, exclude_defaults=True) for s in sorted(sources, key=lambda s: s.id)}
    return "# Generated by the importers (`tradebook data`, `tradebook import`); do not edit by hand.\n" + dumps(body)


def check(path: Path) -> tuple[dict[str, Source], list[Problem]]:
    """The sources by id, and every problem in the file."""
    try:
        return read(path), []
    except InputError as err:
        return {}, err.problems


# sources.yml files this process has parsed: resolved path → (sha256 of the bytes parsed, the sources by id).
_PARSED: dict[Path, tuple[str, dict[str, Source]]] = {}


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # absent or unreadable: parsing says so


def warm(folder: Path = Path("..") / "data") -> None:
    """Parse the sources.yml of the notebooks' default data folder now: the kernels' fork server does (in the
    notebooks' folder), so each notebook finds it parsed once `read` has checked the file's bytes (and its
    DataFolder notes the read). A missing or broken file is left for the build's validation to report."""
    with contextlib.suppress(InputError):
        read(Path(folder) / FILENAME)


def read(path: Path) -> dict[str, Source]:
    """The sources of a sources.yml by id; InputError names file, line and key of every problem.

    Parsed once a process for the same bytes (the YAML with its line numbers and the model cost about a fifth
    of a CPU-second, and the build, a notebook or the fork server's warm-up may each ask again); the sources
    are frozen models, the dict a new one each call. A file whose bytes change is parsed again.
    """
    path = Path(path)
    key, digest = path.resolve(), _digest(path)
    parsed = _PARSED.get(key)
    if parsed is not None and digest is not None and parsed[0] == digest:
        return dict(parsed[1])
    found = dict(load_model(path, SourcesFile, context=_vocabulary(), label="key").root)
    if digest is not None and _digest(path) == digest:  # unchanged while it was parsed
        _PARSED[key] = (digest, found)
    return dict(found)
