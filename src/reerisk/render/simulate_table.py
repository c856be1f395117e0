"""`simulate` in the terminal: one Rich table per plant, a row per scenario.

The deterministic runway ("expected") stands first, then the share of trials
that run out and the pessimistic-to-median-to-optimistic runways, each with its
date and in the tier's colour (red < 30 d, yellow < 90 d, green; `> H d` when
beyond the horizon):

  scenario           expected   P(out)        P10          P50        P90   short d   unmet
  clepa-early-june      168 d    99.4%      120 d        158 d      235 d      96.0   56,936
                   2025-11-17          2025-09-30   2025-11-07 2026-01-23
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from reerisk.montecarlo import SimulationRun
from reerisk.odds import PlantOdds, day_of, percentile_label
from reerisk.render.simulate import legend, probability_text
from reerisk.render.table import plant_title, runway_cell


def plant_odds_table(plant: PlantOdds, run: SimulationRun, console: Console) -> Table:
    """Scenarios as rows; the dates go when the table would not fit across the console."""
    table = _odds_table(plant, run, with_dates=True)
    if table.__rich_measure__(console, console.options).maximum <= console.width:
        return table
    return _odds_table(plant, run, with_dates=False)


def _odds_table(plant: PlantOdds, run: SimulationRun, *, with_dates: bool) -> Table:
    horizon = run.horizon_days
    units = {m.unit for r in plant.results for m in r.materials}
    unmet_header = f"unmet\n{units.pop()}" if len(units) == 1 else "unmet"
    table = Table(
        box=box.SIMPLE_HEAVY,
        show_lines=with_dates,
        pad_edge=False,
        collapse_padding=not with_dates,
    )
    # Scenario names stay whole (up to 20 characters): the figures give way first.
    longest = max((len(result.scenario) for result in plant.results), default=8)
    table.add_column("scenario", overflow="fold", min_width=min(longest, 20))
    table.add_column("expected", justify="right")
    table.add_column("P(out)", justify="right")
    for q in run.percentiles:
        table.add_column(f"P{percentile_label(q)}", justify="right")
    table.add_column("short d", justify="right")
    table.add_column(unmet_header, justify="right")

    def cell(days: int | None, *, bold: bool = False) -> Text:
        stockout = day_of(plant.as_of, days) if with_dates else None
        return runway_cell(days, stockout, horizon, bold=bold)

    for result in plant.results:
        odds = result.odds
        unmet = "—" if odds.mean_unmet is None else compact(odds.mean_unmet)
        table.add_row(
            result.scenario,
            cell(result.runway_days),
            Text(probability_text(odds.p_stockout), style=_probability_style(odds.p_stockout)),
            *[cell(days, bold=q == run.gate_percentile) for q, days in odds.percentiles],
            f"{odds.mean_short_days:,.1f}",
            unmet,
        )
    return table


def compact(quantity: float) -> str:
    """A quantity in at most 6 characters, for a narrow column: 9,285, 99.1 k, 5.00 M."""
    for above, size, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if quantity >= above:
            scaled = quantity / size
            return f"{scaled:.{2 if scaled < 10 else 1 if scaled < 100 else 0}f} {suffix}"
    return f"{quantity:,.0f}"


RED_FROM_P = 0.5  # an even chance of running out within the horizon
YELLOW_FROM_P = 0.1


def _probability_style(p_stockout: float) -> str:
    """Red from an even chance of running out, yellow from one in ten, else green."""
    if p_stockout >= RED_FROM_P:
        return "red"
    return "yellow" if p_stockout >= YELLOW_FROM_P else "green"


def print_simulation(console: Console, plants: Iterable[PlantOdds], run: SimulationRun) -> None:
    """Every plant's table, then a legend."""
    mixed = False
    for plant in plants:
        console.print(
            Group(
                plant_title(plant.id, plant.name, plant.as_of, run.horizon_days),
                plant_odds_table(plant, run, console),
            )
        )
        console.print()
        mixed = mixed or any(r.odds.mean_unmet is None for r in plant.results)
    note = " unmet —: the plant's materials are in different units." if mixed else ""
    console.print(legend(run) + note, style="dim")
