"""JSON, CSV and Markdown: plain text with no markup and no colour."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from reerisk import __version__
from reerisk.models import Scenario
from reerisk.render.records import CSV_COLUMNS, csv_rows, plant_record, scenario_record
from reerisk.render.summary import breakeven_text, runway_text
from reerisk.results import PlantProjection, ScenarioResult


def json_plant(projection: PlantProjection) -> str:
    """One plant as one JSON line: json's C encoder works only without indent, ~10x faster."""
    return json.dumps(plant_record(projection), ensure_ascii=False, allow_nan=False)


def write_json(
    plants: Iterable[str],
    scenarios: Sequence[Scenario],
    horizon_days: int,
    stream: TextIO,
    after: dict[str, Any] | None = None,
    head: dict[str, Any] | None = None,
) -> None:
    """One JSON document from plants already rendered by `json_plant`, written as they come.

    The head is indented; each plant is one line, for `grep` and for speed.
    `after` holds further top-level keys, written after the plants, one line each;
    `head` further keys written before the scenarios.
    """
    top = {"reerisk": __version__, "horizon_days": horizon_days, **(head or {})}
    top["scenarios"] = [scenario_record(s) for s in scenarios]
    stream.write(json.dumps(top, indent=2, ensure_ascii=False, allow_nan=False)[:-2])
    stream.write(',\n  "plants": [')
    separator = "\n"
    for plant in plants:
        stream.write(f"{separator}    {plant}")
        separator = ",\n"
    stream.write("\n  ]")
    for key, value in (after or {}).items():
        block = json.dumps(value, ensure_ascii=False, allow_nan=False)
        stream.write(f",\n  {json.dumps(key)}: {block}")
    stream.write("\n}\n")


def csv_plant(projection: PlantProjection) -> str:
    """A plant's CSV rows, one per scenario x material, without the header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    for row in csv_rows(projection):
        writer.writerow({k: csv_value(v) for k, v in row.items()})
    return buffer.getvalue()


def write_csv(plants: Iterable[str], stream: TextIO) -> None:
    """The header, then each plant's rows as rendered by `csv_plant`."""
    csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n").writeheader()
    for rows in plants:
        stream.write(rows)


def csv_value(value: object) -> object:
    """Empty for null, `true`/`false` as in the JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# `>` and `#` matter only at the start of a line, where user text never stands.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<|"} | {"\n": " ", "\r": " "})


def markdown_text(text: str) -> str:
    """User text (ids, names, scenarios) as literal Markdown: no emphasis, links or cells."""
    return text.translate(_MARKDOWN_SPECIAL)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def write_markdown(
    projections: Iterable[PlantProjection], horizon_days: int, stream: TextIO
) -> None:
    """A section per plant: its material table and its element table."""
    for projection in projections:
        lines: list[str] = []
        results = projection.results
        title = markdown_text(projection.id)
        if projection.name:
            title += f" — {markdown_text(projection.name)}"
        lines += [f"## {title}", "", f"As of {projection.as_of}, horizon {horizon_days} days.", ""]
        header = ["material", "unit", *(markdown_text(r.scenario) for r in results), "break-even"]
        rows = []
        for index, material in enumerate(results[0].materials if results else ()):
            per = [r.materials[index] for r in results]
            rows.append(
                [markdown_text(material.id), material.unit]
                + [
                    runway_text(m.runway_days, m.stockout_date, horizon_days, exposed=m.exposed)
                    for m in per
                ]
                + [breakeven_text([m.breakeven_rate for m in per])]
            )
        rows.append(_plant_row(results, horizon_days))
        lines += [*markdown_table(header, rows), ""]
        lines += _element_lines(results, horizon_days)
        stream.write("\n".join(lines) + "\n")
    stream.write(
        "`*` runs out before its recovery_days. break-even: the constant approval rate "
        "with no short day; none: no rate is enough.\n"
    )


def _plant_row(results: Sequence[ScenarioResult], horizon_days: int) -> list[str]:
    cells = []
    for r in results:
        text = runway_text(r.runway_days, r.stockout_date, horizon_days)
        binding = f" ({markdown_text(r.binding_material)})" if r.binding_material else ""
        cells.append(f"**{text}**" + binding)
    return ["**plant**", "", *cells, breakeven_text([r.breakeven_rate for r in results])]


def _element_lines(results: Sequence[ScenarioResult], horizon_days: int) -> list[str]:
    if not results or not results[0].elements:
        return []
    header = ["element", "controlled", "kg/day", "stock kg"]
    header += [markdown_text(r.scenario) for r in results]
    rows = []
    for index, element in enumerate(results[0].elements):
        rows.append(
            [element.symbol, "yes" if element.controlled else "no",
             f"{element.demand_kg_per_day:,.3f}", f"{element.stock_kg:,.1f}"]
            + [runway_text(r.elements[index].runway_days, None, horizon_days) for r in results]
        )  # fmt: skip
    return [*markdown_table(header, rows), ""]
