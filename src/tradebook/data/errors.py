"""Errors about inputs, worded for the person who has to fix the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and what was expected there."""

    file: str
    line: int | None
    column: str | None
    message: str
    label: str = "column"  # what `column` names: a CSV column, a YAML field, a parameter

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column:
            where += f": {self.label} '{self.column}'"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input: carries every problem found so the CLI can print one line each."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__(str(self.problems[0]))

    @classmethod
    def at(
        cls,
        file: str | Path,
        message: str,
        line: int | None = None,
        column: str | None = None,
        label: str = "column",
    ) -> InputError:
        return cls(Problem(display_path(file), line, column, message, label))


def display_path(path: str | Path) -> str:
    """A path as the user typed it or relative to the working directory, for messages."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class DataMissing(LookupError):
    """A data file that a chapter or a check needs is not in the data folder; the message says which."""
