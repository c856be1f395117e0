"""What can go wrong with a run, as the CLI reports it: problems in files, and usage mistakes.

Kept free of heavy imports, so that the command line can raise and catch
these before it loads pydantic or YAML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Characters that would break a problem's one line, or hide in it: control
# characters, and the line and paragraph separators YAML reads as line breaks.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with each control or line-breaking character written as its escape (\\u2028)."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


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
        message = printable(f"warning: {self.message}" if self.warning else self.message)
        file, path = printable(self.file), printable(self.path)
        if self.line == 0:  # a usage problem: the file itself could not be read
            return f"reerisk: error: {file}: {message}"
        where = f"{file}:{self.line}:{self.column}"
        return f"{where}: {path}: {message}" if path else f"{where}: {message}"


class InputError(Exception):
    """The input files have problems; each is listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the input files")
        self.problems = list(problems)


class UsageError(Exception):
    """A mistake on the command line: a missing file, a bad option value."""
