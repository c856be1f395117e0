"""`reerisk simulate` through the CLI: formats, exit codes, option checks, progress.

The hand case: 20 kg of Dy at 1 kg a day, and one 100 kg application filed on
day 0 and decided 5 Chinese working days later, on 2025-06-09 (day 7; transit
0). Approved, the stock lasts 120 days, past the 60-day horizon; refused, day
20 is short. So under `likely` (rate 0.3) a trial stocks out with probability
0.7, always on day 20 (2025-06-22); under `sure` (rate 1) never.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path

import pytest
from cli_helpers import (
    ANSI,
    PLANTS,
    SAMPLE_SCENARIO_NAMES,
    SCENARIOS,
    assert_no_traceback,
    assert_ok,
    assert_usage_error,
    run,
    write,
)
from cli_helpers import PLANT as BASIC_PLANT

PLANT = """\
id: p1
as_of: 2025-06-02
transit_days: 0
materials:
  Dy: {}
inventory: {Dy: 20}
demand: {Dy: 1}
supply:
  - {material: Dy, qty: 100, filed: 2025-06-02}
"""
SCENARIOS_MC = """\
scenarios:
  - {name: likely, approval_rate: 0.3, review_working_days: 5}
  - {name: sure, approval_rate: 1, review_working_days: 5}
"""
TRIALS = 4000


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [write(tmp_path, "p.yaml", PLANT), write(tmp_path, "s.yaml", SCENARIOS_MC)]


def simulate(files: list[Path], *args: object) -> object:
    plant, scenarios = files
    return run("simulate", plant, "--scenarios", scenarios, "--horizon", 60,
               "--trials", TRIALS, *args)  # fmt: skip


def test_json_reports_odds_beside_the_deterministic_runway(files: list[Path]) -> None:
    result = simulate(files, "--format", "json")
    assert_ok(result)
    document = json.loads(result.stdout)
    assert (document["trials"], document["seed"], document["horizon_days"]) == (TRIALS, 0, 60)
    assert document["percentiles"] == [10, 50, 90]
    assert [s["name"] for s in document["scenarios"]] == ["likely", "sure"]
    (plant,) = document["plants"]
    likely, sure = plant["results"]
    # deterministic: 20 + 0.3 x 100 = 50 kg -> days 0..49 full, day 50 short
    assert likely["runway_days"] == 50
    assert likely["stockout_date"] == "2025-07-22"
    q = 0.7
    assert abs(likely["p_stockout"] - q) <= 4 * math.sqrt(q * (1 - q) / TRIALS)
    # 70 % of trials run out on day 20: P10 and P50 are day 20; P90 (rank 0.9 N)
    # lands among the 30 % that never run out -> null
    assert (likely["p10"], likely["p10_date"]) == (20, "2025-06-22")
    assert likely["p50"] == 20
    assert (likely["p90"], likely["p90_date"]) == (None, None)
    # every stockout is short on days 20..59: 40 days, and 40 kg unmet
    assert likely["mean_short_days"] == pytest.approx(likely["p_stockout"] * 40)
    assert likely["mean_unmet"] == pytest.approx(likely["p_stockout"] * 40)
    (material,) = likely["materials"]
    assert material["id"] == "Dy"
    assert material["unit"] == "kg"
    assert material["p_stockout"] == likely["p_stockout"]
    assert material["p10"] == 20
    assert sure["runway_days"] is None
    assert (sure["p_stockout"], sure["p10"], sure["mean_short_days"]) == (0, None, 0)


def test_csv_has_a_row_per_plant_scenario_and_material(files: list[Path]) -> None:
    result = simulate(files, "--format", "csv", "--percentile", "2.5")
    assert_ok(result)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["plant"], r["scenario"], r["material"]) for r in rows] == [
        ("p1", "likely", "Dy"),
        ("p1", "sure", "Dy"),
    ]
    assert rows[0]["p10"] == "20"
    assert rows[0]["p2.5"] == "20"  # the --percentile column joins p10, p50, p90
    assert rows[0]["p90"] == ""  # null
    assert rows[1]["p_stockout"] == "0.0"


def test_markdown_is_one_table(files: list[Path]) -> None:
    result = simulate(files, "--format", "markdown")
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| plant | scenario | expected | P(stockout) | P10 | P50 | P90 |")
    assert lines[2].startswith("| p1 | likely | 50 d (2025-07-22) |")
    assert "| 20 d (2025-06-22) | 20 d (2025-06-22) | > 60 d |" in lines[2]
    assert lines[3].startswith("| p1 | sure | > 60 d | 0.0% | > 60 d |")


def test_table_shows_probabilities_and_dates_side_by_side(files: list[Path]) -> None:
    plant, scenarios = files
    result = run("simulate", plant, "--scenarios", scenarios, "--horizon", 60,
                 "--trials", TRIALS, env={"COLUMNS": "100"})  # fmt: skip
    assert_ok(result)
    assert not ANSI.search(result.stdout)
    header = next(line for line in result.stdout.splitlines() if "P(out)" in line)
    assert header.split() == [
        "scenario", "expected", "P(out)", "P10", "P50", "P90", "short", "d", "kg"
    ]  # fmt: skip
    likely = next(line for line in result.stdout.splitlines() if "likely" in line)
    assert likely.split()[:9] == ["likely", "50", "d", likely.split()[3], "20", "d", "20", "d", ">"]
    assert "2025-06-22" in result.stdout


def test_the_sample_fits_100_columns_with_whole_scenario_names() -> None:
    result = run("simulate", PLANTS, "--scenarios", SCENARIOS, "--trials", 500,
                 env={"COLUMNS": "100"})  # fmt: skip
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines if not line.startswith(("500 trials", " "))) <= 100
    assert all(len(line.rstrip()) <= 100 for line in lines if "━" in line or " d " in line)
    for name in SAMPLE_SCENARIO_NAMES:
        assert any(line.split()[:1] == [name] for line in lines), name


def test_fail_under_trips_on_p10_after_printing(files: list[Path]) -> None:
    result = simulate(files, "--format", "json", "--fail-under", 21)
    assert result.exit_code == 1, result.output
    assert_no_traceback(result)
    assert json.loads(result.stdout)["plants"]  # written in full first
    assert result.stderr == "reerisk: gate --fail-under 21 tripped: P10 runway: p1 (likely: 20 d)\n"
    assert simulate(files, "--format", "csv", "--fail-under", 20).exit_code == 0


def test_fail_under_uses_the_chosen_percentile(files: list[Path]) -> None:
    # P95 lands among the 30 % of trials with no stockout: null, never under DAYS
    assert simulate(files, "--format", "csv", "--fail-under", 60, "--percentile", 95).exit_code == 0
    tripped = simulate(files, "--format", "csv", "--fail-under", 21, "--percentile", 50)
    assert tripped.exit_code == 1
    assert tripped.stderr.startswith("reerisk: gate --fail-under 21 tripped: P50 runway: p1 (")


def test_output_writes_the_file_and_nothing_to_stdout(files: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "odds.json"
    result = simulate(files, "--format", "json", "--output", target)
    assert_ok(result)
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["trials"] == TRIALS


def test_the_same_seed_gives_the_same_output(files: list[Path]) -> None:
    first, again = (simulate(files, "--format", "json", "--seed", 42) for _ in range(2))
    other = simulate(files, "--format", "json", "--seed", 43)
    assert first.stdout == again.stdout
    assert json.loads(first.stdout)["seed"] == 42
    assert first.stdout != other.stdout


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--trials", "0", "--trials 0: must be 1..1000000"),
        ("--trials", "2000000", "--trials 2000000: must be 1..1000000"),
        ("--trials", "many", "--trials 'many': expected a whole number"),
        ("--trials", "1e4", "--trials '1e4': expected a whole number"),
        ("--seed", "-1", "--seed -1: must be 0..2^64-1"),
        ("--seed", "x", "--seed 'x': expected a whole number"),
        ("--seed", "9" * 5000, "--seed '999"),
        ("--percentile", "0", "--percentile '0': must be more than 0 and at most 100"),
        ("--percentile", "100.5", "--percentile '100.5': must be more than 0"),
        ("--percentile", "nan", "--percentile 'nan': must be more than 0"),
        ("--percentile", "P10", "--percentile 'P10': expected a number"),
    ],
)
def test_bad_option_values_are_one_line_usage_errors(
    files: list[Path], option: str, value: str, message: str
) -> None:
    plant, scenarios = files
    assert_usage_error(run("simulate", plant, "--scenarios", scenarios, option, value), message)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("simulate", tmp_path / "nope.yaml")
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    assert result.stderr.startswith("reerisk: error: ")


def test_no_progress_bar_when_stderr_is_not_a_terminal(files: list[Path]) -> None:
    plant, scenarios = files
    result = run("simulate", plant, "--scenarios", scenarios, "--trials", 60_000, "--format", "csv")
    assert_ok(result)  # nothing at all on stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("output_format", "trials", "shown"), [
    ("csv", 60_000, True), ("table", 60_000, True), ("json", 60_000, False), ("csv", 1000, False),
])  # fmt: skip
def test_progress_bar_only_on_a_terminal_for_large_runs_and_never_with_json(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, output_format: str, trials: int,
    shown: bool,
) -> None:  # fmt: skip
    from datetime import date

    from reerisk.cli import load_inputs
    from reerisk.montecarlo import SimulationRun
    from reerisk.output import OutputFormat, write_simulation

    reference, plants, chosen = load_inputs(files[:1], files[1], [], [], None)
    simulation = SimulationRun(
        chosen, reference.regimes, 60, None, date(2025, 6, 2), trials, 0, (10.0,), 10.0
    )
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    write_simulation(simulation, plants, 1, OutputFormat(output_format), io.StringIO())
    assert ("Simulating" in terminal.getvalue()) is shown


def test_a_narrow_table_drops_the_dates_but_keeps_every_column(files: list[Path]) -> None:
    plant, scenarios = files
    result = run("simulate", plant, "--scenarios", scenarios, "--horizon", 60,
                 "--trials", TRIALS, env={"COLUMNS": "60"})  # fmt: skip
    assert_ok(result)
    assert "2025-06-22" not in result.stdout
    assert "unmet" in result.stdout
    assert all(len(line) <= 60 for line in result.stdout.splitlines())


def test_a_percentile_close_to_10_gets_its_own_key(files: list[Path]) -> None:
    document = json.loads(simulate(files, "--format", "json", "--percentile", "10.0000001").stdout)
    likely = document["plants"][0]["results"][0]
    assert document["percentiles"] == [10, 10.0000001, 50, 90]  # in order, as the columns
    assert (likely["p10"], likely["p10.0000001"]) == (20, 20)


def test_simulate_does_not_warn_about_exposure_it_does_not_report(tmp_path: Path) -> None:
    plant = write(tmp_path, "p.yaml", BASIC_PLANT)  # recovery_days 120, beyond a 60-day horizon
    assert_ok(run("simulate", plant, "--horizon", 60, "--trials", 10, "--format", "csv"))
    warned = run("runway", plant, "--horizon", 60, "--format", "csv")
    assert_ok(warned, "recovery_days 120 is beyond the 60-day horizon")


def test_jobs_give_the_same_output(tmp_path: Path) -> None:
    # 70 plants: more than one chunk of 64, so --jobs 2 really forks workers
    plants = "plants:\n" + "".join(
        f"  - {{id: p{i}, as_of: 2025-06-02, transit_days: 0, materials: {{Dy: {{}}}},"
        f" inventory: {{Dy: {20 + i}}}, demand: {{Dy: 1}},"
        f" supply: [{{material: Dy, qty: 100, filed: 2025-06-02}}]}}\n"
        for i in range(70)
    )
    path = write(tmp_path, "many.yaml", plants)
    outputs = [
        run("simulate", path, "--rate", "0.5", "--trials", 200, "--format", "json",
            "--horizon", 60, "--jobs", jobs)
        for jobs in (1, 2)
    ]  # fmt: skip
    for result in outputs:
        assert_ok(result)
    assert outputs[0].stdout == outputs[1].stdout
    assert len(json.loads(outputs[0].stdout)["plants"]) == 70


def test_a_triangular_review_time_is_drawn_by_simulate_and_its_mode_used_by_runway(
    tmp_path: Path,
) -> None:
    # Rate 1, so only the review time varies. 45 working days after 2025-06-02 is
    # 2025-08-04 (day 63); the 20 kg of stock last to day 19 either way, so the
    # runway is day 20, and the short days run from day 20 to the landing day.
    plant = write(tmp_path, "p.yaml", PLANT)
    scenarios = write(tmp_path, "s.yaml", (
        "scenarios:\n"
        "  - {name: fixed, approval_rate: 1, review_working_days: 45}\n"
        "  - name: mode\n    approval_rate: 1\n"
        "    review_working_days: {min: 44.5, mode: 44.5, max: 44.5}\n"
        "  - name: spread\n    approval_rate: 1\n"
        "    review_working_days: {min: 20, mode: 44.5, max: 70}\n"
    ))  # fmt: skip
    runway = json.loads(
        run("runway", plant, "--scenarios", scenarios, "--horizon", 120, "--format", "json").stdout
    )
    fixed, mode, spread = runway["plants"][0]["results"]
    # 44.5 rounds half up to 45 (Python's round() would give 44)
    assert fixed["materials"][0] == mode["materials"][0] == spread["materials"][0]
    odds = json.loads(
        run("simulate", plant, "--scenarios", scenarios, "--horizon", 120, "--trials", 500,
            "--format", "json").stdout
    )["plants"][0]["results"]  # fmt: skip
    assert odds[0]["mean_short_days"] == odds[1]["mean_short_days"] == fixed["short_days"]
    assert odds[2]["mean_short_days"] != fixed["short_days"]  # review times were drawn
    assert odds[2]["p10"] == 20


MIXED = """\
id: mixed
as_of: 2025-06-02
materials:
  Dy: {}
  magnet: {unit: pcs, mass_g: 100, composition: {Nd: 30, Dy: 1, Fe: 69}}
inventory: {Dy: 10, magnet: 5}
demand: {Dy: 1, magnet: 1}
"""


def test_a_plant_with_mixed_units_has_no_plant_level_unmet(tmp_path: Path) -> None:
    # Dy (kg) runs out on day 10, the magnets (pcs) on day 5: no licences, so every
    # trial is the same. Unmet over 30 days: 20 kg and 25 pcs, which do not add up.
    plant = write(tmp_path, "mixed.yaml", MIXED)
    args = ("simulate", plant, "--rate", "0.5", "--horizon", 30, "--trials", 10)
    result = json.loads(run(*args, "--format", "json").stdout)["plants"][0]["results"][0]
    assert result["mean_unmet"] is None
    assert [m["mean_unmet"] for m in result["materials"]] == [20, 25]
    assert (result["p10"], result["binding_material"]) == (5, "magnet")
    assert "| mixed units |" in run(*args, "--format", "markdown").stdout
    table = run(*args, env={"COLUMNS": "100"}).stdout
    assert "unmet —: the plant's materials are in different units" in " ".join(table.split())
