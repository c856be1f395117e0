"""The command line's options, declared once and shared by the commands that take them.

Only typer is imported here, so that `reerisk --help` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reerisk.options import MAX_HORIZON_DAYS
from reerisk.output import OutputFormat


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


def _dash_is_stdout(value: Path | None) -> Path | None:
    """`--output -` means stdout, as it does for most tools, not a file named `-`."""
    return None if value is not None and str(value) == "-" else value


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        help="Write to this file (atomically) instead of stdout; - is stdout.",
        metavar="FILE",
        show_default=False,
        callback=_dash_is_stdout,
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


SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        help="Sort by this scenario's runway (default: the worst across scenarios).",
        metavar="NAME",
        show_default=False,
    ),
]
BaselineOpt = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        help="Show each runway's change in days against this scenario.",
        metavar="NAME",
        show_default=False,
    ),
]
AgainstOpt = Annotated[
    Path | None,
    typer.Option(
        "--against",
        help="An earlier `--format json` output of runway or compare: show the change since.",
        metavar="PREVIOUS.json",
        show_default=False,
    ),
]
FailScenarioOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-scenario",
        help="Apply --fail-under and --fail-drop to this scenario only (repeatable).",
        metavar="NAME",
        show_default=False,
    ),
]
FailDropOpt = Annotated[
    int | None,
    typer.Option(
        "--fail-drop",
        help="Exit 1 if any runway dropped by more than DAYS since --against "
        "(a plant that now stocks out counts as an unbounded drop).",
        metavar="DAYS",
        show_default=False,
    ),
]
ReportFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="html, markdown or xlsx; default: from the --output extension "
        "(.html/.htm, .md, .xlsx), else html.",
        metavar="FORMAT",
        show_default=False,
    ),
]
ReportOutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        help="Write here (atomically). Required for xlsx; Markdown puts its charts in "
        "NAME-charts/ beside it. Default, or -: stdout (HTML; Markdown without charts).",
        metavar="FILE",
        show_default=False,
        callback=_dash_is_stdout,
    ),
]


TrialsOpt = Annotated[
    str,
    typer.Option("--trials", help="Monte Carlo trials per plant and scenario.", metavar="N"),
]
SeedOpt = Annotated[
    str,
    typer.Option(
        "--seed",
        help="Seed of the random draws: the same seed gives the same figures on any machine.",
        metavar="S",
    ),
]
PercentileOpt = Annotated[
    str,
    typer.Option(
        "--percentile",
        help="The runway percentile --fail-under checks (0 < Q <= 100); reported beside "
        "P10, P50 and P90.",
        metavar="Q",
    ),
]
SimFailUnderOpt = Annotated[
    int | None,
    typer.Option(
        "--fail-under",
        help="Exit 1 if any plant's P10 runway (or --percentile's) is under DAYS days in any "
        "reported scenario.",
        metavar="DAYS",
        show_default=False,
    ),
]
ReportTrialsOpt = Annotated[
    str | None,
    typer.Option(
        "--trials",
        help="Also run N Monte Carlo trials (as simulate does) and add P10, P50 and "
        "p(stockout) to the heat table.",
        metavar="N",
        show_default=False,
    ),
]
