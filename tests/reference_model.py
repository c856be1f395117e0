"""An independent, deliberately plain reimplementation of SPEC §3, for checking the engine.

Written from the SPEC text, not from `reerisk.engine`: every rule is spelled out
as literally as possible, day by day, with no caching and no shared helpers.
It reads the pydantic input models only; it never imports the engine.

Quantities are in each material's own unit; days are counted from `as_of` (day 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

from reerisk.models import Application, Material, Plant, Regime, Scenario, Shipment

TOLERANCE = 1e-9  # SPEC §3.5: a day is short when stock < need, with a relative tolerance 1e-9


# --- §2.1 regimes and §3.3 control ---------------------------------------------------


def regime_in_force(regime: Regime, day: date) -> bool:
    """effective <= d; ended absent or d < ended; d in no suspension window (ends inclusive)."""
    if regime.effective > day:
        return False
    if regime.ended is not None and not day < regime.ended:
        return False
    return all(not (window.start <= day <= window.until) for window in regime.suspended)


def mass_percent(material_id: str, material: Material) -> dict[str, float]:
    """The composition in mass-%, or 100 % of the element the material is named after."""
    if not material.composition:
        return {material_id: 100.0}
    return dict(material.composition)


def material_controlled(
    material_id: str, material: Material, regimes: list[Regime], day: date
) -> bool:
    content = mass_percent(material_id, material)
    for regime in regimes:
        if not regime_in_force(regime, day):
            continue
        for symbol in regime.elements:
            if content.get(symbol, 0.0) > regime.min_content_pct:
                return True
    return False


# --- §3.1 production days and §3.2 demand --------------------------------------------


def produces(plant: Plant, day: date) -> bool:
    for shutdown in plant.shutdowns:
        if shutdown.start <= day <= shutdown.end:
            return False
    if plant.production_days == "all":
        return True
    if plant.production_days == "mon-fri":
        return day.isoweekday() <= 5
    if plant.production_days == "mon-sat":
        return day.isoweekday() <= 6
    assert plant.production_days == "workdays"
    assert plant.country is not None
    return bool(holidays.country_holidays(plant.country).is_working_day(day))


def demand_per_production_day(plant: Plant, material_id: str) -> float:
    total = plant.demand.get(material_id, 0.0)
    for line in plant.lines:
        total += line.units_per_day * line.bom.get(material_id, 0.0)
    return total


# --- §2.3 scenario terms and §3.4 arrivals -------------------------------------------


def terms_for(scenario: Scenario, plant: Plant, channel: str) -> tuple[object, int]:
    """(approval rate or steps, review working days) for one channel of one plant."""
    rate: object = scenario.approval_rate
    review: object = scenario.review_working_days
    if channel == "green" and scenario.green_channel is not None:
        green = scenario.green_channel
        if green.approval_rate is not None:
            rate = green.approval_rate
        if green.review_working_days is not None:
            review = green.review_working_days
    plant_keys = {
        "plant": plant.id,
        "region": plant.region,
        "country": plant.country,
        "end_use": plant.end_use,
    }
    for override in scenario.overrides:
        when = override.when
        wanted = {
            "plant": when.plant,
            "region": when.region,
            "country": when.country,
            "end_use": when.end_use,
        }
        if all(value is None or plant_keys[key] == value for key, value in wanted.items()):
            if override.approval_rate is not None:
                rate = override.approval_rate
            if override.review_working_days is not None:
                review = override.review_working_days
    days = review if isinstance(review, int) else round(review.mode)  # type: ignore[attr-defined]
    return rate, days


def rate_on(rate: object, decision: date) -> float:
    if isinstance(rate, int | float):
        return float(rate)
    steps = list(rate)  # type: ignore[call-overload]
    chosen = steps[0].rate  # a decision before the first step uses the first step's rate
    for step in steps:
        if step.start <= decision:
            chosen = step.rate
    return float(chosen)


def nth_chinese_working_day(filed: date, n: int) -> date:
    """Counted one day at a time on China's official calendar (holidays + make-up days).

    Follows `get_nth_working_day`'s documented meaning: n >= 1 counts working
    days strictly after `filed`; n == 0 is `filed` itself if it is a working
    day, else the next working day.
    """
    china = holidays.country_holidays("CN")
    day = filed
    if n == 0:
        while not china.is_working_day(day):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if china.is_working_day(day):
            counted += 1
    return day


@dataclass(frozen=True)
class RefArrival:
    on: date
    material: str
    qty: float
    licensed: bool  # went through review: carries rate * qty
    rate: float


def all_arrivals(
    plant: Plant,
    materials: dict[str, Material],
    scenario: Scenario,
    regimes: list[Regime],
    as_of: date,
    horizon_days: int,
) -> list[RefArrival]:
    """Every arrival, dated; those outside [as_of, as_of + H) are NOT yet dropped."""
    last_day = as_of + timedelta(days=horizon_days - 1)
    found: list[RefArrival] = []
    for entry in plant.supply:
        if isinstance(entry, Shipment):
            found.append(RefArrival(entry.arrives, entry.material, entry.qty, False, 1.0))
            continue
        transit = entry.transit_days
        if transit is None:
            transit = plant.transit_days if plant.transit_days is not None else 0
        if isinstance(entry, Application):
            if entry.approved is not None:
                on = entry.approved + timedelta(days=transit)
                found.append(RefArrival(on, entry.material, entry.qty, False, 1.0))
                continue
            filings = [entry.filed]
        else:
            filings = []
            k = 0
            while True:
                filed = entry.first_filed + timedelta(days=k * entry.every_days)
                if filed > last_day or (entry.until is not None and filed > entry.until):
                    break
                filings.append(filed)
                k += 1
        rate, review_days = terms_for(scenario, plant, entry.channel)
        material = materials[entry.material]
        for filed in filings:
            if not material_controlled(entry.material, material, regimes, filed):
                on = filed + timedelta(days=transit)
                found.append(RefArrival(on, entry.material, entry.qty, False, 1.0))
                continue
            decision = nth_chinese_working_day(filed, review_days)
            on = decision + timedelta(days=transit)
            found.append(RefArrival(on, entry.material, entry.qty, True, rate_on(rate, decision)))
    return found


def at_constant_rate(base: Scenario, rate: float) -> Scenario:
    """`base` with every approval rate (standard, green channel, overrides) set to `rate`.

    This is the run the break-even is defined against (SPEC §3): the rate
    replaces rate(·) for standard and green decisions alike; review times and
    everything else stay as in the scenario.
    """
    data = base.model_dump(by_alias=True)
    data["name"] = f"{base.name}@{rate!r}"
    data["approval_rate"] = rate
    if data["green_channel"] is not None:
        data["green_channel"]["approval_rate"] = rate
    for override in data["overrides"]:
        if override["approval_rate"] is not None:
            override["approval_rate"] = rate
    return Scenario.model_validate(data)


# --- §3.5 the day, and the results ---------------------------------------------------


@dataclass
class RefMaterialResult:
    runway_days: int | None
    short_days: int
    unmet: float
    fill_rate: float
    end_stock: float
    shortfall: float
    breakeven_rate: float | None
    need: float
    used: float
    arrived: float
    short: list[bool] = field(repr=False)


@dataclass
class RefScenarioResult:
    runway_days: int | None
    binding_material: str | None
    breakeven_rate: float | None
    short_days: int
    materials: dict[str, RefMaterialResult]


def breakeven_from_spec(
    inventory: float, need: list[float], certain: list[float], licensed: list[float]
) -> float | None:
    """max over t of (need_cum - inventory - certain_cum) / licensed_cum, per SPEC §3.

    0 when there is never a gap; None when a gap has nothing licensed to close
    it, or when closing it needs a rate above 1.
    """
    worst = 0.0
    for t in range(len(need)):
        gap = sum(need[: t + 1]) - inventory - sum(certain[: t + 1])
        if gap <= 0:
            continue
        could_bring = sum(licensed[: t + 1])
        if could_bring <= 0:
            return None
        worst = max(worst, gap / could_bring)
    if worst > 1:
        return None
    return worst


def project_material(
    plant: Plant,
    material_id: str,
    arrivals: list[RefArrival],
    production: list[bool],
    as_of: date,
) -> RefMaterialResult:
    horizon_days = len(production)
    per_day = demand_per_production_day(plant, material_id)
    need = [per_day if producing else 0.0 for producing in production]
    expected = [0.0] * horizon_days
    certain = [0.0] * horizon_days
    licensed = [0.0] * horizon_days
    for arrival in arrivals:
        if arrival.material != material_id:
            continue
        t = (arrival.on - as_of).days
        if t < 0 or t >= horizon_days:
            continue  # before as_of: already in inventory; on or after day H: outside
        if arrival.licensed:
            expected[t] += arrival.qty * arrival.rate
            licensed[t] += arrival.qty
        else:
            expected[t] += arrival.qty
            certain[t] += arrival.qty
    inventory = plant.inventory.get(material_id, 0.0)
    stock = inventory
    short: list[bool] = []
    unmet = used_total = 0.0
    for t in range(horizon_days):
        stock += expected[t]
        if stock < need[t] - TOLERANCE * need[t]:
            short.append(True)
            unmet += need[t] - stock
        else:
            short.append(False)
        used = min(stock, need[t])
        used_total += used
        stock -= used
    need_total = sum(need)
    worst = 0.0
    for t in range(horizon_days):
        worst = max(worst, sum(need[: t + 1]) - inventory - sum(expected[: t + 1]))
    runway = short.index(True) if True in short else None
    return RefMaterialResult(
        runway_days=runway,
        short_days=short.count(True),
        unmet=unmet,
        fill_rate=used_total / need_total if need_total > 0 else 1.0,
        end_stock=stock,
        shortfall=worst,
        breakeven_rate=breakeven_from_spec(inventory, need, certain, licensed),
        need=need_total,
        used=used_total,
        arrived=sum(expected),
        short=short,
    )


def project(
    plant: Plant,
    materials: dict[str, Material],
    scenario: Scenario,
    regimes: list[Regime],
    as_of: date,
    horizon_days: int,
) -> RefScenarioResult:
    production = [produces(plant, as_of + timedelta(days=t)) for t in range(horizon_days)]
    arrivals = all_arrivals(plant, materials, scenario, regimes, as_of, horizon_days)
    results = {
        material_id: project_material(plant, material_id, arrivals, production, as_of)
        for material_id in materials
    }
    runway: int | None = None
    binding: str | None = None
    for material_id, result in results.items():  # file order: the first wins a tie
        if result.runway_days is None:
            continue
        if runway is None or result.runway_days < runway:
            runway, binding = result.runway_days, material_id
    rates = [result.breakeven_rate for result in results.values()]
    plant_rate = None if any(r is None for r in rates) else max([0.0, *rates])  # type: ignore[list-item]
    short_days = sum(
        1 for t in range(horizon_days) if any(result.short[t] for result in results.values())
    )
    return RefScenarioResult(runway, binding, plant_rate, short_days, results)
