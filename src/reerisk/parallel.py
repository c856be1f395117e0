"""Projecting many plants: in this process, or spread over worker processes (`--jobs N`).

Workers are forked, so they inherit the loaded plants and only plant numbers
travel to them; the projections travel back in order, a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from reerisk.engine import project_plant
from reerisk.models import Regime, Scenario
from reerisk.results import PlantInput, PlantProjection

CHUNK_PLANTS = 64
T = TypeVar("T")


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


_WORK: tuple[Callable[[PlantInput], Any], Sequence[PlantInput]] | None = None


def _chunk(first: int) -> list[Any]:
    assert _WORK is not None  # set before the workers were forked
    work, plants = _WORK
    return [work(item) for item in plants[first : first + CHUNK_PLANTS]]


def _one(
    run: Run, item: PlantInput, render: Callable[[PlantProjection], T]
) -> tuple[T, int | None]:
    projection = run.project(item)
    runways = [r.runway_days for r in projection.results if r.runway_days is not None]
    return render(projection), min(runways) if runways else None


def project_all(
    run: Run, plants: Sequence[PlantInput], jobs: int, render: Callable[[PlantProjection], T]
) -> Iterator[tuple[T, int | None]]:
    """Each plant, in input order: `render(projection)` and the plant's shortest runway.

    With `jobs` > 1 the workers render too, so that only text (for JSON and
    CSV) crosses between processes, not the projections.
    """
    return map_plants(lambda item: _one(run, item, render), plants, jobs)


def map_plants(
    work: Callable[[PlantInput], T], plants: Sequence[PlantInput], jobs: int
) -> Iterator[T]:
    """`work(plant)` for each plant, in input order; in forked workers when `jobs` > 1.

    `work` need not be picklable (the workers inherit it); what it returns must be.
    """
    if jobs <= 1 or len(plants) <= CHUNK_PLANTS:
        for item in plants:
            yield work(item)
        return
    import multiprocessing  # ~4 ms, paid only by runs that may fork

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(work, plants)
        return
    global _WORK
    _WORK = (work, plants)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for chunk in pool.imap(_chunk, range(0, len(plants), CHUNK_PLANTS)):
                yield from chunk
    finally:
        _WORK = None
