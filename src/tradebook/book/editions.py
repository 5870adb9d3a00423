"""Editions: a YAML file of notebook parameters (params/*.yml), checked against the notebooks' own."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator

from ..data.config import Line, Strict, Text, identifier, pattern, validate
from ..data.contract import DATASETS, FLOWS, WORLD, iso3_codes
from ..data.countries import name as country_name
from ..data.errors import InputError, display_path
from ..data.validate import check as check_data
from ..data.yamlfile import Loc, load_yaml, loads
from . import toc
from .markdown import md_escape

DEFAULT = "kazakhstan-italy.yml"
MAX_FORECAST_YEARS = 10  # an annual random walk says little beyond a few years; its band covers everything
MIN_YEARS = 10  # the fewest years of trade the growth chapter's tests are computed on

TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


@dataclass
class Edition:
    """One version of the book: which pair, which years, where it is built."""

    slug: str
    title: str
    parameters: dict[str, Any]
    source: str
    default: bool = False
    notes: dict[str, str] = field(default_factory=dict)  # text about this partner, e.g. where its oil lands
    lines: dict[str, int] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    # Parameters the command line set to another value than the edition file's: name → (value, the file's).
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)


class EditionHeader(Strict):
    slug: Annotated[str, pattern(r"[a-z0-9][a-z0-9-]*", "a slug of lower-case letters, digits and dashes")]
    title: Line
    notes: dict[Annotated[str, AfterValidator(identifier)], Text] = {}  # text about this edition's partner


class EditionFile(Strict):
    """An edition: slug, title and notes, and notebook parameters (typed later against the notebooks)."""

    edition: EditionHeader
    parameters: dict[Annotated[str, AfterValidator(identifier)], Any]

    @classmethod
    def describe(cls, data: Any, loc: Loc) -> str:
        return "the edition (slug, title)" if loc[:1] == ("edition",) else "the edition file (edition, parameters)"


def load(path: Path) -> Edition:
    """An edition file, checked strictly; parameter values are checked against the notebooks later."""
    path = Path(path)
    raw = load_yaml(path)
    spec = validate(raw, EditionFile, file=display_path(path), label="key")
    return Edition(
        spec.edition.slug,
        spec.edition.title,
        dict(spec.parameters),
        display_path(path),
        default=path.name == DEFAULT,
        notes={k: " ".join(v.split()) for k, v in spec.edition.notes.items()},
        lines=dict(raw["parameters"].lines),
    )


def find_for_partner(folder: Path, partner: str) -> Path | None:
    """The edition file whose partner is `partner`, if the project ships one."""
    for path in sorted(Path(folder).glob("*.yml")):
        try:
            if str(load(path).parameters.get("partner", "")).upper() == partner.upper():
                return path
        except InputError:
            continue
    return None


def parse_assignment(text: str) -> tuple[str, Any]:
    """`NAME=VALUE` from the command line; the value is read as YAML (2024 → int, a,b → str)."""
    if "=" not in text or not text.split("=", 1)[0].strip():
        raise InputError.at("-p", f"expected NAME=VALUE, got {text!r}", label="parameter")
    name, value = (part.strip() for part in text.split("=", 1))
    try:
        parsed = loads(value, f"-p {name}") if value else ""
    except InputError:
        parsed = value  # not YAML (e.g. a: b: c): the text itself, which the type check then judges
    return name, parsed


def resolve(root: Path, params_file: str | None, overrides: dict[str, tuple[Any, str]]) -> Edition:
    """The edition to build: a params file (or the one for an overridden partner) plus overrides.

    `overrides` maps a parameter to (value, where it came from, e.g. "--partner" or "-p end_year").
    """
    folder = root / "params"
    partner = overrides.get("partner", (None, ""))[0]
    if params_file:
        path = Path(params_file)
    elif partner:
        path = find_for_partner(folder, str(partner)) or folder / DEFAULT
    else:
        path = folder / DEFAULT
    edition = load(path)
    edition.origin = {key: where for key, (_, where) in overrides.items()}
    if partner is not None:
        overrides["partner"] = (str(partner).upper(), overrides["partner"][1])
        if str(edition.parameters.get("partner", "")).upper() != str(partner).upper():
            edition.slug, edition.default = f"kazakhstan-{str(partner).lower()}", False
            edition.title = f"Kazakhstan and {country_name(str(partner).upper())}: trade and investment"
            edition.notes = {}  # the file's notes are about its own partner
    in_file = {**edition.parameters, "data_dir": _relative_data_dir(root, edition.parameters.get("data_dir"))}
    edition.parameters.update({key: value for key, (value, _) in overrides.items()})
    edition.parameters["data_dir"] = _relative_data_dir(root, edition.parameters.get("data_dir"))
    edition.changed = {
        key: (edition.parameters[key], in_file.get(key))
        for key in sorted(edition.origin)
        if key in edition.parameters and edition.parameters[key] != in_file.get(key)
    }
    # A one-off build never replaces an edition's book: it goes to a folder named after what it changed.
    tweaks = sorted(key for key in edition.changed if key != "partner")
    if tweaks:
        edition.slug = f"{edition.slug}-{custom_suffix({k: edition.changed[k][0] for k in tweaks})}"
        edition.default = False
    return edition


def _relative_data_dir(root: Path, data_dir: str | None) -> str:
    """Notebooks run in notebooks/: a path relative to it keeps machine-specific folders out of the book."""
    return os.path.relpath(Path(data_dir or root / "data").resolve(), root / "notebooks")


def custom_suffix(changed: dict[str, Any]) -> str:
    """A folder-name suffix for a one-off build: the changed values when short (forecast-years-5), else a hash."""
    words = "-".join(f"{key}-{value}" for key, value in changed.items())
    readable = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    if len(readable) <= 40 and "data_dir" not in changed:
        return readable
    return "custom-" + hashlib.sha256(json.dumps(changed, sort_keys=True, default=str).encode()).hexdigest()[:8]


def check(edition: Edition, root: Path) -> None:
    """Refuse what would fail later or mislead: unknown or mistyped parameters, absent data, a bad pair."""
    declared: dict[str, str] = {}
    for nb in toc.notebooks(root):
        declared.update(toc.declared_parameters(nb))
    for key, value in edition.parameters.items():
        if key not in declared:
            known = ", ".join(sorted(declared))
            _refuse(edition, key, f"unknown notebook parameter; expected one of {known}")
        if not _matches(value, declared[key]):
            _refuse(edition, key, f"expected {_describe(declared[key])}, got {value!r}")
    data_dir = (root / "notebooks" / edition.parameters["data_dir"]).resolve()
    if not data_dir.is_dir():
        _refuse(edition, "data_dir", f"expected a folder of data files, {display_path(data_dir)} is not one")
    for key in ("partner", "reporter"):
        code = edition.parameters.get(key)
        if code is not None and code not in iso3_codes():
            _refuse(edition, key, f"expected an ISO 3166 alpha-3 country code, got {code!r}")
    reporter, partner = edition.parameters.get("reporter"), edition.parameters.get("partner")
    if partner == WORLD:
        _refuse(edition, "partner", "expected a partner country, got WLD (the world total)")
    if partner is not None and partner == reporter:
        _refuse(edition, "partner", f"expected a partner other than the reporter, got {partner!r} for both")
    horizon = edition.parameters.get("forecast_years")
    if isinstance(horizon, int) and not 1 <= horizon <= MAX_FORECAST_YEARS:
        _refuse(edition, "forecast_years", f"expected 1 to {MAX_FORECAST_YEARS} years, got {horizon}")
    start, end = edition.parameters.get("start_year"), edition.parameters.get("end_year")
    if isinstance(start, int) and isinstance(end, int) and end <= start:
        _refuse(edition, "end_year", f"expected a year after start_year ({start}), got {end}")
    trade, _ = check_data(data_dir / DATASETS["trade"].filename, DATASETS["trade"])
    if not partner or trade is None:
        return  # no pair to check, or a broken trade.csv, which validation reports with its line
    pair = trade[(trade["reporter"] == reporter) & (trade["partner"] == partner)] if reporter else trade.iloc[0:0]
    if pair.empty and not trade[["reporter", "partner"]].isin([partner]).any().any():
        _refuse(edition, "partner", f"no trade data at all for {partner} in {display_path(data_dir)}")
    if pair.empty:
        return
    first, last = int(pair["year"].min()), int(pair["year"].max())
    for key, value in (("start_year", start), ("end_year", end)):
        if isinstance(value, int) and not first <= value <= last:
            _refuse(edition, key, f"expected a year within the data, {first}–{last}, got {value}")
    low, high = start if isinstance(start, int) else first, end if isinstance(end, int) else last
    key = "end_year" if isinstance(end, int) else "start_year"
    if high - low + 1 < MIN_YEARS:
        _refuse(edition, key, f"expected at least {MIN_YEARS} years of trade, got {low}–{high}")
    # A partial year (one flow only) is left out of every chapter: what they show is the complete years.
    flows = pair[pair["year"].between(low, high)].groupby("year")["flow"].nunique()
    complete = int((flows == len(FLOWS)).sum())
    if complete < MIN_YEARS:
        message = f"expected at least {MIN_YEARS} years of trade with both flows in {low}–{high}, got {complete}"
        _refuse(edition, key, f"{message} (the others are partial years)")


def _refuse(edition: Edition, key: str, message: str) -> None:
    where = edition.origin.get(key, edition.source)
    line = edition.lines.get(key) if where == edition.source else None
    raise InputError.at(where, message, line, key, label="parameter")


def _describe(type_name: str) -> str:
    optional = re.fullmatch(r"Optional\[(\w+)\]", type_name)
    return f"{optional.group(1)} or None" if optional else type_name


def _matches(value: Any, type_name: str) -> bool:
    optional = re.fullmatch(r"Optional\[(\w+)\]", type_name)
    options = [optional.group(1), "None"] if optional else [t.strip() for t in type_name.split("|")]
    if value is None:
        return "None" in options
    if isinstance(value, bool) and "bool" not in options:
        return False
    return any(isinstance(value, TYPES.get(t, (object,))) for t in options if t != "None")


BOX_CLASS = "tb-edition"  # the one-line box of a chapter's parameters, under its title


def parameters_box(used: dict[str, Any], changed: dict[str, tuple[Any, Any]]) -> str:
    """The parameters a chapter ran with, in one line of prose; those this build changed are marked.

    Folder paths and the edition's notes are not parameters a reader needs: a changed data folder is said
    in words, never shown as a path.
    """

    def shown(keys: tuple[str, ...], text: str) -> str:
        return f"[{md_escape(text)}]{{.tb-differs}}" if set(keys) & set(changed) else md_escape(text)

    parts = []
    for key in ("reporter", "partner"):
        if key in used:
            parts.append(f"{key} {shown((key,), f'{country_name(str(used[key]))} ({used[key]})')}")
    if "start_year" in used or "end_year" in used:
        last = used.get("end_year") or "the latest year in the data"
        span = f"{used['start_year']}–{last}" if used.get("start_year") is not None else f"up to {last}"
        parts.append(f"years {shown(('start_year', 'end_year'), str(span))}")
    if "forecast_years" in used:
        parts.append(f"forecast {shown(('forecast_years',), str(used['forecast_years']) + ' years')}")
    described = {"reporter", "partner", "start_year", "end_year", "forecast_years", "data_dir", "notes"}
    parts += [f"{md_escape(k)} {shown((k,), str(v))}" for k, v in sorted(used.items()) if k not in described]
    if "data_dir" in changed:
        parts.append(shown(("data_dir",), "data from another folder"))
    note = " Marked values were set for this build only." if set(changed) & set(used) else ""
    return f":::{{container}} {BOX_CLASS}\n**Parameters of this edition:** {' · '.join(parts)}.{note}\n:::"
