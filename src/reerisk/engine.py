"""The projection: days until a plant runs out, under one approval scenario (SPEC §3).

Picture one material over the horizon. Day 0 opens with the inventory. Each
day, whatever arrives is added, then the day's need (on production days) is
taken out. A day whose stock cannot cover its need is *short*: the plant makes
what it can, and the rest is `unmet`. The first short day is the runway
(time-to-survive). Licence applications add stock only after review, and then
only `rate(decision) * qty` of it, the expected value.

    stock  26 000 ──┐        ┌─ +8 000 shipment
                    └──┐     │   ┌ +0.25 x 20 000 licensed
                       └──┐──┘──┐
                          ...   └── first short day = runway

The engine is pure: models in, frozen dataclasses out. Calendars come from
`reerisk.calendar`, which caches them. This module steps day by day; it is the
reference that faster engines are checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reerisk.calendar import china_decision_date, production_days
from reerisk.models import (
    Application,
    Material,
    Plant,
    RateStep,
    Regime,
    Scenario,
    Shipment,
    StandingOrder,
    Triangular,
    review_days_value,
)

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PlantInput:
    """A plant with its materials resolved (shared ones first, then its own)."""

    plant: Plant
    materials: Mapping[str, Material]


@dataclass(frozen=True)
class ReviewTerms:
    """How one channel's applications are reviewed for one plant under one scenario."""

    approval_rate: float | Sequence[RateStep]
    review_working_days: int

    def rate_on(self, decision: date) -> float:
        """The approval rate for a decision on `decision`."""
        rate = self.approval_rate
        if isinstance(rate, int | float):
            return float(rate)
        current = rate[0].rate
        for step in rate:
            if step.start > decision:
                break
            current = step.rate
        return current


@dataclass(frozen=True)
class Arrival:
    """Stock that lands on day `day` of the horizon.

    `qty` is the full quantity; `rate` the share expected to be approved
    (1.0 for stock that needs no review).
    """

    day: int
    material: str
    qty: float
    reviewed: bool
    rate: float

    @property
    def expected_qty(self) -> float:
        return self.qty * self.rate


@dataclass(frozen=True)
class MaterialResult:
    """One material's projection. Quantities are in the material's unit."""

    id: str
    unit: str
    runway_days: int | None
    stockout_date: date | None
    short_days: int
    unmet: float
    fill_rate: float
    end_stock: float
    shortfall: float
    breakeven_rate: float | None
    controlled: bool
    recovery_days: int | None
    exposed: bool
    need: float
    arrived: float
    used: float


@dataclass(frozen=True)
class ElementResult:
    """One rare earth across the plant's materials, in kg."""

    symbol: str
    demand_kg_per_day: float
    stock_kg: float
    controlled: bool
    runway_days: int | None


@dataclass(frozen=True)
class ScenarioResult:
    """A plant under one scenario: the binding material decides the runway."""

    scenario: str
    runway_days: int | None
    stockout_date: date | None
    binding_material: str | None
    breakeven_rate: float | None
    short_days: int
    exposed: bool
    materials: tuple[MaterialResult, ...]
    elements: tuple[ElementResult, ...]


@dataclass(frozen=True)
class PlantProjection:
    """A plant under every scenario of the run."""

    id: str
    name: str
    as_of: date
    results: tuple[ScenarioResult, ...]


@dataclass(frozen=True)
class Ledger:
    """The day-by-day outcome for one material."""

    short: tuple[bool, ...]
    stock: tuple[float, ...]
    unmet: float
    need: float
    used: float
    arrived: float
    end_stock: float


def run_ledger(inventory: float, need: Sequence[float], arrivals: Sequence[float]) -> Ledger:
    """Apply the daily rule (SPEC §3.5) to one material.

    `need[t]` and `arrivals[t]` are the day's demand and arrivals, in the
    material's unit. `stock[t]` is the stock at the end of day t.
    """
    stock = inventory
    short: list[bool] = []
    closing: list[float] = []
    unmet = used_total = need_total = arrived_total = 0.0
    for day_need, day_arrivals in zip(need, arrivals, strict=True):
        stock += day_arrivals
        arrived_total += day_arrivals
        is_short = stock < day_need - RELATIVE_TOLERANCE * day_need
        if is_short:
            unmet += day_need - stock
        used = min(stock, day_need)
        stock -= used
        used_total += used
        need_total += day_need
        short.append(is_short)
        closing.append(stock)
    return Ledger(tuple(short), tuple(closing), unmet, need_total, used_total, arrived_total, stock)


def breakeven_rate(
    inventory: float, need: Sequence[float], certain: Sequence[float], licensed: Sequence[float]
) -> float | None:
    """The smallest constant approval rate with no short day (SPEC §3), exactly.

    No short day means cumulative need <= inventory + certain + r * licensed on
    every day, so r = max over days of the gap divided by what licensing could
    bring by then. `None` when no rate in [0, 1] closes the gap.
    """
    need_cum = certain_cum = licensed_cum = 0.0
    rate = 0.0
    for day_need, day_certain, day_licensed in zip(need, certain, licensed, strict=True):
        need_cum += day_need
        certain_cum += day_certain
        licensed_cum += day_licensed
        gap = need_cum - inventory - certain_cum
        # The same tolerance as the daily rule: a day is short only when its
        # stock falls below its own need by more than 1e-9 of that need.
        if gap <= RELATIVE_TOLERANCE * day_need:
            continue
        if licensed_cum <= 0:
            return None
        rate = max(rate, gap / licensed_cum)
    if rate > 1 + RELATIVE_TOLERANCE:
        return None
    return min(rate, 1.0)


def shortfall(inventory: float, need: Sequence[float], arrivals: Sequence[float]) -> float:
    """Extra stock needed on day 0 to have no short day."""
    worst = need_cum = arrived_cum = 0.0
    for day_need, day_arrivals in zip(need, arrivals, strict=True):
        need_cum += day_need
        arrived_cum += day_arrivals
        worst = max(worst, need_cum - inventory - arrived_cum)
    return worst


def element_content(material_id: str, material: Material) -> dict[str, float]:
    """Mass-% of each element: the composition, or 100 % of the element it is named after."""
    if material.composition:
        return dict(material.composition)
    return {material_id: 100.0}


def is_controlled(
    material_id: str, material: Material, regimes: Iterable[Regime], day: date
) -> bool:
    """Does some regime in force on `day` list an element above its content threshold?"""
    content = element_content(material_id, material)
    return any(
        regime.in_force(day)
        and any(content.get(symbol, 0.0) > regime.min_content_pct for symbol in regime.elements)
        for regime in regimes
    )


def review_terms(scenario: Scenario, plant: Plant, channel: str) -> ReviewTerms:
    """The rate and review time for `channel`: green channel first, then overrides."""
    rate: float | Sequence[RateStep] = scenario.approval_rate
    review: int | Triangular = scenario.review_working_days
    green = scenario.green_channel
    if channel == "green" and green is not None:
        if green.approval_rate is not None:
            rate = green.approval_rate
        if green.review_working_days is not None:
            review = green.review_working_days
    for override in scenario.overrides:
        if override.when.matches(plant):
            if override.approval_rate is not None:
                rate = override.approval_rate
            if override.review_working_days is not None:
                review = override.review_working_days
    return ReviewTerms(rate, review_days_value(review))


def filing_dates(order: StandingOrder, last_day: date) -> list[date]:
    """`first_filed + k * every_days`, on or before both `until` and `last_day`."""
    end = last_day if order.until is None else min(order.until, last_day)
    if end < order.first_filed:
        return []
    count = (end - order.first_filed).days // order.every_days + 1
    return [order.first_filed + timedelta(days=k * order.every_days) for k in range(count)]


def arrivals(
    item: PlantInput,
    scenario: Scenario,
    regimes: Sequence[Regime],
    as_of: date,
    horizon_days: int,
) -> list[Arrival]:
    """Every arrival inside the horizon, under `scenario` (SPEC §3.4)."""
    plant = item.plant
    last_day = as_of + timedelta(days=horizon_days - 1)
    found: list[Arrival] = []

    def land(on: date, material: str, qty: float, reviewed: bool, rate: float) -> None:
        day = (on - as_of).days
        if 0 <= day < horizon_days:
            found.append(Arrival(day, material, qty, reviewed, rate))

    for entry in plant.supply:
        if isinstance(entry, Shipment):
            land(entry.arrives, entry.material, entry.qty, False, 1.0)
            continue
        transit = entry.transit_days if entry.transit_days is not None else plant.transit_days
        transit = transit or 0
        filings = [entry.filed] if isinstance(entry, Application) else filing_dates(entry, last_day)
        if isinstance(entry, Application) and entry.approved is not None:
            land(entry.approved + timedelta(days=transit), entry.material, entry.qty, False, 1.0)
            continue
        material = item.materials[entry.material]
        terms = review_terms(scenario, plant, entry.channel)
        for filed in filings:
            if not is_controlled(entry.material, material, regimes, filed):
                land(filed + timedelta(days=transit), entry.material, entry.qty, False, 1.0)
                continue
            decision = china_decision_date(filed, terms.review_working_days)
            rate = terms.rate_on(decision)
            land(decision + timedelta(days=transit), entry.material, entry.qty, True, rate)
    return found


def daily_need(item: PlantInput, material_id: str) -> float:
    """Demand on one production day: direct demand plus lines x bill of materials."""
    plant = item.plant
    need = plant.demand.get(material_id, 0.0)
    for line in plant.lines:
        need += line.units_per_day * line.bom.get(material_id, 0.0)
    return need


def kg_per_unit(material: Material) -> float:
    """How many kg one unit of the material weighs."""
    return material.mass_g / 1000.0 if material.unit == "pcs" and material.mass_g else 1.0


def _first(flags: Sequence[bool]) -> int | None:
    for t, flag in enumerate(flags):
        if flag:
            return t
    return None


def _project_material(
    item: PlantInput,
    material_id: str,
    need: list[float],
    landed: list[Arrival],
    horizon_days: int,
    as_of: date,
    controlled: bool,
) -> tuple[MaterialResult, tuple[bool, ...]]:
    plant = item.plant
    expected = [0.0] * horizon_days
    certain = [0.0] * horizon_days
    licensed = [0.0] * horizon_days
    for arrival in landed:
        expected[arrival.day] += arrival.expected_qty
        if arrival.reviewed:
            licensed[arrival.day] += arrival.qty
        else:
            certain[arrival.day] += arrival.qty
    inventory = plant.inventory.get(material_id, 0.0)
    ledger = run_ledger(inventory, need, expected)
    runway = _first(ledger.short)
    recovery = plant.recovery_days.get(material_id)
    result = MaterialResult(
        id=material_id,
        unit=item.materials[material_id].unit,
        runway_days=runway,
        stockout_date=None if runway is None else as_of + timedelta(days=runway),
        short_days=sum(ledger.short),
        unmet=ledger.unmet,
        fill_rate=ledger.used / ledger.need if ledger.need > 0 else 1.0,
        end_stock=ledger.end_stock,
        shortfall=shortfall(inventory, need, expected),
        breakeven_rate=breakeven_rate(inventory, need, certain, licensed),
        controlled=controlled,
        recovery_days=recovery,
        exposed=runway is not None and recovery is not None and runway < recovery,
        need=ledger.need,
        arrived=ledger.arrived,
        used=ledger.used,
    )
    return result, ledger.short


def _elements(
    item: PlantInput,
    materials: Sequence[MaterialResult],
    rare_earths: Sequence[str],
    regimes: Sequence[Regime],
    as_of: date,
) -> tuple[ElementResult, ...]:
    found: list[ElementResult] = []
    for symbol in rare_earths:
        demand_kg = stock_kg = 0.0
        runways: list[int | None] = []
        for result in materials:
            material = item.materials[result.id]
            share = element_content(result.id, material).get(symbol, 0.0) / 100.0
            if share <= 0:
                continue
            kg = kg_per_unit(material) * share
            demand_kg += daily_need(item, result.id) * kg
            stock_kg += item.plant.inventory.get(result.id, 0.0) * kg
            runways.append(result.runway_days)
        if not runways:
            continue
        known = [days for days in runways if days is not None]
        found.append(
            ElementResult(
                symbol=symbol,
                demand_kg_per_day=demand_kg,
                stock_kg=stock_kg,
                controlled=any(r.in_force(as_of) and symbol in r.elements for r in regimes),
                runway_days=min(known) if known else None,
            )
        )
    return tuple(found)


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
    producing = production_days(item.plant, as_of, horizon_days)
    needs = {}
    for material_id in item.materials:
        per_day = daily_need(item, material_id)
        needs[material_id] = [per_day if on else 0.0 for on in producing]
    controlled = {
        material_id: is_controlled(material_id, material, regimes, as_of)
        for material_id, material in item.materials.items()
    }
    results = []
    for scenario in scenarios:
        landed: dict[str, list[Arrival]] = {material_id: [] for material_id in item.materials}
        for arrival in arrivals(item, scenario, regimes, as_of, horizon_days):
            landed[arrival.material].append(arrival)
        materials = []
        any_short = [False] * horizon_days
        for material_id in item.materials:
            result, short = _project_material(
                item,
                material_id,
                needs[material_id],
                landed[material_id],
                horizon_days,
                as_of,
                controlled[material_id],
            )
            materials.append(result)
            any_short = [a or b for a, b in zip(any_short, short, strict=True)]
        elements = _elements(item, materials, rare_earths, regimes, as_of)
        results.append(_combine(scenario.name, materials, elements, any_short, as_of))
    return PlantProjection(item.plant.id, item.plant.name, as_of, tuple(results))


def _combine(
    name: str,
    materials: list[MaterialResult],
    elements: tuple[ElementResult, ...],
    any_short: list[bool],
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
        short_days=sum(any_short),
        exposed=any(result.exposed for result in materials),
        materials=tuple(materials),
        elements=elements,
    )
