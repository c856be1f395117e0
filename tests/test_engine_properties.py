"""Property tests of the engine (SPEC §3) on small random plants and scenarios.

Quantities are whole numbers so that cumulative gaps are exact and the 1e-9
tolerances never decide a comparison; approval rates may be any float in [0, 1].
`production_days: workdays` appears only in its own, smaller test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_model import at_constant_rate, produces
from reference_model import project as reference_project

from reerisk.calendar import production_days
from reerisk.daily import run_ledger
from reerisk.engine import project_plant
from reerisk.models import Plant, Regime, Scenario
from reerisk.results import PlantInput, PlantProjection

RARE_EARTHS = [
    "Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu",
    "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
]  # fmt: skip

MATERIAL_POOL: dict[str, dict[str, Any]] = {
    "rotor": {
        "unit": "pcs",
        "mass_g": 1450,
        "composition": {"Nd": 23.0, "Pr": 6.0, "Dy": 3.5, "Tb": 0.7, "Fe": 65.8, "B": 1.0},
    },
    "Dy": {},
    "NdPr": {"composition": {"Nd": 75, "Pr": 25}},
    "Ho": {},
    "mag-lo": {"composition": {"Nd": 30, "Dy": 0.5, "Fe": 69.5}},
    "mag-eq": {"composition": {"Nd": 30, "Dy": 1.0, "Fe": 69}},  # on THRESHOLD's 1 %: not above
}


def _regime(**fields: Any) -> Regime:
    data = {"title": "t", "authority": "a", "document": "d", "source": "s"}
    data.update(fields)
    return Regime.model_validate(data)


R18 = _regime(id="r18", effective="2025-04-04", elements=["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"])
R57 = _regime(
    id="r57",
    effective="2025-11-08",
    suspended=[{"from": "2025-11-07", "until": "2026-11-10"}],
    elements=["Ho", "Er", "Tm", "Eu", "Yb"],
)
THRESHOLD = _regime(
    id="threshold", effective="2025-05-01", ended="2026-03-01", elements=["Dy"], min_content_pct=1
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RATES = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.floats(0, 1))


@dataclass(frozen=True)
class Case:
    """One random plant (as YAML-style data), with the run's day 0 and horizon."""

    plant: dict[str, Any]
    as_of: date
    horizon: int
    regimes: tuple[Regime, ...]

    def build(self, **changes: Any) -> PlantInput:
        data = dict(self.plant)
        data.update(changes)
        plant = Plant.model_validate(data)
        return PlantInput(plant, dict(plant.materials))

    def run(
        self, scenarios: list[Scenario], horizon: int | None = None, **changes: Any
    ) -> PlantProjection:
        return project_plant(
            self.build(**changes),
            scenarios,
            list(self.regimes),
            RARE_EARTHS,
            self.as_of,
            horizon or self.horizon,
        )


def iso(on: date) -> str:
    return on.isoformat()


@st.composite
def supply_entry(
    draw: Any, material_ids: list[str], daily: dict[str, int], as_of: date, horizon: int
) -> dict[str, Any]:
    material = draw(st.sampled_from(material_ids))
    qty = draw(st.integers(1, 60)) * max(1, daily[material]) + draw(st.integers(0, 50))
    kind = draw(st.sampled_from(["shipment", "application", "application", "approved", "standing"]))
    if kind == "shipment":
        arrives = as_of + timedelta(days=draw(st.integers(-10, horizon + 10)))
        return {"material": material, "qty": qty, "arrives": iso(arrives)}
    entry: dict[str, Any] = {"material": material, "qty": qty}
    filed = as_of + timedelta(days=draw(st.integers(-150, horizon)))
    if kind == "application":
        entry["filed"] = iso(filed)
    elif kind == "approved":
        entry["filed"] = iso(filed)
        entry["approved"] = iso(filed + timedelta(days=draw(st.integers(0, 60))))
    else:
        entry["first_filed"] = iso(filed)
        entry["every_days"] = draw(st.integers(1, 45))
        if draw(st.booleans()):
            entry["until"] = iso(filed + timedelta(days=draw(st.integers(0, 200))))
    if kind != "approved" and draw(st.booleans()):
        entry["channel"] = "green"
    if draw(st.booleans()):
        entry["transit_days"] = draw(st.integers(0, 40))
    return entry


@st.composite
def cases(
    draw: Any,
    min_supply: int = 0,
    max_horizon: int = 120,
    production: tuple[str, ...] = ("all", "mon-fri", "mon-sat"),
    licensed: bool = False,
) -> Case:
    """A random plant; with `licensed`, it also has a Dy application likely to land in time."""
    # mostly after regime 18 took effect (2025-04-04), so that applications go to review
    as_of = date(2025, 3, 1) + timedelta(days=draw(st.integers(0, 670)))
    horizon = draw(st.integers(1, max_horizon))
    ids = draw(st.lists(st.sampled_from(list(MATERIAL_POOL)), min_size=1, max_size=3, unique=True))
    if licensed and "Dy" not in ids:
        ids.append("Dy")
    plant: dict[str, Any] = {
        "id": "p",
        "region": draw(st.sampled_from(["EU", "US"])),
        "end_use": draw(st.sampled_from(["civilian", "military"])),
        "production_days": draw(st.sampled_from(production)),
        "transit_days": draw(st.integers(0, 40)),
        "materials": {m: MATERIAL_POOL[m] for m in ids},
        "demand": {m: draw(st.integers(0, 20)) for m in ids},
    }
    daily = dict(plant["demand"])
    if draw(st.booleans()):
        line = {
            "units_per_day": draw(st.integers(1, 30)),
            "bom": {draw(st.sampled_from(ids)): draw(st.integers(1, 3))},
        }
        plant["lines"] = [line]
        for m, per_unit in line["bom"].items():
            daily[m] += line["units_per_day"] * per_unit
    # stock for 0..150 days of need, give or take, so that runways spread over the horizon
    plant["inventory"] = {
        m: draw(st.integers(0, 150)) * daily[m] + draw(st.integers(0, 30)) for m in ids
    }
    if draw(st.booleans()):
        start = as_of + timedelta(days=draw(st.integers(-5, horizon)))
        end = start + timedelta(days=draw(st.integers(0, 20)))
        plant["shutdowns"] = [{"from": iso(start), "to": iso(end)}]
    plant["supply"] = draw(
        st.lists(supply_entry(ids, daily, as_of, horizon), min_size=min_supply, max_size=4)
    )
    if licensed:
        # filed up to 100 days before day 0: 0..60 review working days land it around the horizon
        filed = as_of + timedelta(days=draw(st.integers(-100, 0)))
        qty = draw(st.integers(1, 100)) * max(1, daily["Dy"])
        plant["supply"].append({"material": "Dy", "qty": qty, "filed": iso(filed)})
    extra = draw(st.lists(st.sampled_from([R57, THRESHOLD]), unique_by=lambda r: r.id))
    # without regime 18, THRESHOLD alone decides whether the Dy magnets are controlled
    with_r18 = licensed or draw(st.sampled_from([True, True, False]))
    return Case(plant, as_of, horizon, (R18, *extra) if with_r18 else tuple(extra))


@st.composite
def rate_specs(draw: Any) -> Any:
    if draw(st.booleans()):
        return draw(RATES)
    starts = draw(st.lists(st.integers(0, 600), min_size=1, max_size=3, unique=True))
    return [
        {"from": iso(date(2025, 4, 1) + timedelta(days=offset)), "rate": draw(RATES)}
        for offset in sorted(starts)
    ]


@st.composite
def scenarios(draw: Any, name: str = "s") -> Scenario:
    data: dict[str, Any] = {
        "name": name,
        "approval_rate": draw(rate_specs()),
        "review_working_days": draw(st.integers(0, 60)),
    }
    if draw(st.booleans()):
        green: dict[str, Any] = {}
        if draw(st.booleans()):
            green["review_working_days"] = draw(st.integers(0, 60))
        if draw(st.booleans()):
            green["approval_rate"] = draw(rate_specs())
        data["green_channel"] = green
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        when = draw(st.sampled_from([{"region": "EU"}, {"region": "US"}, {"end_use": "military"}]))
        override: dict[str, Any] = {"when": when}
        if draw(st.booleans()):
            override["approval_rate"] = draw(rate_specs())
        if draw(st.booleans()):
            override["review_working_days"] = draw(st.integers(0, 60))
        overrides.append(override)
    data["overrides"] = overrides
    return Scenario.model_validate(data)


def runways(projection: PlantProjection) -> list[list[int | None]]:
    """Per scenario: the plant's runway, then each material's."""
    return [
        [found.runway_days, *(m.runway_days for m in found.materials)]
        for found in projection.results
    ]


def not_shorter(longer: int | None, shorter: int | None) -> bool:
    """`longer` is at least `shorter`, with None meaning no stockout (infinitely long)."""
    if longer is None:
        return True
    return shorter is not None and longer >= shorter


# --- monotonicity ----------------------------------------------------------------------


@FAST
@given(cases(), scenarios(), RATES, RATES)
def test_runway_never_shortens_when_the_rate_grows(
    case: Case, base: Scenario, rate_a: float, rate_b: float
) -> None:
    low, high = sorted([rate_a, rate_b])
    (at_low,) = runways(case.run([at_constant_rate(base, low)]))
    (at_high,) = runways(case.run([at_constant_rate(base, high)]))
    assert all(not_shorter(h, lo) for h, lo in zip(at_high, at_low, strict=True))


@FAST
@given(cases(), scenarios(), st.data())
def test_runway_never_shortens_when_inventory_grows(
    case: Case, base: Scenario, data: st.DataObject
) -> None:
    inventory = dict(case.plant["inventory"])
    grown = data.draw(st.sampled_from(sorted(inventory)))
    inventory[grown] += data.draw(st.integers(1, 500))
    (before,) = runways(case.run([base]))
    (after,) = runways(case.run([base], inventory=inventory))
    assert all(not_shorter(a, b) for a, b in zip(after, before, strict=True))


@FAST
@given(cases(min_supply=1), scenarios(), st.data())
def test_runway_never_shortens_when_a_supply_qty_grows(
    case: Case, base: Scenario, data: st.DataObject
) -> None:
    supply = [dict(entry) for entry in case.plant["supply"]]
    grown = data.draw(st.integers(0, len(supply) - 1))
    supply[grown]["qty"] += data.draw(st.integers(1, 500))
    (before,) = runways(case.run([base]))
    (after,) = runways(case.run([base], supply=supply))
    assert all(not_shorter(a, b) for a, b in zip(after, before, strict=True))


# --- the ledger ------------------------------------------------------------------------


QUANTITIES = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


@FAST
@given(
    QUANTITIES,
    st.lists(st.tuples(QUANTITIES, QUANTITIES), min_size=1, max_size=60),
)
def test_stock_never_negative_and_balances(
    inventory: float, days: list[tuple[float, float]]
) -> None:
    need = [n for n, _ in days]
    arrived = [a for _, a in days]
    ledger = run_ledger(inventory, need, arrived)
    assert all(stock >= 0 for stock in ledger.stock)
    assert ledger.end_stock == ledger.stock[-1]
    assert ledger.used <= ledger.need + 1e-9 * ledger.need
    scale = max(1.0, inventory + ledger.arrived)
    assert ledger.arrived - ledger.used == pytest.approx(
        ledger.end_stock - inventory, rel=1e-6, abs=1e-9 * scale
    )


@FAST
@given(cases(), scenarios())
def test_arrived_minus_used_is_the_change_in_stock(case: Case, base: Scenario) -> None:
    projection = case.run([base])
    for found in projection.results:
        for m in found.materials:
            inventory = case.plant["inventory"][m.id]
            assert m.end_stock >= 0
            assert m.arrived - m.used == pytest.approx(m.end_stock - inventory, rel=1e-6, abs=1e-6)
            assert 0 <= m.fill_rate <= 1
            assert m.unmet == pytest.approx(m.need - m.used, rel=1e-6, abs=1e-6)


# --- the horizon -----------------------------------------------------------------------


@FAST
@given(cases(max_horizon=90), scenarios(), st.integers(1, 60))
def test_a_longer_horizon_keeps_the_runways_found(
    case: Case, base: Scenario, extra_days: int
) -> None:
    (short_run,) = runways(case.run([base]))
    (long_run,) = runways(case.run([base], horizon=case.horizon + extra_days))
    for within_h, within_h2 in zip(short_run, long_run, strict=True):
        if within_h is not None:
            assert within_h2 == within_h
        else:
            assert within_h2 is None or within_h2 >= case.horizon


# --- the independent reimplementation -----------------------------------------------


def assert_agrees_with_reference(case: Case, base: Scenario) -> None:
    item = case.build()
    (engine,) = project_plant(
        item, [base], list(case.regimes), RARE_EARTHS, case.as_of, case.horizon
    ).results
    ref = reference_project(
        item.plant, dict(item.materials), base, list(case.regimes), case.as_of, case.horizon
    )
    for m in engine.materials:
        expected = ref.materials[m.id]
        assert m.runway_days == expected.runway_days, m.id
        assert m.short_days == expected.short_days, m.id
        assert m.unmet == pytest.approx(expected.unmet, rel=1e-9, abs=1e-9), m.id
        assert m.end_stock == pytest.approx(expected.end_stock, rel=1e-9, abs=1e-9), m.id
        assert m.shortfall == pytest.approx(expected.shortfall, rel=1e-9, abs=1e-9), m.id
        assert m.fill_rate == pytest.approx(expected.fill_rate, rel=1e-9), m.id
        assert m.arrived == pytest.approx(expected.arrived, rel=1e-9, abs=1e-9), m.id
        if expected.breakeven_rate is None:
            assert m.breakeven_rate is None, m.id
        else:
            assert m.breakeven_rate is not None, m.id
            assert abs(m.breakeven_rate - expected.breakeven_rate) <= 1e-9, m.id
    assert engine.runway_days == ref.runway_days
    assert engine.binding_material == ref.binding_material
    assert engine.short_days == ref.short_days
    if ref.breakeven_rate is None:
        assert engine.breakeven_rate is None
    else:
        assert engine.breakeven_rate == pytest.approx(ref.breakeven_rate, abs=1e-9)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(cases(), cases(min_supply=1), cases(licensed=True)), scenarios())
def test_engine_agrees_with_the_reference_model(case: Case, base: Scenario) -> None:
    assert_agrees_with_reference(case, base)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases(max_horizon=60, production=("workdays",)),
    scenarios(),
    st.sampled_from(["DE", "FR", "US", "CN", "JP"]),
)
def test_workdays_agree_with_the_reference_model(case: Case, base: Scenario, country: str) -> None:
    case = Case({**case.plant, "country": country}, case.as_of, case.horizon, case.regimes)
    plant = case.build().plant
    assert production_days(plant, case.as_of, case.horizon) == [
        produces(plant, case.as_of + timedelta(days=t)) for t in range(case.horizon)
    ]
    assert_agrees_with_reference(case, base)


# --- break-even ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(cases(min_supply=1), cases(licensed=True)), scenarios())
def test_no_short_day_at_the_breakeven_rate(case: Case, base: Scenario) -> None:
    (found,) = case.run([base]).results
    for m in found.materials:
        if m.breakeven_rate is None:
            continue
        (rerun,) = case.run([at_constant_rate(base, m.breakeven_rate)]).results
        again = next(r for r in rerun.materials if r.id == m.id)
        assert again.short_days == 0, (m.id, m.breakeven_rate)
    if found.breakeven_rate is not None:
        (rerun,) = case.run([at_constant_rate(base, found.breakeven_rate)]).results
        assert rerun.short_days == 0
