"""Engine tests: each case is worked out by hand from SPEC §3, the arithmetic in comments.

Conventions: day t is `as_of + t`; `AS_OF` is Monday 2025-06-02. Unless a test
says otherwise, a plant produces every day and its materials are element
metals in kg (`Dy: {}` is 100 % Dy).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
import pytest
from reference_model import at_constant_rate

from reerisk.calendar import production_days
from reerisk.daily import breakeven_rate, run_ledger, shortfall
from reerisk.engine import project_plant
from reerisk.models import Material, Plant, Regime, Scenario, StandingOrder
from reerisk.results import MaterialResult, PlantInput, PlantProjection, ScenarioResult
from reerisk.supply import Arrival, arrivals, filing_dates, is_controlled, review_terms

AS_OF = date(2025, 6, 2)  # a Monday
RARE_EARTHS = [
    "Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu",
    "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
]  # fmt: skip

R18 = Regime.model_validate(
    {
        "id": "mofcom-gac-2025-18",
        "title": "Export control on medium and heavy rare earths",
        "authority": "MOFCOM and GAC",
        "document": "Announcement No. 18 of 2025",
        "source": "test",
        "effective": "2025-04-04",
        "elements": ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
    }
)
R57_SUSPENDED = Regime.model_validate(
    {
        "id": "mofcom-gac-2025-57",
        "title": "Export control on further rare earths",
        "authority": "MOFCOM and GAC",
        "document": "Announcement No. 57 of 2025",
        "source": "test",
        "effective": "2025-11-08",
        "suspended": [{"from": "2025-11-07", "until": "2026-11-10"}],
        "elements": ["Ho", "Er", "Tm", "Eu", "Yb"],
    }
)


# --- helpers -------------------------------------------------------------------------


def make_plant(**fields: Any) -> Plant:
    """A plant from YAML-style keys; defaults: id `p`, every day, transit 0."""
    data: dict[str, Any] = {"id": "p", "production_days": "all", "transit_days": 0}
    data.update(fields)
    return Plant.model_validate(data)


def scenario(rate: Any = 0.5, name: str | None = None, **fields: Any) -> Scenario:
    data: dict[str, Any] = {"name": name or f"rate-{rate}", "approval_rate": rate}
    data.update(fields)
    return Scenario.model_validate(data)


def item_of(plant: Plant) -> PlantInput:
    return PlantInput(plant, dict(plant.materials))


def project(
    plant: Plant,
    scenarios: list[Scenario] | None = None,
    *,
    regimes: tuple[Regime, ...] = (R18,),
    as_of: date = AS_OF,
    horizon: int = 30,
) -> PlantProjection:
    return project_plant(
        item_of(plant),
        scenarios if scenarios is not None else [scenario(0.5)],
        list(regimes),
        RARE_EARTHS,
        as_of,
        horizon,
    )


def result(plant: Plant, base: Scenario | None = None, **kwargs: Any) -> ScenarioResult:
    """The one scenario result of a single-scenario run."""
    (only,) = project(plant, [base or scenario(0.5)], **kwargs).results
    return only


def material(plant: Plant, material_id: str | None = None, **kwargs: Any) -> MaterialResult:
    """One material's result (the only one if `material_id` is None)."""
    base = kwargs.pop("base", None)
    found = result(plant, base, **kwargs).materials
    if material_id is None:
        (only,) = found
        return only
    return next(m for m in found if m.id == material_id)


def day(on: date, as_of: date = AS_OF) -> int:
    return (on - as_of).days


# --- the daily ledger ------------------------------------------------------------------


def test_stock_only() -> None:
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100}, demand={"Dy": 8})
    dy = material(plant, horizon=30)
    # 100 kg / 8 kg per day = 12.5 -> days 0..11 full (96 kg used, 4 kg left), day 12 short
    assert dy.runway_days == 12
    assert dy.stockout_date == date(2025, 6, 14)  # 2025-06-02 + 12
    # day 12: 8 - 4 = 4 unmet; days 13..29: 17 days x 8 = 136 unmet -> 140
    assert dy.short_days == 30 - 12
    assert dy.unmet == pytest.approx(140)
    assert dy.need == pytest.approx(240)  # 30 x 8
    assert dy.used == pytest.approx(100)
    assert dy.fill_rate == pytest.approx(100 / 240)
    assert dy.end_stock == 0
    assert dy.arrived == 0
    # shortfall = need_cum(29) - inventory = 240 - 100
    assert dy.shortfall == pytest.approx(140)
    # a gap with nothing licensed to close it: no rate is enough
    assert dy.breakeven_rate is None


def test_shipment_mid_horizon() -> None:
    plant = make_plant(
        materials={"Dy": {}},
        inventory={"Dy": 50},
        demand={"Dy": 10},
        supply=[{"material": "Dy", "qty": 100, "arrives": "2025-06-06"}],
    )
    dy = material(plant, horizon=20)
    # days 0..3 use 40 (10 left); day 4 (06-06) +100 -> 110 = 11 days: days 4..14; day 15 short
    assert dy.runway_days == 15
    assert dy.stockout_date == date(2025, 6, 17)
    assert dy.short_days == 5  # days 15..19
    assert dy.unmet == pytest.approx(50)  # 5 x 10
    assert dy.arrived == pytest.approx(100)
    assert dy.used == pytest.approx(150)
    assert dy.fill_rate == pytest.approx(150 / 200)
    # shortfall = 200 - 50 - 100 = 50
    assert dy.shortfall == pytest.approx(50)
    # without the shipment the stock lasts 50 / 10 = 5 days
    no_shipment = make_plant(materials={"Dy": {}}, inventory={"Dy": 50}, demand={"Dy": 10})
    assert material(no_shipment, horizon=20).runway_days == 5


def test_partial_days_after_stockout() -> None:
    plant = make_plant(
        materials={"Dy": {}},
        inventory={"Dy": 25},
        demand={"Dy": 10},
        supply=[{"material": "Dy", "qty": 15, "arrives": "2025-06-07"}],  # day 5
    )
    dy = material(plant, horizon=8)
    # day 0: 25 -> 15; day 1: 15 -> 5
    # day 2: 5 < 10 -> short, unmet 5, uses 5 -> 0
    # day 3, 4: short, unmet 10 each
    # day 5: +15 -> 15, uses 10 -> 5 (production resumes: not short)
    # day 6: 5 < 10 -> short, unmet 5; day 7: short, unmet 10
    assert dy.runway_days == 2
    assert dy.short_days == 5  # days 2, 3, 4, 6, 7
    assert dy.unmet == pytest.approx(5 + 10 + 10 + 5 + 10)
    assert dy.need == pytest.approx(80)
    assert dy.used == pytest.approx(40)  # 25 + 15
    assert dy.fill_rate == pytest.approx(0.5)
    assert dy.end_stock == 0
    # shortfall: need_cum - 25 - arrivals_cum is largest on day 7: 80 - 25 - 15 = 40
    assert dy.shortfall == pytest.approx(40)


def test_run_ledger_trace_of_partial_days() -> None:
    ledger = run_ledger(25, [10.0] * 8, [0, 0, 0, 0, 0, 15, 0, 0])
    assert ledger.short == (False, False, True, True, True, False, True, True)
    assert ledger.stock == (15, 5, 0, 0, 0, 5, 0, 0)
    assert ledger.unmet == pytest.approx(40)
    assert (ledger.need, ledger.used, ledger.arrived, ledger.end_stock) == (80, 40, 15, 0)


def test_mon_fri_with_a_shutdown() -> None:
    plant = make_plant(
        production_days="mon-fri",
        shutdowns=[{"from": "2025-06-09", "to": "2025-06-11"}],  # Mon..Wed of week 2
        materials={"Dy": {}},
        inventory={"Dy": 75},
        demand={"Dy": 10},
    )
    # horizon 21 days: Mon 06-02 .. Sun 06-22
    # week 1: Mon 06-02 .. Fri 06-06 = t0..t4 (5 days)
    # week 2: Mon 06-09 .. Wed 06-11 shut down; Thu 06-12, Fri 06-13 = t10, t11 (2 days)
    # week 3: Mon 06-16 .. Fri 06-20 = t14..t18 (5 days); 06-21, 06-22 weekend
    producing = production_days(plant, AS_OF, 21)
    assert [t for t, on in enumerate(producing) if on] == [*range(0, 5), 10, 11, *range(14, 19)]
    dy = material(plant, horizon=21)
    # 75 kg at 10 per production day: t0..t4 use 50 (25 left), t10, t11 use 20 (5 left)
    # t14: 5 < 10 -> short (unmet 5); t15..t18 short (unmet 40); weekends need 0: never short
    assert dy.runway_days == 14
    assert dy.stockout_date == date(2025, 6, 16)
    assert dy.short_days == 5
    assert dy.unmet == pytest.approx(45)
    assert dy.need == pytest.approx(120)  # 12 production days x 10
    assert dy.fill_rate == pytest.approx(75 / 120)


def test_mon_sat_produces_on_saturday_only() -> None:
    plant = make_plant(production_days="mon-sat", materials={"Dy": {}}, demand={"Dy": 1})
    # Mon 06-02 .. Sun 06-08: 6 production days, Sunday off
    assert production_days(plant, AS_OF, 7) == [True] * 6 + [False]
    assert material(plant, horizon=7).need == pytest.approx(6)


def test_workdays_skip_a_german_public_holiday() -> None:
    germany = holidays.country_holidays("DE")
    unity_day = date(2025, 10, 3)  # a Friday
    assert unity_day.weekday() == 4 and unity_day in germany
    assert not germany.is_working_day(unity_day)
    plant = make_plant(
        country="DE",
        production_days="workdays",
        materials={"Dy": {}},
        inventory={"Dy": 30},
        demand={"Dy": 10},
    )
    as_of = date(2025, 9, 29)  # Monday
    # Mon 09-29, Tue 09-30, Wed 10-01, Thu 10-02 work; Fri 10-03 holiday; Sat, Sun off
    assert production_days(plant, as_of, 7) == [True, True, True, True, False, False, False]
    dy = material(plant, as_of=as_of, horizon=7)
    # 30 kg covers t0..t2; t3 (Thursday) is short; the holiday needs nothing, so is not short
    assert dy.runway_days == 3
    assert dy.short_days == 1
    assert dy.unmet == pytest.approx(10)
    assert dy.need == pytest.approx(40)  # 4 working days x 10


# --- arrivals: applications and review ------------------------------------------------


def test_application_filed_2025_04_04_decided_after_45_working_days() -> None:
    china = holidays.country_holidays("CN")
    assert china.get_nth_working_day(date(2025, 4, 4), 45) == date(2025, 6, 11)
    plant = make_plant(
        materials={"Dy": {}},
        inventory={"Dy": 190},
        demand={"Dy": 10},
        supply=[{"material": "Dy", "qty": 400, "filed": "2025-04-04", "transit_days": 10}],
    )
    base = scenario(0.25, review_working_days=45)
    # decision 2025-06-11 + 10 days transit = 2025-06-21 = day 19, carrying 0.25 x 400 = 100
    assert arrivals(item_of(plant), base, [R18], AS_OF, 40) == [
        Arrival(day=19, material="Dy", qty=400, reviewed=True, rate=0.25)
    ]
    dy = material(plant, base=base, horizon=40)
    # days 0..18 use 190 (19 x 10); day 19: +100 -> days 19..28; day 29 short
    assert dy.controlled
    assert dy.arrived == pytest.approx(100)
    assert dy.runway_days == 29
    assert dy.short_days == 11  # days 29..39
    assert dy.unmet == pytest.approx(110)
    # shortfall = 400 - 190 - 100 = 110
    assert dy.shortfall == pytest.approx(110)
    # breakeven: the gap grows to 400 - 190 = 210 on day 39 against 400 licensable -> 0.525
    assert dy.breakeven_rate == pytest.approx(0.525)


def test_application_filed_just_before_golden_week() -> None:
    china = holidays.country_holidays("CN")
    # Labour Day 2025: 05-01..05-05 off, Sunday 04-27 a make-up working day
    assert china.is_working_day(date(2025, 4, 27))  # a Sunday
    assert not china.is_working_day(date(2025, 4, 26))  # Saturday
    for off in range(1, 6):
        assert not china.is_working_day(date(2025, 5, off))
    assert china.is_working_day(date(2025, 5, 6))
    # filed Friday 04-25. Working days after it: Sun 04-27 (1), Mon 04-28 (2), Tue 04-29 (3),
    # Wed 04-30 (4), [05-01..05-05 off], Tue 05-06 (5), Wed 05-07 (6), Thu 05-08 (7),
    # Fri 05-09 (8), [weekend], Mon 05-12 (9), Tue 05-13 (10)
    plant = make_plant(
        materials={"Dy": {}},
        supply=[{"material": "Dy", "qty": 100, "filed": "2025-04-25", "transit_days": 3}],
    )
    as_of = date(2025, 5, 1)
    five = scenario(0.5, review_working_days=5)
    ten = scenario(0.5, review_working_days=10)
    # 5 days: decision 05-06 + 3 = 05-09 = day 8; 10 days: 05-13 + 3 = 05-16 = day 15
    assert arrivals(item_of(plant), five, [R18], as_of, 30) == [Arrival(8, "Dy", 100, True, 0.5)]
    assert arrivals(item_of(plant), ten, [R18], as_of, 30) == [Arrival(15, "Dy", 100, True, 0.5)]


def test_standing_order_filings_stop_at_until_and_horizon_end() -> None:
    order = StandingOrder.model_validate(
        {
            "material": "NdPr",
            "qty": 100,
            "every_days": 30,
            "first_filed": "2025-06-01",
            "until": "2025-07-31",
        }
    )
    # 06-01, 07-01 (+30), 07-31 (+60: on `until`, so included); 08-30 is past `until`
    assert filing_dates(order, date(2025, 12, 31)) == [
        date(2025, 6, 1),
        date(2025, 7, 1),
        date(2025, 7, 31),
    ]
    # last day of the horizon 07-31: the filing on that day counts
    assert filing_dates(order, date(2025, 7, 31))[-1] == date(2025, 7, 31)
    # last day 07-30: the 07-31 filing is after the horizon
    assert filing_dates(order, date(2025, 7, 30)) == [date(2025, 6, 1), date(2025, 7, 1)]
    # horizon over before the first filing
    assert filing_dates(order, date(2025, 5, 31)) == []


def test_standing_order_arrivals_of_uncontrolled_material() -> None:
    plant = make_plant(
        materials={"NdPr": {"composition": {"Nd": 75, "Pr": 25}}},
        supply=[
            {
                "material": "NdPr",
                "qty": 100,
                "every_days": 30,
                "first_filed": "2025-06-01",
                "until": "2025-07-31",
                "transit_days": 5,
            }
        ],
    )
    # filings 06-01, 07-01, 07-31 -> arrive 06-06 (day 4), 07-06 (day 34), 08-05 (day 64)
    found = arrivals(item_of(plant), scenario(0), [R18], AS_OF, 120)
    assert [(a.day, a.qty, a.reviewed, a.rate) for a in found] == [
        (4, 100, False, 1.0),
        (34, 100, False, 1.0),
        (64, 100, False, 1.0),
    ]
    # horizon 60 days: last day 07-31, the 07-31 filing counts but lands on day 64 >= 60
    assert [a.day for a in arrivals(item_of(plant), scenario(0), [R18], AS_OF, 60)] == [4, 34]


def test_uncontrolled_material_needs_no_review() -> None:
    plant = make_plant(
        materials={"NdPr": {"composition": {"Nd": 75, "Pr": 25}}},
        inventory={"NdPr": 0},
        demand={"NdPr": 100},
        supply=[{"material": "NdPr", "qty": 500, "filed": "2025-06-01", "transit_days": 7}],
    )
    # Nd and Pr are in no regime: the application arrives on 06-01 + 7 = 06-08 (day 6), in full,
    # even when the scenario approves nothing
    assert arrivals(item_of(plant), scenario(0), [R18], AS_OF, 10) == [
        Arrival(6, "NdPr", 500, False, 1.0)
    ]
    ndpr = material(plant, base=scenario(0), horizon=10)
    assert not ndpr.controlled
    # days 0..5 short (6 x 100 unmet); day 6: 500 -> days 6..9 use 400, 100 left
    assert ndpr.runway_days == 0
    assert ndpr.short_days == 6
    assert ndpr.unmet == pytest.approx(600)
    assert ndpr.end_stock == pytest.approx(100)
    # nothing licensed, yet there is a gap on day 0: no rate can help
    assert ndpr.breakeven_rate is None


def test_min_content_pct_threshold() -> None:
    threshold = Regime.model_validate(
        {
            "id": "threshold",
            "title": "t",
            "authority": "a",
            "document": "d",
            "source": "s",
            "effective": "2025-04-04",
            "elements": ["Dy"],
            "min_content_pct": 1.0,
        }
    )
    plant = make_plant(
        materials={
            "mag-lo": {"composition": {"Nd": 30, "Dy": 0.5, "Fe": 69.5}},
            "mag-eq": {"composition": {"Nd": 30, "Dy": 1.0, "Fe": 69}},
            "mag-hi": {"composition": {"Nd": 29, "Dy": 3.5, "Fe": 67.5}},
        },
        transit_days=5,
        supply=[
            {"material": "mag-lo", "qty": 10, "filed": "2025-06-02"},
            {"material": "mag-eq", "qty": 20, "filed": "2025-06-02"},
            {"material": "mag-hi", "qty": 30, "filed": "2025-06-02"},
        ],
    )
    # 0.5 % and 1.0 % are not > 1.0 %: no review, full qty on 06-02 + 5 = day 5.
    # 3.5 % > 1.0 %: 45 CN working days after 06-02 -> 2025-08-04, + 5 = 08-09 = day 68
    assert holidays.country_holidays("CN").get_nth_working_day(AS_OF, 45) == date(2025, 8, 4)
    assert arrivals(item_of(plant), scenario(0.5), [threshold], AS_OF, 100) == [
        Arrival(5, "mag-lo", 10, False, 1.0),
        Arrival(5, "mag-eq", 20, False, 1.0),
        Arrival(68, "mag-hi", 30, True, 0.5),
    ]
    flags = {m.id: m.controlled for m in result(plant, regimes=(threshold,), horizon=100).materials}
    assert flags == {"mag-lo": False, "mag-eq": False, "mag-hi": True}


def test_approved_application_arrives_in_full() -> None:
    plant = make_plant(
        materials={"Dy": {}},
        supply=[
            {
                "material": "Dy",
                "qty": 300,
                "filed": "2025-05-01",
                "approved": "2025-06-03",
                "transit_days": 5,
            }
        ],
    )
    # approved 06-03 + 5 days = 06-08 = day 6, full qty, whatever the approval rate
    for rate in (0, 0.25, 1):
        assert arrivals(item_of(plant), scenario(rate), [R18], AS_OF, 30) == [
            Arrival(6, "Dy", 300, False, 1.0)
        ]
    assert material(plant, base=scenario(0)).arrived == pytest.approx(300)


def test_plant_default_transit_and_own_transit() -> None:
    plant = make_plant(
        materials={"NdPr": {"composition": {"Nd": 75, "Pr": 25}}},
        transit_days=12,
        supply=[
            {"material": "NdPr", "qty": 1, "filed": "2025-06-02"},  # plant default: 12
            {"material": "NdPr", "qty": 2, "filed": "2025-06-02", "transit_days": 3},
        ],
    )
    found = arrivals(item_of(plant), scenario(0), [R18], AS_OF, 30)
    assert [(a.day, a.qty) for a in found] == [(3, 2), (12, 1)]  # in order of day


# --- scenario terms ------------------------------------------------------------------


GREEN_SCENARIO = {
    "approval_rate": 0.2,
    "review_working_days": 45,
    "green_channel": {"review_working_days": 20, "approval_rate": 0.8},
    "overrides": [
        {"when": {"region": "EU"}, "review_working_days": 30},
        {"when": {"region": "EU", "end_use": "military"}, "approval_rate": 0},
    ],
}


def test_green_channel_and_overrides_review_terms() -> None:
    green_scenario = scenario(name="green", **GREEN_SCENARIO)
    us = make_plant(region="US", materials={"Dy": {}})
    eu = make_plant(region="EU", materials={"Dy": {}})
    eu_military = make_plant(region="EU", end_use="military", materials={"Dy": {}})

    def terms(plant: Plant, channel: str) -> tuple[float, int]:
        found = review_terms(green_scenario, plant, channel)
        return found.rate_on(AS_OF), found.review_working_days

    # no override matches a US plant: standard terms, or the green channel's
    assert terms(us, "standard") == (0.2, 45)
    assert terms(us, "green") == (0.8, 20)
    # the EU override sets 30 review days on both channels; the military one does not match
    assert terms(eu, "standard") == (0.2, 30)
    assert terms(eu, "green") == (0.8, 30)
    # both overrides match a military EU plant: rate 0 on both channels
    assert terms(eu_military, "standard") == (0.0, 30)
    assert terms(eu_military, "green") == (0.0, 30)


def test_green_channel_and_overrides_arrivals() -> None:
    green_scenario = scenario(name="green", **GREEN_SCENARIO)
    supply = [
        {"material": "Dy", "qty": 100, "filed": "2025-06-02"},
        {"material": "Dy", "qty": 100, "filed": "2025-06-02", "channel": "green"},
    ]
    # 06-02 is a CN holiday (Dragon Boat, observed); counting from Tue 06-03 (1):
    # 20 working days -> Mon 06-30 (day 28); 30 -> Mon 07-14 (day 42); 45 -> Mon 08-04 (day 63)
    china = holidays.country_holidays("CN")
    assert [china.get_nth_working_day(AS_OF, n) for n in (20, 30, 45)] == [
        date(2025, 6, 30),
        date(2025, 7, 14),
        date(2025, 8, 4),
    ]
    us = make_plant(region="US", materials={"Dy": {}}, supply=supply)
    eu = make_plant(region="EU", materials={"Dy": {}}, supply=supply)
    assert arrivals(item_of(us), green_scenario, [R18], AS_OF, 70) == [  # in order of day
        Arrival(28, "Dy", 100, True, 0.8),
        Arrival(63, "Dy", 100, True, 0.2),
    ]
    assert arrivals(item_of(eu), green_scenario, [R18], AS_OF, 70) == [
        Arrival(42, "Dy", 100, True, 0.2),
        Arrival(42, "Dy", 100, True, 0.8),
    ]


def test_later_override_wins_and_all_when_keys_must_match() -> None:
    base = scenario(
        0.5,
        overrides=[
            {"when": {"country": "DE"}, "approval_rate": 0.1},
            {"when": {"plant": "p"}, "approval_rate": 0.3},
            {"when": {"plant": "p", "country": "FR"}, "approval_rate": 0.9},
        ],
    )
    plant = make_plant(country="DE", materials={"Dy": {}})
    # the first two match (later wins: 0.3); the third needs country FR as well
    assert review_terms(base, plant, "standard").rate_on(AS_OF) == 0.3


def test_approval_rate_steps() -> None:
    spec_steps = [{"from": "2025-04-04", "rate": 0.25}, {"from": "2025-06-12", "rate": 0.6}]
    plant = make_plant(
        materials={"Dy": {}},
        supply=[
            # 45 working days after 04-04 -> 06-11 (before the 06-12 step): 0.25
            {"material": "Dy", "qty": 100, "filed": "2025-04-04"},
            # 04-07 is one working day later -> decision 06-12, on the step date: 0.6
            {"material": "Dy", "qty": 100, "filed": "2025-04-07"},
        ],
    )
    assert arrivals(item_of(plant), scenario(spec_steps), [R18], AS_OF, 30) == [
        Arrival(day(date(2025, 6, 11)), "Dy", 100, True, 0.25),
        Arrival(day(date(2025, 6, 12)), "Dy", 100, True, 0.6),
    ]

    late_steps = [{"from": "2025-06-11", "rate": 0.25}, {"from": "2025-06-12", "rate": 0.6}]
    one_day = scenario(late_steps, review_working_days=1)
    plant = make_plant(
        materials={"Dy": {}},
        supply=[
            {"material": "Dy", "qty": 1, "filed": "2025-06-09"},  # decision Tue 06-10
            {"material": "Dy", "qty": 1, "filed": "2025-06-10"},  # decision Wed 06-11
            {"material": "Dy", "qty": 1, "filed": "2025-06-11"},  # decision Thu 06-12
        ],
    )
    found = arrivals(item_of(plant), one_day, [R18], AS_OF, 30)
    # 06-10 is before the first step: the first step's rate; 06-11 and 06-12 are step dates
    assert [(a.day, a.rate) for a in found] == [(8, 0.25), (9, 0.25), (10, 0.6)]
    terms = review_terms(one_day, plant, "standard")
    assert terms.rate_on(date(2020, 1, 1)) == 0.25
    assert terms.rate_on(date(2030, 1, 1)) == 0.6


# --- regimes ---------------------------------------------------------------------------


def test_regime_suspension_window() -> None:
    ho = Material.model_validate({})
    for on, expected in [
        (date(2025, 11, 7), False),  # before `effective`
        (date(2025, 11, 8), False),  # effective, but inside the suspension
        (date(2026, 11, 10), False),  # last suspended day (inclusive)
        (date(2026, 11, 11), True),  # the suspension is over
    ]:
        assert is_controlled("Ho", ho, [R57_SUSPENDED], on) is expected, on

    plant = make_plant(
        materials={"Ho": {}},
        inventory={"Ho": 10},
        demand={"Ho": 1},
        supply=[{"material": "Ho", "qty": 100, "filed": "2025-12-01", "transit_days": 10}],
    )
    as_of = date(2025, 12, 1)
    regimes = (R18, R57_SUSPENDED)
    # not controlled on the filing date: full qty on 12-01 + 10 = day 10, no review
    assert arrivals(item_of(plant), scenario(0), list(regimes), as_of, 30) == [
        Arrival(10, "Ho", 100, False, 1.0)
    ]
    suspended = result(plant, scenario(0), regimes=regimes, as_of=as_of, horizon=30)
    assert not suspended.materials[0].controlled
    (holmium,) = suspended.elements
    assert holmium.symbol == "Ho" and not holmium.controlled
    after = result(plant, scenario(0), regimes=regimes, as_of=date(2026, 11, 11), horizon=30)
    assert after.materials[0].controlled
    assert after.elements[0].controlled


def test_regime_effective_and_ended() -> None:
    ending = Regime.model_validate(
        {
            "id": "ending",
            "title": "t",
            "authority": "a",
            "document": "d",
            "source": "s",
            "effective": "2025-04-04",
            "ended": "2026-01-01",
            "elements": ["Dy"],
        }
    )
    dy = Material.model_validate({})
    assert not is_controlled("Dy", dy, [ending], date(2025, 4, 3))
    assert is_controlled("Dy", dy, [ending], date(2025, 4, 4))
    assert is_controlled("Dy", dy, [ending], date(2025, 12, 31))
    assert not is_controlled("Dy", dy, [ending], date(2026, 1, 1))  # d < ended fails
    plant = make_plant(
        materials={"Dy": {}},
        supply=[
            {"material": "Dy", "qty": 10, "filed": "2025-12-31"},  # still controlled
            {"material": "Dy", "qty": 20, "filed": "2026-01-01"},  # ended: no review
        ],
    )
    found = arrivals(item_of(plant), scenario(0.5), [ending], date(2025, 12, 1), 200)
    # in order of day: the unreviewed filing lands first
    assert [(a.qty, a.reviewed, a.rate) for a in found] == [(20, False, 1.0), (10, True, 0.5)]
    assert found[0].day == 31  # 2026-01-01 + 0 days transit


# --- break-even and shortfall, checked by running the engine again --------------------


def breakeven_plant(**extra: Any) -> Plant:
    """190 kg Dy at 10 kg/day; 400 kg licensed 2025-04-04 -> lands 2025-06-21 (day 19)."""
    fields: dict[str, Any] = {
        "materials": {"Dy": {}},
        "inventory": {"Dy": 190},
        "demand": {"Dy": 10},
        "supply": [{"material": "Dy", "qty": 400, "filed": "2025-04-04", "transit_days": 10}],
    }
    fields.update(extra)
    return make_plant(**fields)


def test_breakeven_and_shortfall_checked_by_rerun() -> None:
    plant = breakeven_plant()
    base = scenario(0.25)
    dy = material(plant, base=base, horizon=40)
    # gap on day t >= 19: 10 (t + 1) - 190, licensable 400 -> worst on day 39: 210 / 400
    assert dy.breakeven_rate == pytest.approx(0.525)
    assert material(plant, base=at_constant_rate(base, 0.525), horizon=40).short_days == 0
    assert material(plant, base=at_constant_rate(base, 0.515), horizon=40).short_days > 0

    # at 0.25: 400 - 190 - 100 = 110 missing
    assert dy.shortfall == pytest.approx(110)
    topped_up = breakeven_plant(inventory={"Dy": 190 + 110})
    assert material(topped_up, base=base, horizon=40).short_days == 0
    one_short = breakeven_plant(inventory={"Dy": 190 + 110 - 1})
    assert material(one_short, base=base, horizon=40).short_days > 0


def test_breakeven_replaces_green_and_override_rates() -> None:
    plant = breakeven_plant(region="EU")
    base = scenario(
        0.25,
        green_channel={"approval_rate": 0.9},
        overrides=[{"when": {"region": "EU"}, "approval_rate": 0}],
    )
    dy = material(plant, base=base, horizon=40)
    # the override's rate 0 makes the expected arrival 0, but the break-even is the same
    assert dy.arrived == 0
    assert dy.breakeven_rate == pytest.approx(0.525)
    assert material(plant, base=at_constant_rate(base, 0.525), horizon=40).short_days == 0
    assert material(plant, base=at_constant_rate(base, 0.515), horizon=40).short_days > 0


def test_breakeven_zero_when_no_licence_is_needed() -> None:
    # 1000 kg covers 40 x 10 = 400: no gap, whatever the rate
    plenty = breakeven_plant(inventory={"Dy": 1000})
    assert material(plenty, base=scenario(0), horizon=40).breakeven_rate == 0
    no_supply = make_plant(materials={"Dy": {}}, inventory={"Dy": 10}, demand={"Dy": 1})
    assert material(no_supply, horizon=10).breakeven_rate == 0
    assert material(no_supply, horizon=10).shortfall == 0


def test_breakeven_none_when_the_gap_is_timing() -> None:
    # nothing in stock on day 0, the licence lands on day 19: no rate covers days 0..18
    plant = breakeven_plant(inventory={"Dy": 0})
    dy = material(plant, horizon=40)
    assert dy.breakeven_rate is None
    assert material(plant, base=scenario(1), horizon=40).runway_days == 0
    assert breakeven_rate(0, [1.0, 1.0], [0.0, 0.0], [0.0, 5.0]) is None


def test_breakeven_none_when_even_rate_one_is_not_enough() -> None:
    # gap on day 39: 400 - 190 = 210 against only 100 licensable -> 2.1 > 1
    plant = make_plant(
        materials={"Dy": {}},
        inventory={"Dy": 190},
        demand={"Dy": 10},
        supply=[{"material": "Dy", "qty": 100, "filed": "2025-04-04", "transit_days": 10}],
    )
    assert material(plant, horizon=40).breakeven_rate is None
    assert material(plant, base=scenario(1), horizon=40).short_days > 0


def test_breakeven_and_shortfall_functions() -> None:
    # need 10/day for 4 days, 15 in stock, 5 certain on day 1, 20 licensable on day 2
    need = [10.0] * 4
    certain = [0.0, 5.0, 0.0, 0.0]
    licensed = [0.0, 0.0, 20.0, 0.0]
    # gaps: day0 10-15 <0; day1 20-20 = 0; day2 30-20 = 10 -> 10/20; day3 40-20 = 20 -> 20/20
    assert breakeven_rate(15, need, certain, licensed) == pytest.approx(1.0)
    # shortfall with expected arrivals at rate 0.5: day3 40 - 15 - 5 - 10 = 10
    assert shortfall(15, need, [0.0, 5.0, 10.0, 0.0]) == pytest.approx(10)


def test_breakeven_agrees_with_the_daily_tolerance() -> None:
    """The break-even must use the same short-day test as the daily ledger.

    100 days at 1 kg/day against 100 - 5e-8 kg, nothing licensed. On day 99 the
    stock is 1 - 5e-8 kg, below the day's tolerance 1 x (1 - 1e-9), so day 99
    is short (SPEC §3.5) and no constant rate can prevent it (there is nothing
    to approve): the break-even is null (SPEC §3). A break-even of 0 would
    claim that rate 0 gives no short day, which the same run contradicts.
    """
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100 - 5e-8}, demand={"Dy": 1})
    dy = material(plant, base=scenario(0), horizon=100)
    assert dy.runway_days == 99
    assert dy.short_days == 1
    assert dy.shortfall == pytest.approx(5e-8, rel=1e-3)
    assert dy.breakeven_rate is None


def test_breakeven_rerun_with_a_tiny_gap_and_a_licence() -> None:
    """Same tiny gap, but a 10 kg licence (filed 2025-04-04) lands on 2025-06-11 (day 9).

    At rate r the stock on day 99 is (100 - 5e-8) - 99 + 10 r = 1 - 5e-8 + 10 r,
    short unless >= 1 - 1e-9, i.e. unless r >= 4.9e-9. SPEC's formula gives
    gap / licensed = 5e-8 / 10 = 5e-9. Either way the break-even is above 0,
    and re-running at the reported break-even must give no short day.
    """
    plant = make_plant(
        materials={"Dy": {}},
        inventory={"Dy": 100 - 5e-8},
        demand={"Dy": 1},
        supply=[{"material": "Dy", "qty": 10, "filed": "2025-04-04"}],
    )
    base = scenario(0.5)
    dy = material(plant, base=base, horizon=100)
    assert dy.breakeven_rate is not None
    rerun = material(plant, base=at_constant_rate(base, dy.breakeven_rate), horizon=100)
    assert rerun.short_days == 0, dy.breakeven_rate
    assert dy.breakeven_rate == pytest.approx(5e-9, rel=0.05)


# --- the horizon -----------------------------------------------------------------------


def test_arrivals_before_as_of_or_on_day_h_are_dropped() -> None:
    plant = make_plant(
        materials={"Dy": {}},
        supply=[
            {"material": "Dy", "qty": 1, "arrives": "2025-06-01"},  # day -1: dropped
            {"material": "Dy", "qty": 2, "arrives": "2025-06-02"},  # day 0
            {"material": "Dy", "qty": 4, "arrives": "2025-06-11"},  # day 9 = H - 1
            {"material": "Dy", "qty": 8, "arrives": "2025-06-12"},  # day 10 = H: dropped
        ],
    )
    found = arrivals(item_of(plant), scenario(1), [R18], AS_OF, 10)
    assert [(a.day, a.qty) for a in found] == [(0, 2), (9, 4)]
    dy = material(plant, base=scenario(1), horizon=10)
    assert dy.arrived == 6
    assert dy.end_stock == 6

    # a licence decided 2025-06-11 (filed 04-04), no transit: lands 2025-06-11
    licence = make_plant(
        materials={"Dy": {}}, supply=[{"material": "Dy", "qty": 16, "filed": "2025-04-04"}]
    )

    def landed(as_of: date) -> list[tuple[int, float]]:
        return [(a.day, a.qty) for a in arrivals(item_of(licence), scenario(1), [R18], as_of, 10)]

    assert landed(date(2025, 6, 2)) == [(9, 16)]  # day 9 = H - 1: kept
    assert landed(date(2025, 6, 1)) == []  # day 10 = H: dropped
    assert landed(date(2025, 6, 12)) == []  # day -1: assumed in inventory already
    assert material(licence, base=scenario(1), as_of=date(2025, 6, 12), horizon=10).arrived == 0


# --- plant-level figures -------------------------------------------------------------


def test_plant_aggregation() -> None:
    plant = make_plant(
        materials={"Dy": {}, "Tb": {}},
        inventory={"Dy": 5, "Tb": 2},
        demand={"Dy": 1, "Tb": 1},
        supply=[{"material": "Tb", "qty": 2, "arrives": "2025-06-06"}],  # day 4
    )
    found = result(plant, horizon=12)
    dy, tb = found.materials
    # Dy: 5 days of stock -> short on days 5..11 (7 days)
    assert (dy.runway_days, dy.short_days) == (5, 7)
    # Tb: days 0, 1 ok; 2, 3 short; +2 on day 4 -> 4, 5 ok; 6..11 short (8 days)
    assert (tb.runway_days, tb.short_days) == (2, 8)
    # plant: min runway 2 (Tb); short on any of {2, 3, 5, 6, ..., 11} = 2 + 7 = 9 days
    assert found.runway_days == 2
    assert found.stockout_date == date(2025, 6, 4)
    assert found.binding_material == "Tb"
    assert found.short_days == 9


@pytest.mark.parametrize("order", [["Tb", "Dy"], ["Dy", "Tb"]])
def test_binding_material_tie_goes_to_first_in_file_order(order: list[str]) -> None:
    plant = make_plant(
        materials={symbol: {} for symbol in order},
        inventory={"Dy": 3, "Tb": 3},
        demand={"Dy": 1, "Tb": 1},
    )
    found = result(plant, horizon=10)
    assert [m.id for m in found.materials] == order
    # both run out on day 3
    assert found.runway_days == 3
    assert found.binding_material == order[0]
    assert found.short_days == 7  # days 3..9, counted once


def test_plant_runway_none_when_no_material_runs_out() -> None:
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100}, demand={"Dy": 1})
    found = result(plant, horizon=10)
    assert (found.runway_days, found.stockout_date, found.binding_material) == (None, None, None)
    assert found.short_days == 0


def test_plant_breakeven_is_the_max_or_none() -> None:
    supply = [
        {"material": "Dy", "qty": 400, "filed": "2025-04-04", "transit_days": 10},
        {"material": "Tb", "qty": 400, "filed": "2025-04-04", "transit_days": 10},
    ]
    plant = make_plant(
        materials={"Dy": {}, "Tb": {}},
        inventory={"Dy": 190, "Tb": 95},
        demand={"Dy": 10, "Tb": 5},
        supply=supply,
    )
    found = result(plant, horizon=40)
    dy, tb = found.materials
    assert dy.breakeven_rate == pytest.approx(210 / 400)  # 400 - 190 on day 39
    assert tb.breakeven_rate == pytest.approx(105 / 400)  # 200 - 95 on day 39
    assert found.breakeven_rate == pytest.approx(0.525)

    with_timing_gap = make_plant(
        materials={"Dy": {}, "Tb": {}, "Lu": {}},
        inventory={"Dy": 190, "Tb": 95},
        demand={"Dy": 10, "Tb": 5, "Lu": 1},  # Lu: short on day 0, nothing licensed
        supply=supply,
    )
    found = result(with_timing_gap, horizon=40)
    assert [m.breakeven_rate is None for m in found.materials] == [False, False, True]
    assert found.breakeven_rate is None


def test_exposed_when_runway_shorter_than_recovery() -> None:
    def dy(recovery: int, inventory: float) -> MaterialResult:
        plant = make_plant(
            materials={"Dy": {}},
            inventory={"Dy": inventory},
            demand={"Dy": 8},
            recovery_days={"Dy": recovery},
        )
        return material(plant, horizon=30)

    # 100 / 8 -> runway 12
    assert dy(30, 100).runway_days == 12
    assert dy(30, 100).recovery_days == 30
    assert dy(30, 100).exposed  # 12 < 30
    assert not dy(12, 100).exposed  # 12 < 12 is false
    assert not dy(5, 100).exposed
    # no stockout within the horizon: never exposed, however long recovery takes
    safe = dy(10_000, 1_000)
    assert safe.runway_days is None
    assert not safe.exposed
    # no recovery_days: not exposed, echoed as None
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100}, demand={"Dy": 8})
    assert material(plant, horizon=30).recovery_days is None
    assert not material(plant, horizon=30).exposed
    # the plant is exposed when a material is
    exposed_plant = make_plant(
        materials={"Dy": {}, "Tb": {}},
        inventory={"Dy": 100, "Tb": 1000},
        demand={"Dy": 8, "Tb": 1},
        recovery_days={"Dy": 30, "Tb": 5},
    )
    assert result(exposed_plant, horizon=30).exposed


def test_element_figures() -> None:
    plant = make_plant(
        materials={
            "rotor-ndfeb-sh": {
                "unit": "pcs",
                "mass_g": 1450,
                "composition": {"Nd": 23.0, "Pr": 6.0, "Dy": 3.5, "Tb": 0.7, "Fe": 65.8, "B": 1.0},
            },
            "Dy": {},
        },
        lines=[{"product": "motor", "units_per_day": 800, "bom": {"rotor-ndfeb-sh": 1}}],
        demand={"Dy": 0.5},
        inventory={"rotor-ndfeb-sh": 26000, "Dy": 40},
    )
    found = result(plant, horizon=60)
    rotor, dy = found.materials
    # 26 000 pcs / 800 per day = 32.5 -> runway 32; Dy metal 40 / 0.5 = 80 days > horizon
    assert rotor.runway_days == 32
    assert dy.runway_days is None
    elements = {e.symbol: e for e in found.elements}
    # report order follows RARE_EARTHS; only elements found in the materials
    assert [e.symbol for e in found.elements] == ["Pr", "Nd", "Tb", "Dy"]
    # Dy: 800 pcs x 1.450 kg x 3.5 % = 40.6 kg/day, plus 0.5 kg/day of metal
    assert elements["Dy"].demand_kg_per_day == pytest.approx(40.6 + 0.5)
    # Dy stock: 26 000 x 1.450 x 3.5 % = 1319.5 kg, plus 40 kg of metal
    assert elements["Dy"].stock_kg == pytest.approx(1319.5 + 40)
    # Tb: 800 x 1.450 x 0.7 % = 8.12 kg/day; 26 000 x 1.450 x 0.7 % = 263.9 kg
    assert elements["Tb"].demand_kg_per_day == pytest.approx(8.12)
    assert elements["Tb"].stock_kg == pytest.approx(263.9)
    # Nd: 800 x 1.450 x 23 % = 266.8 kg/day; Pr: 800 x 1.450 x 6 % = 69.6 kg/day
    assert elements["Nd"].demand_kg_per_day == pytest.approx(266.8)
    assert elements["Pr"].demand_kg_per_day == pytest.approx(69.6)
    # controlled on as_of: Dy and Tb are in regime 18, Nd and Pr are not
    assert {s: e.controlled for s, e in elements.items()} == {
        "Pr": False,
        "Nd": False,
        "Tb": True,
        "Dy": True,
    }
    # runway: min over materials with the element; Dy metal never runs out -> the rotor's 32
    assert {s: e.runway_days for s, e in elements.items()} == {
        "Pr": 32,
        "Nd": 32,
        "Tb": 32,
        "Dy": 32,
    }


def test_element_demand_uses_production_day_and_stock_is_opening_inventory() -> None:
    plant = make_plant(
        production_days="mon-fri",
        materials={"Dy": {}},
        inventory={"Dy": 7},
        demand={"Dy": 2},
        supply=[{"material": "Dy", "qty": 100, "arrives": "2025-06-02"}],  # day 0
    )
    # as_of Saturday 2025-06-07: no production today, yet demand_kg_per_day is per production day
    (dy,) = result(plant, as_of=date(2025, 6, 7), horizon=5).elements
    assert dy.demand_kg_per_day == pytest.approx(2)
    # as_of Monday 06-02: the 100 kg shipment lands on day 0, but stock_kg is the opening 7 kg
    (dy,) = result(plant, horizon=5).elements
    assert dy.stock_kg == pytest.approx(7)
    assert dy.runway_days is None


def test_every_scenario_gets_a_result_in_order() -> None:
    plant = breakeven_plant()
    names = [r.scenario for r in project(plant, [scenario(0), scenario(1)], horizon=40).results]
    assert names == ["rate-0", "rate-1"]
    low, high = project(plant, [scenario(0), scenario(1)], horizon=40).results
    # rate 0: runway 19; rate 1: 190 + 400 = 590 >= 400 needed, no stockout
    assert low.runway_days == 19
    assert high.runway_days is None
    assert low.stockout_date == AS_OF + timedelta(days=19)


# --- scenario levers: demand_scale and extra_stock ------------------------------------


def test_demand_scale_cuts_the_need_per_production_day() -> None:
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100}, demand={"Dy": 10})
    cut, full = project(plant, [scenario(0, "cut 20 %", demand_scale=0.8), scenario(0)]).results
    # 10 kg/day x 0.8 = 8 kg/day: days 0..11 use 96 kg; day 12 has 4 < 8 -> runway 12
    assert cut.runway_days == 12
    assert cut.materials[0].need == 8 * 30  # 30 production days at 8 kg
    assert cut.materials[0].unmet == 8 * 30 - 100  # 140: everything beyond the 100 kg
    assert cut.elements[0].demand_kg_per_day == 8.0
    # unscaled: 100 / 10 = 10 full days -> runway 10
    assert full.runway_days == 10
    assert full.elements[0].demand_kg_per_day == 10.0


def test_extra_stock_lands_on_day_zero() -> None:
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100}, demand={"Dy": 10})
    bought, plain = project(
        plant, [scenario(0, "broker", extra_stock={"Dy": 55}), scenario(0)]
    ).results
    # 100 + 55 = 155 kg at 10 kg/day: 15 full days, day 15 has 5 < 10 -> runway 15
    assert bought.runway_days == 15
    assert bought.materials[0].shortfall == 30 * 10 - 155  # 145 more would last the 30 days
    assert bought.elements[0].stock_kg == 155.0
    assert plain.runway_days == 10
    assert plain.elements[0].stock_kg == 100.0


def test_extra_stock_for_a_material_the_plant_lacks_is_ignored() -> None:
    plant = make_plant(materials={"Dy": {}}, inventory={"Dy": 100}, demand={"Dy": 10})
    (result,) = project(plant, [scenario(0, extra_stock={"Tb": 1000})]).results
    assert result.runway_days == 10
