"""Project, gather and write the report in its format; the CLI's `report` calls only this.

HTML goes to `--output` or stdout (it is one self-contained file). Markdown goes
to `--output` with its charts as SVG files in `NAME-charts/` beside it, linked
relatively; on stdout (for a CI job summary) it has no charts. xlsx needs
`--output`. Every file is replaced atomically.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reerisk.errors import UsageError
from reerisk.models import Regime
from reerisk.output import open_binary_output, open_output
from reerisk.parallel import Run, map_plants, project_all
from reerisk.report import INSTALL_HINT
from reerisk.report.model import Report, TrialStats, build_report
from reerisk.results import PlantInput, PlantProjection

if TYPE_CHECKING:
    from reerisk.montecarlo import SimulationRun


def generated_at() -> datetime:
    """Now, in UTC; or `SOURCE_DATE_EPOCH` (seconds), for reproducible documents."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH {epoch!r}: expected whole seconds since 1970"
            ) from None
    return datetime.now(tz=UTC).replace(microsecond=0)


def require_libraries(report_format: str, output: Path | None) -> None:
    """The optional libraries the format needs, checked before any work is done.

    Markdown on stdout has no charts, so it needs neither.
    """
    if report_format == "markdown" and output is None:
        return
    if report_format == "xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise UsageError(f"xlsx output needs openpyxl: {INSTALL_HINT}") from None
    else:
        from reerisk.report.charts import require_matplotlib

        require_matplotlib()


def gather(
    run: Run,
    plants: Sequence[PlantInput],
    regimes: Sequence[Regime],
    jobs: int,
    stats: Mapping[tuple[str, str], TrialStats] | None = None,
) -> Report:
    """Project every plant and gather the report's contents."""
    projections: list[PlantProjection] = [p for p, _ in project_all(run, plants, jobs, _same)]
    return build_report(
        projections, plants, run.scenarios, regimes, run.rare_earths, run.horizon_days,
        generated_at(), stats,
    )  # fmt: skip


def trial_stats(
    run: SimulationRun, plants: Sequence[PlantInput], jobs: int
) -> dict[tuple[str, str], TrialStats]:
    """P10, P50 and p(stockout) per (plant, scenario), from `simulate`'s trials."""
    stats = {}
    for plant in map_plants(run.simulate, plants, jobs):
        for result in plant.results:
            odds = result.odds
            stats[(plant.id, result.scenario)] = TrialStats(
                odds.runway_at(10), odds.runway_at(50), odds.p_stockout
            )
    return stats


def _same(projection: PlantProjection) -> PlantProjection:
    return projection


def write_report(report: Report, report_format: str, output: Path | None) -> None:
    """Render `report` as `report_format` to `output` (stdout when None and allowed)."""
    if report_format == "xlsx":
        if output is None:
            raise UsageError("--format xlsx needs --output FILE.xlsx")
        from reerisk.report.xlsx import write_workbook

        with open_binary_output(output) as stream:
            write_workbook(report, stream)
        return
    from reerisk.report.charts import stock_chart

    if report_format == "html":
        from reerisk.report.html import render_html

        charts = [stock_chart(section, report.horizon_days) for section in report.plants]
        with open_output(output) as stream:
            stream.write(render_html(report, charts))
        return
    from reerisk.report.markdown import chart_folder, render_markdown

    links: list[str | None] = [None] * len(report.plants)
    if output is not None:
        folder = chart_folder(output)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--output {output}: cannot make {folder}: {exc.strerror}") from None
        for index, section in enumerate(report.plants):
            chart = stock_chart(section, report.horizon_days)
            if chart is None:
                continue
            target = folder / f"{section.id}.svg"
            with open_output(target) as stream:
                stream.write(chart)
            links[index] = f"{folder.name}/{target.name}"
    with open_output(output) as stream:
        stream.write(render_markdown(report, links))
