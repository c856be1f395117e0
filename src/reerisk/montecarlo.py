"""Monte Carlo runways (SPEC §4): each licence is granted or refused whole.

The deterministic projection lands `rate × qty` of every reviewed filing: at
60 %, 9 000 pieces of a 15 000-piece application. A real licence brings all
15 000 or nothing. A trial decides each reviewed filing (each application, each
filing of a standing order): approved whole with probability `rate(decision)`.
When the review time is a triangle `{min, mode, max}`, the trial first draws
the review working days, `random.triangular(min, max, mode)` rounded to the
nearest whole day (halves up), which moves the decision, its rate and the
landing day. Everything else is SPEC §3, through the same engine.

    filing       review days     rate   trial 1                   trial 2
    2025-05-06   45 (fixed)      60 %   granted: all of it lands  refused: none
    2025-05-26   {15, 20, 30}    80 %   drew 23 days, granted     drew 17 days, refused

Only reviewed filings vary between trials: the calendar, the certain arrivals
and each fixed review's decision date are worked out once. A trial is just its
decisions, a short tuple (`trials.Outcome`); trials are counted by outcome, then
each material by its own filings' decisions, and `engine` projects each distinct
set of those once. A filing whose rate is 0 or 1 and whose review time is fixed
draws nothing, so a scenario without an uncertain filing is projected once,
whatever the number of trials.

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

from reerisk.engine import (
    MaterialInput,
    PlantSetup,
    Projected,
    Reviewed,
    covered,
    plant_setup,
    project_levered,
    project_scenario,
)
from reerisk.models import Regime, Scenario
from reerisk.odds import MaterialOdds, Odds, PlantOdds, ScenarioOdds, percentile_of_counts
from reerisk.results import PlantInput, ScenarioResult
from reerisk.supply import reviewed_arrivals, scenario_terms
from reerisk.trials import Draw, Outcome, arrival, count_outcomes, scenario_draws


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


def _joint(
    outcomes: dict[Outcome, int],
    projected: list[dict[Outcome, Projected]],
    keys: list[list[Outcome]],
) -> _Tally:
    """The plant over the trials: its earliest material runway, the days any is short."""
    plant = _Tally()
    for position, count in enumerate(outcomes.values()):
        found = [known[own[position]] for known, own in zip(projected, keys, strict=True)]
        runways = [result.runway_days for result, _ in found if result.runway_days is not None]
        spans = [span for _, short in found for span in short]
        unmet = sum(result.unmet for result, _ in found)
        plant.add(min(runways) if runways else None, covered(spans), unmet, count)
    return plant


def _material_trials(
    material: MaterialInput,
    draws: Sequence[Draw],
    outcomes: dict[Outcome, int],
    scenario: Scenario,
    setup: PlantSetup,
    done: dict[tuple[Any, ...], Projected],
) -> tuple[_Tally, dict[Outcome, Projected], list[Outcome]]:
    """One material over the trials: its tally, its result per decisions of its own
    filings, and those decisions in each outcome (in `outcomes` order).

    Its result depends only on its own filings' decisions, so trials are counted by
    those, and each distinct set is projected once.
    """
    mine = [i for i, draw in enumerate(draws) if draw.filing.material == material.id]
    if len(mine) == len(draws):
        counts, own = outcomes, list(outcomes)
    else:
        own = [tuple([outcome[i] for i in mine]) for outcome in outcomes]
        counts = {}
        for decided, count in zip(own, outcomes.values(), strict=True):
            counts[decided] = counts.get(decided, 0) + count
    tally, known = _Tally(), {}
    for decided, count in counts.items():
        reviewed = [
            landed
            for i, entry in zip(mine, decided, strict=True)
            for landed in arrival(draws[i], entry, setup.horizon_days)
        ]
        found = known[decided] = project_levered(material, scenario, reviewed, setup, done)
        tally.add(found[0].runway_days, found[0].short_days, found[0].unmet, count)
    return tally, known, own


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
    outcomes = count_outcomes(draws, trials, rng, setup.horizon_days)
    materials, projected, keys = [], [], []
    for material in setup.materials:
        tally, known, own = _material_trials(material, draws, outcomes, scenario, setup, done)
        materials.append(tally)
        projected.append(known)
        keys.append(own)
    plant = materials[0] if len(materials) == 1 else _joint(outcomes, projected, keys)
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
