"""The report's contents without the CLI: stock series against the engine, ordering, trials."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import PLANTS, SCENARIOS

from reerisk.cli import load_inputs
from reerisk.models import ReferenceData, Scenario
from reerisk.parallel import Run, project_all
from reerisk.report.html import render_html
from reerisk.report.markdown import render_markdown
from reerisk.report.model import Report, TrialStats, build_report, chart_material
from reerisk.report.xlsx import write_workbook
from reerisk.results import PlantInput, PlantProjection
from reerisk.series import stock_series

MOMENT = datetime(2025, 6, 2, tzinfo=UTC)
HORIZON = 365


@pytest.fixture(scope="module")
def sample() -> tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]]:
    reference, plants, scenarios = load_inputs([PLANTS], SCENARIOS, [], [], None)
    rare_earths = [e.symbol for e in sorted(reference.elements, key=lambda e: e.z)]
    run = Run(scenarios, reference.regimes, rare_earths, HORIZON, None, date(2025, 6, 2))
    projections = [p for p, _ in project_all(run, plants, 1, lambda p: p)]
    return reference, plants, scenarios, projections


def _report(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
    stats: dict[tuple[str, str], TrialStats] | None = None,
) -> Report:
    reference, plants, scenarios, projections = sample
    rare_earths = [e.symbol for e in sorted(reference.elements, key=lambda e: e.z)]
    return build_report(
        projections, plants, scenarios, reference.regimes, rare_earths, HORIZON, MOMENT, stats
    )


def test_stock_series_runs_short_on_the_engines_runway_day(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    """Every sample plant x scenario x material: the chart's first short day is the runway."""
    reference, plants, scenarios, projections = sample
    checked = 0
    for item, projection in zip(plants, projections, strict=True):
        for scenario, result in zip(scenarios, projection.results, strict=True):
            for material in result.materials:
                series = stock_series(
                    item, material.id, scenario, reference.regimes, projection.as_of, HORIZON
                )
                assert series.first_short_day == material.runway_days, (item.plant.id, scenario)
                assert series.stock[-1] == pytest.approx(material.end_stock, rel=1e-9, abs=1e-6)
                assert sum(series.short) == material.short_days
                assert min(series.stock) >= 0
                checked += 1
    assert checked > 50


def test_plants_come_worst_first_and_the_chart_draws_the_binding_material(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    report = _report(sample)
    worst = [s.worst.runway_days if s.worst else 10**6 for s in report.plants]
    assert worst == sorted(worst)
    for section in report.plants:
        assert section.worst is not None
        assert section.chart_material == section.worst.binding_material
        assert [s.scenario for s in section.series] == [s.name for s in report.scenarios]


def test_a_plant_that_never_runs_out_charts_its_first_controlled_material(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    _, _, _, projections = sample
    projection = projections[0]
    calm = projection.results[0]
    # The same plant as if nothing ran out: no runway anywhere.
    from dataclasses import replace

    materials = tuple(replace(m, runway_days=None, stockout_date=None) for m in calm.materials)
    quiet = replace(projection, results=(replace(calm, runway_days=None, materials=materials),))
    controlled = [m.id for m in calm.materials if m.controlled and m.need > 0]
    assert chart_material(quiet) == controlled[0]


def test_earliest_stockouts_name_each_plant_once_with_every_scenario_that_ties(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    report = _report(sample)
    assert [s.plant for s in report.earliest] == ["jp-compact-car", "us-eps-brake",
                                                  "ee-magnet-maker"]  # fmt: skip
    first = report.earliest[0]
    assert (first.runway_days, first.stockout_date) == (43, date(2025, 7, 15))
    assert first.scenarios == ("embargo", "slow-review")
    assert first.material == "small-motor-ndfeb"


def test_unsaved_plants_follow_the_null_breakeven(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    report = _report(sample)
    for section in report.plants:
        nulls = tuple(r.scenario for r in section.projection.results if r.breakeven_rate is None)
        listed = [u for u in report.unsaved if u.plant == section.id]
        assert (listed[0].scenarios if listed else ()) == nulls


def test_trial_figures_join_the_heat_table_when_given(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    """The hook for `simulate`: P10, P50 and p_stockout per plant x scenario."""
    stats = {("jp-compact-car", "embargo"): TrialStats(38, 43, 0.97)}
    report = _report(sample, stats)
    page = render_html(report, [None] * len(report.plants))
    assert (
        '<span class="nowrap">P10 38 d</span> · <span class="nowrap">P50 43 d</span><br>'
        '<span class="nowrap">p(stockout) 97%</span>'
    ) in page
    text = render_markdown(report, [None] * len(report.plants))
    assert "P10 38 d, P50 43 d, p(stockout) 97%" in text
    buffer = io.BytesIO()
    write_workbook(report, buffer)
    summary = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["summary"]
    header = [c.value for c in summary[1]]
    assert header[-3:] == ["p10_days", "p50_days", "p_stockout"]
    row = next(r for r in summary.iter_rows(min_row=2) if r[0].value == "jp-compact-car")
    assert [c.value for c in row[-3:]] == [38, 43, 0.97]


def test_without_trials_there_are_no_trial_columns(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    report = _report(sample)
    assert "P10" not in render_html(report, [None] * len(report.plants))


def test_the_shortfall_in_kg_follows_mass_and_composition(
    sample: tuple[ReferenceData, list[PlantInput], list[Scenario], list[PlantProjection]],
) -> None:
    _, plants, _, projections = sample
    report = _report(sample)
    # Recompute Dy under embargo straight from the materials' shortfalls.
    expected = 0.0
    for item, projection in zip(plants, projections, strict=True):
        for material in projection.results[0].materials:
            definition = item.materials[material.id]
            grams = definition.mass_g if definition.unit == "pcs" else 1000.0
            share = (definition.composition or {material.id: 100.0}).get("Dy", 0.0) / 100
            expected += material.shortfall * (grams or 0) / 1000 * share
    assert report.shortfall_kg["embargo"]["Dy"] == pytest.approx(expected)
    assert report.worst_shortfall_scenario == "embargo"


def test_paths_in_the_markdown_are_relative(tmp_path: Path) -> None:
    from reerisk.report.markdown import chart_folder

    assert chart_folder(tmp_path / "risk.md") == tmp_path / "risk-charts"
