"""The command line: parse, load, project, render, exit code. Nothing else lives here.

Heavy modules (pydantic, yaml, holidays, rich, the engine) are imported inside
the commands, so `reerisk --help` and `--version` stay fast.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar

import typer

from reerisk import __version__

if TYPE_CHECKING:
    from reerisk.models import ReferenceData, Scenario
    from reerisk.parallel import Run
    from reerisk.results import PlantInput, PlantProjection
    from reerisk.sources import Problem

T = TypeVar("T")
MAX_PROBLEMS_SHOWN = 50
DEFAULT_RATES = (0.0, 0.25, 0.5, 0.75, 1.0)
DEFAULT_HORIZON_DAYS = 365
MAX_HORIZON_DAYS = 3660

app = typer.Typer(
    name="reerisk",
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


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class SchemaKind(StrEnum):
    plants = "plants"
    scenarios = "scenarios"
    elements = "elements"


Files = Annotated[
    list[Path],
    typer.Argument(
        help="Plant files: one plant, or a portfolio with plants:.",
        metavar="FILE",
        show_default=False,
    ),
]
ScenariosOpt = Annotated[
    Path | None,
    typer.Option("--scenarios", help="Scenario file.", metavar="FILE", show_default=False),
]
ScenarioOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scenario",
        help="Use only this scenario of --scenarios (repeatable).",
        metavar="NAME",
        show_default=False,
    ),
]
RateOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rate",
        help="Approval rate, 0..1 or a percentage like 25% (repeatable); "
        "replaces the default grid 0, 25, 50, 75, 100 %.",
        metavar="RATE",
        show_default=False,
    ),
]
HorizonOpt = Annotated[
    int,
    typer.Option("--horizon", help=f"Days to project, 1..{MAX_HORIZON_DAYS}.", metavar="DAYS"),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Day 0 for every plant; default: each plant's as_of, else today.",
        metavar="YYYY-MM-DD",
        show_default=False,
    ),
]
ElementsOpt = Annotated[
    Path | None,
    typer.Option(
        "--elements",
        help="Reference data replacing the shipped elements.yaml.",
        metavar="FILE",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", help="Output format: table, json, csv or markdown.", metavar="FORMAT"),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        help="Write to this file (atomically) instead of stdout.",
        metavar="FILE",
        show_default=False,
    ),
]
FailUnderOpt = Annotated[
    int | None,
    typer.Option(
        "--fail-under",
        help="Exit 1 if any plant runs out in fewer than DAYS days under any reported scenario.",
        metavar="DAYS",
        show_default=False,
    ),
]


JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        help="Worker processes for the projection (large portfolios; see benchmarks/README.md).",
        metavar="N",
    ),
]


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
    from reerisk.loading import InputError, UsageError

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


def _parse_rate(text: str) -> float:
    from reerisk.loading import UsageError

    raw = text.strip()
    try:
        rate = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"--rate {text!r}: expected a number 0..1 or a percentage") from None
    if not 0 <= rate <= 1:
        raise UsageError(f"--rate {text!r}: must be between 0 and 1 (0 % and 100 %)")
    return rate


def _parse_date(option: str, text: str | None) -> date | None:
    from reerisk.loading import UsageError

    if text is None:
        return None
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise UsageError(f"{option} {text!r}: expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: not a calendar date: {exc}") from None


def _check_horizon(horizon: int) -> None:
    from reerisk.loading import UsageError

    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise UsageError(f"--horizon {horizon}: must be 1..{MAX_HORIZON_DAYS} days")


def rate_scenario(rate: float) -> Scenario:
    """A constant-rate scenario named like `25%`."""
    from reerisk.models import Scenario
    from reerisk.render.summary import percent

    return Scenario(name=percent(rate), approval_rate=rate)


def _choose_scenarios(
    loaded: Sequence[Scenario], names: Sequence[str], rates: Sequence[float], have_file: bool
) -> list[Scenario]:
    from reerisk.loading import UsageError

    chosen = list(loaded)
    if names:
        if not have_file:
            raise UsageError("--scenario needs --scenarios FILE to choose from")
        by_name = {s.name: s for s in loaded}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise UsageError(
                f"--scenario {missing[0]!r} is not in the scenarios file; "
                f"it has: {', '.join(by_name)}"
            )
        chosen = [by_name[n] for n in dict.fromkeys(names)]
    chosen += [rate_scenario(r) for r in rates]
    if not have_file and not rates:
        chosen = [rate_scenario(r) for r in DEFAULT_RATES]
    names_seen: set[str] = set()
    for scenario in chosen:
        if scenario.name in names_seen:
            raise UsageError(
                f"two scenarios are named {scenario.name!r} (one from --rate); rename the one "
                "in the scenarios file"
            )
        names_seen.add(scenario.name)
    return chosen


def load_inputs(
    files: Sequence[Path],
    scenarios_file: Path | None,
    scenario_names: Sequence[str],
    rate_texts: Sequence[str],
    elements_file: Path | None,
) -> tuple[ReferenceData, list[PlantInput], list[Scenario]]:
    """Read every file given, then raise one InputError listing every problem."""
    from reerisk.loading import InputError, load_plants, load_reference, load_scenarios

    rates = list(dict.fromkeys(_parse_rate(text) for text in rate_texts))  # 0.3 and 30% once
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
    scenarios = _choose_scenarios(loaded, scenario_names, rates, scenarios_file is not None)
    return reference, plants, scenarios


@contextmanager
def open_output(output: Path | None) -> Iterator[TextIO]:
    """stdout, or a temporary file beside `output` that replaces it only when all is written."""
    from reerisk.loading import UsageError

    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(output))  # write through a symlink, not over it
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else _default_file_mode()
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.chmod(temporary, mode)  # mkstemp makes it private; keep the usual permissions
        os.replace(temporary, target)
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write: {exc.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_output(text: str, output: Path | None) -> None:
    """Print to stdout, or replace `output` atomically."""
    with open_output(output) as stream:
        stream.write(text)


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_results(
    run: Run,
    plants: Sequence[PlantInput],
    jobs: int,
    output_format: OutputFormat,
    stream: TextIO,
) -> list[int]:
    """Project and render plant by plant; return each plant's shortest runway that exists."""
    from reerisk.parallel import project_all
    from reerisk.render import text

    worst: list[int] = []

    def keep(pieces: Iterator[tuple[T, int | None]]) -> Iterator[T]:
        for piece, runway in pieces:
            if runway is not None:
                worst.append(runway)
            yield piece

    if output_format is OutputFormat.json:
        text.write_json(
            keep(project_all(run, plants, jobs, text.json_plant)),
            run.scenarios,
            run.horizon_days,
            stream,
        )
        return worst
    if output_format is OutputFormat.csv:
        text.write_csv(keep(project_all(run, plants, jobs, text.csv_plant)), stream)
        return worst
    projections = keep(project_all(run, plants, jobs, _same))
    if output_format is OutputFormat.markdown:
        text.write_markdown(projections, run.horizon_days, stream)
        return worst
    from rich.console import Console

    from reerisk.render.table import print_tables

    to_file = stream is not sys.stdout
    console = Console(file=stream, width=120, color_system=None) if to_file else Console()
    print_tables(console, projections, run.horizon_days)
    return worst


def _same(projection: PlantProjection) -> PlantProjection:
    return projection


@app.command()
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
        _check_horizon(horizon)
        _check_jobs(jobs)
        _check_fail_under(fail_under, horizon)
        day_zero = _parse_date("--as-of", as_of)
        reference, plants, chosen = load_inputs(
            files, scenarios, scenario or [], rate or [], elements
        )
        _warn_about_days(plants, day_zero, horizon)

        from reerisk.parallel import Run

        rare_earths = [e.symbol for e in sorted(reference.elements, key=lambda e: e.z)]
        run = Run(chosen, reference.regimes, rare_earths, horizon, day_zero, date.today())
        with open_output(output) as stream:
            worst = write_results(run, plants, jobs, output_format, stream)
    if fail_under is not None and any(days < fail_under for days in worst):
        raise typer.Exit(1)


def _check_jobs(jobs: int) -> None:
    from reerisk.loading import UsageError

    if not 1 <= jobs <= 64:
        raise UsageError(f"--jobs {jobs}: must be 1..64")


def _check_fail_under(fail_under: int | None, horizon: int) -> None:
    from reerisk.loading import UsageError

    if fail_under is not None and not 1 <= fail_under <= horizon:
        raise UsageError(
            f"--fail-under {fail_under}: must be 1..{horizon} days (the horizon): a runway "
            "beyond the horizon is not known"
        )


def _warn_about_days(plants: Sequence[PlantInput], day_zero: date | None, horizon: int) -> None:
    """Say when day 0 or the horizon may not be what the user thinks."""
    for item in plants:
        plant = item.plant
        if day_zero is None and plant.as_of is None:
            _warn(f"plant {plant.id!r} has no as_of; day 0 is today, {date.today()}")
        for material_id, days in plant.recovery_days.items():
            if days > horizon:  # a runway past the horizon may still be shorter than this
                _warn(
                    f"plant {plant.id!r}, {material_id}: recovery_days {days} is beyond the "
                    f"{horizon}-day horizon, so whether it is exposed is not known; "
                    f"use --horizon {min(days, MAX_HORIZON_DAYS)}"
                )


@app.command()
def validate(
    files: Files,
    scenarios: ScenariosOpt = None,
    elements: ElementsOpt = None,
) -> None:
    """Check plant, scenario and reference files; print `ok: N plants, M scenarios`."""
    with _user_errors():
        _, plants, chosen = load_inputs(files, scenarios, [], [], elements)
    count = len(chosen) if scenarios else 0
    plural = "" if len(plants) == 1 else "s"
    typer.echo(f"ok: {len(plants)} plant{plural}, {count} scenario{'' if count == 1 else 's'}")


@app.command("elements")
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
        day = _parse_date("--date", on) or date.today()
        from reerisk.loading import InputError, load_reference

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


@app.command()
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
