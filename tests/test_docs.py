"""The README stays true: its CLI reference and examples match the code; CI runs its commands."""

from __future__ import annotations

import re
from pathlib import Path

from cogapp import Cog

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_readme_generated_sections_are_current() -> None:
    """`cog --check` fails when --help, the example table or the JSON sample drift."""
    cog = Cog()
    status = cog.main(["cog", "--check", "-I", str(ROOT / "src"), str(README)])
    assert status == 0, "README.md is out of date: run `cog -r README.md`"


def _quick_start_commands() -> list[str]:
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    quick_start = quick_start.split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start)[:2]


def test_ci_runs_the_readme_commands_verbatim() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert "reerisk runway data/plants.yaml" in commands[0]
    assert "pytest" in commands[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci_lines, f"{command!r} is in the README but not in .ci/run"


def test_the_example_report_is_checked_in_and_self_contained() -> None:
    """docs/example-report.html is `reerisk report` on the sample data, linked from the README."""
    example = (ROOT / "docs" / "example-report.html").read_text(encoding="utf-8")
    assert "http://" not in example and "https://" not in example and "<script" not in example
    for plant in ("de-ev-traction", "jp-compact-car", "us-defense-actuators"):
        assert f'id="plant-{plant}"' in example
    readme = README.read_text(encoding="utf-8")
    assert "(docs/example-report.html)" in readme and "(docs/report.png)" in readme
    assert (ROOT / "docs" / "report.png").read_bytes().startswith(b"\x89PNG")
