"""`simulate` as JSON, CSV and Markdown: plain text, no markup, no colour.

A percentile runway is written as `p10` (days, null beyond the horizon) and
`p10_date`; a `--percentile` other than 10, 50 or 90 adds its own pair, such
as `p2.5` and `p2.5_date`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from reerisk.montecarlo import SimulationRun
from reerisk.odds import MaterialOdds, Odds, PlantOdds, ScenarioOdds, day_of, percentile_label
from reerisk.render.records import DECIMALS
from reerisk.render.summary import runway_text
from reerisk.render.text import csv_value, markdown_table, markdown_text, write_json


def percentile_key(q: float) -> str:
    """`p10`, `p2.5`: the JSON key and CSV column of a percentile."""
    return f"p{percentile_label(q)}"


def probability_text(p: float) -> str:
    """A share of trials as a percentage that never rounds a possibility away.

    0.9995 shows as `>99.9%`, not `100.0%`; 0.0004 as `<0.1%`, not `0.0%`.
    """
    if 0 < p < 0.001:
        return "<0.1%"
    if 0.999 < p < 1:
        return ">99.9%"
    return f"{p:.1%}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS) + 0.0


def odds_record(odds: Odds, as_of: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"p_stockout": _round(odds.p_stockout)}
    for q, days in odds.percentiles:
        key = percentile_key(q)
        record[key] = days
        stockout = day_of(as_of, days)
        record[f"{key}_date"] = None if stockout is None else stockout.isoformat()
    record["mean_short_days"] = _round(odds.mean_short_days)
    record["mean_unmet"] = _round(odds.mean_unmet)
    return record


def _material_record(material: MaterialOdds, as_of: Any) -> dict[str, Any]:
    stockout = day_of(as_of, material.runway_days)
    return {
        "id": material.id,
        "unit": material.unit,
        "runway_days": material.runway_days,
        "stockout_date": None if stockout is None else stockout.isoformat(),
    } | odds_record(material.odds, as_of)


def _result_record(result: ScenarioOdds, as_of: Any) -> dict[str, Any]:
    stockout = day_of(as_of, result.runway_days)
    return (
        {
            "scenario": result.scenario,
            "runway_days": result.runway_days,
            "stockout_date": None if stockout is None else stockout.isoformat(),
            "binding_material": result.binding_material,
        }
        | odds_record(result.odds, as_of)
        | {"materials": [_material_record(m, as_of) for m in result.materials]}
    )


def plant_record(plant: PlantOdds) -> dict[str, Any]:
    return {
        "id": plant.id,
        "name": plant.name,
        "as_of": plant.as_of.isoformat(),
        "results": [_result_record(r, plant.as_of) for r in plant.results],
    }


def write_simulation_json(plants: Iterable[PlantOdds], run: SimulationRun, stream: TextIO) -> None:
    """The `runway` envelope, with the run's trials, seed and percentiles in its head."""
    lines = (json.dumps(plant_record(p), ensure_ascii=False, allow_nan=False) for p in plants)
    head = {"trials": run.trials, "seed": run.seed, "percentiles": list(run.percentiles)}
    write_json(lines, run.scenarios, run.horizon_days, stream, head=head)


def csv_columns(percentiles: Sequence[float]) -> list[str]:
    named = [c for q in percentiles for c in (percentile_key(q), f"{percentile_key(q)}_date")]
    return [
        "plant", "scenario", "material", "unit", "runway_days", "stockout_date",
        "p_stockout", *named, "mean_short_days", "mean_unmet",
    ]  # fmt: skip


def write_simulation_csv(plants: Iterable[PlantOdds], run: SimulationRun, stream: TextIO) -> None:
    """One row per plant × scenario × material, named as in the JSON."""
    writer = csv.DictWriter(stream, fieldnames=csv_columns(run.percentiles), lineterminator="\n")
    writer.writeheader()
    for plant in plants:
        for result in plant.results:
            for material in result.materials:
                record = _material_record(material, plant.as_of)
                row = {"plant": plant.id, "scenario": result.scenario, "material": record.pop("id")}
                writer.writerow({k: csv_value(v) for k, v in (row | record).items()})


def write_simulation_markdown(
    plants: Iterable[PlantOdds], run: SimulationRun, stream: TextIO
) -> None:
    """One table: a row per plant × scenario."""
    horizon = run.horizon_days
    named = [f"P{percentile_label(q)}" for q in run.percentiles]
    header = ["plant", "scenario", "expected", "P(stockout)", *named, "mean short days"]
    header.append("mean unmet")
    rows = []
    for plant in plants:
        for result in plant.results:
            odds = result.odds
            unit = result.materials[0].unit if result.materials else ""
            rows.append(
                [plant.id, markdown_text(result.scenario),
                 runway_text(result.runway_days, day_of(plant.as_of, result.runway_days), horizon),
                 probability_text(odds.p_stockout)]
                + [runway_text(d, day_of(plant.as_of, d), horizon) for _, d in odds.percentiles]
                + [f"{odds.mean_short_days:,.1f}",
                   "mixed units" if odds.mean_unmet is None else f"{odds.mean_unmet:,.0f} {unit}"]
            )  # fmt: skip
    buffer = io.StringIO()
    buffer.write("\n".join(markdown_table(header, rows)) + "\n\n")
    buffer.write(legend(run) + "\n")
    stream.write(buffer.getvalue())


def legend(run: SimulationRun) -> str:
    """What the columns mean, for the table and Markdown."""
    return (
        f"{run.trials:,} trials, seed {run.seed}. expected: the deterministic runway "
        "(rate × quantity lands). In a trial each reviewed licence is granted whole with "
        "probability rate, or refused. P(stockout): share of trials with a short day within "
        f"{run.horizon_days} days. P10: 10 % of trials run out on or before this day "
        "(nearest rank). short days and unmet: means over the trials; per-material figures "
        "are in --format json and csv."
    )
