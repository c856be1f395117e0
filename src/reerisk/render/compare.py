"""`reerisk compare` output: a Rich table, Markdown, CSV and JSON, one row per plant.

Each scenario's cell stacks: the runway and stockout date; the binding material
with its controlled rare earths; the break-even rate and the shortfall; the
change against the baseline and since the earlier run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from reerisk.compare import (
    Appearance,
    Cell,
    Comparison,
    Delta,
    Gate,
    Row,
    gate_message,
    plant_row,
)
from reerisk.models import Scenario
from reerisk.parallel import Run, project_all
from reerisk.render.summary import YELLOW_UNDER_DAYS, percent, runway_text, tier
from reerisk.render.text import json_plant, markdown_text
from reerisk.render.text import write_json as write_runway_json
from reerisk.results import PlantInput, PlantProjection

MINUS = "−"  # U+2212, as in `−30`


def project_rows(
    run: Run, plants: Sequence[PlantInput], jobs: int, with_json: bool
) -> tuple[list[str], list[Row]]:
    """Each plant's row and, for JSON output, its `runway`-style JSON line, in input order.

    The workers of `--jobs` build both, so only text and rows travel back.
    """
    by_id = {item.plant.id: item for item in plants}

    def render(projection: PlantProjection) -> tuple[str | None, Row]:
        text = json_plant(projection) if with_json else None
        return text, plant_row(projection, by_id[projection.id])

    plant_json: list[str] = []
    rows: list[Row] = []
    for (text, row), _ in project_all(run, plants, jobs, render):
        if text is not None:
            plant_json.append(text)
        rows.append(row)
    return plant_json, rows


def write_comparison(
    comparison: Comparison,
    scenarios: Sequence[Scenario],
    plant_json: Sequence[str],
    output_format: str,
    stream: TextIO,
) -> None:
    """Render in `output_format` (table, json, csv or markdown) to `stream`."""
    if output_format == "json":
        write_json(plant_json, scenarios, comparison, stream)
    elif output_format == "csv":
        write_csv(comparison, stream)
    elif output_format == "markdown":
        write_markdown(comparison, stream)
    else:
        import sys

        from rich.console import Console

        from reerisk.render.compare_table import print_table

        to_file = stream is not sys.stdout
        console = Console(file=stream, width=120, color_system=None) if to_file else Console()
        print_table(console, comparison)


def delta_text(change: Delta) -> str:
    """`+12`, `−30`, `0`, `=` (neither stocks out), or the change in words."""
    if change.days is None:
        return change.change.replace("_", " ")
    if change.days == 0:
        return "0"
    return f"+{change.days}" if change.days > 0 else f"{MINUS}{-change.days}"


def change_text(change: Delta, runway_days: int | None) -> str:
    """`delta_text`, or `=` when neither run stocks out within its horizon."""
    return "=" if runway_days is None and change.days == 0 else delta_text(change)


def baseline_text(cell: Cell, comparison: Comparison) -> str | None:
    """`vs embargo: +16`, or None for the baseline itself and when there is no baseline."""
    if cell.vs_baseline is None or cell.scenario == comparison.baseline:
        return None
    return f"vs {comparison.baseline}: {change_text(cell.vs_baseline, cell.runway_days)}"


def previous_text(cell: Cell, comparison: Comparison) -> str | None:
    """`since last run: −5`; `new` when the earlier run did not have this plant × scenario."""
    if comparison.against is None:
        return None
    if cell.vs_previous is None:
        return "since last run: new"
    return f"since last run: {change_text(cell.vs_previous, cell.runway_days)}"


def quantity(value: float, unit: str | None) -> str:
    return f"{value:,.0f} pcs" if unit == "pcs" else f"{value:,.1f} {unit or 'kg'}"


def binding_text(cell: Cell) -> str | None:
    """`rotor-ndfeb-ht (Tb, Dy)`: the binding material and its controlled rare earths."""
    if cell.binding_material is None:
        return None
    elements = cell.controlled_elements
    if not elements or elements == (cell.binding_material,):  # `Tb`, not `Tb (Tb)`
        return cell.binding_material
    return f"{cell.binding_material} ({', '.join(elements)})"


def breakeven_rate_text(cell: Cell) -> str:
    return "none" if cell.breakeven_rate is None else percent(cell.breakeven_rate)


def shortfall_text(cell: Cell) -> str | None:
    return quantity(cell.shortfall, cell.unit) if cell.shortfall else None


def detail_lines(cell: Cell, comparison: Comparison) -> list[str]:
    """What a cell shows below its runway."""
    short = shortfall_text(cell)
    lines = [
        binding_text(cell),
        f"break-even {breakeven_rate_text(cell)}",
        f"short {short}" if short else None,
        baseline_text(cell, comparison),
        previous_text(cell, comparison),
    ]
    return [line for line in lines if line]


def appearance_lines(comparison: Comparison) -> list[str]:
    lines = []
    for label, found in (
        ("appeared", comparison.appeared),
        ("disappeared", comparison.disappeared),
    ):
        if found:
            names = ", ".join(f"{a.kind} {a.name}" for a in found)
            lines.append(f"Since {comparison.against}, {label}: {names}.")
    return lines


def gate_lines(comparison: Comparison) -> list[str]:
    lines = []
    for gate in comparison.gates:
        every = list(gate.scenarios) == list(comparison.scenarios)
        watched = "all scenarios" if every else ", ".join(gate.scenarios)
        if gate.tripped:
            # the stderr line's detail, which names the plants and their runways
            detail = gate_message(gate, comparison).split(" tripped: ", 1)[1]
            lines.append(f"Gate {gate.option} {gate.days} ({watched}): tripped by {detail}.")
        else:
            lines.append(f"Gate {gate.option} {gate.days} ({watched}): passed.")
    return lines


def heading(comparison: Comparison) -> str:
    plants = len(comparison.rows)
    sort = f"by {comparison.sort}" if comparison.sort else "by the worst runway"
    text = (
        f"{plants} plant{'' if plants == 1 else 's'} × {len(comparison.scenarios)} "
        f"scenario{'' if len(comparison.scenarios) == 1 else 's'}, "
        f"horizon {comparison.horizon_days} days, shortest runway first ({sort})"
    )
    if comparison.baseline:
        text += f"; changes against {comparison.baseline}"
    if comparison.against:
        text += f"; changes since {comparison.against}"
    return text + "."


LEGEND = (
    "Runway days and stockout date (> H d: none within the horizon); red under 30 d, yellow "
    "under 90 d, green otherwise. Below: the binding material (its controlled rare earths), the "
    "break-even approval rate (none: no rate is enough), the binding material's shortfall, and "
    "the change in runway days (=: no stockout either way)."
)


# --- Markdown -------------------------------------------------------------------------------


def _md_runway(cell: Cell, horizon_days: int) -> str:
    text = runway_text(cell.runway_days, None, horizon_days)
    if cell.runway_days is None:
        return text
    if cell.runway_days < YELLOW_UNDER_DAYS:
        text = f"**{text}**"
    return f"{text} ({cell.stockout_date})"


def write_markdown(comparison: Comparison, stream: TextIO) -> None:
    """A heading and one table, plants as rows: fit for a GitHub job summary."""
    horizon = comparison.horizon_days
    lines = ["## reerisk: days to stockout by scenario", "", heading(comparison), ""]
    header = ["plant", "worst", *comparison.scenarios]
    lines.append("| " + " | ".join(markdown_text(h) for h in header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in comparison.rows:
        worst = row.worst_runway_days
        name = f"<br>{markdown_text(row.name)}" if row.name else ""
        cells = [f"**{markdown_text(row.plant)}**{name}"]
        cells.append(f"{runway_text(worst, None, horizon)} {tier(worst)}")
        for cell in row.cells:
            details = [markdown_text(line) for line in detail_lines(cell, comparison)]
            cells.append("<br>".join([_md_runway(cell, horizon), *details]))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    extra = appearance_lines(comparison) + gate_lines(comparison)
    if extra:
        lines += [*extra, ""]
    lines.append(f"{LEGEND} Bold: under {YELLOW_UNDER_DAYS} days.")
    stream.write("\n".join(lines) + "\n")


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "plant", "worst_runway_days", "scenario", "runway_days", "stockout_date",
    "binding_material", "unit", "controlled_elements", "breakeven_rate", "shortfall",
    "delta_vs_baseline", "change_vs_baseline", "delta_vs_previous", "change_vs_previous",
    "previous_runway_days",
)  # fmt: skip


def write_csv(comparison: Comparison, stream: TextIO) -> None:
    """One row per plant × scenario, plants in the sorted order; empty for null."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in comparison.rows:
        for cell in row.cells:
            record = {"plant": row.plant, "worst_runway_days": row.worst_runway_days}
            record |= {"scenario": cell.scenario} | cell_record(cell)
            record["controlled_elements"] = " ".join(cell.controlled_elements)
            writer.writerow({k: "" if v is None else v for k, v in record.items()})


# --- JSON ------------------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6) + 0.0


def cell_record(cell: Cell) -> dict[str, Any]:
    base, previous = cell.vs_baseline, cell.vs_previous
    return {
        "runway_days": cell.runway_days,
        "stockout_date": None if cell.stockout_date is None else cell.stockout_date.isoformat(),
        "binding_material": cell.binding_material,
        "unit": cell.unit,
        "controlled_elements": list(cell.controlled_elements),
        "breakeven_rate": _round(cell.breakeven_rate),
        "shortfall": _round(cell.shortfall),
        "delta_vs_baseline": base.days if base else None,
        "change_vs_baseline": base.change if base else None,
        "delta_vs_previous": previous.days if previous else None,
        "change_vs_previous": previous.change if previous else None,
        "previous_runway_days": cell.previous_runway_days if previous else None,
    }


def _row_record(row: Row) -> dict[str, Any]:
    return {
        "plant": row.plant,
        "worst_runway_days": row.worst_runway_days,
        "scenarios": {cell.scenario: cell_record(cell) for cell in row.cells},
    }


def _appearance_record(found: Appearance) -> dict[str, str]:
    return {"kind": found.kind, "name": found.name}


def _gate_record(gate: Gate) -> dict[str, Any]:
    return {
        "option": gate.option,
        "days": gate.days,
        "scenarios": list(gate.scenarios),
        "tripped": gate.tripped,
        "breaches": [
            {"plant": b.plant, "scenario": b.scenario, "runway_days": b.runway_days}
            | ({"previous_runway_days": b.previous_runway_days} if gate.option == "--fail-drop"
               else {})
            for b in gate.breaches
        ],
    }  # fmt: skip


def comparison_record(comparison: Comparison) -> dict[str, Any]:
    """The `comparison` block of the JSON output."""
    return {
        "sort": comparison.sort,
        "baseline": comparison.baseline,
        "against": comparison.against,
        "rows": [_row_record(row) for row in comparison.rows],
        "appeared": [_appearance_record(a) for a in comparison.appeared],
        "disappeared": [_appearance_record(a) for a in comparison.disappeared],
        "gates": [_gate_record(g) for g in comparison.gates],
    }


def write_json(
    plants: Iterable[str], scenarios: Sequence[Scenario], comparison: Comparison, stream: TextIO
) -> None:
    """The `runway --format json` document (plants rendered by `json_plant`) plus `comparison`."""
    after = {"comparison": comparison_record(comparison)}
    write_runway_json(plants, scenarios, comparison.horizon_days, stream, after=after)
