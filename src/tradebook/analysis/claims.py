"""The article's claims and their verdicts as types: what a claim asserts, what the data say about it.

`claim_spec.py` reads data/claims.yml into these types; `claim_checks.py` computes a verdict per claim.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from ..data.countries import name as country_name
from ..data.folder import DataFolder
from ..data.sources import Source

T = TypeVar("T")

# The verdict scale (DESIGN.md), each defined on the claims page.
SUPPORTED = "supported"
PARTLY = "partly supported"  # the data answer part of the claim; the scope says which part is missing
CONTRADICTED = "contradicted"  # the same measure, outside the stated tolerance
NOT_COMPARABLE = "not comparable"  # the data measure something else (gross vs net, immediate vs ultimate investor)
CONSISTENT = "consistent with other official statements"  # no statistical source; independent official figures agree
NOT_CHECKABLE = "not checkable with this data"
STATUSES = (SUPPORTED, PARTLY, CONTRADICTED, NOT_COMPARABLE, CONSISTENT, NOT_CHECKABLE)
# Each verdict's short name, for glue names and CSS classes: n_supported, n_not_comparable, …
STATUS_NAMES = {
    SUPPORTED: "supported",
    PARTLY: "partly",
    CONTRADICTED: "contradicted",
    NOT_COMPARABLE: "not_comparable",
    CONSISTENT: "consistent",
    NOT_CHECKABLE: "not_checkable",
}

# What the FDI data measure (fdi.csv, as the National Bank of Kazakhstan publishes it), against which a
# claim's `flows` and `investor` are read: a claim on another basis is not comparable with them.
FDI_FLOWS = ("gross", "net")
FDI_INVESTORS = ("immediate", "ultimate")
DATA_FLOWS, DATA_INVESTOR = "net", "immediate"

# A claim's figure times the factor gives whole units (US dollars, fractions, ranks, counts).
UNITS = {"USD billion": 1e9, "percent": 0.01, "rank": 1.0, "companies": 1.0}
NUMERIC = ("approximately", "more_than", "less_than")
COMPARISONS = (*NUMERIC, "rank", "top", "includes")


# ---------------------------------------------------------------------------------------------------
# The claims and their verdicts


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    publisher: str
    date: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Item:
    """A product named in a list claim and the HS codes (chapters or headings) that name it."""

    name: str
    hs: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    """One assertion of the article in machine-checkable form."""

    id: str
    label: str
    article: Article
    quote: str
    metric: str
    period: tuple[int, int]
    reporter: str
    partner: str
    comparison: str
    unit: str
    value: float | None = None
    tolerance: float = 0.0
    latest_available: bool = False
    measure: str | None = None
    flow: str | None = None
    after: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    min_share: float | None = None
    flows: str | None = None  # FDI claims: what the claim's figure counts, gross or net flows
    investor: str | None = None  # FDI claims: by immediate or ultimate investor, where the claim's basis says
    statement_measure: str | None = None  # counts: what the statements compared must count (published_figures)
    chapter: str | None = None
    note: str = ""

    @property
    def year(self) -> int:
        return self.period[1]

    @property
    def anchor(self) -> str:
        """The label of the claim's section in the chapter (MyST target)."""
        return "claim-" + self.id.replace("_", "-")


@dataclass(frozen=True)
class Verdict:
    """What the data say about a claim, the verdict and why; `scope` names what the data cannot answer."""

    claim: Claim
    status: str
    says: str
    why: str
    scope: str = ""
    source: str = ""
    evidence: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def verdict(self) -> str:
        return f"{self.status} ({self.scope})" if self.scope else self.status


def names(codes) -> str:
    """Country names as prose: 'China', 'China and Russia', 'China, Russia and Italy'."""
    listed = [country_name(c) for c in codes]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


class ClaimData:
    """The datasets of a data folder that the checks read, cut at `end_year` (the edition's last year)."""

    def __init__(self, folder: DataFolder, end_year: int | None = None):
        self.folder = folder
        self.end_year = end_year
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, once for these data: several checks need the same series (the frames do not change)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def label(self, name: str) -> str:
        return self.folder.label(name)

    def get(self, name: str) -> pd.DataFrame:
        """The validated frame up to `end_year`; DataMissing when the file is absent."""
        frame = self.folder.load(name)
        return frame[frame["year"] <= self.end_year] if self.end_year is not None and "year" in frame else frame

    def cite(self, frame: pd.DataFrame) -> str:
        return self.folder.cite(frame)

    def sources(self) -> dict[str, Source]:
        return self.folder.sources()


def about(claims: list[Claim], reporter: str, partner: str) -> list[Claim]:
    """The claims about this edition's pair of countries (the article's claims are about one partner)."""
    return [c for c in claims if {c.reporter, c.partner} == {reporter, partner}]


def counts(verdicts: dict[str, Verdict]) -> dict[str, int]:
    found = pd.Series([v.status for v in verdicts.values()]).value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES}


def tolerance_shares(claims: list[Claim]) -> list[float]:
    """The distinct tolerances of the "about" claims, each as a share of its claim's figure, smallest first."""
    return sorted({round(c.tolerance / c.value, 3) for c in claims if c.comparison == "approximately" and c.value})
