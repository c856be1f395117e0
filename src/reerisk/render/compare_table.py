"""`reerisk compare` as a Rich table: plants as rows and scenarios as columns.

Each scenario's cell stacks the runway and stockout date (in the tier's
colour), then dimmed: the binding material and its controlled rare earths,
the break-even rate and shortfall, and the changes. When that does not fit
across the console, the table turns long: one row per plant × scenario, with
those details in one column.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reerisk.compare import Cell, Comparison, Row
from reerisk.render.compare import (
    LEGEND,
    appearance_lines,
    detail_lines,
    gate_lines,
    heading,
)
from reerisk.render.summary import runway_text, tier

PLANT_WIDTH = 28
CELL_WIDTH = 24  # longer lines (a plant's name, `vs embargo: no longer stocks out`) wrap


def print_table(console: Console, comparison: Comparison) -> None:
    """The heading, the table (wide if it fits, else long), what changed, gates, legend."""
    table = _wide(comparison)
    if table.__rich_measure__(console, console.options).maximum > console.width:
        table = _long(comparison)
    console.print(Text(heading(comparison), style="bold"))
    console.print(table)
    for line in appearance_lines(comparison) + gate_lines(comparison):
        console.print(line)
    console.print(LEGEND, style="dim")


def _plant_label(row: Row) -> Text:
    label = Text(row.plant, style="bold")
    if row.name:
        label.append(f"\n{row.name}", style="dim")
    return label


def _runway(cell: Cell, horizon_days: int) -> Text:
    style = tier(cell.runway_days)
    text = Text(runway_text(cell.runway_days, None, horizon_days), style=style)
    if cell.stockout_date is not None:
        text.append(f"\n{cell.stockout_date}", style=style)
    return text


def _wide(comparison: Comparison) -> Table:
    horizon = comparison.horizon_days
    table = Table(box=box.SIMPLE_HEAVY, show_lines=True)
    table.add_column("plant", overflow="fold", max_width=PLANT_WIDTH)  # long names wrap
    table.add_column("worst", justify="right", overflow="fold")
    for name in comparison.scenarios:
        table.add_column(name, justify="right", overflow="fold", max_width=CELL_WIDTH)
    for row in comparison.rows:
        worst = row.worst_runway_days
        cells = [_plant_label(row), Text(runway_text(worst, None, horizon), style=tier(worst))]
        for cell in row.cells:
            text = _runway(cell, horizon)
            text.append("\n" + "\n".join(detail_lines(cell, comparison)), style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def _long(comparison: Comparison) -> Table:
    table = Table(box=box.SIMPLE_HEAVY)
    ids = max([len(row.plant) for row in comparison.rows], default=5)
    names = max([len(name) for name in comparison.scenarios], default=8)
    # Wide enough that ids and dates do not fold on an 80-column terminal, when they can.
    table.add_column("plant", overflow="fold", min_width=min(ids, 16))
    table.add_column("scenario", overflow="fold", min_width=min(names, 14))
    table.add_column("runway", justify="right", overflow="fold", min_width=10)
    table.add_column("details", overflow="fold")
    for row in comparison.rows:
        for index, cell in enumerate(row.cells):
            table.add_row(
                Text(row.plant, style="bold") if index == 0 else "",
                cell.scenario,
                _runway(cell, comparison.horizon_days),
                Text("\n".join(detail_lines(cell, comparison)), style="dim"),
                end_section=index == len(row.cells) - 1,
            )
    return table
