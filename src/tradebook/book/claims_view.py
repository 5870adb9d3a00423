"""The claims check as the chapter shows it: the summary table, the glued verdicts, the evidence tables."""

from __future__ import annotations

from IPython.display import display

from ..analysis.claims import CONSISTENT, CONTRADICTED, NOT_CHECKABLE, NOT_COMPARABLE, PARTLY, SUPPORTED, Verdict
from .downloads import download
from .glue import glue
from .markdown import md_escape
from .tables import table

# The verdict scale of the claims check (DESIGN.md), each with the CSS class that gives it a colour and a
# symbol (resources/static/tradebook.css); the word itself is always written out, never colour alone.
VERDICT_CLASSES = {
    SUPPORTED: "tb-v-supported",
    PARTLY: "tb-v-partly",
    CONTRADICTED: "tb-v-contradicted",
    NOT_COMPARABLE: "tb-v-notcomparable",
    CONSISTENT: "tb-v-consistent",
    NOT_CHECKABLE: "tb-v-notcheckable",
}


def verdict_badge(verdict: Verdict) -> str:
    """The verdict as a labelled badge (MyST attrs_inline), its scope after it: `[contradicted]{.tb-verdict …}`."""
    scope = f" ({md_escape(verdict.scope)})" if verdict.scope else ""
    return f"[{md_escape(verdict.status)}]{{.tb-verdict .{VERDICT_CLASSES[verdict.status]}}}{scope}"


def summary_markdown(verdicts: dict[str, Verdict], chapters: set[str], sections: set[str]) -> str:
    """One row per claim (claim, what the data say, verdict, evidence chapter) as a MyST table; links only
    to sections on the page and chapters in the book. Below 700 px the table's rows become cards (class
    tb-stack), the verdict second, so that no column hides off screen on a phone."""
    lines = [
        ":::{table}",
        ":class: tb-stack",
        "",
        "| Claim | What the data say | Verdict | Evidence |",
        "|---|---|---|---|",
    ]
    for cid, v in verdicts.items():
        label = md_escape(v.claim.label)
        claim = f"[{label}](#{v.claim.anchor})" if cid in sections else label
        chapter = v.claim.chapter
        evidence = f"[]({chapter}.ipynb)" if chapter in chapters else "–"
        lines.append(f"| {claim} | {md_escape(v.says)} | {verdict_badge(v)} | {evidence} |")
    return "\n".join([*lines, ":::"]) + "\n"


def glue_verdicts(verdicts: dict[str, Verdict], sections: list[str]) -> None:
    """Glue each sectioned claim's quote, verdict, findings and reasons for the chapter's prose."""
    for cid in sections:
        v = verdicts.get(cid)
        gone = "(this claim is no longer in claims.yml)"
        texts = {
            "quote": v.claim.quote if v else gone,
            "verdict": v.verdict if v else gone,
            "says": v.says if v else gone,
            "why": v.why if v else gone,
            "note": v.claim.note if v else "",
            "source": v.source if v and v.source else "no data",
        }
        for key, text in texts.items():
            glue(f"{cid}_{key}", text)


def show_evidence(verdict: Verdict | None) -> None:
    """Show a verdict's evidence table with its data offered for download (nothing when there is none)."""
    shown = evidence_table(verdict)
    if shown is not None:
        display(shown)
        download(verdict.evidence, f"evidence-{verdict.claim.id}")


def evidence_table(verdict: Verdict | None):
    """The evidence behind a verdict as a table (None when there is none)."""
    if verdict is None or verdict.evidence is None or verdict.evidence.empty:
        return None
    formats = {}
    for col in verdict.evidence.columns:
        if "US$ bn" in col:
            formats[col] = "{:,.2f}"
        elif "US$ million" in col:
            formats[col] = "{:,.1f}"
        elif col in ("Tonnes", "US$ per tonne"):
            formats[col] = "{:,.0f}"
        elif col in ("Share", "Growth"):
            formats[col] = "{:.1%}"
        elif col == "Year":
            formats[col] = "{:.0f}"
    caption = f"Source: {verdict.source}" if verdict.source else None
    return table(verdict.evidence, formats, name=f"evidence-{verdict.claim.id}", caption=caption)
