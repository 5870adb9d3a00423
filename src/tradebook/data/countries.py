"""Country names and codes, from country_converter (never a hand-kept list)."""

from __future__ import annotations

import logging
from functools import cache

import country_converter as coco

from .contract import WORLD, iso3_codes

logging.getLogger("country_converter").setLevel(logging.ERROR)


@cache
def _converter():
    return coco.CountryConverter()


def warm() -> None:
    """Load country_converter's table now: the kernels' fork server does, once for every notebook."""
    _converter()
    iso3_codes()


@cache
def to_iso3(name: str) -> str | None:
    """ISO3 code of a country name, or None for aggregates and names it does not know."""
    code = _converter().convert(name, to="ISO3", not_found="")
    return code if isinstance(code, str) and code in iso3_codes() else None


@cache
def name(iso3: str) -> str:
    """Short English name of an ISO3 code ('World' for WLD)."""
    if iso3 == WORLD:
        return "World"
    found = _converter().convert(iso3, src="ISO3", to="name_short", not_found="")
    return found if isinstance(found, str) and found else iso3


@cache
def from_iso2(code: str) -> str | None:
    """ISO3 code of an ISO 3166 alpha-2 code, or None where country_converter has no current country."""
    found = _converter().convert(code, src="ISO2", to="ISO3", not_found="")
    return found if isinstance(found, str) and found in iso3_codes() else None


@cache
def from_m49(code: str) -> str | None:
    """ISO3 code of a UN M49 numeric code (FAOSTAT's country codes), or None if it is not one country."""
    found = _converter().convert(int(code), src="UNcode", to="ISO3", not_found="") if code.isdigit() else ""
    return found if isinstance(found, str) and found in iso3_codes() else None
