"""One material's stock, day by day, under one scenario: the line of a report's chart.

The engine walks from arrival to arrival and never holds a daily series; a chart
needs one point per day. This applies the daily rule (SPEC §3.5) through the
reference ledger of `daily`, with the same arrivals, calendar and scenario levers
as the engine, so its first short day is the engine's `runway_days`:

    day        0     1     2   ...   40    41    42
    stock    960   936   912  ...     0     0   600   (closing, in the material's unit)
    short      .     .     .  ...     x     x     .

Its cost is one pass over the horizon per material drawn: fine for the few
lines of a report, not for the engine's 10 000-plant runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reerisk.calendar import production_calendar
from reerisk.daily import run_ledger
from reerisk.models import Regime, Scenario
from reerisk.results import PlantInput
from reerisk.supply import arrivals, daily_need


@dataclass(frozen=True)
class StockSeries:
    """Closing stock of one material on each day 0..H-1, in its unit, and the short days."""

    material: str
    scenario: str
    stock: tuple[float, ...]
    short: tuple[bool, ...]

    @property
    def first_short_day(self) -> int | None:
        """The runway: the first day with too little stock, or None within the horizon."""
        return next((t for t, flag in enumerate(self.short) if flag), None)


def stock_series(
    item: PlantInput,
    material_id: str,
    scenario: Scenario,
    regimes: Sequence[Regime],
    as_of: date,
    horizon_days: int,
) -> StockSeries:
    """`material_id`'s closing stock per day under `scenario`, levers included."""
    producing = production_calendar(item.plant, as_of, horizon_days).producing
    per_day = daily_need(item, material_id) * scenario.demand_scale
    need = [per_day if on else 0.0 for on in producing]
    landed = [0.0] * horizon_days
    for arrival in arrivals(item, scenario, regimes, as_of, horizon_days):
        if arrival.material == material_id:
            landed[arrival.day] += arrival.expected_qty
    inventory = item.plant.inventory.get(material_id, 0.0)
    inventory += scenario.extra_stock.get(material_id, 0.0)
    ledger = run_ledger(inventory, need, landed)
    return StockSeries(material_id, scenario.name, ledger.stock, ledger.short)
