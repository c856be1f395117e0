"""The event-driven engine against the day-by-day reference: identical on every field.

`engine.project_plant` jumps from arrival to arrival; `daily.project_plant_daily`
applies SPEC §3.5 one day at a time. On random plants and scenarios they must
agree on every result, floats within 1e-9.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_properties import RARE_EARTHS, Case, cases, scenarios

from reerisk.daily import project_plant_daily
from reerisk.engine import project_plant
from reerisk.models import Scenario
from reerisk.results import PlantProjection

MANY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scaled(case: Case, factor: float) -> Case:
    """The same plant with every quantity times `factor`: fractional stock and demand."""
    plant = dict(case.plant)
    plant["inventory"] = {m: q * factor for m, q in plant["inventory"].items()}
    plant["demand"] = {m: q * factor for m, q in plant["demand"].items()}
    plant["supply"] = [entry | {"qty": entry["qty"] * factor} for entry in plant["supply"]]
    return dataclasses.replace(case, plant=plant)


def _assert_same(fast: Any, slow: Any, where: str) -> None:
    if dataclasses.is_dataclass(fast):
        for field in dataclasses.fields(fast):
            _assert_same(
                getattr(fast, field.name), getattr(slow, field.name), f"{where}.{field.name}"
            )
    elif isinstance(fast, tuple):
        assert len(fast) == len(slow), where
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            _assert_same(a, b, f"{where}[{index}]")
    elif isinstance(fast, float) and isinstance(slow, float):
        assert math.isclose(fast, slow, rel_tol=1e-9, abs_tol=1e-9), (where, fast, slow)
    else:
        assert fast == slow, (where, fast, slow)


def _both(case: Case, scenario_list: list[Any]) -> tuple[PlantProjection, PlantProjection]:
    item = case.build()
    args = (item, scenario_list, list(case.regimes), RARE_EARTHS, case.as_of, case.horizon)
    return project_plant(*args), project_plant_daily(*args)


@st.composite
def levered(draw: Any, name: str) -> Scenario:
    """A random scenario, sometimes with a production cut or extra stock on day 0."""
    base = draw(scenarios(name))
    changes: dict[str, Any] = {}
    if draw(st.booleans()):
        changes["demand_scale"] = draw(st.sampled_from([0.0, 0.5, 0.8, 1.25]))
    if draw(st.booleans()):
        material = draw(st.sampled_from(["Dy", "rotor", "NdPr", "mag-lo", "absent"]))
        changes["extra_stock"] = {material: draw(st.integers(0, 2000)) * 1.0}
    return base.model_copy(update=changes)


@MANY
@given(
    case=cases(max_horizon=400),
    first=levered("a"),
    second=levered("b"),
    factor=st.sampled_from([1.0, 1.0, 0.1, 0.37, 2.5, 1e-3]),
)
def test_event_engine_equals_the_daily_reference(
    case: Case, first: Any, second: Any, factor: float
) -> None:
    fast, slow = _both(_scaled(case, factor), [first, second])
    _assert_same(fast, slow, "plant")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=cases(max_horizon=400, production=("workdays",)),
    base=scenarios(),
    country=st.sampled_from(["DE", "CN", "JP", "US"]),
)
def test_event_engine_equals_the_daily_reference_on_workdays(
    case: Case, base: Any, country: str
) -> None:
    fast, slow = _both(dataclasses.replace(case, plant=case.plant | {"country": country}), [base])
    _assert_same(fast, slow, "plant")
