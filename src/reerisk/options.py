"""Checking option values, and choosing the scenarios of a run.

Light on imports (no pydantic until a scenario is built), so that the CLI can
check its options before loading anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reerisk.errors import UsageError

if TYPE_CHECKING:
    from reerisk.models import Scenario

DEFAULT_RATES = (0.0, 0.25, 0.5, 0.75, 1.0)
MAX_HORIZON_DAYS = 3660
MAX_JOBS = 64
# Dates outside these are typos (a year 2205 for 2025), and near year 9999 the
# projection's date arithmetic would overflow.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
DATE_RANGE_HINT = f"outside {MIN_DATE}..{MAX_DATE}; is the year a typo?"


def parse_rate(text: str) -> float:
    raw = text.strip()
    try:
        rate = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"--rate {text!r}: expected a number 0..1 or a percentage") from None
    if not 0 <= rate <= 1:
        hint = f"; did you mean {raw}%?" if not raw.endswith("%") and 1 < rate <= 100 else ""
        raise UsageError(f"--rate {text!r}: must be between 0 and 1 (0 % and 100 %){hint}")
    return rate


def parse_date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise UsageError(f"{option} {text!r}: expected a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: not a calendar date: {exc}") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise UsageError(f"{option} {text!r}: {DATE_RANGE_HINT}")
    return day


def check_horizon(horizon: int) -> None:
    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise UsageError(f"--horizon {horizon}: must be 1..{MAX_HORIZON_DAYS} days")


def rate_scenario(rate: float) -> Scenario:
    """A constant-rate scenario named like `25%`, or `58.34%`: as precise as the rate given."""
    from reerisk.models import Scenario

    return Scenario(name=f"{rate * 100:.6g}%", approval_rate=rate)


def choose_scenarios(
    loaded: Sequence[Scenario], names: Sequence[str], rates: Sequence[float], have_file: bool
) -> list[Scenario]:
    chosen = list(loaded)
    if names:
        if not have_file:
            raise UsageError("--scenario needs --scenarios FILE to choose from")
        by_name = {s.name: s for s in loaded}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise UsageError(
                f"--scenario {missing[0]!r} is not in the scenarios file"
                f"{did_you_mean(missing[0], list(by_name))}; it has: {', '.join(by_name)}"
            )
        chosen = [by_name[n] for n in dict.fromkeys(names)]
    chosen += [rate_scenario(r) for r in rates]
    if not have_file and not rates:
        chosen = [rate_scenario(r) for r in DEFAULT_RATES]
    names_seen: set[str] = set()
    for scenario in chosen:
        if scenario.name in names_seen:
            raise UsageError(
                f"two scenarios are named {scenario.name!r} (one from --rate); rename the one "
                "in the scenarios file"
            )
        names_seen.add(scenario.name)
    return chosen


def did_you_mean(name: str, names: Sequence[str]) -> str:
    """` (did you mean 'embargo'?)` for the scenario name closest to `name`, or "".

    Rate scenarios (`25%`) are alike whatever their number, so none is offered for them.
    """
    import difflib

    if name.endswith("%"):
        return ""
    words = [n for n in names if not n.endswith("%")]
    same_but_case = [n for n in words if n.lower() == name.lower()]
    started = [n for n in words if n.lower().startswith(name.lower())]  # `london`
    match = same_but_case or started[:1] or difflib.get_close_matches(name, words, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_jobs(jobs: int) -> None:
    if not 1 <= jobs <= MAX_JOBS:
        raise UsageError(f"--jobs {jobs}: must be 1..{MAX_JOBS}")


def check_fail_under(fail_under: int | None, horizon: int) -> None:
    if fail_under is not None and not 1 <= fail_under <= horizon:
        raise UsageError(
            f"--fail-under {fail_under}: must be 1..{horizon} days (the horizon): a runway "
            "beyond the horizon is not known"
        )


def check_output_is_not_an_input(output: Path | None, inputs: Sequence[Path | None]) -> None:
    """`--output` must never replace a file the run reads."""
    if output is None:
        return
    target = os.path.realpath(output)
    for given in inputs:
        if given is not None and os.path.realpath(given) == target:
            raise UsageError(f"--output {output}: that is an input file; it is never overwritten")


DEFAULT_TRIALS = 10_000
DEFAULT_SEED = 0  # fixed, so that CI runs are reproducible
DEFAULT_PERCENTILE = 10  # the runway --fail-under checks in simulate
MAX_TRIALS = 1_000_000
MAX_SEED = 2**64 - 1


def _whole_number(option: str, text: str) -> int:
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected a whole number") from None


def parse_trials(text: str) -> int:
    trials = _whole_number("--trials", text)
    if not 1 <= trials <= MAX_TRIALS:
        raise UsageError(f"--trials {text}: must be 1..{MAX_TRIALS}")
    return trials


def parse_seed(text: str) -> int:
    seed = _whole_number("--seed", text)
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed {text}: must be 0..2^64-1")
    return seed


def parse_percentile(text: str) -> float:
    """A percentile q with 0 < q <= 100, such as 10 or 2.5."""
    try:
        q = float(text.strip().removesuffix("%"))
    except ValueError:
        raise UsageError(f"--percentile {text!r}: expected a number like 10 or 2.5") from None
    if not 0 < q <= 100:  # also refuses nan; inf is > 100
        raise UsageError(f"--percentile {text!r}: must be more than 0 and at most 100")
    return q
