"""The command line's frame: the Typer app, one-line errors, loading, exit codes.

The commands themselves live in `reerisk.commands` (projections, the report,
file tools) and register on `app` when this module has defined it. Heavy
modules (pydantic, yaml, holidays, rich, the engine) are imported inside the
commands, so `reerisk --help` and `--version` stay fast.
"""

from __future__ import annotations

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
from reerisk.errors import InputError, Problem, UsageError
from reerisk.options import (
    MAX_HORIZON_DAYS,
    check_fail_under,
    check_horizon,
    check_jobs,
    check_output_is_not_an_input,
    choose_scenarios,
    parse_date,
    parse_rate,
)

if TYPE_CHECKING:
    from reerisk.models import ReferenceData, Scenario
    from reerisk.parallel import Run
    from reerisk.results import PlantInput

MAX_PROBLEMS_SHOWN = 50
DEFAULT_HORIZON_DAYS = 365


class Command(TyperCommand):
    """A command whose usage mistakes are one line, like every other error.

    Click prints three (`Usage: …`, `Try …`, `Error: …`) and takes the last of
    an option given twice; here an option that takes one value is refused when
    it is given twice (`--scenarios a.yaml --scenarios b.yaml` would silently
    drop a.yaml).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _refuse_repeated_options(self.params, args)
        with _one_line_usage_errors(f"reerisk {self.name} --help"):
            return super().parse_args(ctx, args)


class _Group(TyperGroup):
    """`reerisk runwya`: one line too, with the commands there are."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        with _one_line_usage_errors("reerisk --help"):
            return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        with _one_line_usage_errors("reerisk --help"):
            return super().resolve_command(ctx, args)


@contextmanager
def _one_line_usage_errors(help_command: str) -> Iterator[None]:
    """Click's usage error as `reerisk: error: …` and exit 2; a bare `reerisk` still shows help."""
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except ClickUsageError as exc:
        fail(f"{_plain(exc.format_message())} (see '{help_command}')")


def _plain(message: str) -> str:
    """Click's message without the validator's `Value error, ` prefix."""
    return message.replace("Value error, ", "")


def _refuse_repeated_options(params: Sequence[Any], args: Sequence[str]) -> None:
    for param in params:
        if param.param_type_name != "option" or param.multiple or param.is_flag:
            continue
        given = [a for a in args for o in param.opts if a == o or a.startswith(f"{o}=")]
        if len(given) > 1:
            fail(f"{param.opts[0]} is given {len(given)} times; give it once")


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


def fail(message: str) -> NoReturn:
    typer.echo(f"reerisk: error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn input and usage errors into messages on stderr and exit code 2."""
    try:
        yield
    except UsageError as exc:
        fail(str(exc))
    except InputError as exc:
        print_problems(exc.problems)
        raise typer.Exit(2) from None


def print_problems(problems: Sequence[Problem]) -> None:
    """Each problem on its own line on stderr, at most MAX_PROBLEMS_SHOWN of them."""
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        typer.echo(str(problem), err=True)
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        typer.echo(f"… and {hidden} more", err=True)


def warn(message: str) -> None:
    typer.echo(f"reerisk: warning: {message}", err=True)


def load_inputs(
    files: Sequence[Path],
    scenarios_file: Path | None,
    scenario_names: Sequence[str],
    rate_texts: Sequence[str],
    elements_file: Path | None,
) -> tuple[ReferenceData, list[PlantInput], list[Scenario]]:
    """Read every file given, then raise one InputError listing every problem."""
    from reerisk.loading import collector_paused, load_plants, load_reference, load_scenarios

    rates = list(dict.fromkeys(parse_rate(text) for text in rate_texts))  # 0.3 and 30% once
    problems: list[Problem] = []
    with collector_paused():
        reference = load_reference(str(elements_file) if elements_file else None, problems)
        plants = load_plants([str(f) for f in files], reference, problems)
        loaded = load_scenarios(str(scenarios_file), problems) if scenarios_file else []
    errors = [problem for problem in problems if not problem.warning]
    if errors or reference is None:
        raise InputError(problems)
    print_problems(problems)  # warnings only
    scenarios = choose_scenarios(loaded, scenario_names, rates, scenarios_file is not None)
    from reerisk.crossref import scenario_warnings

    for message in scenario_warnings(scenarios, plants):
        warn(message)
    return reference, plants, scenarios


def check_run_options(
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


def projection_run(
    reference: ReferenceData, chosen: list[Scenario], horizon: int, day_zero: date | None
) -> Run:
    """What every plant's projection shares: scenarios, regimes, report order of elements."""
    from reerisk.parallel import Run

    rare_earths = [e.symbol for e in sorted(reference.elements, key=lambda e: e.z)]
    return Run(chosen, reference.regimes, rare_earths, horizon, day_zero, date.today())


def warn_about_days(
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
        warn(
            f"--as-of {day_zero} replaces the as_of of plant {first.id!r} ({first.as_of}){others}: "
            f"its inventory is taken to stand on {day_zero}, and supply dated between the two "
            f"is {fate}"
        )
    for item in plants:
        plant = item.plant
        if day_zero is None and plant.as_of is None:
            warn(f"plant {plant.id!r} has no as_of; day 0 is today, {date.today()}")
        for material_id, days in plant.recovery_days.items() if exposure else ():
            if days > horizon:  # a runway past the horizon may still be shorter than this
                warn(
                    f"plant {plant.id!r}, {material_id}: recovery_days {days} is beyond the "
                    f"{horizon}-day horizon, so whether it is exposed is not known; "
                    f"use --horizon {min(days, MAX_HORIZON_DAYS)}"
                )


MAX_BREACHES_NAMED = 20  # plants named on a gate's stderr line


def gate_line(gate: str, what: str, named: Sequence[str]) -> None:
    """`reerisk: gate --fail-under 60 tripped: a (…), b (…), … and N more plants` on stderr."""
    text = ", ".join(named[:MAX_BREACHES_NAMED])
    if len(named) > MAX_BREACHES_NAMED:
        text += f", … and {len(named) - MAX_BREACHES_NAMED} more plants"
    typer.echo(f"reerisk: gate {gate} tripped: {what}{text}", err=True)


# The commands register on `app` in this order, which is the order of `reerisk --help`.
import reerisk.commands.project  # noqa: E402, I001
import reerisk.commands.report  # noqa: E402
import reerisk.commands.files  # noqa: E402, F401

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
