"""`runway`, `compare` and `simulate`: the commands that project plants and gate on runways."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reerisk.cli import (
    DEFAULT_HORIZON_DAYS,
    Command,
    app,
    check_run_options,
    gate_line,
    load_inputs,
    projection_run,
    user_errors,
    warn,
    warn_about_days,
)
from reerisk.cli_options import (
    AgainstOpt,
    AsOfOpt,
    BaselineOpt,
    ElementsOpt,
    FailDropOpt,
    FailScenarioOpt,
    FailUnderOpt,
    Files,
    FormatOpt,
    HorizonOpt,
    JobsOpt,
    OutputOpt,
    PercentileOpt,
    RateOpt,
    ScenarioOpt,
    ScenariosOpt,
    SeedOpt,
    SimFailUnderOpt,
    SortOpt,
    TrialsOpt,
)
from reerisk.errors import InputError
from reerisk.options import (
    DEFAULT_PERCENTILE,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    parse_percentile,
    parse_seed,
    parse_trials,
)
from reerisk.output import OutputFormat, open_output, write_results, write_simulation

if TYPE_CHECKING:
    from reerisk.compare import Comparison
    from reerisk.models import ReferenceData, Scenario
    from reerisk.odds import PlantOdds
    from reerisk.previous import Previous
    from reerisk.results import PlantInput


@app.command(cls=Command)
def runway(
    files: Files,
    scenarios: ScenariosOpt = None,
    scenario: ScenarioOpt = None,
    rate: RateOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_DAYS,
    as_of: AsOfOpt = None,
    elements: ElementsOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    fail_under: FailUnderOpt = None,
    jobs: JobsOpt = 1,
) -> None:
    """Days to stockout per plant and material, under each approval-rate scenario."""
    with user_errors():
        inputs = [*files, scenarios, elements]
        day_zero = check_run_options(horizon, jobs, output, inputs, as_of, fail_under)
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        warn_about_days(plants, day_zero, horizon)
        run = projection_run(reference, chosen, horizon, day_zero)
        with open_output(output) as stream:
            worst = write_results(run, plants, jobs, output_format, stream)
    if fail_under is not None:
        short = [f"{plant} ({days} d)" for plant, days in worst if days < fail_under]
        if short:
            gate_line(f"--fail-under {fail_under}", "", short)
            raise typer.Exit(1)


@app.command(cls=Command)
def compare(
    files: Files,
    scenarios: ScenariosOpt = None,
    scenario: ScenarioOpt = None,
    rate: RateOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_DAYS,
    as_of: AsOfOpt = None,
    elements: ElementsOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    jobs: JobsOpt = 1,
    sort: SortOpt = None,
    baseline: BaselineOpt = None,
    against: AgainstOpt = None,
    fail_under: FailUnderOpt = None,
    fail_scenario: FailScenarioOpt = None,
    fail_drop: FailDropOpt = None,
) -> None:
    """One row per plant, worst runway first: scenarios side by side, changes, CI gates."""
    with user_errors():
        from reerisk.compare import check_gate_options

        inputs = [*files, scenarios, elements, against]
        day_zero = check_run_options(horizon, jobs, output, inputs, as_of, fail_under)
        check_gate_options(fail_under, fail_drop, fail_scenario or [], against)
        reference, plants, chosen, previous = _load_with_previous(
            files, scenarios, scenario or [], rate or [], elements, against
        )
        warn_about_days(plants, day_zero, horizon)
        if previous is not None and previous.horizon_days not in (None, horizon):
            warn(
                f"--against {against} was projected over {previous.horizon_days} days and this "
                f"run over {horizon}: changes are judged within the shorter horizon, "
                f"{min(horizon, previous.horizon_days)} days"
            )

        from reerisk.compare import build_comparison, check_scenario_names
        from reerisk.render.compare import project_rows, write_comparison

        names = [s.name for s in chosen]
        check_scenario_names(names, sort, baseline, fail_scenario or [])
        run = projection_run(reference, chosen, horizon, day_zero)
        plant_json, rows = project_rows(run, plants, jobs, output_format is OutputFormat.json)
        comparison = build_comparison(
            rows, names, horizon, sort=sort, baseline=baseline, previous=previous,
            against=None if against is None else str(against), fail_under=fail_under,
            fail_drop=fail_drop, fail_scenarios=fail_scenario or [],
        )  # fmt: skip
        if previous is not None and not any(
            cell.previous_runway_days is not None or cell.vs_previous is not None
            for row in comparison.rows
            for cell in row.cells
        ):
            warn(
                f"--against {against} shares no plant and scenario with this run, so nothing "
                "was compared" + (" and --fail-drop checked nothing" if fail_drop else "")
            )
        with open_output(output) as stream:
            write_comparison(comparison, chosen, plant_json, output_format.value, stream)
    if _report_gates(comparison):
        raise typer.Exit(1)


@app.command(cls=Command)
def simulate(
    files: Files,
    trials: TrialsOpt = str(DEFAULT_TRIALS),
    seed: SeedOpt = str(DEFAULT_SEED),
    percentile: PercentileOpt = str(DEFAULT_PERCENTILE),
    scenarios: ScenariosOpt = None,
    scenario: ScenarioOpt = None,
    rate: RateOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_DAYS,
    as_of: AsOfOpt = None,
    elements: ElementsOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    fail_under: SimFailUnderOpt = None,
    jobs: JobsOpt = 1,
) -> None:
    """Monte Carlo: each licence granted or refused whole; P(stockout) and P10/P50/P90 runways."""
    with user_errors():
        inputs = [*files, scenarios, elements]
        day_zero = check_run_options(horizon, jobs, output, inputs, as_of, fail_under)
        run_trials, run_seed, gate = (
            parse_trials(trials),
            parse_seed(seed),
            parse_percentile(percentile),
        )
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        warn_about_days(plants, day_zero, horizon, exposure=False)  # simulate shows none

        from reerisk.montecarlo import SimulationRun
        from reerisk.odds import REPORTED_PERCENTILES

        percentiles = tuple(sorted({*REPORTED_PERCENTILES, gate}))  # columns in order
        run = SimulationRun(
            chosen, reference.regimes, horizon, day_zero, date.today(), run_trials, run_seed,
            percentiles, gate,
        )  # fmt: skip
        with open_output(output) as stream:
            results = write_simulation(run, plants, jobs, output_format, stream)
    if fail_under is not None and _report_breaches(results, gate, fail_under):
        raise typer.Exit(1)


def _report_breaches(results: Sequence[PlantOdds], gate: float, fail_under: int) -> bool:
    """The gate line, naming each plant and scenario whose gate runway is under DAYS."""
    from reerisk.odds import breaches, percentile_label

    found = breaches(results, gate, fail_under)
    if found:
        named = [f"{plant} ({'; '.join(cells)})" for plant, cells in found.items()]
        gate_line(f"--fail-under {fail_under}", f"P{percentile_label(gate)} runway: ", named)
    return bool(found)


def _load_with_previous(
    files: Sequence[Path],
    scenarios_file: Path | None,
    scenario_names: Sequence[str],
    rate_texts: Sequence[str],
    elements_file: Path | None,
    against: Path | None,
) -> tuple[ReferenceData, list[PlantInput], list[Scenario], Previous | None]:
    """`load_inputs`, and the earlier output `--against` names: all their problems at once."""
    previous, problems = None, []
    if against is not None:
        from reerisk.previous import read_previous

        try:
            previous = read_previous(against)
        except InputError as exc:
            problems = exc.problems
    try:
        loaded = load_inputs(files, scenarios_file, scenario_names, rate_texts, elements_file)
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    return (*loaded, previous)


def _report_gates(comparison: Comparison) -> bool:
    """One stderr line per gate that tripped; True if any did."""
    from reerisk.compare import gate_message

    tripped = [gate for gate in comparison.gates if gate.tripped]
    for gate in tripped:
        typer.echo(f"reerisk: {gate_message(gate, comparison)}", err=True)
    return bool(tripped)
