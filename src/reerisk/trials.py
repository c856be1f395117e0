"""What one Monte Carlo trial decides: for each reviewed filing, when it lands and whether.

A reviewed filing (an application, or one filing of a standing order) becomes
a `Draw`. A trial draws its review working days when they are a triangle
(`random.triangular(min, max, mode)`, rounded to the nearest whole day, halves
up), which fixes its decision date, rate and landing day; then approves it whole
with probability `rate(decision)`:

    filing       review days     decision     rate   outcome entry
    2025-05-06   45              2025-07-09   60 %   45 (approved) or ~45 = -46 (refused)
    2025-05-26   {15, 20, 30}    drawn        80 %   e.g. 23, or ~23 = -24

The decisions of a trial form an `Outcome`, a tuple with an entry per filing.
`realise` turns it into the reviewed arrivals the engine takes: a granted
filing lands whole (`rate` 1.0), a refused one is kept with `rate` 0.0, exactly
as the deterministic engine sees it at rate 0.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from reerisk.calendar import china_decision_date
from reerisk.engine import PlantSetup, Reviewed, project_scenario
from reerisk.models import Scenario, whole_days
from reerisk.results import ScenarioResult
from reerisk.supply import Filing, ReviewTerms, scenario_terms

# One entry per reviewed filing, in the plant's supply order: the review working
# days n when it was approved, ~n (that is, -1 - n) when it was refused.
Outcome = tuple[int, ...]


class Draw:
    """One reviewed filing under one scenario, ready for trials to decide."""

    __slots__ = (
        "as_of", "filing", "high", "horizon_days", "landings", "low", "mode", "review_days",
        "terms",
    )  # fmt: skip

    def __init__(self, filing: Filing, terms: ReviewTerms, as_of: date, horizon_days: int) -> None:
        self.filing = filing
        self.terms = terms
        self.as_of = as_of
        self.horizon_days = horizon_days
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
            # n working days take at least n calendar days: past the horizon, the
            # calendar need not be asked (a triangle may reach 100 000 days).
            earliest = (self.filing.filed - self.as_of).days + review_days
            earliest += self.filing.transit_days
            if earliest >= self.horizon_days:
                return (earliest, 0.0)
            decision = china_decision_date(self.filing.filed, review_days)
            day = (decision - self.as_of).days + self.filing.transit_days
            found = self.landings[review_days] = (day, self.terms.rate_on(decision))
        return found


def scenario_draws(setup: PlantSetup, scenario: Scenario) -> list[Draw]:
    """The plant's reviewed filings under `scenario`, in supply order."""
    terms = scenario_terms(scenario, setup.item.plant)
    as_of, horizon_days = setup.as_of, setup.horizon_days
    return [Draw(f, terms[f.channel], as_of, horizon_days) for f in setup.plan.reviewed]


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
        reviewed[draw.filing.material] += arrival(draw, decided, setup.horizon_days)
    return reviewed


def arrival(draw: Draw, decided: int, horizon_days: int) -> list[Reviewed]:
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
