"""Monte Carlo runways (SPEC §4): each licence is granted or refused whole.

The deterministic projection lands `rate × qty` of every reviewed filing: at
60 %, 9 000 pieces of a 15 000-piece application. A real licence brings all
15 000 or nothing. A trial decides each reviewed filing (each application, each
filing of a standing order): approved whole with probability `rate(decision)`.
When the review time is a triangle `{min, mode, max}`, the trial first draws
the review working days, `random.triangular(min, max, mode)` rounded to the
nearest whole day (halves up), which moves the decision, its rate and the
landing day. Everything else is SPEC §3, through the same engine.

    filing       review days      rate     trial 1        trial 2
    2025-05-06   45 (fixed)       60 %     lands 07-09+45  refused
    2025-05-26   {15, 20, 30}     80 %     23 d: lands     17 d: lands

Only reviewed filings vary between trials: the calendar, the certain arrivals
and each fixed review's decision date are worked out once. A trial is just its
decisions, a short tuple (`Outcome`); trials are counted by outcome, and each
distinct outcome is projected once by `engine` (which also caches a material's
result by its own arrivals). A filing whose rate is 0 or 1 and whose review time
is fixed draws nothing, so a scenario without an uncertain filing is projected
once, whatever the number of trials.

The randomness comes from the `random.Random` a caller passes in.
`simulate_plant` seeds one per plant and scenario with the text
`"{seed}/{plant id}/{scenario name}"`; Python turns text seeds into numbers with
SHA-512, so the same seed gives the same figures on every machine, and a
plant's figures do not change when other plants or scenarios join the run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reerisk.calendar import china_decision_date
from reerisk.engine import (
    PlantSetup,
    Projected,
    Reviewed,
    covered,
    plant_setup,
    project_levered,
    project_scenario,
)
from reerisk.models import Regime, Scenario, whole_days
from reerisk.odds import MaterialOdds, Odds, PlantOdds, ScenarioOdds, percentile_of_counts
from reerisk.results import PlantInput, ScenarioResult
from reerisk.supply import Filing, ReviewTerms, reviewed_arrivals, scenario_terms

DEFAULT_SEED = 0
DEFAULT_TRIALS = 10_000

# One entry per reviewed filing, in the plant's supply order: the review working
# days n when it was approved, ~n (that is, -1 - n) when it was refused.
Outcome = tuple[int, ...]


class Draw:
    """One reviewed filing under one scenario, ready for trials to decide."""

    __slots__ = ("as_of", "filing", "high", "landings", "low", "mode", "review_days", "terms")

    def __init__(self, filing: Filing, terms: ReviewTerms, as_of: date) -> None:
        self.filing = filing
        self.terms = terms
        self.as_of = as_of
        self.review_days = terms.review_working_days
        triangle = terms.review_triangle
        spread = triangle is not None and triangle.min < triangle.max
        # A triangle with min = mode = max is a fixed review time: it draws nothing.
        self.low, self.mode, self.high = (
            (triangle.min, triangle.mode, triangle.max) if spread and triangle else (0.0, 0.0, 0.0)
        )
        self.landings: dict[int, tuple[int, float]] = {}

    @property
    def spread(self) -> bool:
        return self.low < self.high

    def landing(self, review_days: int) -> tuple[int, float]:
        """(day it lands, approval rate) after `review_days` Chinese working days of review."""
        found = self.landings.get(review_days)
        if found is None:
            decision = china_decision_date(self.filing.filed, review_days)
            day = (decision - self.as_of).days + self.filing.transit_days
            found = self.landings[review_days] = (day, self.terms.rate_on(decision))
        return found


def scenario_draws(setup: PlantSetup, scenario: Scenario) -> list[Draw]:
    """The plant's reviewed filings under `scenario`, in supply order."""
    terms = scenario_terms(scenario, setup.item.plant)
    return [Draw(f, terms[f.channel], setup.as_of) for f in setup.plan.reviewed]


def draw_outcome(draws: Sequence[Draw], rng: random.Random, horizon_days: int) -> Outcome:
    """One trial: each filing's review days and whether it is approved."""
    chance = rng.random
    decided = []
    for draw in draws:
        review_days = draw.review_days
        if draw.spread:
            review_days = whole_days(rng.triangular(draw.low, draw.high, draw.mode))
        day, rate = draw.landing(review_days)
        # A certain decision (rate 0 or 1), or one that lands outside the horizon, draws nothing.
        approved = 0 <= day < horizon_days and (rate >= 1 or (rate > 0 and chance() < rate))
        decided.append(review_days if approved else ~review_days)
    return tuple(decided)


def _uncertain(draw: Draw, horizon_days: int) -> bool:
    """Can two trials decide this filing differently?"""
    day, rate = draw.landing(draw.review_days)
    return draw.spread or (0 <= day < horizon_days and 0 < rate < 1)


def count_outcomes(
    draws: Sequence[Draw], trials: int, rng: random.Random, horizon_days: int
) -> dict[Outcome, int]:
    """How many of `trials` trials end in each outcome."""
    uncertain = [i for i, draw in enumerate(draws) if _uncertain(draw, horizon_days)]
    if not uncertain:
        return {draw_outcome(draws, rng, horizon_days): trials}  # every trial is the same
    if any(draw.spread for draw in draws):
        counts: dict[Outcome, int] = {}
        for _ in range(trials):
            outcome = draw_outcome(draws, rng, horizon_days)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts
    # Fixed review times: a trial is one coin per uncertain filing. This loop is
    # the hot path; it draws exactly what `draw_outcome` would, in the same order.
    chance = rng.random
    rates = [draws[i].landing(draws[i].review_days)[1] for i in uncertain]
    coins: dict[tuple[bool, ...], int] = {}
    for _ in range(trials):
        key = tuple([chance() < rate for rate in rates])
        coins[key] = coins.get(key, 0) + 1
    base = list(draw_outcome(draws, rng, horizon_days))  # the certain decisions: no draw
    counts = {}
    for key, count in coins.items():
        for i, approved in zip(uncertain, key, strict=True):
            days = draws[i].review_days
            base[i] = days if approved else ~days
        counts[tuple(base)] = count
    return counts


def realise(
    setup: PlantSetup, draws: Sequence[Draw], outcome: Outcome
) -> dict[str, list[Reviewed]]:
    """Each material's reviewed arrivals in one outcome: all of a filing, or none of it."""
    reviewed: dict[str, list[Reviewed]] = {m.id: [] for m in setup.materials}
    for draw, decided in zip(draws, outcome, strict=True):
        reviewed[draw.filing.material] += _arrival(draw, decided, setup.horizon_days)
    return reviewed


def _arrival(draw: Draw, decided: int, horizon_days: int) -> list[Reviewed]:
    """The filing's arrival in the horizon, if any, as the engine takes it.

    A refused filing stays in as `(day, qty, 0.0)`, as at rate 0 in the
    deterministic engine, so that both agree to the last bit.
    """
    day, _ = draw.landing(decided if decided >= 0 else ~decided)
    if 0 <= day < horizon_days:
        return [(day, draw.filing.qty, 1.0 if decided >= 0 else 0.0)]
    return []


def trial_result(
    setup: PlantSetup, scenario: Scenario, draws: Sequence[Draw], outcome: Outcome
) -> ScenarioResult:
    """The full deterministic-style result of one outcome (what the tests compare)."""
    return project_scenario(setup, scenario, realise(setup, draws, outcome), {})


def expected_result(
    setup: PlantSetup, scenario: Scenario, done: dict[tuple[Any, ...], Projected]
) -> ScenarioResult:
    """The deterministic (expected-value) result, as `runway` reports it."""
    reviewed: dict[str, list[Reviewed]] = {m.id: [] for m in setup.materials}
    terms = scenario_terms(scenario, setup.item.plant)
    for day, filing, rate in reviewed_arrivals(setup.plan, terms, setup.as_of, setup.horizon_days):
        reviewed[filing.material].append((day, filing.qty, rate))
    return project_scenario(setup, scenario, reviewed, done)


class _Tally:
    """Runways, short days and unmet quantity over the trials, weighted by outcome counts."""

    def __init__(self) -> None:
        self.runways: dict[int | None, int] = {}
        self.short_days = 0
        self.unmet = 0.0

    def add(self, runway_days: int | None, short_days: int, unmet: float, count: int) -> None:
        self.runways[runway_days] = self.runways.get(runway_days, 0) + count
        self.short_days += short_days * count
        self.unmet += unmet * count

    def odds(self, trials: int, percentiles: Sequence[float], with_unmet: bool) -> Odds:
        return Odds(
            p_stockout=(trials - self.runways.get(None, 0)) / trials,
            percentiles=tuple((q, percentile_of_counts(self.runways, q)) for q in percentiles),
            mean_short_days=self.short_days / trials,
            mean_unmet=self.unmet / trials if with_unmet else None,
        )


def simulate_scenario(
    setup: PlantSetup,
    scenario: Scenario,
    trials: int,
    rng: random.Random,
    percentiles: Sequence[float],
    done: dict[tuple[Any, ...], Projected] | None = None,
) -> ScenarioOdds:
    """`trials` trials of the plant under `scenario`, beside the deterministic result."""
    done = {} if done is None else done
    expected = expected_result(setup, scenario, done)
    draws = scenario_draws(setup, scenario)
    plant = _Tally()
    materials = [_Tally() for _ in setup.materials]
    horizon_days = setup.horizon_days
    # Each material's result depends only on its own filings' decisions: cache by those.
    own = [[i for i, d in enumerate(draws) if d.filing.material == m.id] for m in setup.materials]
    seen: list[dict[Outcome, Projected]] = [{} for _ in setup.materials]
    for outcome, count in count_outcomes(draws, trials, rng, horizon_days).items():
        runway: int | None = None
        unmet = 0.0
        spans: list[tuple[int, int]] = []
        for tally, material, mine, known in zip(materials, setup.materials, own, seen, strict=True):
            decided = tuple([outcome[i] for i in mine])
            found = known.get(decided)
            if found is None:
                reviewed = [a for i in mine for a in _arrival(draws[i], outcome[i], horizon_days)]
                found = known[decided] = project_levered(material, scenario, reviewed, setup, done)
            result, short = found
            tally.add(result.runway_days, result.short_days, result.unmet, count)
            if result.runway_days is not None and (runway is None or result.runway_days < runway):
                runway = result.runway_days
            unmet += result.unmet
            spans += short
        # One material's short days are already disjoint: no need to merge spans.
        plant.add(runway, covered(spans) if len(materials) > 1 else result.short_days, unmet, count)
    one_unit = len({m.unit for m in setup.materials}) <= 1
    return ScenarioOdds(
        scenario=scenario.name,
        runway_days=expected.runway_days,
        binding_material=expected.binding_material,
        odds=plant.odds(trials, percentiles, one_unit),
        materials=tuple(
            MaterialOdds(m.id, m.unit, r.runway_days, tally.odds(trials, percentiles, True))
            for m, r, tally in zip(setup.materials, expected.materials, materials, strict=True)
        ),
    )


def simulate_plant(
    item: PlantInput,
    scenarios: Sequence[Scenario],
    regimes: Sequence[Regime],
    as_of: date,
    horizon_days: int,
    trials: int,
    seed: int,
    percentiles: Sequence[float],
) -> PlantOdds:
    """Every scenario's trials for one plant, each scenario with its own seeded generator."""
    setup = plant_setup(item, regimes, (), as_of, horizon_days)
    done: dict[tuple[Any, ...], Projected] = {}
    results = []
    for scenario in scenarios:
        rng = random.Random(f"{seed}/{item.plant.id}/{scenario.name}")
        results.append(simulate_scenario(setup, scenario, trials, rng, percentiles, done))
    return PlantOdds(item.plant.id, item.plant.name, as_of, tuple(results))


@dataclass(frozen=True)
class SimulationRun:
    """Everything a Monte Carlo run needs besides the plant."""

    scenarios: Sequence[Scenario]
    regimes: Sequence[Regime]
    horizon_days: int
    day_zero: date | None  # --as-of, else each plant's as_of, else `today`
    today: date
    trials: int
    seed: int
    percentiles: tuple[float, ...]  # those reported, the gate's among them
    gate_percentile: float  # the one --fail-under checks

    def simulate(self, item: PlantInput) -> PlantOdds:
        as_of = self.day_zero or item.plant.as_of or self.today
        return simulate_plant(
            item, self.scenarios, self.regimes, as_of, self.horizon_days,
            self.trials, self.seed, self.percentiles,
        )  # fmt: skip
