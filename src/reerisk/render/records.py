"""Results as plain JSON-ready records, shared by the JSON and CSV renderers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from reerisk.models import Scenario
from reerisk.results import MaterialResult, PlantProjection, ScenarioResult

DECIMALS = 6

MATERIAL_FIELDS = (
    "runway_days", "stockout_date", "short_days", "unmet", "fill_rate", "end_stock",
    "shortfall", "breakeven_rate", "controlled", "recovery_days", "exposed",
    "need", "arrived", "used",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    """A scenario as given, with defaults filled in."""
    record: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True)
    return record


def material_record(result: MaterialResult) -> dict[str, Any]:
    return {"id": result.id, "unit": result.unit} | {
        name: _plain(getattr(result, name)) for name in MATERIAL_FIELDS
    }


def result_record(result: ScenarioResult) -> dict[str, Any]:
    return {
        "scenario": result.scenario,
        "runway_days": result.runway_days,
        "stockout_date": _plain(result.stockout_date),
        "binding_material": result.binding_material,
        "breakeven_rate": _plain(result.breakeven_rate),
        "short_days": result.short_days,
        "exposed": result.exposed,
        "materials": [material_record(m) for m in result.materials],
        "elements": [_plain(asdict(e)) for e in result.elements],
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
