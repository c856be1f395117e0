"""Working days from the `holidays` package, remembered on disk between runs.

Asking `holidays` for any one country imports all of its ~250 country modules,
about a tenth of a second: more than the rest of a run on a small portfolio.
The answers never change for a given `holidays` installation, so reerisk keeps
them, one string per country and year, in a small JSON file:

    {"CN 2025": "0011111001111100...", ...}     "1" = working day, Jan 1 first

The file lives in `$REERISK_CACHE_DIR`, else `$XDG_CACHE_HOME/reerisk`, else
`~/.cache/reerisk`, and its name carries a stamp of the `holidays`
installation, so an upgrade starts a fresh file. `REERISK_CACHE_DIR=""`
turns the file off. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

FORMAT = 1


def _cache_file() -> Path | None:
    directory = os.environ.get("REERISK_CACHE_DIR")
    if directory == "":
        return None
    if directory is None:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        directory = str(Path(base) / "reerisk")
    spec = importlib.util.find_spec("holidays")  # finds the package without importing it
    origin = spec.origin if spec and spec.origin else "holidays"
    with contextlib.suppress(OSError):
        origin += f"@{os.stat(origin).st_mtime_ns}"
    stamp = hashlib.sha256(f"{FORMAT} {origin}".encode()).hexdigest()[:16]
    return Path(directory) / f"workdays-{stamp}.json"


class WorkdayCalendars:
    """Which days are working days, per country, computed once per installation."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.years: dict[str, str] = {}
        self.unknown: set[str] = set()
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.years = {k: v for k, v in loaded.items() if isinstance(v, str)}

    def is_working_day(self, country: str, day: date) -> bool:
        """`holidays.country_holidays(country).is_working_day(day)`, from the cache."""
        key = f"{country} {day.year}"
        if key not in self.years:
            self._compute(country, day.year)
        return self.years[key][day.timetuple().tm_yday - 1] == "1"

    def supports(self, country: str) -> bool:
        """Does `holidays` have a calendar for this country?"""
        if any(key.startswith(f"{country} ") for key in self.years):
            return True
        if country in self.unknown:
            return False
        try:
            self._compute(country, date.today().year)
        except NotImplementedError:
            self.unknown.add(country)
            return False
        return True

    def nth_working_day(self, country: str, start: date, n: int) -> date:
        """As `holidays`' `get_nth_working_day(start, n)` for n >= 0."""
        day = start
        if n == 0:
            while not self.is_working_day(country, day):
                day += timedelta(days=1)
            return day
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(country, day):
                n -= 1
        return day

    def _compute(self, country: str, year: int) -> None:
        calendar = _holidays_calendar(country)
        first = date(year, 1, 1)
        length = (date(year + 1, 1, 1) - first).days
        flags = (calendar.is_working_day(first + timedelta(days=i)) for i in range(length))
        self.years[f"{country} {year}"] = "".join("1" if on else "0" for on in flags)
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".workdays.")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.years, stream, sort_keys=True)
            os.replace(temporary, self.path)


@cache
def _holidays_calendar(country: str) -> Any:
    import holidays

    return holidays.country_holidays(country)


@cache
def calendars() -> WorkdayCalendars:
    """The run's calendars (one instance, reading the cache file once)."""
    return WorkdayCalendars(_cache_file())
