"""What can go wrong with a run, as the CLI reports it: problems in files, and usage mistakes.

Kept free of heavy imports, so that the command line can raise and catch
these before it loads pydantic or YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or, as a warning, suspicious) in one input file, at one place."""

    file: str
    line: int
    column: int
    path: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.warning else self.message
        if self.line == 0:  # a usage problem: the file itself could not be read
            return f"reerisk: error: {self.file}: {message}"
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"


class InputError(Exception):
    """The input files have problems; each is listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the input files")
        self.problems = list(problems)


class UsageError(Exception):
    """A mistake on the command line: a missing file, a bad option value."""
