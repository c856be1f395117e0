"""What a Monte Carlo run returns, and the nearest-rank percentile (SPEC §4).

    PlantOdds             a plant under every scenario, over N trials
      ScenarioOdds        ... under one scenario: p_stockout, P10/P50/P90, means
        MaterialOdds      ... one material, the same figures

A trial that has no short day within the horizon has an infinite runway. It
sorts after every finite one, and a percentile that lands on it is `None`
(shown as `> H d`, "beyond the horizon"). Ten trials with runways

    40, 40, 41, 55, 55, 60, 70, inf, inf, inf

have P10 = rank ceil(0.1 * 10) = 1 -> 40, P50 = rank 5 -> 55, and
P90 = rank 9 -> inf -> None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

REPORTED_PERCENTILES = (10.0, 50.0, 90.0)


def nearest_rank(q: float, trials: int) -> int:
    """The 1-based rank of percentile `q` (0 < q <= 100) among `trials` sorted values.

    `ceil(q / 100 * trials)`, in exact arithmetic: in floats, 0.07 * 100 / 100 * 100
    is 7.000000000000001 and would round up to rank 8.
    """
    if not 0 < q <= 100:
        raise ValueError(f"percentile q(={q}) must be > 0 and <= 100")
    if trials < 1:
        raise ValueError(f"trials(={trials}) must be >= 1")
    return math.ceil(Fraction(str(q)) * trials / 100)


def percentile(runways: Sequence[int | None], q: float) -> int | None:
    """Percentile `q` of a list of runways by nearest rank; `None` is +inf and gives `None`."""
    ordered = sorted(runways, key=lambda days: math.inf if days is None else days)
    return ordered[nearest_rank(q, len(ordered)) - 1]


def percentile_of_counts(counts: Mapping[int | None, int], q: float) -> int | None:
    """`percentile` for runways given as {runway: number of trials with it}."""
    rank = nearest_rank(q, sum(counts.values()))
    seen = 0
    for days in sorted(counts, key=lambda d: math.inf if d is None else d):
        seen += counts[days]
        if seen >= rank:
            return days
    raise AssertionError("unreachable: the rank is at most the number of trials")


@dataclass(frozen=True)
class Odds:
    """How a runway falls over the trials.

    `percentiles` pairs each reported q with its runway in days (None: beyond
    the horizon). `mean_unmet` is in the material's unit; for a plant it is the
    sum over materials, or None when their units differ.
    """

    p_stockout: float
    percentiles: tuple[tuple[float, int | None], ...]
    mean_short_days: float
    mean_unmet: float | None

    def runway_at(self, q: float) -> int | None:
        """The runway at percentile `q`, which must be one of those reported."""
        for reported, days in self.percentiles:
            if reported == q:
                return days
        raise KeyError(f"percentile {percentile_label(q)} was not computed")


@dataclass(frozen=True)
class MaterialOdds:
    """One material over the trials, beside its deterministic runway."""

    id: str
    unit: str
    runway_days: int | None  # deterministic (expected-value) projection
    odds: Odds


@dataclass(frozen=True)
class ScenarioOdds:
    """A plant under one scenario over the trials; `runway_days` is the deterministic one."""

    scenario: str
    runway_days: int | None
    binding_material: str | None
    odds: Odds
    materials: tuple[MaterialOdds, ...]


@dataclass(frozen=True)
class PlantOdds:
    """A plant under every scenario of the run."""

    id: str
    name: str
    as_of: date
    results: tuple[ScenarioOdds, ...]


def day_of(as_of: date, runway_days: int | None) -> date | None:
    """The stockout date of a runway, or None beyond the horizon."""
    return None if runway_days is None else as_of + timedelta(days=runway_days)


def percentile_label(q: float) -> str:
    """`10`, `2.5`, `10.0000001`: enough digits that no two percentiles share a label."""
    return f"{q:.10g}"


def breaches(plants: Sequence[PlantOdds], q: float, under_days: int) -> dict[str, list[str]]:
    """Per plant, `scenario: N d` for each runway at percentile q under `under_days`."""
    found: dict[str, list[str]] = {}
    for plant in plants:
        for result in plant.results:
            days = result.odds.runway_at(q)
            if days is not None and days < under_days:
                found.setdefault(plant.id, []).append(f"{result.scenario}: {days} d")
    return found
