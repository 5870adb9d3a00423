"""Editions: a YAML file of notebook parameters (params/*.yml), checked against the notebooks' own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, display_path
from .yamlfile import line_of, load_yaml

DEFAULT = "kazakhstan-italy.yml"

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
    lines: dict[str, int] = field(default_factory=dict)


def load(path: Path) -> Edition:
    path = Path(path)
    raw = load_yaml(path)
    name = display_path(path)
    if not isinstance(raw, dict) or "parameters" not in raw or "edition" not in raw:
        raise InputError.at(path, "expected the mappings 'edition' (slug, title) and 'parameters'", 1)
    ed, params = raw["edition"], raw["parameters"]
    if not isinstance(ed, dict) or not {"slug", "title"} <= set(ed):
        raise InputError.at(path, "expected 'edition' to have 'slug' and 'title'", line_of(raw, "edition"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(ed["slug"])):
        raise InputError.at(
            path, "expected a slug of lower-case letters, digits and dashes", line_of(ed, "slug"), "slug"
        )
    if not isinstance(params, dict):
        raise InputError.at(path, "expected 'parameters' to be a mapping", line_of(raw, "parameters"))
    return Edition(
        str(ed["slug"]),
        str(ed["title"]),
        dict(params),
        name,
        default=path.name == DEFAULT,
        lines=dict(getattr(params, "lines", {})),
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
    if "=" not in text:
        raise InputError.at("command line", f"expected NAME=VALUE, got {text!r}", column=text)
    name, value = text.split("=", 1)
    try:
        parsed = yaml.safe_load(value) if value else ""
    except yaml.YAMLError:
        parsed = value
    return name.strip(), parsed


def check_types(edition: Edition, declared: dict[str, str], origin: dict[str, str]) -> None:
    """Refuse a parameter no notebook declares, or a value of the wrong type, naming where it came from."""
    for key, value in edition.parameters.items():
        where = origin.get(key, edition.source)
        line = edition.lines.get(key) if where == edition.source else None
        if key not in declared:
            known = ", ".join(sorted(declared))
            raise InputError.at(where, f"unknown notebook parameter; expected one of {known}", line, key)
        expected = declared[key]
        if not _matches(value, expected):
            raise InputError.at(where, f"expected {expected}, got {value!r}", line, key)


def _matches(value: Any, type_name: str) -> bool:
    optional = re.fullmatch(r"Optional\[(\w+)\]", type_name)
    options = [optional.group(1), "None"] if optional else [t.strip() for t in type_name.split("|")]
    if value is None:
        return "None" in options
    if isinstance(value, bool) and "bool" not in options:
        return False
    return any(isinstance(value, TYPES.get(t, (object,))) for t in options if t != "None")
