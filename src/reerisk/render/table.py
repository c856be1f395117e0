"""Rich tables for the terminal and for printing: one table per plant.

Materials are rows and scenarios are columns. A cell shows the runway in days
and the stockout date, coloured by tier (red < 30 d, yellow < 90 d, green).
A `*` marks a runway shorter than the material's recovery time (TTR). When
the table would not fit across the console without wrapping, it turns:
scenarios become rows. Columns fold rather than cut, so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from reerisk.render.summary import breakeven_text, percent, tier
from reerisk.results import MaterialResult, PlantProjection, ScenarioResult


def runway_cell(
    runway_days: int | None,
    stockout: date | None,
    horizon_days: int,
    *,
    exposed: bool = False,
    note: str | None = None,
    bold: bool = False,
) -> Text:
    """`41 d` over `2025-07-13`, in the tier's colour; `> 365 d` when none."""
    style = tier(runway_days) + (" bold" if bold else "")
    if runway_days is None:
        text = Text(f"> {horizon_days} d", style=style)
    else:
        text = Text(f"{runway_days} d" + ("*" if exposed else ""), style=style)
        if stockout is not None:
            text.append(f"\n{stockout}", style=tier(runway_days))
    if note:
        text.append(f"\n{note}", style="dim")
    return text


def _new_table() -> Table:
    return Table(box=box.SIMPLE_HEAVY, show_lines=True)


def _label(material: MaterialResult) -> str:
    return f"{material.id}\n{material.unit}" + ("" if material.controlled else ", uncontrolled")


def _material_cell(material: MaterialResult, horizon_days: int, *, dated: bool = True) -> Text:
    stockout = material.stockout_date if dated else None
    return runway_cell(material.runway_days, stockout, horizon_days, exposed=material.exposed)


def _plant_cell(
    result: ScenarioResult, horizon_days: int, *, name_binding: bool = True, dated: bool = True
) -> Text:
    """The plant's runway, naming the binding material when there is a choice."""
    note = result.binding_material if name_binding and len(result.materials) > 1 else None
    stockout = result.stockout_date if dated else None
    return runway_cell(result.runway_days, stockout, horizon_days, note=note, bold=True)


def plant_title(plant_id: str, name: str, as_of: date, horizon_days: int) -> Text:
    """`id — name` and, dimmed, day 0 and the horizon."""
    title = Text(plant_id, style="bold")
    if name:
        title.append(f" — {name}", style="bold")
    title.append(f"   as of {as_of} · horizon {horizon_days} d", style="dim")
    return title


def plant_table(projection: PlantProjection, horizon_days: int, console: Console) -> Table:
    """Materials as rows and scenarios as columns; turned when that does not fit."""
    wide = _materials_as_rows(projection, horizon_days)
    if wide.__rich_measure__(console, console.options).maximum <= console.width:
        return wide
    turned = _scenarios_as_rows(projection, horizon_days, dated=True)
    if keep_words_whole(turned, console):
        return turned
    # Too narrow for whole dates: leave them out (the days remain) rather than fold them.
    dateless = _scenarios_as_rows(projection, horizon_days, dated=False)
    keep_words_whole(dateless, console)
    return dateless


LONGEST_WORD_KEPT = 24
DATE_WIDTH = len("2025-06-02")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def keep_words_whole(table: Table, console: Console) -> bool:
    """Widen each column to its longest word (up to 24 characters), as the console allows.

    A narrow console then wraps cells between words, not inside one: a date
    folded to `2025-08-1` / `8` reads as the wrong day. When the longest words
    do not all fit, the longest give way first; a column with dates keeps 10
    characters, so dates stay whole while long names fold. Returns False, with
    Rich left to fold as it must, when even that does not fit.
    """
    longest, floors = [], []
    for column in table.columns:
        texts = [column.header, *column.cells]
        words = [w for t in texts if isinstance(t, str | Text) for w in str(t).split()]
        longest.append(max(map(len, words), default=0))
        floors.append(DATE_WIDTH if any(_DATE.fullmatch(w) for w in words) else 0)
    for limit in range(LONGEST_WORD_KEPT, 3, -1):
        for column, width, floor in zip(table.columns, longest, floors, strict=True):
            column.min_width = min(width, max(limit, floor))
        # The widths Rich will use: a column narrower than asked folds a word, and a
        # table wider than the console loses its right edge.
        widths = table._calculate_column_widths(console, console.options)
        whole = all(w >= (c.min_width or 0) for w, c in zip(widths, table.columns, strict=True))
        if whole and sum(widths) + table._extra_width <= console.width:
            return True
    for column in table.columns:  # too narrow for even that: Rich folds as it must
        column.min_width = None
    return False


def _materials_as_rows(projection: PlantProjection, horizon_days: int) -> Table:
    results = projection.results
    table = _new_table()
    table.add_column("material", overflow="fold")
    for result in results:
        table.add_column(result.scenario, justify="right", overflow="fold")
    table.add_column("break-even", justify="right", overflow="fold")
    for index, material in enumerate(results[0].materials if results else ()):
        per = [r.materials[index] for r in results]
        rates = breakeven_text([m.breakeven_rate for m in per])
        table.add_row(_label(material), *[_material_cell(m, horizon_days) for m in per], rates)
    table.add_row(
        Text("plant", style="bold"),
        *[_plant_cell(r, horizon_days) for r in results],
        Text(breakeven_text([r.breakeven_rate for r in results]), style="bold"),
    )
    return table


def _scenarios_as_rows(projection: PlantProjection, horizon_days: int, *, dated: bool) -> Table:
    results = projection.results
    table = _new_table()
    table.add_column("scenario", overflow="fold")
    for material in results[0].materials if results else ():
        table.add_column(_label(material), justify="right", overflow="fold")
    table.add_column("plant", justify="right", overflow="fold")
    table.add_column("break-even", justify="right", overflow="fold")
    for result in results:
        rate = "none" if result.breakeven_rate is None else percent(result.breakeven_rate)
        table.add_row(
            result.scenario,
            *[_material_cell(m, horizon_days, dated=dated) for m in result.materials],
            # The material columns stand beside it: the shortest of them is the binding one.
            _plant_cell(result, horizon_days, name_binding=False, dated=dated),
            rate,
        )
    return table


MAX_COVER_SHOWN = 1e9


def _cover(stock_kg: float, per_day: float) -> str:
    """Opening stock in whole production days of use, or "—" when nothing is used."""
    if per_day <= 0:
        return "—"
    days = stock_kg / per_day
    if not days < MAX_COVER_SHOWN:  # a use of 1e-300 kg a day: also infinite
        return f"> {MAX_COVER_SHOWN:.0e} d"
    # Whole production days; the 1e-9 keeps 8004 / 200.1 (= 40) from flooring to 39.
    return f"{int(days + 1e-9):,} d"


def element_table(projection: PlantProjection, horizon_days: int) -> Table | None:
    """Per rare earth: demand, stock, cover, and the runway range across scenarios."""
    results = projection.results
    if not results or not results[0].elements:
        return None
    table = Table(title="rare earths in these materials", title_justify="left", box=box.SIMPLE)
    for name in ("element", "controlled", "kg/day", "stock kg", "cover", "runway"):
        table.add_column(name, justify="left" if name == "element" else "right")
    for index, element in enumerate(results[0].elements):
        per_day = element.demand_kg_per_day
        cover = _cover(element.stock_kg, per_day)
        runways = [r.elements[index].runway_days for r in results]
        table.add_row(
            element.symbol,
            Text("yes", style="red") if element.controlled else "no",
            f"{per_day:,.3f}",
            f"{element.stock_kg:,.1f}",
            cover,
            _runway_range(runways, horizon_days),
        )
    return table


def _runway_range(runways: Sequence[int | None], horizon_days: int) -> Text:
    known = [days for days in runways if days is not None]
    worst = min(known) if known else None
    low = f"{worst} d" if worst is not None else f"> {horizon_days} d"
    if len(known) < len(runways):
        high = f"> {horizon_days} d"
    else:
        high = f"{max(known)} d" if known else low
    return Text(low if low == high else f"{low} – {high}", style=tier(worst))


def print_tables(
    console: Console, projections: Iterable[PlantProjection], horizon_days: int
) -> None:
    """Print every plant's tables, then a legend."""
    for projection in projections:
        parts: list[Text | Table] = [
            plant_title(projection.id, projection.name, projection.as_of, horizon_days)
        ]
        parts.append(plant_table(projection, horizon_days, console))
        elements = element_table(projection, horizon_days)
        if elements is not None:
            parts.append(elements)
        console.print(Group(*parts))
        console.print()
    console.print(
        "Cells: runway days and stockout date; red < 30 d, yellow < 90 d, green otherwise. "
        "* runs out before its recovery_days. break-even: the constant approval rate that "
        "avoids any short day (a range when review times differ between scenarios); none: no "
        "rate is enough, because too little is licensed or it lands too late. cover: opening "
        "stock / use per production day, in production days. runway: worst – best across "
        "scenarios.",
        style="dim",
    )
