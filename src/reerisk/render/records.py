"""Results as plain JSON-ready records, shared by the JSON and CSV renderers."""

from __future__ import annotations

from datetime import date
from typing import Any

from reerisk.models import Scenario
from reerisk.results import ElementResult, MaterialResult, PlantProjection, ScenarioResult

DECIMALS = 6

MATERIAL_FIELDS = (
    "runway_days", "stockout_date", "short_days", "unmet", "fill_rate", "end_stock",
    "shortfall", "breakeven_rate", "controlled", "recovery_days", "exposed",
    "need", "arrived", "used",
)  # fmt: skip


def _number(value: float | None) -> float | None:
    """Rounded to DECIMALS; `+ 0.0` turns -0.0 into 0.0."""
    return None if value is None else round(value, DECIMALS) + 0.0


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    """A scenario as given, with defaults filled in."""
    record: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True)
    return record


def material_record(m: MaterialResult) -> dict[str, Any]:
    # Written out field by field, rounding inline: this runs for every material of
    # every plant under every scenario. `+ 0.0` turns -0.0 into 0.0.
    return {
        "id": m.id,
        "unit": m.unit,
        "runway_days": m.runway_days,
        "stockout_date": _day(m.stockout_date),
        "short_days": m.short_days,
        "unmet": round(m.unmet, DECIMALS) + 0.0,
        "fill_rate": round(m.fill_rate, DECIMALS) + 0.0,
        "end_stock": round(m.end_stock, DECIMALS) + 0.0,
        "shortfall": round(m.shortfall, DECIMALS) + 0.0,
        "breakeven_rate": _number(m.breakeven_rate),
        "controlled": m.controlled,
        "recovery_days": m.recovery_days,
        "exposed": m.exposed,
        "need": round(m.need, DECIMALS) + 0.0,
        "arrived": round(m.arrived, DECIMALS) + 0.0,
        "used": round(m.used, DECIMALS) + 0.0,
    }


def element_record(e: ElementResult) -> dict[str, Any]:
    return {
        "symbol": e.symbol,
        "demand_kg_per_day": _number(e.demand_kg_per_day),
        "stock_kg": _number(e.stock_kg),
        "controlled": e.controlled,
        "runway_days": e.runway_days,
    }


def result_record(result: ScenarioResult) -> dict[str, Any]:
    return {
        "scenario": result.scenario,
        "runway_days": result.runway_days,
        "stockout_date": _day(result.stockout_date),
        "binding_material": result.binding_material,
        "breakeven_rate": _number(result.breakeven_rate),
        "short_days": result.short_days,
        "exposed": result.exposed,
        "materials": [material_record(m) for m in result.materials],
        "elements": [element_record(e) for e in result.elements],
    }


def plant_record(projection: PlantProjection) -> dict[str, Any]:
    return {
        "id": projection.id,
        "name": projection.name,
        "as_of": projection.as_of.isoformat(),
        "results": [result_record(r) for r in projection.results],
    }


def csv_rows(projection: PlantProjection) -> list[dict[str, Any]]:
    """One row per scenario x material."""
    rows = []
    for result in projection.results:
        for material in result.materials:
            record = material_record(material)
            rows.append(
                {"plant": projection.id, "scenario": result.scenario, "material": record.pop("id")}
                | record
            )
    return rows


CSV_COLUMNS = ("plant", "scenario", "material", "unit", *MATERIAL_FIELDS)
