"""Projecting many plants: in this process, or spread over worker processes (`--jobs N`).

Workers are forked, so they inherit the loaded plants and only plant numbers
travel to them; the projections travel back in order, a chunk at a time.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from reerisk.engine import project_plant
from reerisk.models import Regime, Scenario
from reerisk.results import PlantInput, PlantProjection

CHUNK_PLANTS = 64


@dataclass(frozen=True)
class Run:
    """Everything a projection needs besides the plant."""

    scenarios: Sequence[Scenario]
    regimes: Sequence[Regime]
    rare_earths: Sequence[str]
    horizon_days: int
    day_zero: date | None  # --as-of, else each plant's as_of, else `today`
    today: date

    def project(self, item: PlantInput) -> PlantProjection:
        as_of = self.day_zero or item.plant.as_of or self.today
        return project_plant(
            item, self.scenarios, self.regimes, self.rare_earths, as_of, self.horizon_days
        )


_WORK: tuple[Run, Sequence[PlantInput]] | None = None  # what forked workers inherit


def _project_chunk(first: int) -> list[PlantProjection]:
    assert _WORK is not None
    run, plants = _WORK
    return [run.project(item) for item in plants[first : first + CHUNK_PLANTS]]


def project_all(run: Run, plants: Sequence[PlantInput], jobs: int) -> Iterator[PlantProjection]:
    """Every plant's projection, in input order."""
    if (
        jobs <= 1
        or len(plants) <= CHUNK_PLANTS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for item in plants:
            yield run.project(item)
        return
    global _WORK
    _WORK = (run, plants)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for chunk in pool.imap(_project_chunk, range(0, len(plants), CHUNK_PLANTS)):
                yield from chunk
    finally:
        _WORK = None
