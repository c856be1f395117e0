"""The report's sentences and short texts, plain (no markup), shared by every format.

Each format escapes them its own way; nothing here knows HTML or Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from reerisk.models import Override, RateStep, Regime, Scenario, Triangular
from reerisk.render.summary import RED_UNDER_DAYS, YELLOW_UNDER_DAYS, percent, tier
from reerisk.report.model import PlantSection, Report, Stockout
from reerisk.results import ScenarioResult
from reerisk.supply import element_content, kg_per_unit

TIER_WORDS = {"red": "RED", "yellow": "YELLOW", "green": "GREEN"}
TIER_LEGEND = (
    f"RED: runs out in under {RED_UNDER_DAYS} days · YELLOW: in under {YELLOW_UNDER_DAYS} "
    f"days · GREEN: {YELLOW_UNDER_DAYS} days or more, or not within the horizon (> H d)"
)


def tier_word(runway_days: int | None) -> str:
    return TIER_WORDS[tier(runway_days)]


def days_text(runway_days: int | None, horizon_days: int) -> str:
    return f"> {horizon_days} d" if runway_days is None else f"{runway_days} d"


def number(value: float, decimals: int = 0) -> str:
    """Thousands separated; `-0` never shows."""
    return f"{value + 0.0:,.{decimals}f}"


def kg_text(kg: float) -> str:
    return number(kg, 1 if 0 < kg < 10 else 0)


def generated_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def as_of_text(report: Report) -> str:
    dates = report.as_of_dates
    if len(dates) == 1:
        return str(dates[0])
    return f"{dates[0]} to {dates[-1]} (each plant's own as_of)"


def names(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plant_label(plant: str, name: str) -> str:
    return f"{plant} ({name})" if name else plant


def under(scenarios: Sequence[str], report: Report) -> str:
    """`embargo and slow-review`, or `every scenario` when that is all of them (and several)."""
    every = len(scenarios) > 1 and set(scenarios) == {s.name for s in report.scenarios}
    return "every scenario" if every else names(list(scenarios))


def stockout_sentence(stockout: Stockout, report: Report) -> str:
    return (
        f"{plant_label(stockout.plant, stockout.plant_name)} runs out of {stockout.material} on "
        f"{stockout.stockout_date}, in {stockout.runway_days} days, under "
        f"{under(stockout.scenarios, report)}."
    )


def counted(number: int, noun: str) -> str:
    """`1 plant`, `6 plants`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary_sentences(report: Report) -> list[str]:
    """The executive summary, most urgent first."""
    horizon = report.horizon_days
    total = len(report.plants)
    stopping = [s for s in report.plants if s.worst is not None]
    count = len(report.scenarios)
    under_which = "the one scenario" if count == 1 else f"at least one of the {count} scenarios"
    verb = "runs" if len(stopping) == 1 else "run"
    sentences = [
        f"{len(stopping)} of {counted(total, 'plant')} {verb} out within {horizon} days "
        f"under {under_which}."
    ]
    if not report.earliest:
        sentences.append(f"No plant runs out within {horizon} days under any scenario.")
    return sentences + trial_sentences(report)


def trial_sentences(report: Report) -> list[str]:
    """With Monte Carlo figures: the earliest pessimistic (P10) stockout, which may differ."""
    if not report.stats:
        return []
    candidates = []
    for section in report.plants:
        for result in section.projection.results:
            stats = report.stats.get((section.id, result.scenario))
            if stats is not None and stats.p10_days is not None:
                candidates.append((stats.p10_days, -stats.p_stockout, section, result, stats))
    horizon = report.horizon_days
    if not candidates:
        return [
            f"With each licence granted or refused whole, fewer than one trial in ten runs out "
            f"within {horizon} days, for every plant and scenario."
        ]
    days, _, section, result, stats = min(candidates, key=lambda c: (c[0], c[1]))
    on = section.projection.as_of + timedelta(days=days)
    return [
        f"With each licence granted or refused whole, the earliest pessimistic stockout is "
        f"{section.id} under {result.scenario}: one trial in ten runs out by day {days} ({on}), "
        f"and {stats.p_stockout:.0%} of trials run out within {horizon} days."
    ]


def unsaved_sentences(report: Report) -> list[str]:
    """Which plants no approval rate can keep running, grouped by the scenarios concerned."""
    if not report.unsaved:
        return [
            f"Under every scenario, some approval rate in 0–100 % keeps every plant running "
            f"for {report.horizon_days} days."
        ]
    all_names = tuple(s.name for s in report.scenarios)
    groups: dict[tuple[str, ...], list[str]] = {}
    for unsaved in report.unsaved:
        groups.setdefault(unsaved.scenarios, []).append(unsaved.plant)
    sentences = []
    for scenarios, plants in groups.items():
        under = "every scenario" if scenarios == all_names else names(list(scenarios))
        sentences.append(
            f"Under {under}, no approval rate, even 100 %, keeps {names(plants)} running "
            f"for {report.horizon_days} days: what is under licence review is too little, or "
            "lands too late, to cover the gap."
        )
    return sentences


def shortfall_sentence(report: Report) -> str:
    worst = report.worst_shortfall_scenario
    if worst is None:
        return "No extra stock is needed: no material runs short under any scenario."
    kg = report.shortfall_kg[worst]
    parts = [f"{kg_text(kg[s])} kg {s}" for s in report.rare_earths if kg[s] > 0]
    return (
        f"Closing every gap under {worst}, the scenario that needs the most, takes extra stock "
        f"on day 0 holding {names(parts)} (summed over plants; the table gives every scenario)."
    )


def binding_why(section: PlantSection, report: Report) -> list[str]:
    """Why the plant is in trouble, in plain sentences: what runs out, when, and what helps."""
    horizon = report.horizon_days
    worst = section.worst
    label = plant_label(section.id, section.projection.name)
    if worst is None:
        return [f"{label} keeps producing for all {horizon} days under every scenario."]
    same = [r.scenario for r in section.projection.results if r.runway_days == worst.runway_days]
    material = next(m for m in worst.materials if m.id == worst.binding_material)
    sentences = [
        f"Runs out of {material.id} on {worst.stockout_date}, in {worst.runway_days} days, "
        f"under {under(same, report)}; it is short on {worst.short_days} of {horizon} days "
        f"and fills {material.fill_rate:.0%} of its need."
    ]
    sentences.append(_breakeven_sentence(section, worst))
    if material.shortfall > 0:
        held = _controlled_kg(section, material.id, material.shortfall, report)
        sentences.append(
            f"Extra stock of {number(material.shortfall)} {material.unit} of {material.id}"
            + (f" (holding {held})" if held and material.unit == "pcs" else "")
            + f" on day 0 would close the gap under {worst.scenario}."
        )
    if material.exposed:
        sentences.append(
            f"Qualifying another source takes {material.recovery_days} days (TTR), longer than "
            f"the {worst.runway_days}-day runway: the plant is exposed."
        )
    return sentences


def _controlled_kg(section: PlantSection, material_id: str, quantity: float, report: Report) -> str:
    """`3.2 kg Dy and 0.8 kg Tb`: the controlled rare earths in `quantity` of the material."""
    definition = section.item.materials[material_id]
    kg = quantity * kg_per_unit(definition)
    content = element_content(material_id, definition)
    parts = [
        f"{kg_text(kg * content[symbol] / 100)} kg {symbol}"
        for symbol in report.rare_earths
        if symbol in report.controlled_symbols and content.get(symbol, 0) > 0
    ]
    return names(parts)


def _breakeven_sentence(section: PlantSection, worst: ScenarioResult) -> str:
    results = section.projection.results
    unsaved = [r.scenario for r in results if r.breakeven_rate is None]
    if worst.breakeven_rate is None:
        return (
            f"Under {worst.scenario} no approval rate is enough: even at 100 %, what is under "
            "licence review (if anything) is too little, or lands too late, to cover the gap."
        )
    text = (
        f"Under {worst.scenario} it needs an approval rate of at least "
        f"{percent(worst.breakeven_rate)} to last the horizon"
    )
    if unsaved:
        text += f"; under {names(unsaved)} no rate is enough"
    return text + "."


def rate_text(rate: float | Sequence[RateStep]) -> str:
    """`25%`, or the steps by decision date: `25% from 2025-04-04; 60% from 2025-06-12`."""
    if isinstance(rate, int | float):
        return percent(float(rate))
    return "; ".join(f"{percent(step.rate)} from {step.start}" for step in rate)


def review_text(review: int | Triangular) -> str:
    if isinstance(review, Triangular):
        return f"{review.mode:g} (triangular {review.min:g}–{review.max:g}; mode used)"
    return str(review)


def green_text(scenario: Scenario) -> str:
    green = scenario.green_channel
    if green is None:
        return "as standard"
    parts = []
    if green.approval_rate is not None:
        parts.append(f"rate {rate_text(green.approval_rate)}")
    if green.review_working_days is not None:
        parts.append(f"{review_text(green.review_working_days)} working days")
    return ", ".join(parts) or "as standard"


def override_text(override: Override) -> str:
    when = ", ".join(
        f"{key}={value}" for key, value in override.when.model_dump(exclude_none=True).items()
    )
    parts = []
    if override.approval_rate is not None:
        parts.append(f"rate {rate_text(override.approval_rate)}")
    if override.review_working_days is not None:
        parts.append(f"{review_text(override.review_working_days)} working days")
    return f"when {when}: {', '.join(parts)}"


def overrides_text(scenario: Scenario) -> str:
    return "; ".join(override_text(o) for o in scenario.overrides) or "none"


def levers_text(scenario: Scenario) -> str:
    parts = []
    if scenario.demand_scale != 1.0:
        parts.append(f"demand × {scenario.demand_scale:g}")
    if scenario.extra_stock:
        stock = ", ".join(f"{number(q)} {m}" for m, q in scenario.extra_stock.items())
        parts.append(f"extra stock on day 0: {stock}")
    return "; ".join(parts) or "none"


def regime_status(regime: Regime, on: date) -> str:
    text = f"in force on {on} (effective {regime.effective})"
    if regime.ended is not None:
        text += f"; ends {regime.ended}"
    for window in regime.suspended:
        text += f"; suspended {window.start} to {window.until}"
    return text


MODEL_NOTES = (
    "Expected values, deterministic: an approval rate of 25 % brings a quarter of every "
    "reviewed quantity.",
    "A licence decision falls on the n-th Chinese working day after filing (official "
    "holidays and make-up days); the stock lands transit_days later.",
    "Each day, arrivals are added, then the day's need is taken out; a day whose stock "
    "cannot cover its need is short, and the first short day is the runway (TTS).",
    "Break-even: the lowest constant approval rate with no short day within the horizon; "
    "'none' means no rate is enough (the gap is one of timing).",
    "Shortfall: the extra stock on day 0 that avoids every short day. Element kg convert it "
    "by mass per piece (mass_g) and composition (mass-%).",
)
