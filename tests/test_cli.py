"""The command line (SPEC §5) and how input mistakes reach the user (SPEC §2.2.1)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import (
    ANSI,
    DEFAULT_GRID,
    PLANT,
    PLANTS,
    PROBLEM,
    SAMPLE_PLANT_IDS,
    SAMPLE_SCENARIO_NAMES,
    SCENARIOS,
    assert_input_error,
    assert_no_traceback,
    assert_ok,
    assert_usage_error,
    run,
    sha256,
    stderr_lines,
    where,
    write,
)

from reerisk import __version__

PLANT_RESULT_FIELDS = {
    "scenario",
    "runway_days",
    "stockout_date",
    "binding_material",
    "breakeven_rate",
    "short_days",
    "materials",
    "elements",
}
MATERIAL_FIELDS = {
    "id",
    "unit",
    "runway_days",
    "stockout_date",
    "short_days",
    "unmet",
    "fill_rate",
    "end_stock",
    "shortfall",
    "breakeven_rate",
    "controlled",
    "recovery_days",
    "exposed",
}
ELEMENT_FIELDS = {"symbol", "demand_kg_per_day", "stock_kg", "controlled", "runway_days"}
CSV_MATERIAL_FIELDS = MATERIAL_FIELDS - {"id"}


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path, so that problems are reported against short relative names."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def runway_json(*args: object, env: dict[str, str | None] | None = None) -> dict:
    result = run("runway", *args, "--format", "json", env=env)
    assert_ok(result)
    return json.loads(result.stdout)


# --- version and help -------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert_ok(result)
    assert result.stdout == f"reerisk {__version__}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_root_help_lists_every_command(flag: str) -> None:
    result = run(flag)
    assert_ok(result)
    assert result.stdout.startswith("Usage: ")
    for command in ("runway", "validate", "elements", "schema"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        (
            "runway",
            [
                "--scenarios",
                "--scenario",
                "--rate",
                "--horizon",
                "--as-of",
                "--elements",
                "--format",
                "--output",
                "--fail-under",
            ],
        ),
        ("validate", ["--scenarios", "--elements"]),
        ("elements", ["--date", "--elements", "--format"]),
        ("schema", ["KIND"]),
    ],
)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_command_help(command: str, mentions: list[str], flag: str) -> None:
    result = run(command, flag)
    assert_ok(result)
    assert result.stdout.startswith(f"Usage: root {command} ") or result.stdout.startswith(
        f"Usage: reerisk {command} "
    ), result.stdout
    for option in mentions:
        assert option in result.stdout, option


# --- the shipped sample data -----------------------------------------------------------------


def test_sample_data_validates() -> None:
    result = run("validate", PLANTS, "--scenarios", SCENARIOS)
    assert_ok(result)
    assert result.stdout == "ok: 6 plants, 7 scenarios\n"


def test_validate_without_scenarios_counts_none() -> None:
    result = run("validate", PLANTS)
    assert_ok(result)
    assert result.stdout == "ok: 6 plants, 0 scenarios\n"


def test_validate_several_files(cwd: Path) -> None:
    write(cwd, "a.yaml", PLANT)
    write(cwd, "b.yaml", PLANT.replace("id: p1", "id: p2"))
    result = run("validate", "a.yaml", "b.yaml", PLANTS)
    assert_ok(result)
    assert result.stdout == "ok: 8 plants, 0 scenarios\n"


# --- runway: formats -------------------------------------------------------------------------


def test_json_has_every_spec_field() -> None:
    document = runway_json(PLANTS)
    assert {"reerisk", "horizon_days", "scenarios", "plants"} <= set(document)
    assert document["reerisk"] == __version__
    assert document["horizon_days"] == 365
    assert [s["name"] for s in document["scenarios"]] == list(DEFAULT_GRID)
    for scenario in document["scenarios"]:
        assert {"name", "approval_rate", "review_working_days"} <= set(scenario)
        assert scenario["review_working_days"] == 45
    assert [s["approval_rate"] for s in document["scenarios"]] == [0, 0.25, 0.5, 0.75, 1]
    assert [p["id"] for p in document["plants"]] == list(SAMPLE_PLANT_IDS)
    elements_seen = 0
    for plant in document["plants"]:
        assert {"id", "name", "as_of", "results"} <= set(plant)
        assert plant["as_of"] == "2025-06-02"
        assert [r["scenario"] for r in plant["results"]] == list(DEFAULT_GRID)
        for result in plant["results"]:
            assert set(result) >= PLANT_RESULT_FIELDS, PLANT_RESULT_FIELDS - set(result)
            assert result["materials"], plant["id"]
            for material in result["materials"]:
                assert set(material) >= MATERIAL_FIELDS, MATERIAL_FIELDS - set(material)
                assert material["unit"] in ("pcs", "kg")
            for element in result["elements"]:
                assert set(element) >= ELEMENT_FIELDS, ELEMENT_FIELDS - set(element)
                elements_seen += 1
    assert elements_seen > 0


def test_json_values_for_a_simple_plant(cwd: Path) -> None:
    """100 kg of Dy, 1 kg a day, every day: short from day 100 (2025-09-10)."""
    write(cwd, "p.yaml", PLANT)
    document = runway_json("p.yaml", "--rate", "1")
    assert document["scenarios"][0]["name"] == "100%"
    (plant,) = document["plants"]
    assert plant["id"] == "p1"
    assert plant["as_of"] == "2025-06-02"
    (result,) = plant["results"]
    assert result["scenario"] == "100%"
    assert result["runway_days"] == 100
    assert result["stockout_date"] == "2025-09-10"
    assert result["binding_material"] == "Dy"
    assert result["breakeven_rate"] is None  # nothing licensed could help
    assert result["short_days"] == 265
    (material,) = result["materials"]
    expected = {
        "id": "Dy",
        "unit": "kg",
        "runway_days": 100,
        "stockout_date": "2025-09-10",
        "short_days": 265,
        "unmet": 265.0,
        "fill_rate": pytest.approx(100 / 365, abs=1e-6),
        "end_stock": 0.0,
        "shortfall": 265.0,
        "breakeven_rate": None,
        "controlled": True,
        "recovery_days": 120,
        "exposed": True,
    }
    assert {k: material[k] for k in expected} == expected
    assert result["elements"] == [
        {
            "symbol": "Dy",
            "demand_kg_per_day": 1.0,
            "stock_kg": 100.0,
            "controlled": True,
            "runway_days": 100,
        }
    ]


def test_json_has_no_ansi_codes_even_when_colour_is_forced() -> None:
    result = run(
        "runway",
        PLANTS,
        "--format",
        "json",
        env={"FORCE_COLOR": "1", "TERM": "xterm-256color"},
        color=True,
    )
    assert_ok(result)
    assert not ANSI.search(result.stdout)
    json.loads(result.stdout)


def test_csv_one_row_per_plant_scenario_material() -> None:
    document = runway_json(PLANTS)
    result = run("runway", PLANTS, "--format", "csv")
    assert_ok(result)
    assert not ANSI.search(result.stdout)
    reader = csv.DictReader(io.StringIO(result.stdout))
    header = reader.fieldnames or []
    assert header[:3] == ["plant", "scenario", "material"]
    assert set(header) >= CSV_MATERIAL_FIELDS, CSV_MATERIAL_FIELDS - set(header)
    rows = list(reader)
    expected = [
        (plant["id"], r["scenario"], m["id"], m["runway_days"])
        for plant in document["plants"]
        for r in plant["results"]
        for m in r["materials"]
    ]
    assert len(rows) == len(expected) == 55  # 11 plant materials x 5 scenarios
    got = [
        (row["plant"], row["scenario"], row["material"], row["runway_days"] or None) for row in rows
    ]
    assert got == [(p, s, m, None if d is None else str(d)) for p, s, m, d in expected]


def test_csv_values_for_a_simple_plant(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--rate", "0.5", "--format", "csv")
    assert_ok(result)
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["plant"] == "p1"
    assert row["scenario"] == "50%"
    assert row["material"] == "Dy"
    assert row["unit"] == "kg"
    assert row["runway_days"] == "100"
    assert row["stockout_date"] == "2025-09-10"
    assert row["short_days"] == "265"
    assert float(row["unmet"]) == 265.0
    assert row["breakeven_rate"] == ""  # null
    assert row["recovery_days"] == "120"


def test_markdown() -> None:
    result = run("runway", PLANTS, "--format", "markdown")
    assert_ok(result)
    assert not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    assert any(line.startswith("|---") for line in lines)
    for plant_id in SAMPLE_PLANT_IDS:
        assert any(line.startswith(f"## {plant_id}") for line in lines), plant_id
    assert any(line.startswith("| material |") and "| 25% |" in line for line in lines)


def test_table_is_the_default_and_names_every_plant() -> None:
    result = run("runway", PLANTS)
    assert_ok(result)
    assert not ANSI.search(result.stdout)  # not a terminal: no colour
    for plant_id in SAMPLE_PLANT_IDS:
        assert plant_id in result.stdout
    explicit = run("runway", PLANTS, "--format", "table")
    assert_ok(explicit)
    assert explicit.stdout == result.stdout


def test_table_shows_runway_days_and_date(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--rate", "1")
    assert_ok(result)
    assert "100 d" in result.stdout
    assert "2025-09-10" in result.stdout
    no_stockout = run("runway", "p.yaml", "--rate", "1", "--horizon", "50")
    assert_ok(no_stockout, "recovery_days 120 is beyond the 50-day horizon")
    assert "> 50 d" in no_stockout.stdout


def test_unknown_format_is_a_usage_error() -> None:
    result = run("runway", PLANTS, "--format", "xml")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stdout == ""


# --- --output ----------------------------------------------------------------------------


def test_output_json_writes_the_file_and_nothing_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run("runway", PLANTS, "--format", "json", "--output", target)
    assert_ok(result)
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == runway_json(PLANTS)


def test_output_replaces_an_existing_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n" * 10_000, encoding="utf-8")
    result = run("runway", PLANTS, "--format", "csv", "--output", target)
    assert_ok(result)
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert "old contents" not in text
    assert text.startswith("plant,scenario,material,")
    assert text == run("runway", PLANTS, "--format", "csv").stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_output_table_is_plain_text(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    result = run("runway", PLANTS, "--output", target)
    assert_ok(result)
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert not ANSI.search(text)
    for plant_id in SAMPLE_PLANT_IDS:
        assert plant_id in text


def test_output_markdown(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    result = run("runway", PLANTS, "--format", "markdown", "--output", target)
    assert_ok(result)
    assert result.stdout == ""
    assert "|---" in target.read_text(encoding="utf-8")


def test_output_is_untouched_when_the_input_is_bad(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.replace("inventory:", "invetory:"))
    target = write(cwd, "out.json", "previous\n")
    result = run("runway", "p.yaml", "--format", "json", "--output", target)
    assert_input_error(result, "p.yaml:5:1: invetory: unknown key")
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in cwd.iterdir()) == ["out.json", "p.yaml"]


def test_output_into_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.json"
    result = run("runway", PLANTS, "--format", "json", "--output", target)
    assert_usage_error(result, f"--output {target}: cannot write")


# --- scenario selection --------------------------------------------------------------------


def test_default_grid() -> None:
    document = runway_json(PLANTS)
    assert [s["name"] for s in document["scenarios"]] == ["0%", "25%", "50%", "75%", "100%"]


@pytest.mark.parametrize("rate", ["0.3", "30%", " 30% ", "0.30"])
def test_rate_as_fraction_or_percentage(rate: str) -> None:
    document = runway_json(PLANTS, "--rate", rate)
    assert [(s["name"], s["approval_rate"]) for s in document["scenarios"]] == [("30%", 0.3)]
    for plant in document["plants"]:
        assert [r["scenario"] for r in plant["results"]] == ["30%"]


def test_repeated_rate_replaces_the_grid() -> None:
    document = runway_json(PLANTS, "--rate", "0", "--rate", "12.5%", "--rate", "1")
    assert [s["approval_rate"] for s in document["scenarios"]] == [0, 0.125, 1]
    assert [s["name"] for s in document["scenarios"]] == ["0%", "12.5%", "100%"]


def test_scenarios_file_uses_every_scenario_in_order() -> None:
    document = runway_json(PLANTS, "--scenarios", SCENARIOS)
    assert [s["name"] for s in document["scenarios"]] == list(SAMPLE_SCENARIO_NAMES)
    for plant in document["plants"]:
        assert [r["scenario"] for r in plant["results"]] == list(SAMPLE_SCENARIO_NAMES)


def test_scenario_selects_from_the_file() -> None:
    document = runway_json(
        PLANTS, "--scenarios", SCENARIOS, "--scenario", "slow-review", "--scenario", "embargo"
    )
    names = [s["name"] for s in document["scenarios"]]
    assert sorted(names) == ["embargo", "slow-review"]
    (slow,) = [s for s in document["scenarios"] if s["name"] == "slow-review"]
    assert slow["review_working_days"] == 90
    assert slow["approval_rate"] == 0.6
    for plant in document["plants"]:
        assert [r["scenario"] for r in plant["results"]] == names


def test_scenario_without_scenarios_file_is_a_usage_error() -> None:
    result = run("runway", PLANTS, "--scenario", "embargo")
    assert_usage_error(result, "--scenario needs --scenarios FILE")


def test_unknown_scenario_name_is_a_usage_error() -> None:
    result = run("runway", PLANTS, "--scenarios", SCENARIOS, "--scenario", "nope")
    assert_usage_error(result, "--scenario 'nope' is not in the scenarios file")
    assert "embargo" in result.stderr  # lists the names it has


# --- exit codes, --fail-under, --as-of, --horizon ---------------------------------------


def test_fail_under_breached_exits_1_after_printing(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)  # runway 100 days
    result = run("runway", "p.yaml", "--rate", "1", "--format", "json", "--fail-under", "101")
    assert result.exit_code == 1, result.output
    assert_no_traceback(result)
    document = json.loads(result.stdout)
    assert document["plants"][0]["results"][0]["runway_days"] == 100
    # The same gate line as compare's, naming the plant and its shortest runway.
    assert result.stderr == "reerisk: gate --fail-under 101 tripped: p1 (100 d)\n"


def test_fail_under_names_at_most_twenty_plants(cwd: Path) -> None:
    plants = "plants:\n" + "".join(
        f"  - {{id: p{n}, as_of: 2025-06-02, materials: {{Dy: {{}}}}, inventory: {{Dy: {n}}}, "
        "demand: {Dy: 1}}\n"
        for n in range(1, 23)
    )  # plant pN has N kg and uses 1 kg a day: runway N days
    write(cwd, "p.yaml", plants)
    result = run("runway", "p.yaml", "--rate", "0", "--format", "csv", "--fail-under", "50")
    assert result.exit_code == 1, result.output
    named = ", ".join(f"p{n} ({n} d)" for n in range(1, 21))
    assert result.stderr == (
        f"reerisk: gate --fail-under 50 tripped: {named}, … and 2 more plants\n"
    )


def test_fail_under_not_breached_exits_0(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--rate", "1", "--format", "json", "--fail-under", "100")
    assert_ok(result)
    assert json.loads(result.stdout)["plants"][0]["results"][0]["runway_days"] == 100


def test_fail_under_ignores_no_stockout_within_horizon(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--horizon", "50", "--fail-under", "50", "--format", "csv")
    assert_ok(result, "recovery_days 120 is beyond the 50-day horizon")


@pytest.mark.parametrize("days", ["51", "0", "-5"])
def test_fail_under_outside_the_horizon_is_a_usage_error(days: str, cwd: Path) -> None:
    """A runway beyond the horizon is not known, so it cannot be checked against DAYS."""
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--horizon", "50", "--fail-under", days)
    assert result.exit_code == 2, result.output
    assert (
        result.stderr == f"reerisk: error: --fail-under {days}: must be 1..50 days (the horizon)"
        ": a runway beyond the horizon is not known\n"
    )


def test_fail_under_checks_every_reported_scenario() -> None:
    # The shortest runway of the sample: jp-compact-car, 43 days under the 0 % rate.
    table = run("runway", PLANTS, "--fail-under", "44")
    assert table.exit_code == 1, table.output
    assert "jp-compact-car" in table.stdout
    assert run("runway", PLANTS, "--fail-under", "43", "--format", "csv").exit_code == 0


def test_fail_under_with_output_still_writes(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run("runway", PLANTS, "--format", "json", "--output", target, "--fail-under", "100")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["plants"]


def test_as_of_overrides_the_plant(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--rate", "1", "--as-of", "2025-07-01", "--format", "json")
    # The inventory is dated 2025-06-02: say that it now stands on day 0 instead.
    assert_ok(result, "--as-of 2025-07-01 replaces the as_of of plant 'p1' (2025-06-02): its "
              "inventory is taken to stand on 2025-07-01, and supply dated between the two is "
              "dropped")  # fmt: skip
    plant = json.loads(result.stdout)["plants"][0]
    assert plant["as_of"] == "2025-07-01"
    assert plant["results"][0]["stockout_date"] == "2025-10-09"  # still 100 days


def test_as_of_overrides_every_sample_plant() -> None:
    result = run("runway", PLANTS, "--as-of", "2025-05-01", "--rate", "1", "--format", "json")
    assert_ok(result, "replaces the as_of of plant 'de-ev-traction' (2025-06-02) and 5 more")
    assert "supply dated between the two is counted again" in result.stderr  # an earlier day 0
    assert {p["as_of"] for p in json.loads(result.stdout)["plants"]} == {"2025-05-01"}


def test_as_of_equal_to_the_plants_says_nothing() -> None:
    assert runway_json(PLANTS, "--as-of", "2025-06-02", "--rate", "1")["plants"]


def test_validate_warns_about_a_missing_as_of(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.replace("as_of: 2025-06-02\n", ""))
    result = run("validate", "p.yaml")
    assert_ok(result, f"plant 'p1' has no as_of; day 0 is today, {date.today()}")
    assert result.stdout == "ok: 1 plant, 0 scenarios\n"


@pytest.mark.parametrize("command", ["runway", "simulate", "report"])
def test_output_dash_is_stdout(cwd: Path, command: str) -> None:
    write(cwd, "p.yaml", PLANT)
    fmt = "markdown" if command == "report" else "json"
    result = run(command, "p.yaml", "--format", fmt, "--output", "-",
                 *(["--trials", 5] if command == "simulate" else []))  # fmt: skip
    assert_ok(result)
    assert result.stdout and not (cwd / "-").exists()


def test_as_of_defaults_to_today_without_one(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.replace("as_of: 2025-06-02\n", ""))
    result = run("runway", "p.yaml", "--rate", "1", "--format", "json")
    assert_ok(result, f"plant 'p1' has no as_of; day 0 is today, {date.today()}")
    assert json.loads(result.stdout)["plants"][0]["as_of"] == date.today().isoformat()


@pytest.mark.parametrize("days", ["1", "3660"])
def test_horizon_bounds_accepted(days: str, cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.replace("recovery_days: {Dy: 120}\n", ""))
    document = runway_json("p.yaml", "--rate", "1", "--horizon", days)
    assert document["horizon_days"] == int(days)
    expected = None if days == "1" else 100
    assert document["plants"][0]["results"][0]["runway_days"] == expected


# --- usage errors: a plain one-line message, exit 2 ---------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--horizon", "0"], "--horizon 0: must be 1..3660 days"),
        (["--horizon", "4000"], "--horizon 4000: must be 1..3660 days"),
        (["--horizon", "-5"], "--horizon -5: must be 1..3660 days"),
        (["--as-of", "2025-13-01"], "--as-of '2025-13-01': not a calendar date: month must be"),
        (["--as-of", "2025-02-30"], "--as-of '2025-02-30': not a calendar date: day is out of"),
        (["--as-of", "tomorrow"], "--as-of 'tomorrow': expected a date as YYYY-MM-DD"),
        (["--rate", "2"], "--rate '2': must be between 0 and 1"),
        (["--rate", "-0.1"], "--rate '-0.1': must be between 0 and 1"),
        (["--rate", "150%"], "--rate '150%': must be between 0 and 1"),
        (["--rate", "abc"], "--rate 'abc': expected a number 0..1 or a percentage"),
        (["--rate", "nan"], "--rate 'nan'"),
    ],
)
def test_bad_option_values(args: list[str], message: str) -> None:
    assert_usage_error(run("runway", PLANTS, *args), message)


def test_missing_file(cwd: Path) -> None:
    assert_usage_error(run("runway", "nope.yaml"), "nope.yaml: no such file")
    assert_usage_error(run("validate", "nope.yaml"), "nope.yaml: no such file")


def test_missing_scenarios_file(cwd: Path) -> None:
    assert_usage_error(run("runway", PLANTS, "--scenarios", "nope.yaml"), "nope.yaml: no such file")


def test_directory_instead_of_file(cwd: Path) -> None:
    (cwd / "plants").mkdir()
    assert_usage_error(run("validate", "plants"), "plants: is a directory, not a file")


def test_bad_max_bytes_setting(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("validate", "p.yaml", env={"REERISK_MAX_BYTES": "lots"})
    assert_usage_error(result, "REERISK_MAX_BYTES must be a whole number of bytes")


def test_missing_file_does_not_hide_the_problems_of_the_others(cwd: Path) -> None:
    """SPEC §2.2.1: every file on the command line is read and checked in one run."""
    write(cwd, "bad.yaml", PLANT.replace("inventory:", "invetory:"))
    result = run("validate", "bad.yaml", "nope.yaml")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert any(
        line.startswith("bad.yaml:5:1: invetory: unknown key") for line in stderr_lines(result)
    ), result.stderr
    assert "nope.yaml: no such file" in result.stderr


def test_no_files_is_a_usage_error() -> None:
    result = run("runway")
    assert result.exit_code == 2
    assert_no_traceback(result)


# --- input errors: FILE:LINE:COL: path: message on stderr, exit 2 ---------------------------

SCENARIO_OK = "scenarios:\n  - name: a\n    approval_rate: 0.5\n"

# (files, command, expected stderr line prefixes). Files are written in a temporary
# directory that is the working directory, so problems name them as given.
MISTAKES = [
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninvetory: {Dy: 100}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:4:1: invetory: unknown key 'invetory'; did you mean 'inventory'?"],
        id="typo-key-did-you-mean",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  Dy: {}\n"
                "supply:\n"
                "  - {material: Dy, qyt: 5, arrives: 2025-06-20}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:5:20: supply[0].qyt: unknown key 'qyt'; did you mean 'qty'?"],
        id="typo-key-in-supply",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 100}\ndemand:\n  Dy: 1\n  Dy: 2\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:7:3: demand.Dy: duplicate key 'Dy' (first given on line 6)"],
        id="duplicate-key-with-path",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  magnet:\n"
                "    composition: {Nd: 30, dy: 3, Fe: 67}\n"
                "inventory: {magnet: 100}\n"
            )
        },
        ["validate", "p.yaml"],
        [
            "p.yaml:4:18: materials.magnet.composition: "
            "'dy' is not a chemical element symbol; did you mean 'Dy'?"
        ],
        id="composition-symbol-dy",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 100, rotor: 5}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:4:22: inventory.rotor: material 'rotor' is not defined"],
        id="undefined-material",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Tb, qty: 5, arrives: 2025-06-20}\n"
            )
        },
        ["runway", "p.yaml"],
        [
            "p.yaml:6:16: supply[0].material: material 'Tb' is not defined; "
            "add 'Tb: {}' under materials"
        ],
        id="element-without-materials-entry",
    ),
    pytest.param(
        {
            "p.yaml": (
                "materials:\n"
                "  Dy: {}\n"
                "plants:\n"
                "  - id: p1\n"
                "    materials:\n"
                "      Dy: {}\n"
                "    inventory: {Dy: 1}\n"
            )
        },
        ["validate", "p.yaml"],
        [
            "p.yaml:6:7: plants[0].materials.Dy: "
            "material 'Dy' is also defined in the file's shared materials"
        ],
        id="material-in-plant-and-file",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  magnet: {}\ninventory: {magnet: 1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:3:3: materials.magnet: material 'magnet' has no composition"],
        id="material-without-composition",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: -5, arrives: 2025-07-01}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:6:25: supply[0].qty: Input should be greater than 0 (got -5)"],
        id="negative-qty",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: -1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:4:17: inventory.Dy: Input should be greater than or equal to 0 (got -1)"],
        id="negative-inventory",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "transit_days: 10\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, every_days: 1.5, first_filed: 2025-06-01}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:7:40: supply[0].every_days: Input should be a valid integer (got 1.5)"],
        id="every-days-not-integer",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nas_of: 2025-02-30\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:2:8: as_of: '2025-02-30' is not a calendar date"],
        id="date-feb-30",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\nas_of: 2025-06-02T08:00:00\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:2:8: as_of: expected a date as YYYY-MM-DD, got '2025-06-02T08:00:00'"],
        id="date-with-time",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 1}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, arrives: 2025-06-20 10:00:00}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:6:37: supply[0].arrives: expected a date as YYYY-MM-DD"],
        id="date-with-time-in-supply",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "country: XX\n"
                "production_days: workdays\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:2:10: country: no working-day calendar for country 'XX'"],
        id="workdays-unknown-country",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\nproduction_days: workdays\nmaterials:\n  Dy: {}\ninventory: {Dy: 100}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:2:18: production_days: production_days: workdays needs a country"],
        id="workdays-without-country",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, filed: 2025-05-01}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:6:5: supply[0]: transit_days is required here"],
        id="missing-transit-days",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, arrives: 2025-06-20}\n"
                "  - {material: Dy, qty: 9, every_days: 30, first_filed: 2025-06-01}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:7:5: supply[1]: transit_days is required here"],
        id="missing-transit-days-standing-order",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "transit_days: 10\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, arrives: 2025-06-20, filed: 2025-05-01}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:7:5: supply[0]: a supply entry is exactly one of"],
        id="mixed-supply-kinds",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "transit_days: 10\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, filed: 2025-06-02, approved: 2025-06-01}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:7:5: supply[0]: approved (2025-06-01) is before filed (2025-06-02)"],
        id="approved-before-filed",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\n"
                "transit_days: 10\n"
                "materials:\n"
                "  Dy: {}\n"
                "inventory: {Dy: 100}\n"
                "supply:\n"
                "  - {material: Dy, qty: 5, filed: 2025-06-02, channel: express}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:7:56: supply[0].channel: Input should be 'standard' or 'green'"],
        id="unknown-channel",
    ),
    pytest.param(
        {
            "p.yaml": (
                "id: p1\nmaterials:\n  m: {unit: pcs, composition: {Dy: 5}}\ninventory: {m: 1}\n"
            )
        },
        ["validate", "p.yaml"],
        ["p.yaml:3:6: materials.m: mass_g (grams per piece) is required when unit is pcs"],
        id="pcs-without-mass",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  m: {composition: {Nd: 30, Dy: 80}}\ninventory: {m: 1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:3:20: materials.m.composition: composition adds up to 110 %, more than 100 %"],
        id="composition-over-100",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nend_use: army\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:2:10: end_use: Input should be 'civilian', 'dual-use' or 'military'"],
        id="unknown-end-use",
    ),
    pytest.param(
        {"p.yaml": "id: P1\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:1:5: id: String should match pattern"],
        id="plant-id-uppercase",
    ),
    pytest.param(
        {"p.yaml": "name: no id\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:1:1: id: Field required"],
        id="plant-without-id",
    ),
    pytest.param(
        {
            "a.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n",
            "b.yaml": (
                "plants:\n  - id: p2\n    materials: {Dy: {}}\n    inventory: {Dy: 1}\n"
                "  - id: p1\n    materials: {Dy: {}}\n    inventory: {Dy: 1}\n"
            ),
        },
        ["validate", "a.yaml", "b.yaml"],
        ["b.yaml:5:9: plants[1].id: duplicate plant id 'p1' (first at a.yaml:1:5)"],
        id="duplicate-plant-id-across-files",
    ),
    pytest.param(
        {
            "s.yaml": "scenarios:\n  - name: a\n    approval_rate: 0.5\n"
            "  - name: a\n    approval_rate: 0.2\n"
        },
        ["validate", "p.yaml", "--scenarios", "s.yaml"],
        ["s.yaml:4:11: scenarios[1].name: duplicate scenario name 'a' (first on line 2)"],
        id="duplicate-scenario-name",
    ),
    pytest.param(
        {
            "s.yaml": "scenarios:\n  - name: steps\n    approval_rate:\n"
            "      - {from: 2025-06-01, rate: 0.2}\n      - {from: 2025-05-01, rate: 0.3}\n"
        },
        ["runway", "p.yaml", "--scenarios", "s.yaml"],
        [
            "s.yaml:4:7: scenarios[0].approval_rate: steps must be in strictly increasing "
            "'from' order: 2025-05-01 follows 2025-06-01"
        ],
        id="steps-out-of-order",
    ),
    pytest.param(
        {"s.yaml": "scenarios:\n  - name: high\n    approval_rate: 1.5\n"},
        ["runway", "p.yaml", "--scenarios", "s.yaml"],
        ["s.yaml:3:20: scenarios[0].approval_rate: Input should be less than or equal to 1"],
        id="scenario-rate-over-1",
    ),
    pytest.param(
        {"s.yaml": "scenarios:\n  - name: a\n    approval_rate: 0.5\n    review_days: 20\n"},
        ["validate", "p.yaml", "--scenarios", "s.yaml"],
        [
            "s.yaml:4:5: scenarios[0].review_days: unknown key 'review_days'; "
            "did you mean 'review_working_days'?"
        ],
        id="scenario-typo-key",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: " + "9" * 5000 + "}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:4:17: inventory.Dy: number has 5000 digits"],
        id="5000-digit-number-with-path",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: .nan}\ndemand: {Dy: .inf}\n"},
        ["validate", "p.yaml"],
        [
            "p.yaml:4:17: inventory.Dy: Input should be a finite number",
            "p.yaml:5:14: demand.Dy: Input should be a finite number",
        ],
        id="nan-and-inf",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: true}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:4:17: inventory.Dy: Input should be a valid number (got True)"],
        id="boolean-quantity",
    ),
    pytest.param(
        {"p.yaml": b"id: p1\nname: ok\nregion: caf\xe9\nmaterials:\n  Dy: {}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:3:12: not valid UTF-8 (byte 0xe9)"],
        id="invalid-utf8",
    ),
    pytest.param(
        {"p.yaml": ""},
        ["validate", "p.yaml"],
        ["p.yaml:1:1: the file is empty"],
        id="empty-file",
    ),
    pytest.param(
        {"p.yaml": "# nothing here\n\n"},
        ["validate", "p.yaml"],
        ["p.yaml:1:1: the file is empty"],
        id="comment-only-file",
    ),
    pytest.param(
        {"p.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))},
        ["validate", "p.yaml"],
        ["p.yaml:1:1: "],
        id="binary-png",
    ),
    pytest.param(
        {"p.yaml": "- id: p1\n- id: p2\n"},
        ["validate", "p.yaml"],
        ["p.yaml:1:1: expected a mapping (one plant with an id, or a portfolio with plants)"],
        id="list-at-top-level",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials: [Dy\n"},
        ["validate", "p.yaml"],
        ["p.yaml:3:1: invalid YAML"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n---\nid: p2\n"},
        ["validate", "p.yaml"],
        ["p.yaml:5:1: a file holds one YAML document; found a second"],
        id="two-documents",
    ),
    pytest.param(
        {"p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: *nothing}\n"},
        ["validate", "p.yaml"],
        ["p.yaml:4:17: alias *nothing has no anchor &nothing before it"],
        id="undefined-alias",
    ),
    pytest.param(
        {
            "p.yaml": "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\n",
            "e.yaml": "elements: []\nregimes:\n  - id: r\n",
        },
        ["validate", "p.yaml", "--elements", "e.yaml"],
        ["e.yaml:3:5: regimes[0].title: Field required"],
        id="bad-elements-file",
    ),
]


@pytest.mark.parametrize(("files", "args", "expected"), MISTAKES)
def test_user_mistake(
    cwd: Path, files: dict[str, str | bytes], args: list[str], expected: list[str]
):
    write(cwd, "p.yaml", PLANT)  # a valid plant, replaced when the case gives its own
    for name, content in files.items():
        write(cwd, name, content)
    lines = assert_input_error(run(*args), *expected)
    for line in lines:  # every line has the FILE:LINE:COL: shape
        assert PROBLEM.match(line), line


def test_duplicate_key_reported_at_second_occurrence(cwd: Path) -> None:
    text = "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 100}\ndemand:\n  Dy: 1\n  Dy: 2\n"
    write(cwd, "p.yaml", text)
    lines = assert_input_error(run("validate", "p.yaml"), "p.yaml:7:3: ")
    assert len(lines) == 1
    assert "duplicate key 'Dy' (first given on line 6)" in lines[0]


def test_duplicate_key_at_depth_and_in_json(cwd: Path) -> None:
    text = (
        "id: p1\nmaterials:\n  magnet:\n    composition: {Nd: 30, Nd: 31}\n"
        "  magnet:\n    composition: {Dy: 3}\ninventory: {magnet: 1}\n"
    )
    write(cwd, "p.yaml", text)
    lines = assert_input_error(run("validate", "p.yaml"), "p.yaml:4:27: ", "p.yaml:5:3: ")
    assert "duplicate key 'Nd'" in lines[0]
    assert "duplicate key 'magnet' (first given on line 3)" in lines[1]
    text = '{"id": "p1", "materials": {"Dy": {}}, "inventory": {"Dy": 1}, "id": "p2"}'
    write(cwd, "p.json", text)
    lines = assert_input_error(run("validate", "p.json"), "p.json:1:63: ")
    assert "duplicate key 'id'" in lines[0]


def test_5000_digit_number_points_at_the_value(cwd: Path) -> None:
    write(cwd, "p.yaml", "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: " + "9" * 5000 + "}\n")
    lines = assert_input_error(run("validate", "p.yaml"), "p.yaml:4:17: ")
    assert "5000 digits" in lines[0]


def test_5000_digit_float_refused(cwd: Path) -> None:
    write(cwd, "p.yaml", "id: p1\nmaterials:\n  Dy: {}\ndemand: {Dy: 1." + "5" * 5000 + "}\n")
    lines = assert_input_error(run("validate", "p.yaml"), "p.yaml:4:14: ")
    assert len(lines) == 1


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object:os.system p1",
        "!!python/object/apply:os.system ['echo hi']",
        "!!python/name:os.system",
        "!custom p1",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
    ],
)
def test_tags_never_construct_objects(cwd: Path, tagged: str) -> None:
    write(cwd, "p.yaml", f"id: {tagged}\nmaterials:\n  Dy: {{}}\ninventory: {{Dy: 1}}\n")
    lines = assert_input_error(run("validate", "p.yaml"), "p.yaml:1:5: ")
    assert "tag" in lines[0]
    assert "not allowed" in lines[0]


def test_alias_bomb_refused_quickly(cwd: Path) -> None:
    lines = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"l{level}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    write(cwd, "p.yaml", text)
    started = time.perf_counter()
    result = run("validate", "p.yaml")
    elapsed = time.perf_counter() - started
    (line,) = assert_input_error(result, "p.yaml:")
    assert elapsed < 10, elapsed
    match = PROBLEM.match(line)
    assert match, line
    row, column = int(match["line"]), int(match["col"])
    at_alias = text.splitlines()[row - 1][column - 1] == "*"
    assert (row, column) == (1, 1) or at_alias, line
    assert "alias" in line


def test_aliases_within_budget_are_accepted(cwd: Path) -> None:
    text = (
        "id: p1\nas_of: 2025-06-02\nmaterials:\n  Dy: {}\ninventory: {Dy: 10}\n"
        "demand: {Dy: 1}\nsupply:\n  - &ship {material: Dy, qty: 10, arrives: 2025-06-05}\n"
        "  - *ship\n"
    )
    write(cwd, "p.yaml", text)
    document = runway_json("p.yaml", "--rate", "1")
    # Two identical shipments of 10 on day 3: 30 kg in all, short from day 30.
    assert document["plants"][0]["results"][0]["runway_days"] == 30


@pytest.mark.parametrize(
    "text",
    ["[" * 10_000 + "]" * 10_000 + "\n", "id: p1\nname: " + "{a: " * 10_000 + "1" + "}" * 10_000],
    ids=["lists", "mappings"],
)
def test_deep_nesting_refused_quickly(cwd: Path, text: str) -> None:
    write(cwd, "p.yaml", text)
    started = time.perf_counter()
    result = run("validate", "p.yaml")
    assert time.perf_counter() - started < 10
    (line,) = assert_input_error(result, "p.yaml:")
    match = PROBLEM.match(line)
    assert match, line
    assert match["line"] == ("1" if text.startswith("[") else "2")
    assert "nesting" in line


def test_max_bytes_limit(cwd: Path) -> None:
    text = PLANT + "# padding\n" * 2000  # bigger than the shipped elements.yaml
    path = write(cwd, "p.yaml", text)
    size = path.stat().st_size
    limit = size - 1
    result = run("validate", "p.yaml", env={"REERISK_MAX_BYTES": str(limit)})
    (line,) = assert_input_error(result, "p.yaml:1:1: ")
    assert f"file is {size} bytes, over the limit of {limit}" in line
    assert_ok(run("validate", "p.yaml", env={"REERISK_MAX_BYTES": str(size)}))


def test_binary_file_points_at_1_1(cwd: Path) -> None:
    """SPEC §2.2.1: a binary file has no natural line; the error points at FILE:1:1."""
    write(cwd, "p.yaml", bytes(range(256)) * 4)
    (line,) = assert_input_error(run("validate", "p.yaml"), "p.yaml:1:1: ")
    assert "Traceback" not in line


# --- accepted inputs -------------------------------------------------------------------------


def test_country_no_is_norway_not_false(cwd: Path) -> None:
    text = (
        "id: p1\ncountry: NO\nproduction_days: workdays\nas_of: 2025-06-02\n"
        "materials:\n  Dy: {}\ninventory: {Dy: 10}\ndemand: {Dy: 1}\n"
    )
    write(cwd, "p.yaml", text)
    document = runway_json("p.yaml", "--rate", "1")
    # Norwegian working days from Mon 2 June 2025, Whit Monday (9 June) off:
    # 2-6, 10-13 and 16 June use the 10 kg; 17 June (day 15) is short.
    assert document["plants"][0]["results"][0]["runway_days"] == 15


def test_yes_no_on_off_are_text(cwd: Path) -> None:
    text = PLANT.replace("id: p1\n", "id: p1\nname: yes\nregion: off\n")
    write(cwd, "p.yaml", text)
    document = runway_json("p.yaml", "--rate", "1")
    assert document["plants"][0]["name"] == "yes"
    assert_ok(run("validate", "p.yaml"))


def test_quoted_dates_accepted(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT.replace("as_of: 2025-06-02", 'as_of: "2025-06-02"'))
    assert runway_json("p.yaml", "--rate", "1")["plants"][0]["as_of"] == "2025-06-02"


def test_bom_and_crlf_accepted(cwd: Path) -> None:
    data = b"\xef\xbb\xbf" + PLANT.replace("\n", "\r\n").encode("utf-8")
    write(cwd, "p.yaml", data)
    result = run("validate", "p.yaml")
    assert_ok(result)
    assert result.stdout == "ok: 1 plant, 0 scenarios\n"
    assert runway_json("p.yaml", "--rate", "1")["plants"][0]["results"][0]["runway_days"] == 100


def test_crlf_errors_keep_their_positions(cwd: Path) -> None:
    text = "\ufeffid: p1\r\nmaterials:\r\n  Dy: {}\r\ninventory: {Dy: -1}\r\n"
    write(cwd, "p.yaml", text)
    assert_input_error(run("validate", "p.yaml"), "p.yaml:4:17: inventory.Dy: ")


def test_json_plant_file_accepted(cwd: Path) -> None:
    plant = {
        "id": "p1",
        "as_of": "2025-06-02",
        "materials": {"Dy": {}},
        "inventory": {"Dy": 100},
        "demand": {"Dy": 1},
    }
    write(cwd, "p.json", json.dumps(plant, indent=2))
    assert_ok(run("validate", "p.json"))
    document = runway_json("p.json", "--rate", "1")
    assert document["plants"][0]["results"][0]["runway_days"] == 100


# --- several problems in one run -------------------------------------------------------------


def test_three_independent_mistakes_give_three_lines(cwd: Path) -> None:
    text = (
        "materials:\n"
        "  Dy: {}\n"
        "plants:\n"
        "  - id: a\n"
        "    invetory: {Dy: 1}\n"  # 5: typo
        "  - id: b\n"
        "    inventory: {Dy: -3}\n"  # 7: negative
        "  - id: c\n"
        "    inventory: {Dy: 1, Tb: 1}\n"  # 9: undefined
    )
    write(cwd, "p.yaml", text)
    lines = assert_input_error(
        run("validate", "p.yaml"),
        "p.yaml:5:5: plants[0].invetory: unknown key 'invetory'; did you mean 'inventory'?",
        "p.yaml:7:21: plants[1].inventory.Dy: Input should be greater than or equal to 0",
        "p.yaml:9:24: plants[2].inventory.Tb: material 'Tb' is not defined",
    )
    assert len(lines) == 3, lines


def test_three_mistakes_in_a_scenario_file(cwd: Path) -> None:
    text = (
        "scenarios:\n"
        "  - name: a\n"
        "    approval_rate: 0.5\n"
        "  - name: b\n"
        "    approval_rate: 1.5\n"
        "  - name: a\n"
        "    approval_rate: 0.2\n"
        "  - name: steps\n"
        "    approval_rate:\n"
        "      - {from: 2025-06-01, rate: 0.2}\n"
        "      - {from: 2025-05-01, rate: 0.3}\n"
    )
    write(cwd, "s.yaml", text)
    lines = assert_input_error(
        run("validate", PLANTS, "--scenarios", "s.yaml"),
        "s.yaml:5:20: scenarios[1].approval_rate: ",
        "s.yaml:6:11: scenarios[2].name: duplicate scenario name 'a'",
        "s.yaml:10:7: scenarios[3].approval_rate: steps must be in strictly increasing",
    )
    assert len(lines) == 3, lines


def test_problems_of_every_file_in_one_run(cwd: Path) -> None:
    write(cwd, "a.yaml", "id: a\nmaterials:\n  Dy: {}\ninventory: {Dy: -1}\n")
    write(cwd, "b.yaml", "id: b\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\nsurplus: 1\n")
    write(cwd, "s.yaml", "scenarios:\n  - name: x\n    approval_rate: 2\n")
    write(cwd, "e.yaml", "elements: []\nregimes: []\nextra: 1\n")
    lines = assert_input_error(
        run("runway", "a.yaml", "b.yaml", "--scenarios", "s.yaml", "--elements", "e.yaml"),
        "e.yaml:3:1: extra: unknown key",
        "a.yaml:4:17: inventory.Dy: ",
        "b.yaml:5:1: surplus: unknown key",
        "s.yaml:3:20: scenarios[0].approval_rate: ",
    )
    assert len(lines) == 4, lines


def test_cross_reference_problems_not_hidden_by_a_type_error(cwd: Path) -> None:
    """SPEC §5: all the problems in a file are reported in one run."""
    write(cwd, "p.yaml", "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: -1, Tb: 5}\n")
    lines = assert_input_error(
        run("validate", "p.yaml"),
        "p.yaml:4:17: inventory.Dy: Input should be greater than or equal to 0",
        "p.yaml:4:21: inventory.Tb: material 'Tb' is not defined",
    )
    assert len(lines) == 2, lines


def test_undefined_only_material_is_one_problem(cwd: Path) -> None:
    """One mistake, one line: no extra "needs at least one material" for a plant that names one."""
    write(cwd, "p.yaml", "materials:\n  Dy: {}\nplants:\n  - id: p1\n    inventory: {Tb: 1}\n")
    lines = assert_input_error(
        run("validate", "p.yaml"),
        "p.yaml:5:17: plants[0].inventory.Tb: material 'Tb' is not defined",
    )
    assert len(lines) == 1, lines


def test_problem_lines_are_in_file_order(cwd: Path) -> None:
    text = (
        "id: p1\n"
        "materials:\n"
        "  Dy: {}\n"
        "demand: {Dy: -1}\n"
        "inventory:\n"
        "  Dy: 1\n"
        "  Dy: 2\n"
        "as_of: 2025-02-30\n"
    )
    write(cwd, "p.yaml", text)
    lines = assert_input_error(run("validate", "p.yaml"))
    rows = [int(PROBLEM.match(line)["line"]) for line in lines]  # type: ignore[index]
    assert rows == sorted(rows)
    assert rows == [4, 7, 8]


def test_more_than_50_problems_stop_at_50(cwd: Path) -> None:
    plants = "".join(
        f"  - id: p{n}\n    inventory: {{Dy: -{n + 1}}}\n" for n in range(60)
    )  # 60 problems, one per plant, on lines 5, 7, 9, ...
    write(cwd, "p.yaml", "materials:\n  Dy: {}\nplants:\n" + plants)
    lines = assert_input_error(run("validate", "p.yaml"))
    assert len(lines) == 51, lines
    assert lines[-1] == "… and 10 more"
    for n, line in enumerate(lines[:50]):
        assert line.startswith(f"p.yaml:{5 + 2 * n}:21: plants[{n}].inventory.Dy: "), line


def test_exactly_50_problems_have_no_more_line(cwd: Path) -> None:
    plants = "".join(f"  - id: p{n}\n    inventory: {{Dy: -1}}\n" for n in range(50))
    write(cwd, "p.yaml", "materials:\n  Dy: {}\nplants:\n" + plants)
    lines = assert_input_error(run("validate", "p.yaml"))
    assert len(lines) == 50
    assert not any("more" in line for line in lines)


def test_portfolio_key_typo_suggests_plants(cwd: Path) -> None:
    """SPEC §2.2: unknown keys are errors with a "did you mean" hint."""
    write(cwd, "p.yaml", "materials:\n  Dy: {}\nplant:\n  - id: p1\n    inventory: {Dy: 1}\n")
    lines = assert_input_error(run("validate", "p.yaml"))
    assert any(
        line.startswith("p.yaml:3:1: plant: unknown key 'plant'; did you mean 'plants'?")
        for line in lines
    ), lines


# --- input files are never modified ----------------------------------------------------------


def test_input_files_are_never_modified(tmp_path: Path) -> None:
    plants = shutil.copy(PLANTS, tmp_path / "plants.yaml")
    scenarios = shutil.copy(SCENARIOS, tmp_path / "scenarios.yaml")
    watched = [Path(plants), Path(scenarios), PLANTS, SCENARIOS]
    before = {path: (sha256(path), path.stat().st_mtime_ns) for path in watched}
    for output_format in ("table", "json", "csv", "markdown"):
        result = run(
            "runway",
            plants,
            "--scenarios",
            scenarios,
            "--format",
            output_format,
            "--output",
            tmp_path / f"out.{output_format}",
        )
        assert_ok(result)
    assert_ok(run("validate", plants, "--scenarios", scenarios))
    assert_ok(run("runway", PLANTS, "--scenarios", SCENARIOS, "--format", "json"))
    after = {path: (sha256(path), path.stat().st_mtime_ns) for path in watched}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.csv",
        "out.json",
        "out.markdown",
        "out.table",
        "plants.yaml",
        "scenarios.yaml",
    ]


def test_bad_input_file_is_not_modified(cwd: Path) -> None:
    path = write(cwd, "p.yaml", "\ufeffid: p1\r\nmaterials:\r\n  Dy: {}\r\ninvetory: {Dy: 1}\r\n")
    before = sha256(path)
    assert run("runway", "p.yaml").exit_code == 2
    assert sha256(path) == before


# --- elements -------------------------------------------------------------------------------

NO_18 = ["Sc", "Y", "Sm", "Gd", "Tb", "Dy", "Lu"]  # in Z order
NO_18_AND_57 = ["Sc", "Y", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"]


def elements_json(*args: object) -> dict:
    result = run("elements", *args, "--format", "json")
    assert_ok(result)
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("day", "controlled", "status"),
    [
        ("2025-04-03", [], ["not yet in force", "not yet in force", "not yet in force"]),
        ("2025-04-04", NO_18, ["in force", "not yet in force", "not yet in force"]),
        ("2025-06-02", NO_18, ["in force", "not yet in force", "not yet in force"]),
        ("2026-01-01", NO_18, ["in force", "suspended", "suspended"]),
        ("2026-11-10", NO_18, ["in force", "suspended", "suspended"]),
        ("2026-11-11", NO_18_AND_57, ["in force", "in force", "in force"]),
    ],
)
def test_elements_on_a_date(day: str, controlled: list[str], status: list[str]) -> None:
    document = elements_json("--date", day)
    assert document["date"] == day
    assert len(document["elements"]) == 17
    zs = [e["z"] for e in document["elements"]]
    assert zs == sorted(zs)
    assert [e["symbol"] for e in document["elements"] if e["controlled"]] == controlled
    for element in document["elements"]:
        assert {"symbol", "name", "z", "group", "controlled", "regimes"} <= set(element)
        assert element["controlled"] == bool(element["regimes"])
    assert [r["id"] for r in document["regimes"]] == [
        "mofcom-gac-2025-18",
        "mofcom-gac-2025-57",
        "mofcom-2025-61",
    ]
    assert [r["status"] for r in document["regimes"]] == status


def test_elements_dysprosium_controlled_by_no_18_on_2025_06_02() -> None:
    document = elements_json("--date", "2025-06-02")
    (dy,) = [e for e in document["elements"] if e["symbol"] == "Dy"]
    assert dy["regimes"] == ["mofcom-gac-2025-18"]
    assert dy["group"] == "heavy"
    (nd,) = [e for e in document["elements"] if e["symbol"] == "Nd"]
    assert nd["controlled"] is False


@pytest.mark.parametrize(
    ("output_format", "marker"),
    [("table", "Dy"), ("csv", "symbol,name,z,group,controlled,regimes"), ("markdown", "|---")],
)
def test_elements_formats(output_format: str, marker: str) -> None:
    result = run("elements", "--date", "2025-06-02", "--format", output_format)
    assert_ok(result)
    assert marker in result.stdout
    assert not ANSI.search(result.stdout)


def test_elements_csv_rows() -> None:
    result = run("elements", "--date", "2026-11-11", "--format", "csv")
    assert_ok(result)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 17
    (ho,) = [row for row in rows if row["symbol"] == "Ho"]
    assert ho["regimes"].split() == ["mofcom-gac-2025-57", "mofcom-2025-61"]


def test_elements_replacement_file(cwd: Path) -> None:
    write(
        cwd,
        "e.yaml",
        "elements:\n"
        "  - {symbol: Dy, name: dysprosium, z: 66, group: heavy}\n"
        "  - {symbol: Nd, name: neodymium, z: 60, group: light}\n"
        "regimes:\n"
        "  - id: new-rule\n    title: t\n    authority: a\n    document: d\n    source: s\n"
        "    effective: 2030-01-01\n    elements: [Nd]\n",
    )
    document = elements_json("--elements", "e.yaml", "--date", "2030-01-01")
    assert [(e["symbol"], e["controlled"]) for e in document["elements"]] == [
        ("Nd", True),
        ("Dy", False),
    ]
    # The replacement also drives runway: Dy is no longer controlled.
    write(cwd, "p.yaml", PLANT)
    runway = runway_json("p.yaml", "--rate", "1", "--elements", "e.yaml")
    assert runway["plants"][0]["results"][0]["materials"][0]["controlled"] is False


def test_elements_bad_date() -> None:
    assert_usage_error(run("elements", "--date", "2025-02-30"), "--date '2025-02-30'")


def test_elements_bad_reference_file(cwd: Path) -> None:
    write(cwd, "e.yaml", "elements: []\nregimes:\n  - id: r\n    effective: soon\n")
    lines = assert_input_error(
        run("elements", "--elements", "e.yaml"), "e.yaml:3:5: regimes[0].title: Field required"
    )
    assert any(line.startswith("e.yaml:4:16: regimes[0].effective: ") for line in lines)


# --- schema ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "property_name"),
    [("plants", "inventory"), ("scenarios", "scenarios"), ("elements", "regimes")],
)
def test_schema(kind: str, property_name: str) -> None:
    result = run("schema", kind)
    assert_ok(result)
    document = json.loads(result.stdout)
    assert document["$schema"].startswith("https://json-schema.org/")
    assert f'"{property_name}"' in result.stdout


def test_schema_defaults_to_plants() -> None:
    default = run("schema")
    assert_ok(default)
    assert default.stdout == run("schema", "plants").stdout
    assert json.loads(default.stdout)["title"] == "reerisk plant file"


def test_schema_unknown_kind() -> None:
    result = run("schema", "bogus")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stdout == ""
    assert "bogus" in result.stderr


# --- file names ------------------------------------------------------------------------------


def test_problem_file_name_is_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: -1}\n")
    assert_input_error(run("validate", path), f"{path}:{where(path.read_text(), '-1')}: ")


def test_markdown_shows_user_text_literally(tmp_path: Path) -> None:
    # A name with `*`, `_` and `|`, and scenario names that would otherwise be emphasis.
    plant = PLANT.replace("id: p1\n", "id: p1\nname: 'Line *A* | old_site'\n")
    scenarios = (
        "scenarios:\n  - {name: '*hot*', approval_rate: 0.5}\n  - {name: cold, approval_rate: 0}\n"
    )
    write(tmp_path, "p.yaml", plant)
    write(tmp_path, "s.yaml", scenarios)
    for command in ("runway", "compare", "simulate", "report"):
        trials = ["--trials", 5] if command == "simulate" else []
        result = run(command, tmp_path / "p.yaml", "--scenarios", tmp_path / "s.yaml",
                     "--format", "markdown", *trials)  # fmt: skip
        assert_ok(result)
        if command in ("runway", "compare", "report"):  # simulate's table has no plant names
            assert r"Line \*A\* \| old\_site" in result.stdout, command
        assert r"| \*hot\* |" in result.stdout, command
        assert "*hot*" not in result.stdout.replace(r"\*hot\*", ""), command


@pytest.mark.parametrize("columns", ["70", "80", "100", "120"])
def test_narrow_tables_never_split_a_date(columns: str) -> None:
    # A date folded to `2025-08-1` / `8` reads as 1 August; the table keeps dates whole.
    for extra in (["--scenarios", SCENARIOS], []):
        result = run("runway", PLANTS, *extra, env={"COLUMNS": columns})
        assert_ok(result)
        pieces = re.findall(r"\b\d{4}-[\d-]*", result.stdout)
        assert pieces and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p) for p in pieces), pieces
        assert all(len(line) <= int(columns) for line in result.stdout.splitlines())
        if columns != "70":  # 80 is wide enough for the default grid's material ids
            assert "brake-ndfeb-block" in result.stdout or extra, columns


def test_rate_scenarios_are_named_as_precisely_as_the_rate(cwd: Path) -> None:
    # 0.5834 and 0.5833 both round to 58.3 %: their names must still differ.
    write(cwd, "p.yaml", PLANT)
    result = run("runway", "p.yaml", "--rate", "0.5834", "--rate", "58.33%", "--format", "json")
    assert_ok(result)
    names = [s["name"] for s in json.loads(result.stdout)["scenarios"]]
    assert names == ["58.34%", "58.33%"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runway", "p.yaml", "--fromat", "json"], "No such option: --fromat (Possible options: "
         "--format, --rate) (see 'reerisk runway --help')"),
        (["runway", "p.yaml", "--format", "JSON"], "Invalid value for '--format': 'JSON' is not "
         "one of 'table', 'json', 'csv', 'markdown'."),
        (["simulate"], "Missing argument 'FILE'. (see 'reerisk simulate --help')"),
        (["runwya", "p.yaml"], "No such command 'runwya'. Did you mean 'runway'?"),
        (["--bogus"], "No such option: --bogus (see 'reerisk --help')"),
        # Click would keep the last and silently drop the first file:
        (["runway", "p.yaml", "--scenarios", "a.yaml", "--scenarios=b.yaml"],
         "--scenarios is given 2 times; give it once"),
        (["compare", "p.yaml", "--fail-under", "10", "--fail-under", "20"],
         "--fail-under is given 2 times; give it once"),
    ],
)  # fmt: skip
def test_command_line_mistakes_are_one_line(cwd: Path, args: list[str], message: str) -> None:
    write(cwd, "p.yaml", PLANT)
    assert_usage_error(run(*args), message)


def test_repeatable_options_may_repeat(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    assert_ok(run("runway", "p.yaml", "--rate", "0.2", "--rate", "0.3", "--format", "csv"))
