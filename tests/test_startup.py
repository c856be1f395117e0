"""Start-up stays light: what `--help`, `--version` and JSON output import (SPEC §6).

Timing is measured in benchmarks/, not here; these tests only pin down which
modules each command loads, which is what makes it fast or slow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pydantic", "yaml", "holidays", "rich", "reerisk.engine", "reerisk.models")

PROBE = """
import json, sys
sys.argv = ["reerisk", *json.loads(sys.argv[1])]
from reerisk.cli import main
try:
    main()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*args: str) -> set[str]:
    """The modules loaded by one CLI run in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_nothing_heavy(args: list[str]) -> None:
    loaded = modules_after(*args)
    assert [name for name in HEAVY if name in loaded] == []


def test_command_help_loads_no_data_libraries() -> None:
    # Typer itself brings in pydantic to describe a command's parameters.
    loaded = modules_after("runway", "--help")
    assert [name for name in HEAVY[1:] if name in loaded] == []


def test_json_output_does_not_import_rich_tables() -> None:
    loaded = modules_after("runway", "data/plants.yaml", "--format", "json")
    assert "reerisk.engine" in loaded  # the probe really ran the projection
    assert "rich.table" not in loaded
    assert "reerisk.render.table" not in loaded


def test_report_help_loads_no_plotting_or_workbook_library() -> None:
    loaded = modules_after("report", "--help")
    assert [name for name in ("matplotlib", "openpyxl", *HEAVY[1:]) if name in loaded] == []


def test_runway_does_not_load_the_report_libraries() -> None:
    loaded = modules_after("runway", "data/plants.yaml", "--format", "json")
    assert "matplotlib" not in loaded
    assert "reerisk.report" not in loaded


def test_simulate_help_loads_no_data_libraries() -> None:
    loaded = modules_after("simulate", "--help")
    assert [name for name in HEAVY[1:] if name in loaded] == []


def test_simulate_json_imports_no_rich_at_all() -> None:
    loaded = modules_after("simulate", "data/plants.yaml", "--trials", "10", "--format", "json")
    assert "reerisk.montecarlo" in loaded  # the probe really ran the simulation
    assert [name for name in loaded if name == "rich" or name.startswith("rich.")] == []
