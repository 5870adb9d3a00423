"""Strict YAML for input files: plain data only, every key's line kept, every refusal one located Problem.

Input files are written by hand or by the importers and read by the build, so the loader takes only what
a configuration file needs and refuses the rest with the line to fix:

- no anchors or aliases: an alias bomb would expand to gigabytes, and a shared node has no single line;
- no duplicate keys (YAML keeps the last silently) and only names (strings) as keys;
- scalars typed by YAML 1.2's core schema, minus its lenient corners: `true`/`false` are the only
  booleans (`no`, `on`, `NO` stay text), integers are plain decimal (`0x10`, `1_000`, `+2031`, `010`
  and `1:20` stay text), no `.inf`/`.nan`, and dates stay text: a model then refuses text where a
  number belongs, with the line;
- bounded size and nesting, so no input can exhaust memory or the stack.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .errors import InputError, Problem, display_path

MAX_BYTES = 2 * 1024 * 1024  # sources.yml, the largest input file, is under 20 kB
MAX_DEPTH = 32  # the input files nest five levels deep
MAX_DIGITS = 100

Loc = tuple[str | int, ...]


class LineDict(dict):
    """A mapping from YAML with `.line` (where it starts) and `.lines` (the line of each key)."""

    line: int = 0
    lines: dict[str, int]


class LineList(list):
    """A sequence from YAML with `.line` (where it starts) and `.lines` (the line of each item)."""

    line: int = 0
    lines: list[int]


class _Refusal(Exception):
    """Raised inside the loader for what YAML allows but input files must not contain."""

    def __init__(self, mark: yaml.Mark, message: str, key: str | None = None):
        super().__init__(message)
        self.line = mark.line + 1
        self.message = message
        self.key = key


class _Resolver(BaseResolver):
    """YAML 1.2 core schema, strict: only the spellings below are anything but text."""


_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF")
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^-?(?:0|[1-9][0-9]*)$"), "-0123456789")
_FLOAT = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, "-0123456789")


class _Composer(Composer):
    """Refuses anchors and aliases before anything is expanded, and nesting beyond MAX_DEPTH."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refusal(event.start_mark, f"YAML aliases are not allowed: '*{event.anchor}'; write the value out")
        if event.anchor is not None:
            raise _Refusal(
                event.start_mark, f"YAML aliases are not allowed: '&{event.anchor}' defines one; write the value out"
            )
        if self._depth >= MAX_DEPTH:
            raise _Refusal(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Constructor(SafeConstructor):
    """Plain data with lines: LineDict and LineList, string keys only, no duplicates, finite numbers."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as err:  # e.g. an integer past Python's 4300-digit limit
            raise _Refusal(node.start_mark, f"cannot read {short_repr(node.value)}: {err}") from None

    def construct_line_dict(self, node: MappingNode) -> LineDict:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
        mapping = LineDict()
        mapping.line, mapping.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _Refusal(key_node.start_mark, f"expected a name as key, got {short_repr(key)}; put it in quotes")
            if key in mapping.lines:
                raise _Refusal(key_node.start_mark, f"duplicate key; first on line {mapping.lines[key]}", key)
            mapping.lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=True)
        return mapping

    def construct_line_list(self, node: SequenceNode) -> LineList:
        if not isinstance(node, SequenceNode):
            raise ConstructorError(None, None, f"expected a sequence, found {node.id}", node.start_mark)
        items = LineList(self.construct_object(child, deep=True) for child in node.value)
        items.line, items.lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
        return items

    def construct_bounded_int(self, node: Node) -> int:
        if len(str(node.value)) > MAX_DIGITS:
            raise _Refusal(node.start_mark, f"number too long (over {MAX_DIGITS} digits)")
        return self.construct_yaml_int(node)

    def construct_finite_float(self, node: Node) -> float:
        value = self.construct_yaml_float(node)
        if not math.isfinite(value):
            raise _Refusal(node.start_mark, f"expected a finite number, got {short_repr(node.value)}")
        return value


_Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_line_dict)
_Constructor.add_constructor("tag:yaml.org,2002:seq", _Constructor.construct_line_list)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_bounded_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_finite_float)


class _Loader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


class _Dumper(yaml.SafeDumper):
    """Quotes every text that this loader or a YAML 1.1 reader would take for anything else ('1e3', 'no')."""


def _represent_text(dumper: _Dumper, text: str) -> yaml.ScalarNode:
    """Double quotes, which escape everything, for text with invisible characters (the emitter garbles NEL)."""
    style = '"' if any(c != "\n" and not c.isprintable() for c in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-0123456789"))
_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
_Dumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)


def dumps(data: Any) -> str:
    """YAML text that `loads` reads back as `data` (keys in their order): for files the importers write."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def printable(text: str) -> str:
    """Text from a file as a message may show it: invisible and control characters escaped, one line."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def short_repr(value: Any) -> str:
    """A value as messages quote it: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def loads(text: str, source: str) -> Any:
    """Parse YAML text; `source` names it in messages (a file, or e.g. "-p start_year" for a CLI value)."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, e.g. NUL or ESC
        line = text[: err.position].count("\n") + 1
        message = f"invalid YAML: character U+{err.character:04X} is not allowed"
        raise InputError(Problem(source, line, None, message)) from None
    try:
        return loader.get_single_data()
    except _Refusal as err:
        key = printable(err.key) if err.key is not None else None
        raise InputError(Problem(source, err.line, key, err.message, "key")) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = err.problem or err.context
        if err.context and err.problem and err.problem.startswith("but "):  # "but found another document"
            what = f"{err.context}, {err.problem}"
        raise InputError(Problem(source, line, None, f"invalid YAML: {what}")) from None
    finally:
        loader.dispose()


def load_yaml(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Parse a YAML input file; anything wrong with it, the file itself included, is one InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError.at(path, "file not found")
    if not path.is_file():
        raise InputError.at(path, "not a regular file")
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as err:
        raise InputError.at(path, f"cannot read the file: {err.strerror}") from None
    if len(raw) > max_bytes:
        raise InputError.at(path, f"file too large for an input file (over {max_bytes // 1024} kB)", line=1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError.at(path, f"not UTF-8 text (byte {err.start}); save the file as UTF-8", line) from None
    return loads(text, display_path(path))


def line_of(mapping: Any, key: str) -> int | None:
    """The line of `key` in a mapping from this loader (or of the mapping itself), None for other data."""
    if isinstance(mapping, LineDict):
        return mapping.lines.get(key, mapping.line)
    return None


def line_at(data: Any, loc: Loc) -> int | None:
    """The line of the deepest element of `loc` (keys and indices from the root) found in `data`."""
    line = data.line if isinstance(data, LineDict | LineList) else None
    for step in loc:
        in_dict = isinstance(data, LineDict) and isinstance(step, str) and step in data
        in_list = isinstance(data, LineList) and isinstance(step, int) and 0 <= step < len(data)
        if not (in_dict or in_list):
            break
        line, data = data.lines[step], data[step]
    return line
