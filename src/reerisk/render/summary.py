"""Short texts shared by every human-readable renderer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

RED_UNDER_DAYS = 30
YELLOW_UNDER_DAYS = 90


def tier(runway_days: int | None) -> str:
    """The colour of a runway (SPEC §5): red under 30 days, yellow under 90, else green."""
    if runway_days is None or runway_days >= YELLOW_UNDER_DAYS:
        return "green"
    return "red" if runway_days < RED_UNDER_DAYS else "yellow"


def runway_text(
    runway_days: int | None, stockout: date | None, horizon_days: int, *, exposed: bool = False
) -> str:
    """`41 d (2025-07-13)`, or `> 365 d` when there is no stockout within the horizon.

    A `*` after the days marks a runway shorter than the recovery time.
    """
    if runway_days is None:
        return f"> {horizon_days} d"
    days = f"{runway_days} d" + ("*" if exposed else "")
    return f"{days} ({stockout})" if stockout else days


def percent(rate: float) -> str:
    return f"{rate * 100:.0f}%" if abs(rate * 100 - round(rate * 100)) < 0.05 else f"{rate:.1%}"


def breakeven_text(rates: Sequence[float | None]) -> str:
    """One break-even for a row of scenarios: a value, a range, or `none` (timing gap)."""
    if not rates:
        return ""
    if any(rate is None for rate in rates):
        known = [rate for rate in rates if rate is not None]
        return "none" if not known else f"none–{percent(max(known))}"
    low = min(r for r in rates if r is not None)
    high = max(r for r in rates if r is not None)
    return percent(low) if percent(low) == percent(high) else f"{percent(low)}–{percent(high)}"
