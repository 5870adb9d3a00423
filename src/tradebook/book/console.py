"""What a build tells the person running it: one progress line at a time."""

from __future__ import annotations

import sys


def log(text: str) -> None:
    """One progress line, written whole: staging and its workers write theirs to the same terminal."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
