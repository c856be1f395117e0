"""Monte Carlo tests (SPEC §4): hand cases with exact probabilities, and properties.

Sampling tolerances are not guessed: at N trials, a share with true value q has
standard error sqrt(q (1 - q) / N), and a test allows 4 of them (a fixed seed
makes each run identical, so a pass is a pass for good, and a 4-sigma miss
would point at a real bias). Conventions as in test_engine.py: day t is
`AS_OF + t`, every day is a production day, transit 0, materials in kg.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_engine_properties import FAST, RARE_EARTHS, Case, cases

from reerisk.calendar import china_decision_date
from reerisk.engine import plant_setup, project_plant
from reerisk.models import Plant, Regime, Scenario, whole_days
from reerisk.montecarlo import simulate_plant, simulate_scenario
from reerisk.odds import nearest_rank, percentile, percentile_of_counts
from reerisk.results import PlantInput
from reerisk.trials import count_outcomes, scenario_draws, trial_result

AS_OF = date(2025, 6, 2)
TRIALS = 10_000
R18 = Regime.model_validate(
    {"id": "r18", "title": "t", "authority": "a", "document": "d", "source": "s",
     "effective": "2025-04-04", "elements": ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]}
)  # fmt: skip
REVIEW = 5  # working days


def tolerance(q: float, trials: int = TRIALS) -> float:
    """Four binomial standard errors of a share q over `trials` trials."""
    return 4 * math.sqrt(q * (1 - q) / trials)


def dy_plant(inventory: float, supply: list[dict[str, Any]]) -> PlantInput:
    """Dy metal, 1 kg a day, every day; controlled by regime 18, so filings are reviewed."""
    plant = Plant.model_validate(
        {"id": "p", "production_days": "all", "transit_days": 0, "materials": {"Dy": {}},
         "inventory": {"Dy": inventory}, "demand": {"Dy": 1}, "supply": supply}
    )  # fmt: skip
    return PlantInput(plant, dict(plant.materials))


def make_scenario(rate: Any, review: Any = REVIEW, **fields: Any) -> Scenario:
    data = {"name": "s", "approval_rate": rate, "review_working_days": review} | fields
    return Scenario.model_validate(data)


def landing_day(filed: date, review: int = REVIEW) -> int:
    """Day of the horizon a filing lands on (transit 0): its decision date."""
    return (china_decision_date(filed, review) - AS_OF).days


def runway_counts(item: PlantInput, base: Scenario, horizon: int, seed: int = 0) -> dict[Any, int]:
    """How many of TRIALS trials give each plant runway (None: no stockout)."""
    setup = plant_setup(item, [R18], RARE_EARTHS, AS_OF, horizon)
    draws = scenario_draws(setup, base)
    counts: dict[Any, int] = {}
    outcomes = count_outcomes(draws, TRIALS, random.Random(seed), horizon)
    for outcome, count in outcomes.items():
        days = trial_result(setup, base, draws, outcome).runway_days
        counts[days] = counts.get(days, 0) + count
    return counts


# --- percentiles by nearest rank -------------------------------------------------------


def test_nearest_rank_on_a_hand_made_list() -> None:
    runways = [55, 40, None, 70, 41, None, 55, 60, None, 40]
    # sorted: 40, 40, 41, 55, 55, 60, 70, inf, inf, inf (N = 10)
    # P10: rank ceil(0.10 * 10) = 1 -> 40;  P50: rank ceil(0.5 * 10) = 5 -> 55
    # P70: rank 7 -> 70;  P71: rank ceil(7.1) = 8 -> inf -> None;  P100: rank 10 -> None
    assert percentile(runways, 10) == 40
    assert percentile(runways, 50) == 55
    assert percentile(runways, 70) == 70
    assert percentile(runways, 71) is None
    assert percentile(runways, 100) is None
    # P0.1: rank ceil(0.001 * 10) = 1 -> the smallest, never rank 0
    assert percentile(runways, 0.1) == 40
    # P25: rank ceil(2.5) = 3 -> 41
    assert percentile(runways, 25) == 41


def test_nearest_rank_is_exact_arithmetic() -> None:
    # 7 % of 100 is rank 7; in floats 7 / 100 * 100 = 7.000000000000001 would give rank 8
    assert nearest_rank(7, 100) == 7
    # 10 % of 10 000 trials: rank 1000
    assert nearest_rank(10, 10_000) == 1000
    with pytest.raises(ValueError):
        nearest_rank(0, 10)


def test_percentile_of_counts_agrees_with_the_list() -> None:
    runways = [55, 40, None, 70, 41, None, 55, 60, None, 40]
    counts: dict[int | None, int] = {}
    for days in runways:
        counts[days] = counts.get(days, 0) + 1
    for q in (0.5, 10, 20, 25, 30, 50, 60, 70, 71, 90, 100):
        assert percentile_of_counts(counts, q) == percentile(runways, q), q


# --- exact probabilities ---------------------------------------------------------------


# deterministic runway: 20 + 100 x rate kg lasts 20 + 100 rate days;
# 0.1 -> 30 kg -> days 0..29 full, day 30 short; 0.6 -> 80 days, past the horizon
@pytest.mark.parametrize(("rate", "deterministic"), [(0.1, 30), (0.6, None), (0.93, None)])
def test_one_application_stocks_out_with_probability_one_minus_rate(
    rate: float, deterministic: int | None
) -> None:
    # 20 kg of stock at 1 kg/day lasts days 0..19. A 100 kg application lands
    # on day d < 20: approved, stock lasts past the 60-day horizon; refused,
    # day 20 is short. So p_stockout = 1 - rate.
    d = landing_day(AS_OF)
    assert 0 <= d < 20
    item = dy_plant(20, [{"material": "Dy", "qty": 100, "filed": AS_OF.isoformat()}])
    setup = plant_setup(item, [R18], RARE_EARTHS, AS_OF, 60)
    odds = simulate_scenario(setup, make_scenario(rate), TRIALS, random.Random(0), [10, 50, 90])
    expected = 1 - rate
    assert abs(odds.odds.p_stockout - expected) <= tolerance(expected)
    assert odds.materials[0].odds.p_stockout == odds.odds.p_stockout
    # Every stockout is on day 20, so mean short days = p_stockout x (60 - 20) exactly.
    assert odds.odds.mean_short_days == pytest.approx(odds.odds.p_stockout * 40)
    assert odds.runway_days == deterministic
    # The pessimistic runway: P10 is day 20 whenever over 10 % of trials are refused.
    assert odds.odds.runway_at(10) == (20 if 1 - rate > 0.1 + tolerance(1 - rate) else None)


def test_two_independent_applications_give_four_distinct_runways() -> None:
    # 20 kg stock, 1 kg/day, horizon 100. A: 30 kg, standard channel at 30 %.
    # B: 60 kg, green channel at 80 %. Both land before day 20, so the runway is
    # 20 + what was approved:  none -> 20,  A only -> 50,  B only -> 80,
    # both -> 110, beyond the horizon (None).
    filed = AS_OF.isoformat()
    supply = [
        {"material": "Dy", "qty": 30, "filed": filed},
        {"material": "Dy", "qty": 60, "filed": filed, "channel": "green"},
    ]
    assert 0 <= landing_day(AS_OF) < 20
    base = make_scenario(0.3, green_channel={"approval_rate": 0.8})
    counts = runway_counts(dy_plant(20, supply), base, 100)
    assert set(counts) <= {20, 50, 80, None}
    exact = {
        20: 0.7 * 0.2,  # both refused: 0.14
        50: 0.3 * 0.2,  # A only: 0.06
        80: 0.7 * 0.8,  # B only: 0.56
        None: 0.3 * 0.8,  # both: 0.24
    }
    for days, q in exact.items():
        share = counts.get(days, 0) / TRIALS
        assert abs(share - q) <= tolerance(q), (days, share, q)


def test_a_scenario_with_no_uncertain_filing_is_projected_once() -> None:
    item = dy_plant(20, [{"material": "Dy", "qty": 100, "filed": AS_OF.isoformat()}])
    setup = plant_setup(item, [R18], RARE_EARTHS, AS_OF, 60)
    for rate in (0, 1):
        draws = scenario_draws(setup, make_scenario(rate))
        assert len(count_outcomes(draws, TRIALS, random.Random(0), 60)) == 1


# --- the same as the deterministic engine when nothing is random -----------------------


@st.composite
def certain_scenarios(draw: Any) -> Scenario:
    """Rates of 0 or 1 only (constant or stepped), fixed review times, green channel, overrides."""
    rates = st.sampled_from([0.0, 1.0])

    def rate_spec() -> Any:
        if draw(st.booleans()):
            return draw(rates)
        return [
            {"from": "2025-04-01", "rate": draw(rates)},
            {"from": "2025-09-01", "rate": draw(rates)},
        ]

    data: dict[str, Any] = {
        "name": "s",
        "approval_rate": rate_spec(),
        "review_working_days": draw(st.integers(0, 60)),
        "green_channel": {
            "approval_rate": rate_spec(),
            "review_working_days": draw(st.integers(0, 60)),
        },
        "overrides": [{"when": {"end_use": "military"}, "approval_rate": rate_spec()}],
        "demand_scale": draw(st.sampled_from([1.0, 0.5])),
    }
    if draw(st.booleans()):  # a triangle with no spread is a fixed review time
        days = draw(st.integers(0, 60))
        data["review_working_days"] = {"min": days, "mode": days, "max": days}
    return Scenario.model_validate(data)


@FAST
@given(cases(), certain_scenarios())
def test_rates_0_and_1_make_every_trial_the_deterministic_projection(
    case: Case, base: Scenario
) -> None:
    item = case.build()
    (deterministic,) = project_plant(
        item, [base], list(case.regimes), RARE_EARTHS, case.as_of, case.horizon
    ).results
    setup = plant_setup(item, list(case.regimes), RARE_EARTHS, case.as_of, case.horizon)
    draws = scenario_draws(setup, base)
    outcomes = count_outcomes(draws, 50, random.Random(0), case.horizon)
    assert list(outcomes.values()) == [50]
    for outcome in outcomes:
        assert trial_result(setup, base, draws, outcome) == deterministic  # every field
    odds = simulate_scenario(setup, base, 50, random.Random(0), [10, 50, 90]).odds
    assert odds.p_stockout == (0.0 if deterministic.runway_days is None else 1.0)
    assert [days for _, days in odds.percentiles] == [deterministic.runway_days] * 3
    assert odds.mean_short_days == deterministic.short_days


# --- properties with uncertain filings -------------------------------------------------


@FAST
@given(cases(licensed=True), st.floats(0.05, 0.95), st.integers(0, 60))
def test_every_trial_lies_between_rate_0_and_rate_1(case: Case, rate: float, review: int) -> None:
    """Approving more of the same filings never shortens a runway; stock is never negative."""
    item = case.build()
    regimes = list(case.regimes)
    bounds = [
        project_plant(item, [make_scenario(r, review)], regimes, RARE_EARTHS, case.as_of,
                      case.horizon).results[0].runway_days
        for r in (0, 1)
    ]  # fmt: skip
    setup = plant_setup(item, regimes, RARE_EARTHS, case.as_of, case.horizon)
    base = make_scenario(rate, review)
    draws = scenario_draws(setup, base)
    inf = math.inf
    low, high = (inf if b is None else b for b in bounds)
    for outcome in count_outcomes(draws, 40, random.Random(1), case.horizon):
        found = trial_result(setup, base, draws, outcome)
        days = inf if found.runway_days is None else found.runway_days
        assert low <= days <= high
        assert all(m.end_stock >= 0 for m in found.materials)
    at = {
        r: simulate_scenario(setup, make_scenario(r, review), 40, random.Random(2), [10]).odds
        for r in (0, 1)
    }
    assert at[1].p_stockout <= at[0].p_stockout


# --- seeds and review-time draws -------------------------------------------------------


def _sample_like() -> PlantInput:
    # 20 kg stock; ten 15 kg filings a week apart from day 0, each reviewed for REVIEW days
    supply = [
        {"material": "Dy", "qty": 15, "filed": (AS_OF + timedelta(days=7 * k)).isoformat()}
        for k in range(10)
    ]
    return dy_plant(20, supply)


def test_the_same_seed_gives_the_same_figures() -> None:
    item = _sample_like()
    runs = [
        simulate_plant(item, [make_scenario(0.5)], [R18], AS_OF, 120, 2000, seed, [10, 50, 90])
        for seed in (7, 7, 8)
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_a_triangle_without_spread_is_the_fixed_review_time() -> None:
    item = _sample_like()
    fixed = make_scenario(0.5, REVIEW)
    flat = make_scenario(0.5, {"min": REVIEW, "mode": REVIEW, "max": REVIEW})
    assert simulate_plant(item, [fixed], [R18], AS_OF, 120, 2000, 0, [10]) == simulate_plant(
        item, [flat], [R18], AS_OF, 120, 2000, 0, [10]
    )


def test_whole_days_rounds_halves_up() -> None:
    # 44.5 -> 45 (Python's round() would give 44), 44.49 -> 44, 0.5 -> 1
    assert [whole_days(x) for x in (44.5, 44.49, 0.5, 45.0)] == [45, 44, 1, 45]


def test_triangular_review_days_are_drawn_per_filing_within_the_triangle() -> None:
    # One filing at rate 1, review {min 2, mode 5, max 30}: every trial lands it,
    # on the decision day of a whole number of review days in 2..30.
    item = dy_plant(0, [{"material": "Dy", "qty": 1000, "filed": AS_OF.isoformat()}])
    base = make_scenario(1, {"min": 2, "mode": 5, "max": 30})
    setup = plant_setup(item, [R18], RARE_EARTHS, AS_OF, 120)
    draws = scenario_draws(setup, base)
    outcomes = count_outcomes(draws, 2000, random.Random(0), 120)
    days = {outcome[0] for outcome in outcomes}
    assert all(2 <= n <= 30 for n in days)
    assert len(days) > 10  # drawn, not fixed
    # Stock 0 means the plant is short from day 0 until the filing lands, so the
    # runway is always 0, and the mean short days is the mean landing day.
    odds = simulate_scenario(setup, base, 2000, random.Random(0), [10]).odds
    mean_landing = sum(landing_day(AS_OF, n) * c for (n,), c in outcomes.items()) / 2000
    assert odds.mean_short_days == pytest.approx(mean_landing)
    # The mean of a triangle (2 + 5 + 30) / 3 = 12.3 working days; rounding moves it
    # by at most half a day, and 2000 draws leave a standard error of about 0.15.
    mean_days = sum(n * c for (n,), c in outcomes.items()) / 2000
    assert abs(mean_days - 37 / 3) < 0.5 + 4 * 0.15


def test_review_days_past_the_horizon_never_ask_the_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A triangle reaching 2 500 working days, the most a file may say (100 000 once
    # took minutes: one calendar lookup per drawn n). n working days take at least
    # n calendar days, so a filing made on day 0 with n >= 60 lands past a 60-day
    # horizon without a calendar lookup.
    import reerisk.trials

    asked: list[int] = []

    def recording(filed: date, review_days: int) -> date:
        asked.append(review_days)
        return china_decision_date(filed, review_days)

    monkeypatch.setattr(reerisk.trials, "china_decision_date", recording)
    item = dy_plant(20, [{"material": "Dy", "qty": 100, "filed": AS_OF.isoformat()}])
    base = make_scenario(0.5, {"min": 0, "mode": 10, "max": 2500})
    setup = plant_setup(item, [R18], RARE_EARTHS, AS_OF, 60)
    odds = simulate_scenario(setup, base, 500, random.Random(0), [10]).odds
    assert asked and max(asked) < 60
    # P(n < 60) = 1 - (2 500 - 60)^2 / (2 500 x 2 490) = 1 - 5 953 600 / 6 225 000 ~ 4.4 %:
    # almost every filing lands past the horizon, so almost every trial runs out on day 20.
    assert odds.p_stockout > 0.9
