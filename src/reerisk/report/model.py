"""What the meeting document says, worked out once for every format.

Pure: projections, plants, scenarios and reference data in; frozen dataclasses
out. Plants come worst first (shortest runway across scenarios, as `compare`
sorts them), so the page opens on the plant in trouble:

    Report
      earliest      the three plants that run out first, each at its earliest stockout
      unsaved       plants that no approval rate keeps running, and under which scenarios
      shortfall_kg  extra stock per rare earth that closes every gap, per scenario
      plants        PlantSection: projection, compare row, chart material and stock lines
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reerisk.compare import Row, plant_row, sort_rows
from reerisk.models import Regime, Scenario
from reerisk.results import MaterialResult, PlantInput, PlantProjection, ScenarioResult
from reerisk.series import StockSeries, stock_series
from reerisk.supply import element_content, kg_per_unit

EARLIEST_SHOWN = 3


@dataclass(frozen=True)
class TrialStats:
    """Monte Carlo figures for a plant under a scenario (SPEC §4), when `simulate` ran.

    Percentiles are runway days; None is a percentile with no stockout.
    """

    p10_days: int | None
    p50_days: int | None
    p_stockout: float


@dataclass(frozen=True)
class Stockout:
    """A plant's earliest stockout, and every scenario that gives it."""

    plant: str
    plant_name: str
    material: str
    runway_days: int
    stockout_date: date
    scenarios: tuple[str, ...]


@dataclass(frozen=True)
class Unsaved:
    """A plant that no constant approval rate in [0, 1] keeps running within the horizon."""

    plant: str
    plant_name: str
    scenarios: tuple[str, ...]
    materials: tuple[str, ...]  # the materials whose gap no rate closes


@dataclass(frozen=True)
class PlantSection:
    """One plant's part of the document."""

    item: PlantInput
    projection: PlantProjection
    row: Row
    chart_material: str | None  # binding in the worst scenario; None when nothing is consumed
    series: tuple[StockSeries, ...]  # one per scenario, for `chart_material`
    scenarios: tuple[Scenario, ...]

    @property
    def id(self) -> str:
        return self.projection.id

    @property
    def worst(self) -> ScenarioResult | None:
        """The scenario result with the shortest runway (first in scenario order on ties)."""
        found = [r for r in self.projection.results if r.runway_days is not None]
        return min(found, key=lambda r: r.runway_days or 0) if found else None

    @property
    def base(self) -> ScenarioResult:
        """The first scenario without levers: its kg/day and stock describe the plant as it is."""
        for result, scenario in zip(self.projection.results, self.scenarios, strict=True):
            if scenario.demand_scale == 1.0 and not scenario.extra_stock:
                return result
        return self.projection.results[0]


@dataclass(frozen=True)
class Report:
    """Everything the HTML, Markdown and xlsx documents show."""

    horizon_days: int
    as_of_dates: tuple[date, ...]  # distinct, sorted: usually one
    generated_at: datetime
    scenarios: tuple[Scenario, ...]
    regimes: tuple[Regime, ...]  # in force on the earliest as-of date
    rare_earths: tuple[str, ...]  # symbols found in the plants' materials, in report order
    controlled_symbols: frozenset[str]
    plants: tuple[PlantSection, ...]  # worst first
    earliest: tuple[Stockout, ...]
    unsaved: tuple[Unsaved, ...]
    shortfall_kg: Mapping[str, Mapping[str, float]]  # scenario -> symbol -> kg
    stats: Mapping[tuple[str, str], TrialStats] | None = None  # (plant, scenario) -> trials

    @property
    def as_of(self) -> date:
        return self.as_of_dates[0]

    @property
    def worst_shortfall_scenario(self) -> str | None:
        """The scenario whose gaps take the most rare-earth kg to close, if any does."""
        totals = {name: sum(kg.values()) for name, kg in self.shortfall_kg.items()}
        worst = max(totals, key=lambda name: totals[name], default=None)
        return worst if worst is not None and totals[worst] > 0 else None


def build_report(
    projections: Sequence[PlantProjection],
    plants: Sequence[PlantInput],
    scenarios: Sequence[Scenario],
    regimes: Sequence[Regime],
    rare_earths: Sequence[str],
    horizon_days: int,
    generated_at: datetime,
    stats: Mapping[tuple[str, str], TrialStats] | None = None,
) -> Report:
    """Gather the document's contents from a run's projections (one per plant, input order)."""
    by_id = {item.plant.id: item for item in plants}
    rows = sort_rows(plant_row(p, by_id[p.id]) for p in projections)
    projection_of = {p.id: p for p in projections}
    sections = tuple(
        _section(by_id[row.plant], projection_of[row.plant], row, scenarios, regimes, horizon_days)
        for row in rows
    )
    as_of_dates = tuple(sorted({p.as_of for p in projections}))
    found = [s for s in rare_earths if any(_holds(s, item) for item in plants)]
    first_day = as_of_dates[0]
    return Report(
        horizon_days=horizon_days,
        as_of_dates=as_of_dates,
        generated_at=generated_at,
        scenarios=tuple(scenarios),
        regimes=tuple(r for r in regimes if r.in_force(first_day)),
        rare_earths=tuple(found),
        controlled_symbols=frozenset(
            s for r in regimes if r.in_force(first_day) for s in r.elements
        ),
        plants=sections,
        earliest=earliest_stockouts(sections),
        unsaved=unsaved_plants(sections),
        shortfall_kg=shortfall_by_element(sections, scenarios, found),
        stats=stats,
    )


def _holds(symbol: str, item: PlantInput) -> bool:
    return any(
        element_content(m, material).get(symbol, 0.0) > 0 for m, material in item.materials.items()
    )


def _section(
    item: PlantInput,
    projection: PlantProjection,
    row: Row,
    scenarios: Sequence[Scenario],
    regimes: Sequence[Regime],
    horizon_days: int,
) -> PlantSection:
    material = chart_material(projection)
    series: tuple[StockSeries, ...] = ()
    if material is not None:
        series = tuple(
            stock_series(item, material, scenario, regimes, projection.as_of, horizon_days)
            for scenario in scenarios
        )
    return PlantSection(item, projection, row, material, series, tuple(scenarios))


def chart_material(projection: PlantProjection) -> str | None:
    """The material to draw: binding under the worst scenario; else the first controlled one.

    With no stockout anywhere, the first controlled material consumed (else the
    first consumed) shows how close it comes.
    """
    found = [r for r in projection.results if r.runway_days is not None]
    if found:
        return min(found, key=lambda r: r.runway_days or 0).binding_material
    materials: tuple[MaterialResult, ...] = (
        projection.results[0].materials if projection.results else ()
    )
    consumed = [m for m in materials if m.need > 0]
    controlled = [m for m in consumed if m.controlled]
    chosen = controlled or consumed
    return chosen[0].id if chosen else None


def earliest_stockouts(
    sections: Sequence[PlantSection], count: int = EARLIEST_SHOWN
) -> tuple[Stockout, ...]:
    """The `count` plants that run out first, each once, at its earliest stockout.

    A plant is named once even when several scenarios stop it on the same day:
    those scenarios are listed together. Ties between plants go by plant id.
    """
    found = []
    for section in sections:
        worst = section.worst
        if worst is None or worst.runway_days is None or worst.stockout_date is None:
            continue
        same = tuple(
            r.scenario for r in section.projection.results if r.runway_days == worst.runway_days
        )
        found.append(
            Stockout(
                section.id, section.projection.name, worst.binding_material or "",
                worst.runway_days, worst.stockout_date, same,
            )
        )  # fmt: skip
    found.sort(key=lambda s: (s.stockout_date, s.runway_days, s.plant))
    return tuple(found[:count])


def unsaved_plants(sections: Sequence[PlantSection]) -> tuple[Unsaved, ...]:
    """Plants whose break-even rate is null under some scenario: no rate in [0, 1] is enough."""
    found = []
    for section in sections:
        results = [r for r in section.projection.results if r.breakeven_rate is None]
        if not results:
            continue
        materials = dict.fromkeys(
            m.id for r in results for m in r.materials if m.breakeven_rate is None
        )
        found.append(
            Unsaved(
                section.id, section.projection.name,
                tuple(r.scenario for r in results), tuple(materials),
            )
        )  # fmt: skip
    return tuple(found)


def shortfall_by_element(
    sections: Sequence[PlantSection], scenarios: Sequence[Scenario], symbols: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per scenario, per rare earth: kg of extra day-0 stock that closes every gap.

    A material's shortfall (in its unit) becomes element kg through its mass
    per unit (`mass_g` for pieces) and its composition; summed over materials
    and plants, since each material's gap is closed by its own stock.
    """
    totals = {s.name: dict.fromkeys(symbols, 0.0) for s in scenarios}
    for section in sections:
        materials = section.item.materials
        for result in section.projection.results:
            for material in result.materials:
                if material.shortfall <= 0:
                    continue
                definition = materials[material.id]
                content = element_content(material.id, definition)
                kg = material.shortfall * kg_per_unit(definition)
                for symbol in symbols:
                    share = content.get(symbol, 0.0) / 100.0
                    if share > 0:
                        totals[result.scenario][symbol] += kg * share
    return totals
