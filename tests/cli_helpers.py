"""Helpers shared by test_cli.py and test_loading.py (not a conftest: plain imports)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from typer.testing import CliRunner, Result

from reerisk.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PLANTS = DATA / "plants.yaml"
SCENARIOS = DATA / "scenarios.yaml"
SHIPPED_ELEMENTS = ROOT / "src" / "reerisk" / "data" / "elements.yaml"

SAMPLE_PLANT_IDS = (
    "de-ev-traction",
    "us-eps-brake",
    "jp-compact-car",
    "us-defense-actuators",
    "dk-wind-nacelle",
    "ee-magnet-maker",
)
SAMPLE_SCENARIO_NAMES = (
    "embargo",
    "clepa-early-june",
    "clepa-late-june",
    "london-framework",
    "slow-review",
    "eu-green-channel",
    "cut-20-and-broker",
)
DEFAULT_GRID = ("0%", "25%", "50%", "75%", "100%")

ANSI = re.compile(r"\x1b\[")
# FILE:LINE:COL: rest   (the file name may not contain ':' in these tests)
PROBLEM = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.+)$")

# Keep the caller's environment from leaking into the runs.
CLEAN_ENV: dict[str, str | None] = {
    "REERISK_MAX_BYTES": None,
    "FORCE_COLOR": None,
    "NO_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "COLUMNS": None,
}

# A minimal valid plant: 100 kg of Dy, 1 kg a day, every day.
#   line 1: id, 2: as_of, 3: materials, 4: Dy, 5: inventory, 6: demand, 7: recovery_days
PLANT = """\
id: p1
as_of: 2025-06-02
materials:
  Dy: {}
inventory: {Dy: 100}
demand: {Dy: 1}
recovery_days: {Dy: 120}
"""


def run(*args: object, env: Mapping[str, str | None] | None = None, color: bool = False) -> Result:
    """Invoke `reerisk ARGS...` in-process, with a clean environment.

    Fails the calling test if the run changed any file it was given to read
    (SPEC §5: input files are never modified).
    """
    merged = dict(CLEAN_ENV)
    merged.update(env or {})
    texts = [str(a) for a in args]
    inputs = _input_files(texts)
    before = {path: _digest(path) for path in inputs}
    result = CliRunner().invoke(app, texts, env=merged, color=color)
    changed = [str(path) for path in inputs if _digest(path) != before[path]]
    assert not changed, f"reerisk {' '.join(texts)} modified its input {changed}"
    return result


def _input_files(texts: list[str]) -> list[Path]:
    """The existing files among the arguments, except what --output or init will write."""
    if texts[:1] == ["init"]:
        return []
    return [
        Path(text)
        for index, text in enumerate(texts)
        if (index == 0 or texts[index - 1] != "--output") and _is_file(text)
    ]


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except OSError:  # not a path at all: a 2 000-digit --seed is too long a name
        return False


def _digest(path: Path) -> str:
    with open(path, "rb") as stream:  # not Path.read_bytes, which a test may patch
        return hashlib.sha256(stream.read()).hexdigest()


def write(directory: Path, name: str, content: str | bytes) -> Path:
    """Write `content` exactly (no newline translation) and return the path."""
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def where(text: str, needle: str, nth: int = 1) -> str:
    """`LINE:COL` (1-based) of the nth occurrence of `needle` in `text`."""
    offset = -1
    for _ in range(nth):
        offset = text.index(needle, offset + 1)
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return f"{line}:{column}"


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def stderr_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def assert_ok(result: Result, *warnings: str) -> None:
    """Exit 0, no traceback, and on stderr one warning line for each of `warnings`, in order."""
    assert result.exit_code == 0, result.output
    assert_no_traceback(result)
    lines = stderr_lines(result)
    assert len(lines) == len(warnings), result.stderr
    for line, expected in zip(lines, warnings, strict=True):
        assert line.startswith("reerisk: warning: ") and expected in line, line


def assert_input_error(result: Result, *expected: str) -> list[str]:
    """Exit 2, nothing on stdout, and for each `expected` a stderr line starting with it."""
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    assert result.stdout == "", result.stdout
    lines = stderr_lines(result)
    assert lines, "no problem reported on stderr"
    for prefix in expected:
        assert any(line.startswith(prefix) for line in lines), (
            f"no stderr line starts with {prefix!r}; got:\n" + "\n".join(lines)
        )
    return lines


def assert_usage_error(result: Result, message: str) -> None:
    """Exit 2 and exactly one plain line `reerisk: error: MESSAGE...` on stderr."""
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    assert result.stdout == "", result.stdout
    lines = stderr_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"reerisk: error: {message}"), lines[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
