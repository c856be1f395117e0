"""`reerisk compare`: sorting, baseline and earlier-run deltas, CI gates, formats (issue 3)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shlex
import shutil
from pathlib import Path

import pytest
from cli_helpers import (
    ANSI,
    PLANTS,
    ROOT,
    SAMPLE_PLANT_IDS,
    SCENARIOS,
    assert_input_error,
    assert_no_traceback,
    assert_ok,
    assert_usage_error,
    run,
    stderr_lines,
    write,
)

from reerisk import __version__
from reerisk.compare import (
    NO_LONGER_STOCKS_OUT,
    NOW_STOCKS_OUT,
    Cell,
    Delta,
    Row,
    delta,
    sort_rows,
)
from reerisk.render.compare import delta_text

# Four plants of 1 kg Dy a day, seen on 2025-06-02, over a 200-day horizon:
#   steady, also-steady  100 kg: out on day 100 whatever the rate
#   licensed             40 kg, and 400 kg under review (decided 2025-07-07, day 35):
#                        day 40 at 0 %, day 140 at 25 %, none within 200 days at 100 %
#   ample                500 kg: no stockout within the horizon
PORTFOLIO = """\
materials:
  Dy: {}
plants:
  - id: steady
    as_of: 2025-06-02
    inventory: {Dy: 100}
    demand: {Dy: 1}
  - id: licensed
    as_of: 2025-06-02
    inventory: {Dy: 40}
    demand: {Dy: 1}
    supply:
      - {material: Dy, qty: 400, filed: 2025-05-01, transit_days: 0}
  - id: ample
    as_of: 2025-06-02
    inventory: {Dy: 500}
    demand: {Dy: 1}
  - id: also-steady
    as_of: 2025-06-02
    inventory: {Dy: 100}
    demand: {Dy: 1}
"""
GRID = ("--rate", "0", "--rate", "25%", "--rate", "1", "--horizon", "200")
RUNWAYS = {  # plant -> runway under 0 %, 25 %, 100 %
    "steady": [100, 100, 100],
    "licensed": [40, 140, None],
    "ample": [None, None, None],
    "also-steady": [100, 100, 100],
}


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path with the portfolio as plants.yaml, so names in messages are short."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "plants.yaml", PORTFOLIO)
    return tmp_path


def compare_json(*args: object, code: int = 0) -> dict:
    result = run("compare", *args, "--format", "json")
    assert result.exit_code == code, result.output
    assert_no_traceback(result)
    return json.loads(result.stdout)


def rows_of(document: dict) -> dict[str, dict]:
    return {row["plant"]: row for row in document["comparison"]["rows"]}


# --- deltas, pure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "days", "change", "text", "drop"),
    [
        (40, 52, 12, "longer", "+12", 0.0),
        (40, 10, -30, "shorter", "−30", 30.0),
        (40, 40, 0, "same", "0", 0.0),
        (None, None, 0, "same", "0", 0.0),  # shown as `=` where a cell knows both are null
        (40, None, None, NO_LONGER_STOCKS_OUT, "no longer stocks out", 0.0),
        (None, 40, None, NOW_STOCKS_OUT, "now stocks out", math.inf),
    ],
)
def test_delta_covers_every_null_case(
    before: int | None, after: int | None, days: int | None, change: str, text: str, drop: float
) -> None:
    found = delta(before, after)
    assert found == Delta(days, change)
    assert delta_text(found) == text
    assert found.drop_days == drop


def _row(plant: str, *runways: int | None) -> Row:
    cells = tuple(
        Cell(f"s{i}", days, None, None, None, (), None, None) for i, days in enumerate(runways)
    )
    return Row(plant, "", cells)


def test_sort_rows_worst_first_nulls_last_ties_by_id() -> None:
    rows = [_row("c", None, None), _row("b", 90, 5), _row("a", 5, None), _row("d", 70, 80)]
    assert [r.plant for r in sort_rows(rows)] == ["a", "b", "d", "c"]
    assert [r.plant for r in sort_rows(rows, "s1")] == ["b", "d", "a", "c"]


# --- sorting through the command line ------------------------------------------------------


def test_rows_sorted_by_worst_runway_nulls_last_ties_by_plant_id(cwd: Path) -> None:
    document = compare_json("plants.yaml", *GRID)
    rows = document["comparison"]["rows"]
    assert [r["plant"] for r in rows] == ["licensed", "also-steady", "steady", "ample"]
    assert [r["worst_runway_days"] for r in rows] == [40, 100, 100, None]
    for row in rows:
        runways = [row["scenarios"][name]["runway_days"] for name in ("0%", "25%", "100%")]
        assert runways == RUNWAYS[row["plant"]]
    assert document["comparison"]["sort"] is None


def test_sort_by_one_scenario(cwd: Path) -> None:
    document = compare_json("plants.yaml", *GRID, "--sort", "25%")
    assert [r["plant"] for r in document["comparison"]["rows"]] == [
        "also-steady",
        "steady",
        "licensed",
        "ample",
    ]
    assert document["comparison"]["sort"] == "25%"
    document = compare_json("plants.yaml", *GRID, "--sort", "100%")
    order = [r["plant"] for r in document["comparison"]["rows"]]
    assert order == ["also-steady", "steady", "ample", "licensed"]  # nulls last, by id


def test_sort_by_unknown_scenario_is_a_usage_error(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--sort", "50%")
    assert_usage_error(result, "--sort '50%' is not a scenario of this run; it has: 0%, 25%, 100%")


def test_table_and_markdown_follow_the_sorted_order(cwd: Path) -> None:
    for output_format in ("table", "markdown"):
        result = run("compare", "plants.yaml", *GRID, "--format", output_format)
        assert_ok(result)
        positions = [result.stdout.index(p) for p in ("licensed", "also-steady", "ample")]
        assert positions == sorted(positions), output_format
        assert not ANSI.search(result.stdout)


# --- the binding material and its controlled elements -----------------------------------------


def test_binding_material_controlled_elements_breakeven_and_shortfall() -> None:
    document = compare_json(PLANTS, "--scenarios", SCENARIOS, "--scenario", "embargo")
    rows = rows_of(document)
    cell = rows["de-ev-traction"]["scenarios"]["embargo"]
    assert cell["binding_material"] == "rotor-ndfeb-ht"
    # Nd and Pr are in the magnet too, but not controlled; Tb before Dy, by atomic number.
    assert cell["controlled_elements"] == ["Tb", "Dy"]
    plant = next(p for p in document["plants"] if p["id"] == "de-ev-traction")
    material = plant["results"][0]["materials"][0]
    assert cell["shortfall"] == material["shortfall"]
    assert cell["breakeven_rate"] == plant["results"][0]["breakeven_rate"]
    assert cell["unit"] == "pcs"
    assert rows["us-defense-actuators"]["scenarios"]["embargo"]["controlled_elements"] == ["Sm"]


def test_no_stockout_has_no_binding_material(cwd: Path) -> None:
    cell = rows_of(compare_json("plants.yaml", *GRID))["ample"]["scenarios"]["0%"]
    assert cell["binding_material"] is None
    assert cell["controlled_elements"] == []
    assert cell["shortfall"] is None
    assert cell["breakeven_rate"] == 0.0


# --- --baseline ------------------------------------------------------------------------------


def test_baseline_deltas_in_json(cwd: Path) -> None:
    rows = rows_of(compare_json("plants.yaml", *GRID, "--baseline", "25%"))
    licensed = rows["licensed"]["scenarios"]
    assert (licensed["0%"]["delta_vs_baseline"], licensed["0%"]["change_vs_baseline"]) == (
        -100,
        "shorter",
    )
    assert (licensed["25%"]["delta_vs_baseline"], licensed["25%"]["change_vs_baseline"]) == (
        0,
        "same",
    )
    assert licensed["100%"]["delta_vs_baseline"] is None
    assert licensed["100%"]["change_vs_baseline"] == "no_longer_stocks_out"
    ample = rows["ample"]["scenarios"]["0%"]
    assert (ample["delta_vs_baseline"], ample["change_vs_baseline"]) == (0, "same")
    steady = rows["steady"]["scenarios"]["100%"]
    assert (steady["delta_vs_baseline"], steady["change_vs_baseline"]) == (0, "same")

    rows = rows_of(compare_json("plants.yaml", *GRID, "--baseline", "100%"))
    licensed = rows["licensed"]["scenarios"]
    assert licensed["0%"]["delta_vs_baseline"] is None
    assert licensed["0%"]["change_vs_baseline"] == "now_stocks_out"

    rows = rows_of(compare_json("plants.yaml", *GRID, "--baseline", "0%"))
    assert rows["licensed"]["scenarios"]["25%"]["delta_vs_baseline"] == 100
    assert rows["licensed"]["scenarios"]["25%"]["change_vs_baseline"] == "longer"


def test_baseline_deltas_in_text(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--baseline", "25%", "--format", "markdown")
    assert_ok(result)
    lines = {line.split(" | ")[0]: line for line in result.stdout.splitlines()}
    assert "vs 25%: −100" in lines["| **licensed**"]
    assert "vs 25%: no longer stocks out" in lines["| **licensed**"]
    assert "vs 25%: =" in lines["| **ample**"]
    assert "vs 25%: 0" in lines["| **steady**"]
    result = run("compare", "plants.yaml", *GRID, "--baseline", "100%", "--format", "markdown")
    assert "vs 100%: now stocks out" in result.stdout
    result = run("compare", "plants.yaml", *GRID, "--baseline", "0%", "--format", "markdown")
    assert "vs 0%: +100" in result.stdout


def test_baseline_must_be_a_scenario_of_the_run(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--baseline", "embargo")
    assert_usage_error(result, "--baseline 'embargo' is not a scenario of this run")


# --- --against -----------------------------------------------------------------------------


def _previous(cwd: Path, portfolio: str, *args: str, name: str = "previous.json") -> Path:
    write(cwd, "before.yaml", portfolio)
    result = run("compare", "before.yaml", *args, "--format", "json", "--output", name)
    assert result.exit_code == 0, result.output
    return cwd / name


def test_against_shows_the_change_since_the_earlier_run(cwd: Path) -> None:
    # A week ago: steady had 110 kg, licensed 10 kg more, ample only 150 kg (out on day 150).
    before = (
        PORTFOLIO.replace("inventory: {Dy: 100}", "inventory: {Dy: 110}", 1)
        .replace("inventory: {Dy: 40}", "inventory: {Dy: 50}")
        .replace("inventory: {Dy: 500}", "inventory: {Dy: 150}")
    )
    _previous(cwd, before, *GRID)
    rows = rows_of(compare_json("plants.yaml", *GRID, "--against", "previous.json"))
    steady = rows["steady"]["scenarios"]["0%"]
    assert (steady["delta_vs_previous"], steady["change_vs_previous"]) == (-10, "shorter")
    assert steady["previous_runway_days"] == 110
    ample = rows["ample"]["scenarios"]["25%"]
    assert (ample["delta_vs_previous"], ample["change_vs_previous"]) == (
        None,
        "no_longer_stocks_out",
    )
    licensed = rows["licensed"]["scenarios"]
    assert licensed["0%"]["delta_vs_previous"] == -10
    assert licensed["100%"]["change_vs_previous"] == "same"  # null both times
    assert rows["also-steady"]["scenarios"]["0%"]["change_vs_previous"] == "same"


def test_against_names_plants_and_scenarios_that_appeared_or_disappeared(cwd: Path) -> None:
    before = PORTFOLIO.replace("id: also-steady", "id: retired")
    _previous(cwd, before, "--rate", "0", "--rate", "50%", "--horizon", "200")
    document = compare_json("plants.yaml", *GRID, "--against", "previous.json")
    comparison = document["comparison"]
    assert comparison["appeared"] == [
        {"kind": "plant", "name": "also-steady"},
        {"kind": "scenario", "name": "25%"},
        {"kind": "scenario", "name": "100%"},
    ]
    assert comparison["disappeared"] == [
        {"kind": "plant", "name": "retired"},
        {"kind": "scenario", "name": "50%"},
    ]
    assert comparison["against"] == "previous.json"
    rows = rows_of(document)
    assert rows["also-steady"]["scenarios"]["0%"]["change_vs_previous"] is None
    assert rows["steady"]["scenarios"]["25%"]["change_vs_previous"] is None
    assert rows["steady"]["scenarios"]["0%"]["change_vs_previous"] == "same"
    result = run(
        "compare", "plants.yaml", *GRID, "--against", "previous.json", "--format", "markdown"
    )
    assert_ok(result)
    assert (
        "Since previous.json, appeared: plant also-steady, scenario 25%, scenario 100%."
        in result.stdout
    )
    assert "Since previous.json, disappeared: plant retired, scenario 50%." in result.stdout
    assert "since last run: new" in result.stdout


def test_round_trip_compare_json_and_runway_json_are_both_accepted(cwd: Path) -> None:
    _previous(cwd, PORTFOLIO, *GRID)
    document = compare_json("plants.yaml", *GRID, "--against", "previous.json")
    changes = {
        cell["change_vs_previous"]
        for row in document["comparison"]["rows"]
        for cell in row["scenarios"].values()
    }
    assert changes == {"same"}
    assert document["comparison"]["appeared"] == []
    assert document["comparison"]["disappeared"] == []
    # and the output of that run is accepted in turn
    (cwd / "again.json").write_text(json.dumps(document), encoding="utf-8")
    compare_json("plants.yaml", *GRID, "--against", "again.json")

    result = run("runway", "plants.yaml", *GRID, "--format", "json", "--output", "runway.json")
    assert_ok(result)
    document = compare_json("plants.yaml", *GRID, "--against", "runway.json", "--fail-drop", "0")
    assert document["comparison"]["gates"][0]["tripped"] is False


def test_against_with_another_horizon_warns(cwd: Path) -> None:
    _previous(cwd, PORTFOLIO, "--rate", "0", "--horizon", "150")
    result = run(
        "compare",
        "plants.yaml",
        "--rate",
        "0",
        "--horizon",
        "200",
        "--against",
        "previous.json",
        "--format",
        "csv",
    )
    assert_ok(result, "--against previous.json was projected over 150 days and this run over 200")


# --- invalid --against files -----------------------------------------------------------------

GOOD_PLANT = '{"id": "steady", "results": [{"scenario": "0%", "runway_days": 100}]}'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "previous.json:1:1: not valid JSON: Expecting value"),
        (
            '{"reerisk": "0.1.0",\n  "plants": [}',
            "previous.json:2:14: not valid JSON: Expecting value",
        ),
        ("plants: []\n", "previous.json:1:1: not valid JSON: "),
        ("[1, 2]", 'previous.json:1:1: not reerisk JSON output (no "reerisk" key)'),
        ('{"plants": []}', 'previous.json:1:1: not reerisk JSON output (no "reerisk" key)'),
        ('{"reerisk": "0.1.0"}', 'previous.json:1:1: not reerisk JSON output: "plants" is'),
        ('{"reerisk": "0.1.0", "plants": {}}', "previous.json:1:1: not reerisk JSON output: "),
        ('{"reerisk": "0.2.0", "plants": []}', "previous.json:1:1: written by reerisk '0.2.0'"),
        ('{"reerisk": "1.1.0", "plants": []}', "previous.json:1:1: written by reerisk '1.1.0'"),
        ('{"reerisk": 0.1, "plants": []}', "previous.json:1:1: written by reerisk 0.1;"),
        ('{"reerisk": "0.1.0", "plants": [3]}', "previous.json:1:1: plants[0]: expected a plant"),
        (
            '{"reerisk": "0.1.0", "plants": [{"id": "p", "results": [{"scenario": "0%", '
            '"runway_days": "soon"}]}]}',
            "previous.json:1:1: plants[0].results[0].runway_days: runway_days must be a whole",
        ),
        (
            '{"reerisk": "0.1.0", "plants": [{"id": "p", "results": [{"runway_days": 3}]}]}',
            'previous.json:1:1: plants[0].results[0]: expected a result with a "scenario"',
        ),
        (b"\xff\xfe{\x00}\x00", "previous.json:1:1: not valid UTF-8"),
        ("[" * 100_000, "previous.json:1:1: not reerisk JSON output: nested too deeply"),
        (
            '{"reerisk": "0.1.0", "plants": [{"id": "p", "results": [{"scenario": "0%", '
            '"runway_days": ' + "9" * 5000 + "}]}]}",
            "previous.json:1:1: not reerisk JSON output: a number has thousands of digits",
        ),
        (
            '{"reerisk": "0.1.0", "plants": [{"id": "p", "results": [{"scenario": "0%", '
            '"runway_days": ' + "9" * 4000 + ".5}]}]}",
            "previous.json:1:1: plants[0].results[0].runway_days: runway_days must be a whole "
            "number of days or null, got inf",
        ),
        (
            '{"reerisk": "0.1.0", "plants": [{"id": "p", "results": [{"scenario": "0%", '
            '"runway_days": -' + "9" * 100 + "}]}]}",
            "previous.json:1:1: plants[0].results[0].runway_days: runway_days must be a whole "
            "number of days or null, got -" + "9" * 36 + "...",
        ),
    ],
)
def test_invalid_against_file_is_one_input_error_line(
    cwd: Path, content: str | bytes, message: str
) -> None:
    write(cwd, "previous.json", content)
    result = run("compare", "plants.yaml", *GRID, "--against", "previous.json")
    lines = assert_input_error(result, message)
    assert len(lines) == 1, lines


def test_against_accepts_any_patch_release_of_this_minor_version(cwd: Path) -> None:
    major_minor = ".".join(__version__.split(".")[:2])
    text = f'{{"reerisk": "{major_minor}.99", "plants": [{GOOD_PLANT}]}}'
    write(cwd, "previous.json", text)
    rows = rows_of(compare_json("plants.yaml", *GRID, "--against", "previous.json"))
    assert rows["steady"]["scenarios"]["0%"]["change_vs_previous"] == "same"


def test_against_problems_are_reported_with_the_plant_files_problems(cwd: Path) -> None:
    write(cwd, "previous.json", "{}")
    write(cwd, "bad.yaml", "id: p1\ninventory: {Dy: 1}\n")
    result = run("compare", "bad.yaml", *GRID, "--against", "previous.json")
    lines = assert_input_error(result, "previous.json:1:1: not reerisk JSON output", "bad.yaml:")
    assert len(lines) >= 2


@pytest.mark.parametrize(
    ("against", "message"),
    [
        ("missing.json", "--against missing.json: no such file"),
        ("folder", "--against folder: is a directory, not a file"),
        ("/dev/null", "--against /dev/null: not a regular file"),
    ],
)
def test_against_that_cannot_be_read_is_a_usage_error(
    cwd: Path, against: str, message: str
) -> None:
    (cwd / "folder").mkdir()
    result = run("compare", "plants.yaml", *GRID, "--against", against)
    assert_usage_error(result, message)


def test_output_never_replaces_the_against_file(cwd: Path) -> None:
    _previous(cwd, PORTFOLIO, *GRID)
    result = run(
        "compare", "plants.yaml", *GRID, "--against", "previous.json", "--output", "previous.json"
    )
    assert_usage_error(result, "--output previous.json: that is an input file")


# --- gates -----------------------------------------------------------------------------------


def test_no_gate_exits_0(cwd: Path) -> None:
    document = compare_json("plants.yaml", *GRID)
    assert document["comparison"]["gates"] == []


def test_fail_under_trips_after_printing_everything(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--fail-under", "50", "--format", "json")
    assert result.exit_code == 1, result.output
    assert_no_traceback(result)
    document = json.loads(result.stdout)  # printed in full
    assert len(document["plants"]) == 4
    assert document["comparison"]["gates"] == [
        {
            "option": "--fail-under",
            "days": 50,
            "scenarios": ["0%", "25%", "100%"],
            "tripped": True,
            "breaches": [{"plant": "licensed", "scenario": "0%", "runway_days": 40}],
        }
    ]
    assert stderr_lines(result) == ["reerisk: gate --fail-under 50 tripped: licensed (0%: 40 d)"]


def test_fail_under_names_every_plant_and_scenario_under_the_threshold(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--fail-under", "101")
    assert result.exit_code == 1, result.output
    assert stderr_lines(result) == [
        "reerisk: gate --fail-under 101 tripped: licensed (0%: 40 d), "
        "also-steady (0%: 100 d; 25%: 100 d; 100%: 100 d), "
        "steady (0%: 100 d; 25%: 100 d; 100%: 100 d)"
    ]
    markdown = run("compare", "plants.yaml", *GRID, "--fail-under", "101", "--format", "markdown")
    assert (  # the job summary names the plants too, not just a count
        "Gate --fail-under 101 (all scenarios): tripped by licensed (0%: 40 d), also-steady "
        "(0%: 100 d; 25%: 100 d; 100%: 100 d), steady (0%: 100 d; 25%: 100 d; 100%: 100 d)."
    ) in markdown.stdout


def test_fail_under_passes_and_never_counts_a_null_runway(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--fail-under", "40", "--format", "markdown")
    assert_ok(result)
    assert "Gate --fail-under 40 (all scenarios): passed." in result.stdout
    # `ample` never runs out: no threshold within the horizon trips on it
    result = run("compare", "plants.yaml", *GRID, "--fail-under", "200", "--fail-scenario", "100%")
    assert result.exit_code == 1
    assert stderr_lines(result) == [
        "reerisk: gate --fail-under 200 tripped: also-steady (100%: 100 d), steady (100%: 100 d)"
    ]


def test_fail_scenario_narrows_fail_under(cwd: Path) -> None:
    args = ("compare", "plants.yaml", *GRID, "--fail-under", "50")
    assert run(*args, "--fail-scenario", "25%", "--fail-scenario", "100%").exit_code == 0
    result = run(*args, "--fail-scenario", "0%", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["comparison"]["gates"][0]["scenarios"] == ["0%"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-under", "0"), "--fail-under 0: must be 1..200 days (the horizon)"),
        (("--fail-under", "201"), "--fail-under 201: must be 1..200 days"),
        (("--fail-drop", "5"), "--fail-drop needs --against PREVIOUS.json"),
        (("--fail-drop", "-1", "--against", "x.json"), "--fail-drop -1: must be 0 days or more"),
        (("--fail-scenario", "0%"), "--fail-scenario narrows --fail-under and --fail-drop"),
        (
            ("--fail-under", "5", "--fail-scenario", "embargo"),
            "--fail-scenario 'embargo' is not a scenario of this run; it has: 0%, 25%, 100%",
        ),
    ],
)
def test_gate_option_mistakes_are_usage_errors(
    cwd: Path, args: tuple[str, ...], message: str
) -> None:
    assert_usage_error(run("compare", "plants.yaml", *GRID, *args), message)


def _week_before(cwd: Path) -> None:
    """Last week: steady had 30 kg more, and licensed would not run out at 0 % either."""
    before = PORTFOLIO.replace("inventory: {Dy: 100}", "inventory: {Dy: 130}", 1).replace(
        "inventory: {Dy: 40}", "inventory: {Dy: 400}"
    )
    _previous(cwd, before, *GRID)


def test_fail_drop_trips_on_a_drop_of_more_than_days(cwd: Path) -> None:
    _week_before(cwd)
    args = ("compare", "plants.yaml", *GRID, "--against", "previous.json")
    args += ("--fail-scenario", "100%")
    assert run(*args, "--fail-drop", "30").exit_code == 0  # 30 days shorter is not more than 30
    result = run(*args, "--fail-drop", "29")
    assert result.exit_code == 1, result.output
    assert stderr_lines(result) == [
        "reerisk: gate --fail-drop 29 tripped: steady (100%: 130 d → 100 d)"
    ]


def test_fail_drop_counts_now_stocking_out_as_an_unbounded_drop(cwd: Path) -> None:
    _week_before(cwd)
    result = run(
        "compare",
        "plants.yaml",
        *GRID,
        "--against",
        "previous.json",
        "--fail-drop",
        "3000",
        "--fail-scenario",
        "0%",
        "--format",
        "json",
    )
    assert result.exit_code == 1, result.output
    gate = json.loads(result.stdout)["comparison"]["gates"][0]
    assert gate["breaches"] == [
        {"plant": "licensed", "scenario": "0%", "runway_days": 40, "previous_runway_days": None}
    ]
    assert stderr_lines(result) == [
        "reerisk: gate --fail-drop 3000 tripped: licensed (0%: > 200 d → 40 d)"
    ]


def test_both_gates_trip_together_each_with_its_own_line(cwd: Path) -> None:
    _week_before(cwd)
    result = run(
        "compare",
        "plants.yaml",
        *GRID,
        "--against",
        "previous.json",
        "--fail-under",
        "50",
        "--fail-drop",
        "29",
        "--fail-scenario",
        "0%",
        "--format",
        "csv",
    )
    assert result.exit_code == 1, result.output
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 12  # printed in full
    assert stderr_lines(result) == [
        "reerisk: gate --fail-under 50 tripped: licensed (0%: 40 d)",
        "reerisk: gate --fail-drop 29 tripped: licensed (0%: > 200 d → 40 d), "
        "steady (0%: 130 d → 100 d)",
    ]


def test_one_gate_of_two_trips(cwd: Path) -> None:
    _week_before(cwd)
    result = run(
        "compare",
        "plants.yaml",
        *GRID,
        "--against",
        "previous.json",
        "--fail-under",
        "30",
        "--fail-drop",
        "29",
        "--fail-scenario",
        "100%",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    gates = json.loads(result.stdout)["comparison"]["gates"]
    assert [(g["option"], g["tripped"]) for g in gates] == [
        ("--fail-under", False),
        ("--fail-drop", True),
    ]
    assert len(stderr_lines(result)) == 1


def test_an_input_error_is_exit_2_even_with_gates(cwd: Path) -> None:
    write(cwd, "bad.yaml", "id: p1\nas_of: 2025-06-02\nmaterials: {Dy: {}}\ninventory: {Dy: -1}\n")
    result = run("compare", "bad.yaml", *GRID, "--fail-under", "50")
    assert_input_error(result, "bad.yaml:4:")


# --- formats ---------------------------------------------------------------------------------


def test_json_is_the_runway_document_plus_a_comparison_block(cwd: Path) -> None:
    runway = run("runway", "plants.yaml", *GRID, "--format", "json")
    assert_ok(runway)
    document = compare_json("plants.yaml", *GRID, "--baseline", "0%")
    comparison = document.pop("comparison")
    assert document == json.loads(runway.stdout)  # same keys, same plants, input order
    assert list(comparison) == [
        "sort",
        "baseline",
        "against",
        "rows",
        "appeared",
        "disappeared",
        "gates",
    ]
    assert comparison["baseline"] == "0%"
    assert comparison["against"] is None
    cell = comparison["rows"][0]["scenarios"]["0%"]
    assert cell == {
        "runway_days": 40,
        "stockout_date": "2025-07-12",
        "binding_material": "Dy",
        "unit": "kg",
        "controlled_elements": ["Dy"],
        "breakeven_rate": 0.4,
        "shortfall": 160.0,
        "delta_vs_baseline": 0,
        "change_vs_baseline": "same",
        "delta_vs_previous": None,
        "change_vs_previous": None,
        "previous_runway_days": None,
    }


def test_csv_has_one_row_per_plant_and_scenario_in_sorted_order(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--baseline", "25%", "--format", "csv")
    assert_ok(result)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["plant"], r["scenario"]) for r in rows[:3]] == [
        ("licensed", "0%"),
        ("licensed", "25%"),
        ("licensed", "100%"),
    ]
    assert rows[0] == {
        "plant": "licensed",
        "worst_runway_days": "40",
        "scenario": "0%",
        "runway_days": "40",
        "stockout_date": "2025-07-12",
        "binding_material": "Dy",
        "unit": "kg",
        "controlled_elements": "Dy",
        "breakeven_rate": "0.4",
        "shortfall": "160.0",
        "delta_vs_baseline": "-100",
        "change_vs_baseline": "shorter",
        "delta_vs_previous": "",
        "change_vs_previous": "",
        "previous_runway_days": "",
    }
    assert rows[2]["change_vs_baseline"] == "no_longer_stocks_out"
    assert rows[2]["runway_days"] == ""


MARKDOWN = """\
## reerisk: days to stockout by scenario

4 plants × 3 scenarios, horizon 200 days, shortest runway first (by the worst runway); \
changes against 25%; changes since previous.json.

| plant | worst | 0% | 25% | 100% |
|---|---|---|---|---|
| **licensed** | 40 d yellow | **40 d** (2025-07-12)<br>Dy<br>break-even 40%<br>short 160.0 kg\
<br>vs 25%: −100<br>since last run: now stocks out | 140 d (2025-10-20)<br>Dy<br>break-even 40%\
<br>short 60.0 kg<br>since last run: now stocks out | > 200 d<br>break-even 40%\
<br>vs 25%: no longer stocks out<br>since last run: = |
| **also-steady** | 100 d green | 100 d (2025-09-10)<br>Dy<br>break-even none<br>short 100.0 kg\
<br>vs 25%: 0<br>since last run: −30 | 100 d (2025-09-10)<br>Dy<br>break-even none\
<br>short 100.0 kg<br>since last run: −30 | 100 d (2025-09-10)<br>Dy<br>break-even none\
<br>short 100.0 kg<br>vs 25%: 0<br>since last run: −30 |
| **steady** | 100 d green | 100 d (2025-09-10)<br>Dy<br>break-even none<br>short 100.0 kg\
<br>vs 25%: 0<br>since last run: new | 100 d (2025-09-10)<br>Dy<br>break-even none\
<br>short 100.0 kg<br>since last run: new | 100 d (2025-09-10)<br>Dy<br>break-even none\
<br>short 100.0 kg<br>vs 25%: 0<br>since last run: new |
| **ample** | > 200 d green | > 200 d<br>break-even 0%<br>vs 25%: =<br>since last run: = \
| > 200 d<br>break-even 0%<br>since last run: = | > 200 d<br>break-even 0%<br>vs 25%: =\
<br>since last run: = |

Since previous.json, appeared: plant steady.
Since previous.json, disappeared: plant gone.
Gate --fail-under 30 (all scenarios): passed.
Gate --fail-drop 29 (all scenarios): tripped by licensed (0%: > 200 d → 40 d; \
25%: > 200 d → 140 d), also-steady (0%: 130 d → 100 d; 25%: 130 d → 100 d; \
100%: 130 d → 100 d).

Runway days and stockout date (> H d: none within the horizon); red under 30 d, yellow \
under 90 d, green otherwise. Below: the binding material (its controlled rare earths), the \
break-even approval rate (none: no rate is enough), the binding material's shortfall, and \
the change in runway days (=: no stockout either way). Bold: under 90 days.
"""


def test_markdown_snapshot(cwd: Path) -> None:
    """A heading and one table, plants as rows: what a GitHub job summary shows."""
    before = (
        PORTFOLIO.replace("id: steady", "id: gone")
        .replace("inventory: {Dy: 40}", "inventory: {Dy: 400}")
        .replace(
            "id: also-steady\n    as_of: 2025-06-02\n    inventory: {Dy: 100}",
            "id: also-steady\n    as_of: 2025-06-02\n    inventory: {Dy: 130}",
        )
    )
    _previous(cwd, before, *GRID)
    result = run(
        "compare",
        "plants.yaml",
        *GRID,
        "--baseline",
        "25%",
        "--against",
        "previous.json",
        "--fail-under",
        "30",
        "--fail-drop",
        "29",
        "--format",
        "markdown",
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 1, result.output
    assert result.stdout == MARKDOWN


def test_table_is_plain_when_piped_and_turns_long_when_narrow(cwd: Path) -> None:
    wide = run("compare", "plants.yaml", *GRID, env={"COLUMNS": "120"})
    assert_ok(wide)
    assert not ANSI.search(wide.stdout)
    header = next(line for line in wide.stdout.splitlines() if line.startswith("  plant"))
    assert header.split() == ["plant", "worst", "0%", "25%", "100%"]
    narrow = run("compare", "plants.yaml", *GRID, "--baseline", "0%", env={"COLUMNS": "60"})
    assert_ok(narrow)
    header = next(line for line in narrow.stdout.splitlines() if line.startswith("  plant"))
    assert header.split() == ["plant", "scenario", "runway", "details"]
    assert "vs 0%: +100" in narrow.stdout
    assert all(len(line) <= 60 for line in narrow.stdout.splitlines()[2:-6])


def test_table_to_a_file_is_120_columns_without_colour(cwd: Path) -> None:
    result = run("compare", "plants.yaml", *GRID, "--output", "table.txt")
    assert_ok(result)
    assert result.stdout == ""
    text = (cwd / "table.txt").read_text(encoding="utf-8")
    assert "licensed" in text and not ANSI.search(text)


def test_sample_portfolio_in_every_format() -> None:
    for output_format in ("table", "json", "csv", "markdown"):
        result = run(
            "compare",
            PLANTS,
            "--scenarios",
            SCENARIOS,
            "--scenario",
            "embargo",
            "--scenario",
            "clepa-late-june",
            "--baseline",
            "embargo",
            "--format",
            output_format,
        )
        assert_ok(result)
        for plant in SAMPLE_PLANT_IDS:
            assert plant in result.stdout, (output_format, plant)


def test_jobs_give_the_same_output(tmp_path: Path) -> None:
    plants = "materials:\n  Dy: {}\nplants:\n" + "".join(
        f"  - {{id: p{n}, as_of: 2025-06-02, inventory: {{Dy: {n}}}, demand: {{Dy: 1}}}}\n"
        for n in range(150, 0, -1)
    )
    path = write(tmp_path, "many.yaml", plants)
    one = run("compare", path, "--rate", "0", "--format", "json")
    four = run("compare", path, "--rate", "0", "--format", "json", "--jobs", "4")
    assert_ok(one)
    assert one.stdout == four.stdout
    rows = json.loads(one.stdout)["comparison"]["rows"]
    assert [r["plant"] for r in rows[:3]] == ["p1", "p2", "p3"]


def test_a_gate_names_at_most_20_plants_on_stderr(tmp_path: Path) -> None:
    plants = "materials:\n  Dy: {}\nplants:\n" + "".join(
        f"  - {{id: p{n:02}, as_of: 2025-06-02, inventory: {{Dy: {n}}}, demand: {{Dy: 1}}}}\n"
        for n in range(1, 31)
    )
    path = write(tmp_path, "many.yaml", plants)
    result = run("compare", path, "--rate", "0", "--fail-under", "31", "--format", "csv")
    assert result.exit_code == 1, result.output
    assert len(result.stdout.splitlines()) == 31  # every plant is in the output
    (line,) = stderr_lines(result)
    assert line.startswith("reerisk: gate --fail-under 31 tripped: p01 (0%: 1 d), p02 (0%: 2 d)")
    assert line.endswith("p20 (0%: 20 d), … and 10 more plants")


def test_help_lists_the_options() -> None:
    result = run("compare", "--help")
    assert_ok(result)
    for option in (
        "--sort",
        "--baseline",
        "--against",
        "--fail-under",
        "--fail-scenario",
        "--fail-drop",
        "--format",
        "--output",
        "--jobs",
        "--rate",
        "--scenario",
    ):
        assert option in result.stdout, option
    assert "compare" in run("--help").stdout


# --- docs/ci.md: the recipe's commands are run here as written ------------------------------

CI_DOC = ROOT / "docs" / "ci.md"


def _recipe_commands() -> list[str]:
    text = CI_DOC.read_text(encoding="utf-8")
    workflow = re.search(r"```yaml\n(.+?)\n```", text, re.S)
    assert workflow is not None
    return [line.strip() for line in workflow.group(1).splitlines() if "reerisk compare" in line]


def _recipe_args(command: str, against: str, drop: str) -> list[str]:
    """The command's arguments as the workflow's shell would expand them, minus redirections."""
    command = command.split(" || ")[0].split(" >> ")[0]
    command = command.replace("$against", against).replace("$drop", drop)
    args = shlex.split(command)
    assert args[0] == "reerisk"
    return args[1:]


def test_the_documented_gate_message_is_what_the_sample_data_gives() -> None:
    line = (
        "reerisk: gate --fail-under 45 tripped: jp-compact-car (embargo: 43 d; slow-review: 43 d)"
    )
    assert line in CI_DOC.read_text(encoding="utf-8")
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert line in readme
    result = run(
        "compare", PLANTS, "--scenarios", SCENARIOS, "--fail-under", "45", "--format", "csv"
    )
    assert result.exit_code == 1, result.output
    assert stderr_lines(result) == [line]


def test_ci_recipe_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = _recipe_commands()
    assert len(commands) == 2
    assert "--format json --output current.json" in commands[0]
    assert '--format markdown >> "$GITHUB_STEP_SUMMARY"' in commands[1]
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")

    # The first week: no previous results, --fail-under alone.
    first = run(*_recipe_args(commands[0], "", ""))
    assert_ok(first)
    assert (tmp_path / "current.json").exists()
    assert run(*_recipe_args(commands[1], "", "")).stdout.startswith("## reerisk")

    # A week later, nothing changed: the gates pass.
    (tmp_path / "previous").mkdir()
    shutil.move(tmp_path / "current.json", tmp_path / "previous" / "current.json")
    against, drop = "--against previous/current.json", "--fail-drop 14"
    assert_ok(run(*_recipe_args(commands[0], against, drop)))
    summary = run(*_recipe_args(commands[1], against, drop))
    assert_ok(summary)
    assert "Gate --fail-drop 14 (all scenarios): passed." in summary.stdout

    # Then a plant loses stock: the drop gate trips, and the results are still written.
    plants = tmp_path / "data" / "plants.yaml"
    text = plants.read_text(encoding="utf-8")
    plants.write_text(
        text.replace("inventory: {rotor-ndfeb-ht: 24000}", "inventory: {rotor-ndfeb-ht: 12000}"),
        encoding="utf-8",
    )
    (tmp_path / "current.json").unlink()
    tripped = run(*_recipe_args(commands[0], against, drop))
    assert tripped.exit_code == 1, tripped.output
    assert stderr_lines(tripped)[0].startswith(
        "reerisk: gate --fail-drop 14 tripped: de-ev-traction ("
    )
    assert json.loads((tmp_path / "current.json").read_text(encoding="utf-8"))["comparison"]


def test_compare_help_and_json_output_stay_light() -> None:
    from test_startup import HEAVY, modules_after

    loaded = modules_after("compare", "--help")
    assert [name for name in HEAVY[1:] if name in loaded] == []
    loaded = modules_after("compare", "data/plants.yaml", "--rate", "0", "--format", "json")
    assert "reerisk.compare" in loaded
    assert "rich.table" not in loaded
    assert "reerisk.render.compare_table" not in loaded


# --- found in review: horizons that differ, and runs that share nothing ------------------------


def test_a_runway_past_the_other_runs_horizon_is_not_a_drop(cwd: Path) -> None:
    # Under 25 %, `licensed` runs out on day 140. A 100-day earlier run could not
    # see that far ("> 100 d"), so 140 d is neither "now stocks out" nor a drop.
    _previous(cwd, PORTFOLIO, "--rate", "25%", "--horizon", "100")
    args = ("plants.yaml", "--rate", "25%", "--horizon", "200", "--against", "previous.json")
    result = run("compare", *args, "--fail-drop", "0", "--format", "json")
    assert result.exit_code == 0, result.output
    cell = rows_of(json.loads(result.stdout))["licensed"]["scenarios"]["25%"]
    assert cell["runway_days"] == 140
    assert cell["previous_runway_days"] is None
    assert cell["change_vs_previous"] == "same"  # both beyond the shorter, 100-day horizon
    # steady (100 d now, "> 100 d" before) is judged within 100 days too: no change.
    assert (
        rows_of(json.loads(result.stdout))["steady"]["scenarios"]["25%"]["delta_vs_previous"] == 0
    )


def test_against_sharing_nothing_says_so(cwd: Path) -> None:
    _previous(cwd, PORTFOLIO, "--rate", "0", "--horizon", "200")
    args = ("plants.yaml", "--rate", "1", "--horizon", "200", "--against", "previous.json")
    result = run("compare", *args, "--fail-drop", "5", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert stderr_lines(result) == [
        "reerisk: warning: --against previous.json shares no plant and scenario with this run, "
        "so nothing was compared and --fail-drop checked nothing"
    ]


def test_against_a_yaml_file_says_what_against_expects(cwd: Path) -> None:
    result = run("compare", "plants.yaml", "--rate", "0", "--against", "plants.yaml")
    assert result.exit_code == 2, result.output
    assert "(--against takes the --format json output of reerisk runway or compare)" in (
        result.stderr
    )
