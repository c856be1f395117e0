"""Where stock comes from (SPEC §3.4): shipments, licence applications and standing orders.

A reviewed application lands `transit_days` after its decision, which falls on
the n-th Chinese working day after filing, carrying `rate(decision) * qty`:

    filed 2025-04-04 --45 CN working days--> decided 2025-06-11 --35 d--> lands 2025-07-16

Shipments, approved applications and filings of uncontrolled materials are
certain: they land whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from reerisk.calendar import china_decision_date
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
from reerisk.results import PlantInput

CHANNELS = ("standard", "green")


@dataclass(frozen=True)
class ReviewTerms:
    """How one channel's applications are reviewed for one plant under one scenario."""

    approval_rate: float | Sequence[RateStep]
    review_working_days: int  # the deterministic value: a triangle's mode
    review_triangle: Triangular | None = None  # what Monte Carlo draws from, when given

    @property
    def fixed_rate(self) -> float | None:
        """The rate when it is one number for every decision date, else None."""
        rate = self.approval_rate
        return float(rate) if isinstance(rate, int | float) else None

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


class Arrival(NamedTuple):
    """Stock that lands on day `day` of the horizon.

    `qty` is the full quantity; `rate` the share expected to be approved
    (1.0 for stock that needs no review). A named tuple: a plant makes dozens.
    """

    day: int
    material: str
    qty: float
    reviewed: bool
    rate: float

    @property
    def expected_qty(self) -> float:
        return self.qty * self.rate


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
    return any(regime.in_force(day) and _covers(regime, content) for regime in regimes)


def _covers(regime: Regime, content: dict[str, float]) -> bool:
    """Does the regime list an element above its threshold in this content (mass-%)?"""
    threshold = regime.min_content_pct
    for symbol, pct in content.items():  # noqa: SIM110 - a loop is faster than any() here
        if pct > threshold and symbol in regime.elements:
            return True
    return False


def _in_force(regimes: Sequence[Regime], day: date) -> bool:
    """Is one of `regimes` in force on `day`? (Asked for every filing: a loop, not any().)"""
    for regime in regimes:  # noqa: SIM110
        if regime.in_force(day):
            return True
    return False


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
    triangle = review if isinstance(review, Triangular) else None
    return ReviewTerms(rate, review_days_value(review), triangle)


def filing_dates(order: StandingOrder, last_day: date) -> list[date]:
    """`first_filed + k * every_days`, on or before both `until` and `last_day`."""
    end = last_day if order.until is None else min(order.until, last_day)
    if end < order.first_filed:
        return []
    count = (end - order.first_filed).days // order.every_days + 1
    return [order.first_filed + timedelta(days=k * order.every_days) for k in range(count)]


class Filing(NamedTuple):
    """One application, or one filing of a standing order, that goes to licence review."""

    material: str
    qty: float
    filed: date
    transit_days: int
    channel: str


@dataclass(frozen=True)
class SupplyPlan:
    """A plant's supply before any scenario: what lands for sure, and what is reviewed."""

    certain: tuple[Arrival, ...]
    reviewed: tuple[Filing, ...]


def supply_plan(
    item: PlantInput, regimes: Sequence[Regime], as_of: date, horizon_days: int
) -> SupplyPlan:
    """Split the supply into certain arrivals inside the horizon and filings to review.

    None of this depends on the scenario, so it is worked out once per plant.
    """
    plant = item.plant
    last_day = as_of + timedelta(days=horizon_days - 1)
    day_zero = as_of.toordinal()
    certain: list[Arrival] = []
    reviewed: list[Filing] = []
    controlling: dict[str, list[Regime]] = {}  # material -> regimes that cover its content

    def land(on: date, transit: int, material: str, qty: float) -> None:
        day = on.toordinal() + transit - day_zero
        if 0 <= day < horizon_days:
            certain.append(Arrival(day, material, qty, False, 1.0))

    for entry in plant.supply:
        if isinstance(entry, Shipment):
            land(entry.arrives, 0, entry.material, entry.qty)
            continue
        transit = entry.transit_days if entry.transit_days is not None else plant.transit_days
        transit = transit or 0
        if isinstance(entry, Application) and entry.approved is not None:
            land(entry.approved, transit, entry.material, entry.qty)
            continue
        filings = [entry.filed] if isinstance(entry, Application) else filing_dates(entry, last_day)
        if entry.material not in controlling:
            content = element_content(entry.material, item.materials[entry.material])
            controlling[entry.material] = [r for r in regimes if _covers(r, content)]
        regimes_here = controlling[entry.material]
        for filed in filings:
            if _in_force(regimes_here, filed):
                reviewed.append(Filing(entry.material, entry.qty, filed, transit, entry.channel))
            else:
                land(filed, transit, entry.material, entry.qty)
    return SupplyPlan(tuple(certain), tuple(reviewed))


def reviewed_arrivals(
    plan: SupplyPlan, terms: dict[str, ReviewTerms], as_of: date, horizon_days: int
) -> Iterator[tuple[int, Filing, float]]:
    """(day, filing, approval rate) for each reviewed filing that lands inside the horizon."""
    for day, filing, decision in review_schedule(plan, terms, as_of, horizon_days):
        yield day, filing, terms[filing.channel].rate_on(decision)


def review_schedule(
    plan: SupplyPlan, terms: dict[str, ReviewTerms], as_of: date, horizon_days: int
) -> list[tuple[int, Filing, date]]:
    """(day, filing, decision date) for each reviewed filing that lands inside the horizon.

    It depends on the terms only through their review times, so scenarios that
    differ in rates alone can share it.
    """
    found = []
    for filing in plan.reviewed:
        decision = china_decision_date(filing.filed, terms[filing.channel].review_working_days)
        day = (decision - as_of).days + filing.transit_days
        if 0 <= day < horizon_days:
            found.append((day, filing, decision))
    return found


def scenario_terms(scenario: Scenario, plant: Plant) -> dict[str, ReviewTerms]:
    """The review terms of each channel for this plant."""
    return {channel: review_terms(scenario, plant, channel) for channel in CHANNELS}


def arrivals(
    item: PlantInput,
    scenario: Scenario,
    regimes: Sequence[Regime],
    as_of: date,
    horizon_days: int,
    plan: SupplyPlan | None = None,
) -> list[Arrival]:
    """Every arrival inside the horizon, under `scenario` (SPEC §3.4), in order of day."""
    if plan is None:
        plan = supply_plan(item, regimes, as_of, horizon_days)
    found = list(plan.certain)
    terms = scenario_terms(scenario, item.plant)
    for day, filing, rate in reviewed_arrivals(plan, terms, as_of, horizon_days):
        found.append(Arrival(day, filing.material, filing.qty, True, rate))
    found.sort(key=lambda arrival: arrival.day)
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
