"""The reference projection: SPEC §3.5 applied literally, one day at a time.

It is the slow, obviously-right twin of `engine`; the tests require both to
agree on every field. The projection never uses it; `series` borrows its
ledger to draw a report's stock-over-time charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reerisk.calendar import production_calendar
from reerisk.engine import RELATIVE_TOLERANCE, combine, element_basis, element_results
from reerisk.models import Regime, Scenario
from reerisk.results import MaterialResult, PlantInput, PlantProjection
from reerisk.supply import Arrival, arrivals, daily_need, is_controlled


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
        # Only a production day can be short, and only when its stock falls
        # below its own need by more than 1e-9 of that need (the daily rule).
        if day_need <= 0 or gap <= RELATIVE_TOLERANCE * day_need:
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


def project_plant_daily(
    item: PlantInput,
    scenarios: Sequence[Scenario],
    regimes: Sequence[Regime],
    rare_earths: Sequence[str],
    as_of: date,
    horizon_days: int,
) -> PlantProjection:
    """`engine.project_plant`, computed one day at a time."""
    producing = production_calendar(item.plant, as_of, horizon_days).producing
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
            per_day = daily_need(item, material_id) * scenario.demand_scale
            need = [per_day if on else 0.0 for on in producing]
            extra = scenario.extra_stock.get(material_id, 0.0)
            result, short = _project_material(
                item, material_id, need, landed[material_id], horizon_days, as_of,
                controlled[material_id], extra,
            )  # fmt: skip
            materials.append(result)
            any_short = [a or b for a, b in zip(any_short, short, strict=True)]
        basis = element_basis(item, rare_earths, regimes, as_of)
        elements = element_results(basis, materials, scenario)
        results.append(combine(scenario.name, materials, elements, sum(any_short), as_of))
    return PlantProjection(item.plant.id, item.plant.name, as_of, tuple(results))


def _project_material(
    item: PlantInput,
    material_id: str,
    need: list[float],
    landed: list[Arrival],
    horizon_days: int,
    as_of: date,
    controlled: bool,
    extra_stock: float,
) -> tuple[MaterialResult, tuple[bool, ...]]:
    expected = [0.0] * horizon_days
    certain = [0.0] * horizon_days
    licensed = [0.0] * horizon_days
    for arrival in landed:
        expected[arrival.day] += arrival.expected_qty
        if arrival.reviewed:
            licensed[arrival.day] += arrival.qty
        else:
            certain[arrival.day] += arrival.qty
    inventory = item.plant.inventory.get(material_id, 0.0) + extra_stock
    ledger = run_ledger(inventory, need, expected)
    runway = first_day(ledger.short)
    recovery = item.plant.recovery_days.get(material_id)
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


def first_day(flags: Sequence[bool]) -> int | None:
    """The index of the first true flag, or None."""
    for t, flag in enumerate(flags):
        if flag:
            return t
    return None
