"""`reerisk elements`: the rare earths and the regimes in force on a date."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from reerisk.models import ReferenceData, Regime

if TYPE_CHECKING:
    from rich.console import Console


def regime_status(regime: Regime, day: date) -> str:
    """`in force`, `suspended`, `not yet in force` or `ended`, on `day`."""
    if day < regime.effective:
        return "not yet in force"
    if regime.ended is not None and day >= regime.ended:
        return "ended"
    return "in force" if regime.in_force(day) else "suspended"


def reference_records(reference: ReferenceData, day: date) -> dict[str, Any]:
    in_force = [r for r in reference.regimes if r.in_force(day)]
    elements = []
    for element in sorted(reference.elements, key=lambda e: e.z):
        by = [r.id for r in in_force if element.symbol in r.elements]
        elements.append(
            {"symbol": element.symbol, "name": element.name, "z": element.z,
             "group": element.group, "controlled": bool(by), "regimes": by,
             "notes": element.notes}
        )  # fmt: skip
    regimes = [
        regime.model_dump(mode="json", by_alias=True) | {"status": regime_status(regime, day)}
        for regime in reference.regimes
    ]
    return {"date": day.isoformat(), "elements": elements, "regimes": regimes}


def render_reference(reference: ReferenceData, day: date, output_format: str) -> str:
    """JSON, CSV or Markdown text of the elements and regimes on `day`."""
    records = reference_records(reference, day)
    if output_format == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        columns = ["symbol", "name", "z", "group", "controlled", "regimes"]
        writer = csv.DictWriter(
            buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        for row in records["elements"]:
            controlled = "true" if row["controlled"] else "false"
            writer.writerow(row | {"regimes": " ".join(row["regimes"]), "controlled": controlled})
        return buffer.getvalue()
    if output_format == "markdown":
        lines = [f"Export controls on {day}", "", "| element | name | Z | group | controlled by |",
                 "|---|---|---|---|---|"]  # fmt: skip
        for row in records["elements"]:
            by = ", ".join(row["regimes"]) or "—"
            lines.append(
                f"| {row['symbol']} | {row['name']} | {row['z']} | {row['group']} | {by} |"
            )
        lines += ["", "| regime | status | effective | elements |", "|---|---|---|---|"]
        for regime in records["regimes"]:
            lines.append(
                f"| {regime['id']} | {regime['status']} | {regime['effective']} | "
                f"{' '.join(regime['elements'])} |"
            )
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {output_format!r}")


def print_reference(console: Console, reference: ReferenceData, day: date) -> None:
    """Rich tables of the elements and regimes on `day`."""
    from rich.table import Table

    records = reference_records(reference, day)
    elements = Table(title=f"Rare earths on {records['date']}", title_justify="left")
    for name in ("element", "name", "Z", "group", "controlled by"):
        elements.add_column(name)
    for row in records["elements"]:
        by = ", ".join(row["regimes"])
        elements.add_row(row["symbol"], row["name"], str(row["z"]), row["group"],
                         f"[red]{by}[/]" if by else "[green]—[/]")  # fmt: skip
    regimes = Table(title="Regimes", title_justify="left")
    for name in ("regime", "status", "effective", "suspended", "elements", "source"):
        regimes.add_column(name, overflow="fold")
    for regime in records["regimes"]:
        windows = ", ".join(f"{w['from']}..{w['until']}" for w in regime["suspended"])
        regimes.add_row(regime["id"], regime["status"], regime["effective"], windows or "—",
                        " ".join(regime["elements"]), regime["source"])  # fmt: skip
    console.print(elements)
    console.print(regimes)
    for regime in records["regimes"]:
        if regime["notes"]:
            console.print(f"[bold]{regime['id']}[/]: {regime['notes']}", highlight=False)
