"""Input files as parsed sources, and the problems found in them.

A `SourceFile` is one file read as bytes (size limit, UTF-8 with an optional
BOM), parsed by `yamlread` so that every value keeps its line and column (or,
much faster, by `jsonread` when the file is JSON that reads the same). Its
`validate` runs a pydantic model on part of the file and turns each error into
a `Problem` at FILE:LINE:COL, with the path in the file and a readable message.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reerisk.errors import InputError, Problem, UsageError
from reerisk.jsonread import parse_json
from reerisk.models import unknown_key_message
from reerisk.yamlread import Document, Path, YamlError, parse_yaml

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_UNION_TAGS = frozenset(
    {"shipment", "application", "standing", "constant", "steps", "fixed", "triangular"}
)


def format_path(path: Path) -> str:
    """`("plants", 0, "supply", 2, "qty")` -> `plants[0].supply[2].qty`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class SourceFile:
    """A parsed file and the problems found in it so far."""

    name: str
    doc: Document
    problems: list[Problem]

    def sorted_problems(self) -> list[Problem]:
        """The problems in the order they stand in the file."""
        return sorted(self.problems, key=lambda problem: (problem.line, problem.column))

    def report(
        self, path: Path, message: str, *, at_key: bool = False, warning: bool = False
    ) -> None:
        position = self.doc.locate(path, at_key=at_key)
        where = (self.name, position.line, position.column, format_path(path))
        self.problems.append(Problem(*where, message, warning))

    def validate(self, model: Any, path: Path, *, value: Any = None, at_key: bool = False) -> Any:
        """Validate the value at `path` (or `value`) as `model`; report, return None, on failure."""
        if value is None:
            value = self.doc.value
            for part in path:
                value = value[part]
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_python(value)
            return model.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                self._report_validation(path, error, model, at_key=at_key)
            return None

    def _report_validation(self, prefix: Path, error: Any, model: Any, *, at_key: bool) -> None:
        path = _data_path(self.doc.value, (*prefix, *error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if error["type"] == "extra_forbidden":
            message = unknown_key_message(model, tuple(error["loc"]))
        value = error.get("input")
        if (
            error["type"] in _NUMBER_ERRORS
            and isinstance(value, str)
            and _THOUSANDS.fullmatch(value)
        ):
            message += f"; write it without thousands separators: {value.replace(',', '')}"
        elif error["type"] in _NUMBER_ERRORS and isinstance(value, str) and _is_number(value):
            if value.strip().endswith("%"):
                message += "; write the number alone, without '%' (see the field's unit)"
            else:
                message += "; write it without quotes"
        if error["type"] not in ("missing", "extra_forbidden") and not isinstance(
            value, dict | list
        ):
            shown = repr(value)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            if "got " not in message and shown not in message:
                message += f" (got {shown})"
        self.report(path, message, at_key=at_key or error["type"] == "extra_forbidden")


_NUMBER_ERRORS = frozenset({"float_type", "int_type"})
_THOUSANDS = re.compile(r"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


def _is_number(text: str) -> bool:
    """`"40"` and `"25%"` are numbers in quotes; `"NaN"` is not one either way."""
    try:
        return math.isfinite(float(text.strip().rstrip("%")))
    except ValueError:
        return False


def _data_path(root: Any, loc: Iterable[Any]) -> Path:
    """Drop pydantic's union-branch names from `loc`, keeping the keys and indexes."""
    path: list[str | int] = []
    value = root
    for part in loc:
        is_key = isinstance(value, dict) and part in value
        if isinstance(part, str) and ("[" in part or part in _UNION_TAGS) and not is_key:
            continue
        path.append(part)
        is_index = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        value = value[part] if is_key or is_index else None
    return tuple(path)


def max_bytes() -> int:
    """The file size limit: 64 MiB, or `REERISK_MAX_BYTES`."""
    raw = os.environ.get("REERISK_MAX_BYTES")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        limit = int(raw)
    except ValueError:
        raise UsageError(
            f"REERISK_MAX_BYTES must be a whole number of bytes, got {raw!r}"
        ) from None
    if limit <= 0:
        raise UsageError(f"REERISK_MAX_BYTES must be positive, got {limit}")
    return limit


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(name: str, data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):
        message = "the file is UTF-16; save it as UTF-8 (in Excel: CSV UTF-8; in editors: UTF-8)"
        raise InputError([Problem(name, 1, 1, "", message)])
    if b"\x00" in data[:8192]:
        raise InputError([Problem(name, 1, 1, "", "binary file: not YAML text (it has NUL bytes)")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            [Problem(name, line, column, "", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")]
        ) from None
    return text.removeprefix("\ufeff")


def read_source(filename: str, *, name: str | None = None, shipped: bool = False) -> SourceFile:
    """Read and parse one file (raises InputError). A `shipped` file has no size limit."""
    name = name or filename
    path = FilePath(filename)
    if not path.exists():
        raise InputError([Problem(name, 0, 0, "", "no such file")])
    if path.is_dir():
        raise InputError([Problem(name, 0, 0, "", "is a directory, not a file")])
    limit = DEFAULT_MAX_BYTES if shipped else max_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                [_over_limit(name, f"file is {size} bytes, over the limit of {limit}")]
            )
        # Never more than the limit, whatever stat said: a pipe (`<(generate)`) or a
        # device has no size, and /dev/zero never ends.
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise InputError([_over_limit(name, f"file is over the limit of {limit} bytes")])
    except OSError as exc:
        raise InputError([Problem(name, 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    return parse_source(name, data)


def _over_limit(name: str, message: str) -> Problem:
    return Problem(name, 1, 1, "", f"{message} (raise it with REERISK_MAX_BYTES)")


def parse_source(name: str, data: bytes) -> SourceFile:
    """Parse bytes already read. Raises InputError."""
    text = _decode(name, data)
    # JSON (as machine-written portfolios often are) reads about ten times
    # faster by json.loads; anything json.loads might read differently from
    # parse_yaml, or refuse, goes to parse_yaml, which reports it as usual.
    fast = parse_json(text)
    if fast is not None:
        return SourceFile(name, fast, [])
    try:
        doc = parse_yaml(text)
    except YamlError as exc:
        position = exc.position
        problem = Problem(name, position.line, position.column, format_path(exc.path), exc.message)
        raise InputError([problem]) from None
    problems = [
        Problem(name, e.position.line, e.position.column, format_path(e.path), e.message)
        for e in doc.errors
    ]
    return SourceFile(name, doc, problems)


def describe(value: Any) -> str:
    """A YAML user's name for the kind of a value."""
    if value is None:
        return "nothing"
    kinds = {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}
    return kinds.get(type(value), "a number")


def expect_mapping(source: SourceFile, what: str) -> bool:
    value = source.doc.value
    if not isinstance(value, dict):
        hint = ""
        if isinstance(value, str) and ("," in value or "\t" in value or ";" in value):
            hint = (
                " (this looks like a spreadsheet export; reerisk reads YAML or JSON: see "
                "`reerisk init` for a plant file to start from)"
            )
        source.report((), f"expected a mapping ({what}), got {describe(value)}{hint}")
        return False
    return True


def check_keys(source: SourceFile, allowed: Sequence[str], required: Sequence[str]) -> None:
    for key in source.doc.value:
        if key not in allowed:
            match = difflib.get_close_matches(key, allowed, n=1)
            hint = (
                f"; did you mean '{match[0]}'?" if match else f"; expected {' or '.join(allowed)}"
            )
            source.report((key,), f"unknown key '{key}'{hint}", at_key=True)
    for key in required:
        if key not in source.doc.value:
            source.report((), f"missing key '{key}'")
