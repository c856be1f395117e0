"""Calendars: which days a plant produces, and when a Chinese licence review ends.

Working days come from the `holidays` package through `workdays`, which keeps
them on disk between runs. Within a run, each distinct production calendar is
built once and shared, and each (filing date, review days) pair is answered once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate, compress
from typing import TYPE_CHECKING

from reerisk.workdays import calendars

if TYPE_CHECKING:
    from reerisk.models import Plant

_WEEKDAYS = {"all": 7, "mon-sat": 6, "mon-fri": 5}


def has_calendar(country: str) -> bool:
    """Does `holidays` have a working-day calendar for this country?"""
    return calendars().supports(country)


def production_days(plant: Plant, start: date, horizon_days: int) -> list[bool]:
    """For t = 0..horizon_days-1: does the plant produce on `start + t`?"""
    return list(production_calendar(plant, start, horizon_days).producing)


@dataclass(frozen=True)
class ProductionCalendar:
    """A plant's production days over a horizon, ready for counting.

    `before[t]` is the number of production days in days 0..t-1 (so
    `before[-1]` counts the horizon), and `days[k]` is the day of the
    k-th production day.
    """

    horizon_days: int
    producing: tuple[bool, ...]
    before: tuple[int, ...]
    days: tuple[int, ...]


def production_calendar(plant: Plant, start: date, horizon_days: int) -> ProductionCalendar:
    """The plant's calendar, shared by every plant with the same rules (computed once a run)."""
    shutdowns = tuple((s.start, s.end) for s in plant.shutdowns)
    country = plant.country if plant.production_days == "workdays" else None
    return _calendar(plant.production_days, country, shutdowns, start, horizon_days)


@cache
def _calendar(
    kind: str,
    country: str | None,
    shutdowns: tuple[tuple[date, date], ...],
    start: date,
    horizon_days: int,
) -> ProductionCalendar:
    days = list(_working(kind, country, start, horizon_days))
    for first_date, last_date in shutdowns:
        first = max(0, (first_date - start).days)
        last = min(horizon_days - 1, (last_date - start).days)
        if first <= last:
            days[first : last + 1] = [False] * (last + 1 - first)
    return ProductionCalendar(
        horizon_days,
        tuple(days),
        tuple(accumulate(days, initial=0)),
        tuple(compress(range(horizon_days), days)),
    )


@cache
def _working(kind: str, country: str | None, start: date, horizon_days: int) -> tuple[bool, ...]:
    """Production days by the calendar rule alone, before shutdowns."""
    if kind == "workdays":
        if country is None:
            raise ValueError("production_days: workdays needs a country")
        working = calendars().is_working_day
        return tuple(working(country, start + timedelta(t)) for t in range(horizon_days))
    weekdays = _WEEKDAYS[kind]
    return tuple((start + timedelta(t)).weekday() < weekdays for t in range(horizon_days))


@cache
def china_decision_date(filed: date, review_working_days: int) -> date:
    """The n-th Chinese working day after `filed` (official holidays and make-up days)."""
    return calendars().nth_working_day("CN", filed, review_working_days)
