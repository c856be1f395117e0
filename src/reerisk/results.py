"""What a projection returns: frozen dataclasses, one level per question.

    PlantProjection          a plant under every scenario of the run
      ScenarioResult         ... under one scenario: runway, binding material
        MaterialResult       ... one material: runway, short days, break-even
        ElementResult        ... one rare earth across its materials, in kg

Quantities are in the material's own unit unless the name says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from reerisk.models import Material, Plant


@dataclass(frozen=True, slots=True)
class PlantInput:
    """A plant with its materials resolved (shared ones first, then its own)."""

    plant: Plant
    materials: Mapping[str, Material]


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class ElementResult:
    """One rare earth across the plant's materials, in kg."""

    symbol: str
    demand_kg_per_day: float
    stock_kg: float
    controlled: bool
    runway_days: int | None


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class PlantProjection:
    """A plant under every scenario of the run."""

    id: str
    name: str
    as_of: date
    results: tuple[ScenarioResult, ...]
