"""Country names and codes, from country_converter (never a hand-kept list)."""

from __future__ import annotations

import logging
from functools import cache

from .contract import WORLD, country_converter, iso3_codes

logging.getLogger("country_converter").setLevel(logging.ERROR)


def warm() -> None:
    """Load country_converter's table now: the kernels' fork server does, once for every notebook."""
    country_converter()
    iso3_codes()
    _short_names()


@cache
def _short_names() -> dict[str, str]:
    """ISO3 code → short name, as `convert(code, src="ISO3", to="name_short")` gives it, in one pass over the table.

    convert() scans the whole table with a regular expression per call (~5 ms; a chapter names some 200
    partners). Only codes of exactly one row whose name is text (convert would turn "123" into an int) are
    here; any other input goes through convert() as before. tests/test_countries.py checks every code.
    """
    data = country_converter().data
    codes = data["ISO3"].astype(str).str.replace(r"\..*", "", regex=True).str.upper()
    rows: dict[str, list[object]] = {}
    for code, short in zip(codes, data["name_short"], strict=True):
        rows.setdefault(code, []).append(short)
    return {
        code: found[0]
        for code, found in rows.items()
        if len(found) == 1 and isinstance(found[0], str) and found[0] and not _integer(found[0])
    }


def _integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


@cache
def to_iso3(name: str) -> str | None:
    """ISO3 code of a country name, or None for aggregates and names it does not know."""
    code = country_converter().convert(name, to="ISO3", not_found="")
    return code if isinstance(code, str) and code in iso3_codes() else None


@cache
def name(iso3: str) -> str:
    """Short English name of an ISO3 code ('World' for WLD)."""
    if iso3 == WORLD:
        return "World"
    known = _short_names().get(iso3)
    if known is not None:
        return known
    found = country_converter().convert(iso3, src="ISO3", to="name_short", not_found="")
    return found if isinstance(found, str) and found else iso3


@cache
def from_iso2(code: str) -> str | None:
    """ISO3 code of an ISO 3166 alpha-2 code, or None where country_converter has no current country."""
    found = country_converter().convert(code, src="ISO2", to="ISO3", not_found="")
    return found if isinstance(found, str) and found in iso3_codes() else None


@cache
def from_m49(code: str) -> str | None:
    """ISO3 code of a UN M49 numeric code (FAOSTAT's country codes), or None if it is not one country."""
    found = country_converter().convert(int(code), src="UNcode", to="ISO3", not_found="") if code.isdigit() else ""
    return found if isinstance(found, str) and found in iso3_codes() else None
