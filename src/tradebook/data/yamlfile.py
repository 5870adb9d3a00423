"""YAML that remembers the line of every mapping key, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


class LineDict(dict):
    """A dict from YAML with `.line` (its own line) and `.lines` (the line of each key)."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.Node)}
        return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; a missing file or a syntax error becomes one InputError line."""
    if not path.is_file():
        raise InputError.at(path, "file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError.at(path, f"not UTF-8 text (byte {err.start})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise InputError.at(path, f"invalid YAML: {err.problem}", line=line) from None


def line_of(mapping: Any, key: str) -> int | None:
    """The line of `key` in a mapping loaded by load_yaml (or of the mapping itself)."""
    if isinstance(mapping, LineDict):
        return mapping.lines.get(key, mapping.line)
    return None
