"""Working-day calendars: the disk cache answers as `holidays` does, and saves its import."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from reerisk.workdays import WorkdayCalendars

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("country", ["CN", "DE", "JP", "US"])
def test_cache_agrees_with_holidays_day_by_day(country: str, tmp_path: Path) -> None:
    cached = WorkdayCalendars(tmp_path / "w.json")
    reference = holidays.country_holidays(country)
    day = date(2024, 12, 1)
    for _ in range(800):
        assert cached.is_working_day(country, day) == reference.is_working_day(day), day
        day += timedelta(days=1)


FILINGS = [
    (date(2025, 4, 4), 45),
    (date(2025, 4, 25), 10),
    (date(2025, 9, 27), 5),
    (date(2025, 5, 3), 0),
]


@pytest.mark.parametrize(("filed", "n"), FILINGS)
def test_nth_working_day_agrees_with_holidays(filed: date, n: int, tmp_path: Path) -> None:
    cached = WorkdayCalendars(tmp_path / "w.json")
    expected = holidays.country_holidays("CN").get_nth_working_day(filed, n)
    assert cached.nth_working_day("CN", filed, n) == expected


def test_2025_04_04_plus_45_working_days_is_2025_06_11(tmp_path: Path) -> None:
    assert WorkdayCalendars(None).nth_working_day("CN", date(2025, 4, 4), 45) == date(2025, 6, 11)


def test_cache_is_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    first = WorkdayCalendars(path)
    assert first.is_working_day("CN", date(2025, 4, 27))  # a make-up Sunday
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert len(stored["CN 2025"]) == 365
    second = WorkdayCalendars(path)
    assert second.years == first.years


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text("{not json", encoding="utf-8")
    assert not WorkdayCalendars(path).is_working_day("CN", date(2025, 5, 1))  # Labour Day


def test_unknown_country_is_not_supported(tmp_path: Path) -> None:
    assert not WorkdayCalendars(tmp_path / "w.json").supports("XX")
    assert WorkdayCalendars(tmp_path / "w.json").supports("NO")


def test_a_second_run_does_not_import_holidays(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['reerisk', 'runway', 'data/plants.yaml', '--format', 'json']\n"
        "from reerisk.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('holidays' in sys.modules, file=sys.stderr)\n"
    )
    env = {"REERISK_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def imports_holidays() -> bool:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              cwd=ROOT, env=env, check=True)  # fmt: skip
        return done.stderr.strip().splitlines()[-1] == "True"

    assert imports_holidays()  # the first run fills the cache
    assert not imports_holidays()  # the second reads it


def test_empty_cache_dir_turns_the_file_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reerisk.workdays import _cache_file

    monkeypatch.setenv("REERISK_CACHE_DIR", "")
    assert _cache_file() is None
    monkeypatch.setenv("REERISK_CACHE_DIR", str(tmp_path))
    assert _cache_file() is not None and _cache_file().parent == tmp_path  # type: ignore[union-attr]
