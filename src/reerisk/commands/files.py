"""`validate`, `elements`, `schema` and `init`: the commands about files, not projections."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reerisk.cli import Command, app, load_inputs, user_errors, warn_about_days
from reerisk.cli_options import ElementsOpt, Files, FormatOpt, ScenariosOpt, SchemaKind
from reerisk.errors import InputError, Problem
from reerisk.options import MAX_HORIZON_DAYS, parse_date
from reerisk.output import OutputFormat, write_output

if TYPE_CHECKING:
    pass


@app.command(cls=Command)
def validate(
    files: Files,
    scenarios: ScenariosOpt = None,
    elements: ElementsOpt = None,
) -> None:
    """Check plant, scenario and reference files; print `ok: N plants, M scenarios`."""
    with user_errors():
        _, plants, chosen = load_inputs(files, scenarios, [], [], elements)
    warn_about_days(plants, None, MAX_HORIZON_DAYS, exposure=False)  # a missing as_of
    count = len(chosen) if scenarios else 0
    plural = "" if len(plants) == 1 else "s"
    typer.echo(f"ok: {len(plants)} plant{plural}, {count} scenario{'' if count == 1 else 's'}")


@app.command("elements", cls=Command)
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
    with user_errors():
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


@app.command(cls=Command)
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


@app.command(cls=Command)
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

    with user_errors():
        write_starter_plant(path, force=force)
    shown = shlex.quote(str(path))
    typer.echo(
        f"wrote {path}: a starter plant with example values; edit it, then run\n"
        f"  reerisk validate {shown}\n"
        f"  reerisk runway {shown}"
    )
