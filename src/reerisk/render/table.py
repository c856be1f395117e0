"""Rich tables for the terminal and for printing: one table per plant.

Materials are rows and scenarios are columns. A cell shows the runway in days
and the stockout date, coloured by tier (red < 30 d, yellow < 90 d, green).
A `*` marks a runway shorter than the material's recovery time (TTR). When
the table would not fit across the console without wrapping, it turns:
scenarios become rows. Columns fold rather than cut, so nothing is lost.
"""

from __future__ import annotations

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


def _material_cell(material: MaterialResult, horizon_days: int) -> Text:
    return runway_cell(
        material.runway_days, material.stockout_date, horizon_days, exposed=material.exposed
    )


def _plant_cell(result: ScenarioResult, horizon_days: int) -> Text:
    """The plant's runway, naming the binding material when there is a choice."""
    note = result.binding_material if len(result.materials) > 1 else None
    return runway_cell(result.runway_days, result.stockout_date, horizon_days, note=note, bold=True)


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
    return _scenarios_as_rows(projection, horizon_days)


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


def _scenarios_as_rows(projection: PlantProjection, horizon_days: int) -> Table:
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
            *[_material_cell(m, horizon_days) for m in result.materials],
            _plant_cell(result, horizon_days),
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
