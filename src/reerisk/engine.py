"""The projection: days until a plant runs out, under one approval scenario (SPEC §3).

Picture one material over the horizon. Day 0 opens with the inventory. Each
day, whatever arrives is added, then the day's need (on production days) is
taken out. A day whose stock cannot cover its need is *short*: the plant makes
what it can, and the rest is `unmet`. The first short day is the runway
(time-to-survive).

Between two arrivals nothing comes in, and every production day takes the same
amount out. So the engine does not step through days: it walks from arrival to
arrival, and counts production days with a prefix sum of the calendar.

    stock  S ─┐ arrival                       production days in the segment: n
              └──┐──┐──┐──┐                   full days: m = floor(S / need)
                             short short ...  short days: n - m

Its cost grows with arrivals and materials, not with horizon days. `daily` is
the literal day-by-day reference that the tests hold it to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from reerisk.calendar import ProductionCalendar, production_calendar
from reerisk.models import Regime, Scenario
from reerisk.results import (
    ElementResult,
    MaterialResult,
    PlantInput,
    PlantProjection,
    ScenarioResult,
)
from reerisk.supply import (
    Filing,
    SupplyPlan,
    daily_need,
    element_content,
    is_controlled,
    kg_per_unit,
    review_schedule,
    scenario_terms,
    supply_plan,
)

RELATIVE_TOLERANCE = 1e-9


def project_plant(
    item: PlantInput,
    scenarios: Sequence[Scenario],
    regimes: Sequence[Regime],
    rare_earths: Sequence[str],
    as_of: date,
    horizon_days: int,
) -> PlantProjection:
    """Project one plant under every scenario.

    `rare_earths` lists the symbols to report per element, in report order.
    """
    setup = plant_setup(item, regimes, rare_earths, as_of, horizon_days)
    # A material's result depends on the scenario only through its levers and
    # its reviewed arrivals (day, quantity, rate): scenarios that agree share it.
    done: dict[tuple[Any, ...], Projected] = {}
    results = []
    # Decision dates depend only on the review times: scenarios that differ in rates share them.
    schedules: dict[tuple[int, int], list[tuple[int, Filing, date]]] = {}
    for scenario in scenarios:
        reviewed: dict[str, list[Reviewed]] = {m.id: [] for m in setup.materials}
        terms = scenario_terms(scenario, item.plant)
        review_days = (terms["standard"].review_working_days, terms["green"].review_working_days)
        schedule = schedules.get(review_days)
        if schedule is None:
            schedule = review_schedule(setup.plan, terms, as_of, horizon_days)
            schedules[review_days] = schedule
        fixed = {channel: channel_terms.fixed_rate for channel, channel_terms in terms.items()}
        for day, filing, decision in schedule:
            rate = fixed[filing.channel]
            if rate is None:  # a rate that steps with the decision date
                rate = terms[filing.channel].rate_on(decision)
            reviewed[filing.material].append((day, filing.qty, rate))
        results.append(project_scenario(setup, scenario, reviewed, done))
    return PlantProjection(item.plant.id, item.plant.name, as_of, tuple(results))


Reviewed = tuple[int, float, float]  # (day it lands, full quantity, share that lands)
Projected = tuple[MaterialResult, list[tuple[int, int]]]


@dataclass(frozen=True)
class PlantSetup:
    """What a plant brings to every scenario (and every Monte Carlo trial): worked out once."""

    item: PlantInput
    as_of: date
    horizon_days: int
    calendar: ProductionCalendar
    plan: SupplyPlan
    basis: list[ElementBasis]
    materials: tuple[MaterialInput, ...]


def plant_setup(
    item: PlantInput,
    regimes: Sequence[Regime],
    rare_earths: Sequence[str],
    as_of: date,
    horizon_days: int,
) -> PlantSetup:
    """The calendar, the supply plan, the element basis and each material's certain supply."""
    plan = supply_plan(item, regimes, as_of, horizon_days)
    certain_of: dict[str, dict[int, float]] = {material_id: {} for material_id in item.materials}
    for arrival in plan.certain:
        if (certain := certain_of.get(arrival.material)) is not None:
            certain[arrival.day] = certain.get(arrival.day, 0.0) + arrival.qty
    inputs = []
    for material_id, definition in item.materials.items():
        inputs.append(
            MaterialInput(
                material_id,
                definition.unit,
                daily_need(item, material_id),
                item.plant.inventory.get(material_id, 0.0),
                item.plant.recovery_days.get(material_id),
                is_controlled(material_id, definition, regimes, as_of),
                certain_of[material_id],
            )
        )
    return PlantSetup(
        item,
        as_of,
        horizon_days,
        production_calendar(item.plant, as_of, horizon_days),
        plan,
        element_basis(item, rare_earths, regimes, as_of),
        tuple(inputs),
    )


def project_scenario(
    setup: PlantSetup,
    scenario: Scenario,
    reviewed: Mapping[str, Sequence[Reviewed]],
    done: dict[tuple[Any, ...], Projected],
) -> ScenarioResult:
    """The plant under one scenario, given each material's reviewed arrivals.

    `done` caches material results between calls: pass the same dict to share them.
    """
    materials = []
    short_spans: list[tuple[int, int]] = []
    for material in setup.materials:
        result, spans = project_levered(material, scenario, reviewed[material.id], setup, done)
        materials.append(result)
        short_spans += spans
    elements = element_results(setup.basis, materials, scenario)
    return combine(scenario.name, materials, elements, covered(short_spans), setup.as_of)


def project_levered(
    material: MaterialInput,
    scenario: Scenario,
    reviewed: Sequence[Reviewed],
    setup: PlantSetup,
    done: dict[tuple[Any, ...], Projected],
) -> Projected:
    """One material under the scenario's levers, cached in `done`."""
    scale = scenario.demand_scale
    extra = scenario.extra_stock.get(material.id, 0.0)
    key = (material.id, scale, extra, tuple(reviewed))
    found = done.get(key)
    if found is None:
        levered = material
        if scale != 1.0 or extra:
            levered = replace(
                material, per_day=material.per_day * scale, inventory=material.inventory + extra
            )
        found = done[key] = _project_reviewed(levered, key[3], setup.calendar, setup.as_of)
    return found


def _project_reviewed(
    material: MaterialInput,
    reviewed: tuple[Reviewed, ...],
    calendar: ProductionCalendar,
    as_of: date,
) -> Projected:
    expected = dict(material.certain)
    licensed: dict[int, float] = {}
    for day, qty, rate in reviewed:
        expected[day] = expected.get(day, 0.0) + qty * rate
        licensed[day] = licensed.get(day, 0.0) + qty
    return project_material(material, expected, licensed, calendar, as_of)


@dataclass(frozen=True)
class MaterialInput:
    """What one material brings to every scenario: its need, stock and certain supply."""

    id: str
    unit: str
    per_day: float
    inventory: float
    recovery_days: int | None
    controlled: bool
    certain: dict[int, float]  # day -> quantity that lands for sure


def project_material(
    material: MaterialInput,
    expected: dict[int, float],
    licensed: dict[int, float],
    calendar: ProductionCalendar,
    as_of: date,
) -> tuple[MaterialResult, list[tuple[int, int]]]:
    """One material, arrival to arrival.

    `expected` maps a day to what lands then under the scenario, `licensed` to
    what reviewed filings would bring at approval rate 1. Also returns the short
    days as spans `[first, end)` of production-day numbers, so that the plant
    can count the days on which any material is short.
    """
    per_day = material.per_day
    inventory = material.inventory
    certain = material.certain
    starts = sorted(expected)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    before = calendar.before
    stops = [before[day] for day in starts[1:]]
    stops.append(before[-1])
    stock = inventory
    arrived_cum = certain_cum = licensed_cum = 0.0
    unmet = gap_worst = rate_needed = 0.0
    timing_gap = False
    short_days = 0
    spans: list[tuple[int, int]] = []
    tolerance = RELATIVE_TOLERANCE * per_day
    first = 0
    for start, stop in zip(starts, stops):  # noqa: B905 - the same length by construction
        landed = expected.get(start, 0.0)
        stock += landed
        arrived_cum += landed
        if start in certain:
            certain_cum += certain[start]
        if start in licensed:
            licensed_cum += licensed[start]
        days = stop - first
        if per_day <= 0 or days == 0:
            first = stop
            continue
        # Cumulative need through the segment's last production day decides
        # the shortfall and the break-even: nothing arrives before the next segment.
        need_cum = per_day * stop
        gap = need_cum - inventory - arrived_cum
        if gap > gap_worst:
            gap_worst = gap
        gap = need_cum - inventory - certain_cum
        if gap > tolerance:
            if licensed_cum <= 0:
                timing_gap = True
            elif gap > rate_needed * licensed_cum:
                rate_needed = gap / licensed_cum
        # Day j of the segment is short when stock - (j-1) * need < need * (1 - 1e-9).
        # Compared before flooring: a tiny need (1e-300 a day) makes the ratio infinite.
        covered_days = stock / per_day + RELATIVE_TOLERANCE
        if covered_days >= days:
            stock -= days * per_day
            if stock < 0.0:
                stock = 0.0
            first = stop
            continue
        full_days = math.floor(covered_days)
        leftover = stock - full_days * per_day
        unmet += (days - full_days) * per_day - (leftover if leftover > 0.0 else 0.0)
        spans.append((first + full_days, stop))
        short_days += days - full_days
        stock = 0.0
        first = stop
    need = per_day * before[-1]
    runway = calendar.days[spans[0][0]] if spans else None
    recovery = material.recovery_days
    rate: float | None = None
    if not timing_gap and rate_needed <= 1 + RELATIVE_TOLERANCE:
        rate = min(rate_needed, 1.0)
    result = MaterialResult(
        id=material.id,
        unit=material.unit,
        runway_days=runway,
        stockout_date=None if runway is None else as_of + timedelta(days=runway),
        short_days=short_days,
        unmet=unmet,
        fill_rate=(need - unmet) / need if need > 0 else 1.0,
        end_stock=stock,
        shortfall=gap_worst,
        breakeven_rate=rate,
        controlled=material.controlled,
        recovery_days=recovery,
        exposed=runway is not None and recovery is not None and runway < recovery,
        need=need,
        arrived=arrived_cum,
        used=need - unmet,
    )
    return result, spans


def covered(spans: list[tuple[int, int]]) -> int:
    """How many numbers the half-open spans cover together."""
    covered = reach = 0
    for first, stop in sorted(spans):
        if stop <= reach:
            continue
        covered += stop - max(first, reach)
        reach = stop
    return covered


@dataclass(frozen=True)
class ElementBasis:
    """One rare earth in a plant: which materials hold it, and how many kg per unit."""

    symbol: str
    controlled: bool
    holders: tuple[tuple[int, str, float, float, float], ...]
    # (position in the plant's materials, material id, kg of the element per
    #  unit of material, units needed per production day, units in stock)
    demand_kg: float  # kg needed per production day, before any lever
    stock_kg: float  # kg in stock on day 0, before any lever
    results: dict[int | None, ElementResult] = field(default_factory=dict)  # by runway


def element_basis(
    item: PlantInput, rare_earths: Sequence[str], regimes: Sequence[Regime], as_of: date
) -> list[ElementBasis]:
    """Per rare earth found in the plant's materials, in `rare_earths` order."""
    holders: dict[str, list[tuple[int, str, float, float, float]]] = {}
    for position, (material_id, material) in enumerate(item.materials.items()):
        content = element_content(material_id, material)
        if not any(pct > 0 for pct in content.values()):
            continue
        per_day = daily_need(item, material_id)
        stock = item.plant.inventory.get(material_id, 0.0)
        unit_kg = kg_per_unit(material)
        for symbol, pct in content.items():
            if pct > 0:
                kg = unit_kg * (pct / 100.0)
                holders.setdefault(symbol, []).append((position, material_id, kg, per_day, stock))
    found: list[ElementBasis] = []
    for symbol in rare_earths:
        if symbol in holders:
            controlled = any(r.in_force(as_of) and symbol in r.elements for r in regimes)
            mine = tuple(holders[symbol])
            demand_kg, stock_kg = _element_kg(mine, 1.0, {})
            found.append(ElementBasis(symbol, controlled, mine, demand_kg, stock_kg))
    return found


def element_results(
    basis: Sequence[ElementBasis], materials: Sequence[MaterialResult], scenario: Scenario
) -> tuple[ElementResult, ...]:
    """Each element under the scenario: kg per production day, kg in stock, earliest runway."""
    levered = scenario.demand_scale != 1.0 or scenario.extra_stock
    found = []
    for element in basis:
        if levered:
            demand_kg, stock_kg = _element_kg(
                element.holders, scenario.demand_scale, scenario.extra_stock
            )
        else:
            demand_kg, stock_kg = element.demand_kg, element.stock_kg
        runway: int | None = None
        for holder in element.holders:
            days = materials[holder[0]].runway_days
            if days is not None and (runway is None or days < runway):
                runway = days
        # Without levers, scenarios with the same runway share the (frozen) result.
        shared = None if levered else element.results.get(runway)
        if shared is None:
            shared = ElementResult(element.symbol, demand_kg, stock_kg, element.controlled, runway)
            if not levered:
                element.results[runway] = shared
        found.append(shared)
    return tuple(found)


def _element_kg(
    holders: Sequence[tuple[int, str, float, float, float]],
    demand_scale: float,
    extra_stock: Mapping[str, float],
) -> tuple[float, float]:
    """An element's kg needed per production day and kg in stock, under the levers."""
    demand_kg = stock_kg = 0.0
    for _, material_id, kg, per_day, stock in holders:
        demand_kg += per_day * demand_scale * kg
        stock_kg += (stock + extra_stock.get(material_id, 0.0)) * kg
    return demand_kg, stock_kg


def combine(
    name: str,
    materials: list[MaterialResult],
    elements: tuple[ElementResult, ...],
    short_days: int,
    as_of: date,
) -> ScenarioResult:
    """Plant-level figures: the earliest runway, the highest break-even."""
    runway: int | None = None
    binding: str | None = None
    for result in materials:
        if result.runway_days is not None and (runway is None or result.runway_days < runway):
            runway, binding = result.runway_days, result.id
    rates = [result.breakeven_rate for result in materials]
    known_rates = [rate for rate in rates if rate is not None]
    return ScenarioResult(
        scenario=name,
        runway_days=runway,
        stockout_date=None if runway is None else as_of + timedelta(days=runway),
        binding_material=binding,
        breakeven_rate=max([0.0, *known_rates]) if len(known_rates) == len(rates) else None,
        short_days=short_days,
        exposed=any(result.exposed for result in materials),
        materials=tuple(materials),
        elements=elements,
    )
