"""Typed models of configuration files (YAML): the strict base, the field types and the error wording.

The models themselves live with their owners (sources.yml in data/sources.py, claims.yml in
analysis/claim_spec.py, editions in book/editions.py). They are strict (no unknown keys; a year is an
int, never '2024', 2024.0 or true) so that what passes here cannot crash a notebook later. `load_model`
reads a file with the strict YAML loader and turns every validation error into a Problem naming file,
line and key, worded for the person fixing it.

Names a file may use but this layer does not own come in a `Vocabulary` passed as validation context:
the metrics of claims.yml and their rules (the analysis layer's registry), the ISO 3166 codes, the HS
codes, the series that sources may rank themselves in.
"""

from __future__ import annotations

import datetime as dt
import keyword
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainValidator,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from .errors import InputError, Problem, display_path
from .yamlfile import Loc, line_at, load_yaml, printable, short_repr


class MetricRule(Protocol):
    """What claims.yml validation needs of a metric (the analysis layer's `Metric` has both)."""

    comparisons: tuple[str, ...]
    requires: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The names a configuration file may use that other layers own: passed as validation context."""

    iso3: Callable[[str], bool] | Collection[str] = ()
    metrics: Mapping[str, MetricRule] | None = None
    hs_code: Callable[[str], bool] | None = None
    series: Collection[str] | None = None  # None: any lower-case name

    def is_iso3(self, code: str) -> bool:
        return self.iso3(code) if callable(self.iso3) else code in self.iso3


def vocabulary(info: ValidationInfo) -> Vocabulary:
    if not isinstance(info.context, Vocabulary):  # a caller's mistake, not the file's: let it raise
        raise TypeError("validating this file needs a Vocabulary as context")
    return info.context


# ---------------------------------------------------------------------------------------------------
# Errors: two kinds of our own, worded in full here; pydantic's are reworded in `_message`


def expected(what: str) -> PydanticCustomError:
    """`expected <what>, got <input>`: the input is added when the error becomes a Problem."""
    return PydanticCustomError("expected", "expected {what}", {"what": what})


def refused(message: str, at: Loc = ()) -> PydanticCustomError:
    """A message as it stands, about the key `at` below the validated value (for checks across fields)."""
    return PydanticCustomError("refused", "{message}", {"message": message, "at": at})


def refused_all(found: list[tuple[Loc, str]]) -> PydanticCustomError:
    """Several problems across a file from one validator (a validator can raise only one error)."""
    return PydanticCustomError("refused", "{message}", {"message": found[0][1], "at": found[0][0], "more": found[1:]})


# ---------------------------------------------------------------------------------------------------
# Field types

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_URL = r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^\s<>\"`{}|\\^]*)?"


def _text(value: str) -> str:
    if not value.strip():
        raise expected("a non-empty text")
    if _CONTROL.search(value):
        raise expected("text without control characters")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise expected("text on one line")
    return value


def pattern(regex: str, what: str) -> AfterValidator:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise expected(what)
        return value

    return AfterValidator(check)


def one_of(options: tuple[str, ...]) -> PlainValidator:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise expected("one of " + ", ".join(options))
        return value

    return PlainValidator(check)


def _date(value: str) -> str:
    """YYYY-MM-DD or YYYY-MM (a month is as precise as many statements are), checked against the calendar."""
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            if dt.datetime.strptime(value, fmt).strftime(fmt) == value:
                return value
        except ValueError:
            continue
    raise expected("a date YYYY-MM-DD or YYYY-MM")


def full_date(value: str) -> str:
    if len(value) != 10:
        raise expected("a date YYYY-MM-DD")
    return _date(value)


def _iso3(value: str, info: ValidationInfo) -> str:
    if not vocabulary(info).is_iso3(value):
        raise expected("an ISO 3166 alpha-3 country code")
    return value


def identifier(value: str) -> str:
    if not value.isidentifier() or not value.isascii() or keyword.iskeyword(value):
        raise expected("a parameter name (letters, digits and _, not starting with a digit)")
    return value


def relative_path(value: str) -> str:
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        raise expected("a path relative to the folder of raw sources")
    return value


def _finite_int_or_float(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise expected("a number")
    return float(value)


def _rank(value: Any) -> int:
    if type(value) is not int or value < 1:
        raise expected("a rank: a whole number ≥ 1")
    return value


def at_least(low: float, what: str) -> AfterValidator:
    def check(value: float) -> float:
        if value < low:
            raise expected(what)
        return value

    return AfterValidator(check)


def series_name(value: str, info: ValidationInfo) -> str:
    known = info.context.series if isinstance(info.context, Vocabulary) else None
    if known is not None and value not in known:
        raise expected("a dataset name: one of " + ", ".join(sorted(known)))
    return value


def non_empty(what: str) -> AfterValidator:
    def check(value: Any) -> Any:
        if not value:
            raise expected(what)
        return value

    return AfterValidator(check)


Text = Annotated[str, AfterValidator(_text)]
Line = Annotated[str, AfterValidator(_text), AfterValidator(_one_line)]
Url = Annotated[str, pattern(_URL, "an http(s) address with no spaces, quotes or <>")]
Date = Annotated[str, AfterValidator(_date)]
Number = Annotated[float, PlainValidator(_finite_int_or_float)]
Iso3 = Annotated[str, AfterValidator(_iso3)]
Sha256 = Annotated[str, pattern(r"[0-9a-f]{64}", "a sha256 checksum: 64 hex digits, lower case")]
Rank = Annotated[int, PlainValidator(_rank)]


# ---------------------------------------------------------------------------------------------------
# Models


class Strict(BaseModel):
    """No unknown keys, no coercion (pydantic's strict mode), no NaN or ∞, immutable once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _MODELS[cls.__name__] = cls  # messages name the fields a mapping of this model needs


_MODELS: dict[str, type[BaseModel]] = {}


class FileModel(Protocol):
    """What `load_model` needs of a top-level model: to name the part of the file a location is in."""

    @classmethod
    def model_validate(cls, obj: Any, *, context: Any = None) -> Any: ...

    @classmethod
    def describe(cls, data: Any, loc: Loc) -> str: ...


# ---------------------------------------------------------------------------------------------------
# Validation errors → Problems


def validate(
    data: Any, model: type[FileModel], *, file: str, context: Vocabulary | None = None, label: str = "column"
) -> Any:
    """`data` (from the strict loader) as `model`; InputError names file, line and key of each problem."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as err:
        problems = [p for error in err.errors(include_url=False) for p in _problems(error, data, model, file, label)]
        raise InputError(sorted(problems, key=lambda p: p.line or 0)) from None


def load_model(
    path: str | Path, model: type[FileModel], *, context: Vocabulary | None = None, label: str = "column"
) -> Any:
    """Read and validate a configuration file; any problem, in the YAML or in the model, is an InputError."""
    return validate(load_yaml(Path(path)), model, file=display_path(path), context=context, label=label)


def _problems(error: Any, data: Any, model: type[FileModel], file: str, label: str) -> list[Problem]:
    ctx = error.get("ctx") or {}
    found = [(tuple(error["loc"]) + tuple(ctx.get("at", ())), _message(error, data, model))]
    found += [(tuple(error["loc"]) + tuple(at), message) for at, message in ctx.get("more", ())]
    return [Problem(file, line_at(data, loc) or 1, _key(loc), message, label) for loc, message in found]


def _key(loc: Loc) -> str | None:
    """The key a location names: its last name (a list index or pydantic's '[key]' marker is not one)."""
    key = next((step for step in reversed(loc) if isinstance(step, str) and step != "[key]"), None)
    return None if key is None else printable(key)


def _message(error: Any, data: Any, model: type[FileModel]) -> str:
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    got = short_repr(error.get("input"))
    if kind == "refused":
        return ctx["message"]
    if kind == "missing":
        return f"missing {loc[-1]} in {printable(model.describe(data, loc[:-1]))}"
    if kind == "extra_forbidden":
        return f"unexpected field in {printable(model.describe(data, loc[:-1]))}"
    expected = {
        "expected": ctx.get("what"),
        "string_type": "a non-empty text",
        "bool_type": "true or false",
        "int_type": "a whole number",
        "float_type": "a number",
        "list_type": "a list",
        "dict_type": "a mapping",
        "model_type": _fields(ctx.get("class_name")),
        "model_attributes_type": _fields(ctx.get("class_name")),
    }.get(kind)
    if expected is None:
        return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {got}"
    return f"expected {expected}, got {got}"


def _fields(class_name: str | None) -> str:
    model = _MODELS.get(class_name or "")
    if model is None:
        return "a mapping"
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    return "a mapping with " + ", ".join(required)
