"""Calendars: which days a plant produces, and when a Chinese licence review ends.

Both come from the `holidays` package, imported on first use (it is the
slowest import reerisk has). Lookups are cached per run: one country's
calendar object, and one answer per (filing date, working days) pair.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reerisk.models import Plant

_WEEKDAYS = {"all": 7, "mon-sat": 6, "mon-fri": 5}


@cache
def country_calendar(country: str) -> Any:
    """The `holidays` calendar of an ISO 3166 alpha-2 country (KeyError-free lookup)."""
    import holidays

    return holidays.country_holidays(country)


@cache
def has_calendar(country: str) -> bool:
    """Does `holidays` have a working-day calendar for this country?

    Loads that one country's module only: listing every supported country
    would import them all, a tenth of a second at start-up.
    """
    try:
        country_calendar(country)
    except NotImplementedError:
        return False
    return True


def production_days(plant: Plant, start: date, horizon_days: int) -> list[bool]:
    """For t = 0..horizon_days-1: does the plant produce on `start + t`?"""
    if plant.production_days == "workdays":
        if plant.country is None:
            raise ValueError("production_days: workdays needs a country")
        calendar = country_calendar(plant.country)
        days = [calendar.is_working_day(start + timedelta(t)) for t in range(horizon_days)]
    else:
        weekdays = _WEEKDAYS[plant.production_days]
        days = [(start + timedelta(t)).weekday() < weekdays for t in range(horizon_days)]
    for shutdown in plant.shutdowns:
        first = max(0, (shutdown.start - start).days)
        last = min(horizon_days - 1, (shutdown.end - start).days)
        for t in range(first, last + 1):
            days[t] = False
    return days


@cache
def china_decision_date(filed: date, review_working_days: int) -> date:
    """The n-th Chinese working day after `filed` (official holidays and make-up days)."""
    return country_calendar("CN").get_nth_working_day(filed, review_working_days)  # type: ignore[no-any-return]
