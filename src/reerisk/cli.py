"""The command line: parse, load, project, render, exit code. Nothing else lives here.

Heavy modules (pydantic, yaml, holidays, rich, the engine) are imported inside
the commands, so `reerisk --help` and `--version` stay fast.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click.exceptions import NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperCommand, TyperGroup

from reerisk import __version__
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
    ReportFormatOpt,
    ReportOutputOpt,
    ReportTrialsOpt,
    ScenarioOpt,
    ScenariosOpt,
    SchemaKind,
    SeedOpt,
    SimFailUnderOpt,
    SortOpt,
    TrialsOpt,
)
from reerisk.errors import InputError, Problem, UsageError
from reerisk.options import (
    DEFAULT_PERCENTILE,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    MAX_HORIZON_DAYS,
    check_fail_under,
    check_horizon,
    check_jobs,
    check_output_is_not_an_input,
    choose_scenarios,
    parse_date,
    parse_percentile,
    parse_rate,
    parse_seed,
    parse_trials,
)
from reerisk.output import (
    OutputFormat,
    open_output,
    write_output,
    write_results,
    write_simulation,
)

if TYPE_CHECKING:
    from reerisk.compare import Comparison
    from reerisk.models import ReferenceData, Scenario
    from reerisk.odds import PlantOdds
    from reerisk.parallel import Run
    from reerisk.previous import Previous
    from reerisk.results import PlantInput

MAX_PROBLEMS_SHOWN = 50
DEFAULT_HORIZON_DAYS = 365


class _Command(TyperCommand):
    """A command whose usage mistakes are one line, like every other error.

    Click prints three (`Usage: …`, `Try …`, `Error: …`) and takes the last of
    an option given twice; here an option that takes one value is refused when
    it is given twice (`--scenarios a.yaml --scenarios b.yaml` would silently
    drop a.yaml).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _refuse_repeated_options(self.params, args)
        try:
            return super().parse_args(ctx, args)
        except NoArgsIsHelpError:
            raise
        except ClickUsageError as exc:
            _fail(f"{_plain(exc.format_message())} (see 'reerisk {self.name} --help')")


class _Group(TyperGroup):
    """`reerisk runwya`: one line too, with the commands there are."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except NoArgsIsHelpError:
            raise
        except ClickUsageError as exc:
            _fail(f"{_plain(exc.format_message())} (see 'reerisk --help')")

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except ClickUsageError as exc:
            _fail(f"{_plain(exc.format_message())} (see 'reerisk --help')")


def _plain(message: str) -> str:
    """Click's message without the validator's `Value error, ` prefix."""
    return message.replace("Value error, ", "")


def _refuse_repeated_options(params: Sequence[Any], args: Sequence[str]) -> None:
    for param in params:
        if param.param_type_name != "option" or param.multiple or param.is_flag:
            continue
        given = [a for a in args for o in param.opts if a == o or a.startswith(f"{o}=")]
        if len(given) > 1:
            _fail(f"{param.opts[0]} is given {len(given)} times; give it once")


app = typer.Typer(
    name="reerisk",
    cls=_Group,
    help=(
        "Days until each plant runs out of export-licensed rare earths, "
        "under each licence-approval rate."
    ),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 88},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reerisk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Show the version and exit.", callback=_version,
                     is_eager=True),
    ] = False,
) -> None:  # fmt: skip
    """Days until each plant runs out of export-licensed rare earths, per approval rate."""


def _fail(message: str) -> NoReturn:
    typer.echo(f"reerisk: error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn input and usage errors into messages on stderr and exit code 2."""
    try:
        yield
    except UsageError as exc:
        _fail(str(exc))
    except InputError as exc:
        _print_problems(exc.problems)
        raise typer.Exit(2) from None


def _print_problems(problems: Sequence[Problem]) -> None:
    """Each problem on its own line on stderr, at most MAX_PROBLEMS_SHOWN of them."""
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        typer.echo(str(problem), err=True)
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        typer.echo(f"… and {hidden} more", err=True)


def _warn(message: str) -> None:
    typer.echo(f"reerisk: warning: {message}", err=True)


def load_inputs(
    files: Sequence[Path],
    scenarios_file: Path | None,
    scenario_names: Sequence[str],
    rate_texts: Sequence[str],
    elements_file: Path | None,
) -> tuple[ReferenceData, list[PlantInput], list[Scenario]]:
    """Read every file given, then raise one InputError listing every problem."""
    from reerisk.loading import load_plants, load_reference, load_scenarios

    rates = list(dict.fromkeys(parse_rate(text) for text in rate_texts))  # 0.3 and 30% once
    problems: list[Problem] = []
    # Loading builds millions of small objects and no cycles worth collecting: the
    # cyclic collector would walk them over and over (half the load time at 10 000
    # plants). Afterwards they are frozen out of its sight, which also keeps forked
    # --jobs workers from copying them.
    gc.disable()
    try:
        reference = load_reference(str(elements_file) if elements_file else None, problems)
        plants = load_plants([str(f) for f in files], reference, problems)
        loaded = load_scenarios(str(scenarios_file), problems) if scenarios_file else []
    finally:
        gc.enable()
        gc.freeze()
    errors = [problem for problem in problems if not problem.warning]
    if errors or reference is None:
        raise InputError(problems)
    _print_problems(problems)  # warnings only
    scenarios = choose_scenarios(loaded, scenario_names, rates, scenarios_file is not None)
    from reerisk.crossref import scenario_warnings

    for message in scenario_warnings(scenarios, plants):
        _warn(message)
    return reference, plants, scenarios


def _check_run_options(
    horizon: int,
    jobs: int,
    output: Path | None,
    inputs: Sequence[Path | None],
    as_of: str | None,
    fail_under: int | None = None,
) -> date | None:
    """The checks every projecting command makes before reading a file; returns --as-of."""
    check_horizon(horizon)
    check_jobs(jobs)
    check_output_is_not_an_input(output, inputs)
    check_fail_under(fail_under, horizon)
    return parse_date("--as-of", as_of)


def _projection_run(
    reference: ReferenceData, chosen: list[Scenario], horizon: int, day_zero: date | None
) -> Run:
    """What every plant's projection shares: scenarios, regimes, report order of elements."""
    from reerisk.parallel import Run

    rare_earths = [e.symbol for e in sorted(reference.elements, key=lambda e: e.z)]
    return Run(chosen, reference.regimes, rare_earths, horizon, day_zero, date.today())


@app.command(cls=_Command)
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
    with _user_errors():
        inputs = [*files, scenarios, elements]
        day_zero = _check_run_options(horizon, jobs, output, inputs, as_of, fail_under)
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        _warn_about_days(plants, day_zero, horizon)
        run = _projection_run(reference, chosen, horizon, day_zero)
        with open_output(output) as stream:
            worst = write_results(run, plants, jobs, output_format, stream)
    if fail_under is not None:
        short = [f"{plant} ({days} d)" for plant, days in worst if days < fail_under]
        if short:
            _gate_line(f"--fail-under {fail_under}", "", short)
            raise typer.Exit(1)


def _warn_about_days(
    plants: Sequence[PlantInput], day_zero: date | None, horizon: int, *, exposure: bool = True
) -> None:
    """Say when day 0 or the horizon may not be what the user thinks."""
    moved = [
        i.plant for i in plants if day_zero is not None and i.plant.as_of not in (None, day_zero)
    ]
    if moved and day_zero is not None:
        first = moved[0]
        others = f" and {len(moved) - 1} more" if len(moved) > 1 else ""
        fate = "dropped" if first.as_of is not None and first.as_of < day_zero else "counted again"
        _warn(
            f"--as-of {day_zero} replaces the as_of of plant {first.id!r} ({first.as_of}){others}: "
            f"its inventory is taken to stand on {day_zero}, and supply dated between the two "
            f"is {fate}"
        )
    for item in plants:
        plant = item.plant
        if day_zero is None and plant.as_of is None:
            _warn(f"plant {plant.id!r} has no as_of; day 0 is today, {date.today()}")
        for material_id, days in plant.recovery_days.items() if exposure else ():
            if days > horizon:  # a runway past the horizon may still be shorter than this
                _warn(
                    f"plant {plant.id!r}, {material_id}: recovery_days {days} is beyond the "
                    f"{horizon}-day horizon, so whether it is exposed is not known; "
                    f"use --horizon {min(days, MAX_HORIZON_DAYS)}"
                )


@app.command(cls=_Command)
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
    with _user_errors():
        from reerisk.compare import check_gate_options

        inputs = [*files, scenarios, elements, against]
        day_zero = _check_run_options(horizon, jobs, output, inputs, as_of, fail_under)
        check_gate_options(fail_under, fail_drop, fail_scenario or [], against)
        reference, plants, chosen, previous = _load_with_previous(
            files, scenarios, scenario or [], rate or [], elements, against
        )
        _warn_about_days(plants, day_zero, horizon)
        if previous is not None and previous.horizon_days not in (None, horizon):
            _warn(
                f"--against {against} was projected over {previous.horizon_days} days and this "
                f"run over {horizon}: changes are judged within the shorter horizon, "
                f"{min(horizon, previous.horizon_days)} days"
            )

        from reerisk.compare import build_comparison, check_scenario_names
        from reerisk.render.compare import project_rows, write_comparison

        names = [s.name for s in chosen]
        check_scenario_names(names, sort, baseline, fail_scenario or [])
        run = _projection_run(reference, chosen, horizon, day_zero)
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
            _warn(
                f"--against {against} shares no plant and scenario with this run, so nothing "
                "was compared" + (" and --fail-drop checked nothing" if fail_drop else "")
            )
        with open_output(output) as stream:
            write_comparison(comparison, chosen, plant_json, output_format.value, stream)
    if _report_gates(comparison):
        raise typer.Exit(1)


@app.command(cls=_Command)
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
    with _user_errors():
        inputs = [*files, scenarios, elements]
        day_zero = _check_run_options(horizon, jobs, output, inputs, as_of, fail_under)
        run_trials, run_seed, gate = (
            parse_trials(trials),
            parse_seed(seed),
            parse_percentile(percentile),
        )
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        _warn_about_days(plants, day_zero, horizon, exposure=False)  # simulate shows none

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


MAX_BREACHES_NAMED = 20


def _report_breaches(results: Sequence[PlantOdds], gate: float, fail_under: int) -> bool:
    """The gate line, naming each plant and scenario whose gate runway is under DAYS."""
    from reerisk.odds import breaches, percentile_label

    found = breaches(results, gate, fail_under)
    if found:
        named = [f"{plant} ({'; '.join(cells)})" for plant, cells in found.items()]
        _gate_line(f"--fail-under {fail_under}", f"P{percentile_label(gate)} runway: ", named)
    return bool(found)


def _gate_line(gate: str, what: str, named: Sequence[str]) -> None:
    """`reerisk: gate --fail-under 60 tripped: a (…), b (…), … and N more plants` on stderr."""
    text = ", ".join(named[:MAX_BREACHES_NAMED])
    if len(named) > MAX_BREACHES_NAMED:
        text += f", … and {len(named) - MAX_BREACHES_NAMED} more plants"
    typer.echo(f"reerisk: gate {gate} tripped: {what}{text}", err=True)


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


@app.command(cls=_Command)
def report(
    files: Files,
    scenarios: ScenariosOpt = None,
    scenario: ScenarioOpt = None,
    rate: RateOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_DAYS,
    as_of: AsOfOpt = None,
    elements: ElementsOpt = None,
    report_format: ReportFormatOpt = None,
    output: ReportOutputOpt = None,
    trials: ReportTrialsOpt = None,
    seed: SeedOpt = str(DEFAULT_SEED),
    jobs: JobsOpt = 1,
) -> None:
    """The meeting document: summary, heat table, charts per plant (HTML, Markdown, xlsx)."""
    with _user_errors():
        from reerisk.report import choose_format

        chosen_format = choose_format(output, report_format)
        day_zero = _check_run_options(horizon, jobs, output, [*files, scenarios, elements], as_of)
        run_trials = None if trials is None else parse_trials(trials)
        run_seed = parse_seed(seed)

        from reerisk.report.write import require_libraries

        require_libraries(chosen_format, output)
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        _warn_about_days(plants, day_zero, horizon)

        from reerisk.report.write import gather, write_report

        run = _projection_run(reference, chosen, horizon, day_zero)
        stats = None
        if run_trials is not None:
            from reerisk.montecarlo import SimulationRun
            from reerisk.report.write import trial_stats

            simulation = SimulationRun(
                chosen, reference.regimes, horizon, day_zero, run.today, run_trials, run_seed,
                (10.0, 50.0), 10.0,
            )  # fmt: skip
            stats = trial_stats(simulation, plants, jobs)
        document = gather(run, plants, reference.regimes, jobs, stats)
        write_report(document, chosen_format, output)


@app.command(cls=_Command)
def validate(
    files: Files,
    scenarios: ScenariosOpt = None,
    elements: ElementsOpt = None,
) -> None:
    """Check plant, scenario and reference files; print `ok: N plants, M scenarios`."""
    with _user_errors():
        _, plants, chosen = load_inputs(files, scenarios, [], [], elements)
    _warn_about_days(plants, None, MAX_HORIZON_DAYS, exposure=False)  # a missing as_of
    count = len(chosen) if scenarios else 0
    plural = "" if len(plants) == 1 else "s"
    typer.echo(f"ok: {len(plants)} plant{plural}, {count} scenario{'' if count == 1 else 's'}")


@app.command("elements", cls=_Command)
def elements_command(
    on: Annotated[
        str | None,
        typer.Option("--date", help="Show the regimes in force on this date (default today).",
                     metavar="YYYY-MM-DD",
                     show_default=False),
    ] = None,
    elements: ElementsOpt = None,
    output_format: FormatOpt = OutputFormat.table,
) -> None:  # fmt: skip
    """The 17 rare earths and the export-control regimes in force on a date."""
    with _user_errors():
        day = parse_date("--date", on) or date.today()
        from reerisk.loading import load_reference

        problems: list[Problem] = []
        reference = load_reference(str(elements) if elements else None, problems)
        if reference is None:
            raise InputError(problems)
        if output_format is OutputFormat.table:
            from rich.console import Console

            from reerisk.render.reference import print_reference

            print_reference(Console(), reference, day)
        else:
            from reerisk.render.reference import render_reference

            write_output(render_reference(reference, day, output_format.value), None)


@app.command(cls=_Command)
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(help="Which file's schema: plants, scenarios or elements.", metavar="KIND"),
    ] = SchemaKind.plants,
) -> None:
    """Print the JSON Schema of plant, scenario or reference files, for editors."""
    import json

    from pydantic import TypeAdapter

    from reerisk.models import Plant, Portfolio, ReferenceData, ScenarioFile

    if kind is SchemaKind.plants:
        document = TypeAdapter(Portfolio | Plant).json_schema(by_alias=True)
        document["title"] = "reerisk plant file"
    elif kind is SchemaKind.scenarios:
        document = ScenarioFile.model_json_schema(by_alias=True)
    else:
        document = ReferenceData.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    typer.echo(json.dumps(document, indent=2))


@app.command(cls=_Command)
def init(
    path: Annotated[
        Path,
        typer.Argument(help="Where to write the starter plant file.", metavar="PATH"),
    ] = Path("plant.yaml"),
    force: Annotated[
        bool, typer.Option("--force", help="Replace PATH if it already exists.")
    ] = False,
) -> None:
    """Write a commented starter plant file to edit, then validate and run."""
    import shlex

    from reerisk.output import write_starter_plant

    with _user_errors():
        write_starter_plant(path, force=force)
    shown = shlex.quote(str(path))
    typer.echo(
        f"wrote {path}: a starter plant with example values; edit it, then run\n"
        f"  reerisk validate {shown}\n"
        f"  reerisk runway {shown}"
    )


EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug, never confused with --fail-under's 1


def main() -> None:
    """Console-script entry point. A crash is a bug: traceback, and exit code 70."""
    try:
        app()
    except Exception:  # the last resort: every user error was handled before this
        import traceback

        traceback.print_exc()
        typer.echo(
            "reerisk: internal error (a bug, not your input): please report the traceback above",
            err=True,
        )
        sys.exit(EXIT_INTERNAL_ERROR)


if __name__ == "__main__":
    main()
