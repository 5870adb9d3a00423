"""Text from the data inside MyST markup: escaped, so that a name or a note can never become markup."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#$~])")


def md_escape(text: object) -> str:
    """Text from the data, safe inside a MyST paragraph or table cell (no markup, no roles, no pipes)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
