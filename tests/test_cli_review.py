"""Mistakes a new user made in review, each pinned by a test that failed before its fix."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from cli_helpers import PLANT, PLANTS, SCENARIOS, assert_input_error, assert_ok, run, write

from reerisk import cli


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_astronomical_quantities_are_input_errors(cwd: Path) -> None:
    # 1e308 kg plus a 1e308 kg shipment overflowed to infinity and crashed the JSON writer.
    write(cwd, "p.yaml", PLANT.replace("inventory: {Dy: 100}", "inventory: {Dy: 1e308}"))
    assert_input_error(
        run("runway", "p.yaml", "--format", "json"),
        "p.yaml:5:17: inventory.Dy: Input should be less than or equal to 1000000000000",
    )


def test_composition_written_as_fractions_is_warned(cwd: Path) -> None:
    text = (
        "id: p1\nas_of: 2025-06-02\nmaterials:\n"
        "  magnet: {composition: {Nd: 0.3, Dy: 0.02, Fe: 0.67}}\n"
        "inventory: {magnet: 100}\ndemand: {magnet: 1}\n"
    )
    write(cwd, "p.yaml", text)
    result = run("validate", "p.yaml")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "p.yaml:4:25: materials.magnet.composition: warning: composition adds up to 0.99 %: "
        "values are mass-% (3.5 means 3.5 %), not fractions\n"
    )


def test_a_single_small_share_is_not_warned(cwd: Path) -> None:
    # Al-Sc alloy listing only its 0.2 % Sc is legitimate.
    text = (
        "id: p1\nas_of: 2025-06-02\nmaterials:\n  alsc: {composition: {Sc: 0.2}}\n"
        "inventory: {alsc: 100}\ndemand: {alsc: 1}\n"
    )
    write(cwd, "p.yaml", text)
    assert_ok(run("validate", "p.yaml"))


def test_output_keeps_permissions_and_follows_symlinks(cwd: Path) -> None:
    target = cwd / "report.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o644)
    link = cwd / "latest.csv"
    link.symlink_to(target)
    assert_ok(run("runway", PLANTS, "--format", "csv", "--output", link))
    assert link.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text(encoding="utf-8").startswith("plant,scenario,material")


def test_new_output_file_is_not_private(cwd: Path) -> None:
    old = os.umask(0o022)
    try:
        assert_ok(run("runway", PLANTS, "--format", "csv", "--output", cwd / "new.csv"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((cwd / "new.csv").stat().st_mode) == 0o644


def test_repeated_scenario_is_reported_once() -> None:
    result = run("runway", PLANTS, "--scenarios", SCENARIOS, "--scenario", "embargo",
                 "--scenario", "embargo", "--format", "json")  # fmt: skip
    assert_ok(result)
    assert [s["name"] for s in json.loads(result.stdout)["scenarios"]] == ["embargo"]


def test_rate_named_like_a_file_scenario_is_a_usage_error(cwd: Path) -> None:
    write(cwd, "s.yaml", 'scenarios:\n  - name: "25%"\n    approval_rate: 0.9\n')
    result = run("runway", PLANTS, "--scenarios", "s.yaml", "--rate", "25%")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("reerisk: error: two scenarios are named '25%'")


def test_files_passed_in_the_wrong_place_say_so(cwd: Path) -> None:
    write(cwd, "s.yaml", "# scenarios\nscenarios:\n  - {name: a, approval_rate: 0.5}\n")
    write(cwd, "p.yaml", PLANT)
    assert_input_error(
        run("validate", "s.yaml"),
        "s.yaml:2:1: this is a scenarios file; pass it with --scenarios FILE",
    )
    lines = assert_input_error(
        run("validate", "p.yaml", "--scenarios", "p.yaml"),
        "p.yaml:1:1: this is a plant file, not a scenarios file",
    )
    assert len(lines) == 1


def test_tab_indentation_is_named(cwd: Path) -> None:
    write(cwd, "p.yaml", "id: p1\nmaterials:\n\tDy: {}\n")
    assert_input_error(
        run("validate", "p.yaml"), "p.yaml:3:1: invalid YAML: a tab cannot indent YAML; use spaces"
    )


def test_percent_rates_get_a_hint(cwd: Path) -> None:
    write(cwd, "s.yaml", "scenarios:\n  - name: a\n    approval_rate: 25\n")
    assert_input_error(
        run("validate", PLANTS, "--scenarios", "s.yaml"),
        "s.yaml:3:20: scenarios[0].approval_rate: approval rates are 0..1; did you mean 0.25?",
    )


def test_lower_case_country_gets_a_hint(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT + "country: pl\n")
    assert_input_error(
        run("validate", "p.yaml"),
        "p.yaml:8:10: country: expected an ISO 3166 alpha-2 code such as DE, got 'pl'; "
        "did you mean 'PL'?",
    )


def test_symbol_with_a_letter_too_many_gets_a_hint(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.replace("inventory: {Dy: 100}", "inventory: {Dys: 100}"))
    assert_input_error(
        run("validate", "p.yaml"),
        "p.yaml:5:13: inventory.Dys: material 'Dys' is not defined; did you mean 'Dy'?",
    )


def test_a_crash_exits_70_not_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit 1 means --fail-under was breached; a bug must never look like that."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("reerisk.engine.project_plant", broken)
    monkeypatch.setattr(sys, "argv", ["reerisk", "runway", PLANTS, "--format", "json"])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == cli.EXIT_INTERNAL_ERROR == 70


def test_output_never_replaces_an_input(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    before = (cwd / "p.yaml").read_bytes()
    result = run("runway", "p.yaml", "--format", "json", "--output", "./p.yaml")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        # Typer hands the path over normalised: ./p.yaml is p.yaml
        "reerisk: error: --output p.yaml: that is an input file; it is never overwritten\n"
    )
    assert (cwd / "p.yaml").read_bytes() == before


def test_utf16_files_are_named(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.encode("utf-16"))  # with its byte-order mark
    assert_input_error(
        run("validate", "p.yaml"), "p.yaml:1:1: the file is UTF-16; save it as UTF-8"
    )
