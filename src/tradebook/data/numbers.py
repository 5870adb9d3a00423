"""Strict syntax for the years and numbers of the tidy files, and of the publishers' files the importers read.

Python's `float` and pandas read far more than a data file should hold: '203e1' is 2030.0, '1_000' is 1000,
and '+2031', ' 2020', '0x10' (pandas), 'nan', 'inf' and full-width '２０２４' all pass. A year here is four
ASCII digits; an integer and a number are plain decimal notation ('-5.0' yes; '1e9', '1,000', '.5', '007'
no). A publisher's file may also write an exponent ('4.7E-5' in wiiw's tables, '1e-05' in BACI's), never
the rest. Whether a value may be negative or a year is in range is the contract's rule for the column,
checked with its other rules; here only the writing is.
"""

from __future__ import annotations

import math
import re

import numpy as np

YEAR = re.compile(r"[0-9]{4}")
INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
SCIENTIFIC = re.compile(DECIMAL.pattern + r"(?:[eE][-+]?[0-9]{1,3})?")
EXPONENT = re.compile(r"[-+]?[0-9.]+[eE][-+]?[0-9]+")


class NumberError(ValueError):
    """Text that is not a year or a number as the files must write it; the message says what was expected."""


def parse_year(text: str) -> int:
    """A year: exactly four ASCII digits."""
    if not YEAR.fullmatch(text):
        raise NumberError(f"expected a year as a whole number of four digits{hint(text)}, got {text!r}")
    return int(text)


def parse_integer(text: str) -> int:
    """A whole number in plain decimal notation."""
    if not INTEGER.fullmatch(text):
        raise NumberError(f"expected a whole number{hint(text)}, got {text!r}")
    return int(text)


def parse_number(text: str, exponent: bool = False) -> float:
    """A finite number in plain decimal notation (with `exponent`, as a publisher may write it: 4.7E-5)."""
    if not (SCIENTIFIC if exponent else DECIMAL).fullmatch(text):
        advice = hint(text, exponent) or " (digits, an optional - and decimal point; no thousands separators)"
        raise NumberError(f"expected a number{advice}, got {text!r}")
    value = float(text)
    if not math.isfinite(value):
        raise NumberError(f"expected a number below 1e308, got {len(text)} characters")
    return value + 0.0  # -0.0 → 0.0


def hint(text: str, exponent: bool = False) -> str:
    """What is wrong with the text, in the words of the person who typed it."""
    word = text.strip().lower().lstrip("+-")
    checks = (
        (text != text.strip(), "no spaces around it"),
        ("," in text, "no thousands separators"),
        ("_" in text, "no underscores"),
        (text.startswith("+"), "no plus sign"),
        (word in ("nan", "inf", "infinity"), "a finite number"),
        (not exponent and bool(EXPONENT.fullmatch(text)), "no exponent; write the digits out"),
        (bool(re.fullmatch(r"-?0[0-9]+(\.[0-9]*)?", text)), "no leading zeros"),
        (bool(re.fullmatch(r"-?\.[0-9]+", text)), "a digit before the decimal point"),
        (word.startswith("0x"), "decimal digits"),
        (not text.isascii(), "ASCII digits only"),
    )
    found = [advice for failed, advice in checks if failed]
    return f" ({'; '.join(found)})" if found else ""


def plain(value: float) -> str:
    """A number as the tidy files write it: the shortest text that reads back exactly, never with an exponent."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = np.format_float_positional(value, unique=True, trim="0")
    return text
