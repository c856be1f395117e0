"""Comparing scenarios plant by plant, against a baseline and an earlier run; CI gates.

Pure: projections and parsed values in, frozen dataclasses out; no files, no Rich.
A picture of one row, for a plant under two scenarios with `--baseline embargo`:

    plant          worst   embargo                  clepa-early-june
    us-eps-brake   70 d    70 d (2025-08-11)        86 d (2025-08-27)
                           brake-ndfeb-block (Dy)   brake-ndfeb-block (Dy)
                                                    +16 vs embargo

How null runways (no stockout within the horizon) compare, for a baseline or an
earlier run (`before`) and this one (`after`):

    before    after     days      change                  shown as
    40        52        +12       longer                  +12
    40        10        -30       shorter                 −30
    40        40        0         same                    0
    null      null      0         same                    =
    40        null      null      no_longer_stocks_out    no longer stocks out
    null      40        null      now_stocks_out          now stocks out

For `--fail-drop`, a plant that now stocks out but did not before has dropped
by an unbounded number of days, so it trips any threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from reerisk.errors import UsageError
from reerisk.options import did_you_mean
from reerisk.previous import Previous
from reerisk.results import PlantInput, PlantProjection, ScenarioResult
from reerisk.supply import element_content

MAX_PLANTS_NAMED = 20  # in a gate's stderr line; the output lists them all

SHORTER, LONGER, SAME = "shorter", "longer", "same"
NOW_STOCKS_OUT, NO_LONGER_STOCKS_OUT = "now_stocks_out", "no_longer_stocks_out"


@dataclass(frozen=True)
class Delta:
    """The change of a runway from `before` to `after`, in days (see the module's table)."""

    days: int | None
    change: str

    @property
    def drop_days(self) -> float:
        """How many days shorter the runway became: 0 if not shorter, inf if it now stocks out."""
        if self.change == NOW_STOCKS_OUT:
            return math.inf
        return float(-self.days) if self.days is not None and self.days < 0 else 0.0


def delta(before: int | None, after: int | None) -> Delta:
    """`after` compared with `before`; None is no stockout within the horizon."""
    if before is None and after is None:
        return Delta(0, SAME)
    if before is None:
        return Delta(None, NOW_STOCKS_OUT)
    if after is None:
        return Delta(None, NO_LONGER_STOCKS_OUT)
    days = after - before
    return Delta(days, SHORTER if days < 0 else LONGER if days > 0 else SAME)


@dataclass(frozen=True)
class Cell:
    """A plant under one scenario: runway, what binds it, and how it changed."""

    scenario: str
    runway_days: int | None
    stockout_date: date | None
    binding_material: str | None
    unit: str | None  # the binding material's unit
    controlled_elements: tuple[str, ...]  # controlled rare earths in the binding material
    breakeven_rate: float | None
    shortfall: float | None  # of the binding material, in its unit; None when none binds
    vs_baseline: Delta | None = None
    vs_previous: Delta | None = None
    previous_runway_days: int | None = None  # meaningful only when vs_previous is set


@dataclass(frozen=True)
class Row:
    """One plant across the shown scenarios."""

    plant: str
    name: str
    cells: tuple[Cell, ...]

    @property
    def worst_runway_days(self) -> int | None:
        known = [c.runway_days for c in self.cells if c.runway_days is not None]
        return min(known) if known else None

    def cell(self, scenario: str) -> Cell:
        return next(c for c in self.cells if c.scenario == scenario)


def plant_row(projection: PlantProjection, item: PlantInput) -> Row:
    """A plant's row from its projection and its materials (for their composition)."""
    return Row(projection.id, projection.name, tuple(_cell(r, item) for r in projection.results))


def _cell(result: ScenarioResult, item: PlantInput) -> Cell:
    binding = next((m for m in result.materials if m.id == result.binding_material), None)
    elements: tuple[str, ...] = ()
    if binding is not None:
        content = element_content(binding.id, item.materials[binding.id])
        elements = tuple(
            e.symbol for e in result.elements if e.controlled and content.get(e.symbol, 0) > 0
        )
    return Cell(
        scenario=result.scenario,
        runway_days=result.runway_days,
        stockout_date=result.stockout_date,
        binding_material=result.binding_material,
        unit=binding.unit if binding else None,
        controlled_elements=elements,
        breakeven_rate=result.breakeven_rate,
        shortfall=binding.shortfall if binding else None,
    )


def sort_rows(rows: Iterable[Row], by_scenario: str | None = None) -> list[Row]:
    """Shortest runway first (the worst across scenarios, or one scenario's); nulls last.

    Ties go by plant id.
    """

    def key(row: Row) -> tuple[bool, int, str]:
        days = row.worst_runway_days if by_scenario is None else row.cell(by_scenario).runway_days
        return (days is None, days or 0, row.plant)

    return sorted(rows, key=key)


def with_baseline(rows: Iterable[Row], baseline: str) -> list[Row]:
    """Each cell gains its change against the same plant under `baseline`."""
    changed = []
    for row in rows:
        base = row.cell(baseline).runway_days
        cells = tuple(replace(c, vs_baseline=delta(base, c.runway_days)) for c in row.cells)
        changed.append(replace(row, cells=cells))
    return changed


@dataclass(frozen=True)
class Appearance:
    """A plant or scenario found in only one of this run and the earlier one."""

    kind: str  # "plant" | "scenario"
    name: str


def with_previous(
    rows: Iterable[Row], scenarios: Sequence[str], previous: Previous, horizon_days: int
) -> tuple[list[Row], list[Appearance], list[Appearance]]:
    """Cells gain their change since `previous`; also what appeared and what disappeared.

    When the two runs have different horizons, both runways are compared on the
    shorter one: a runway past it is not known in one of the runs, so it
    counts as "no stockout" in both rather than as a change.
    """
    common = min(horizon_days, previous.horizon_days or horizon_days)
    changed = []
    for row in rows:
        cells = tuple(_since(c, previous.runways, row.plant, common) for c in row.cells)
        changed.append(replace(row, cells=cells))
    plants = [row.plant for row in changed]
    appeared = _only_in(plants, previous.plants, "plant")
    appeared += _only_in(scenarios, previous.scenarios, "scenario")
    disappeared = _only_in(previous.plants, plants, "plant")
    disappeared += _only_in(previous.scenarios, scenarios, "scenario")
    return changed, appeared, disappeared


def _since(
    cell: Cell, runways: Mapping[tuple[str, str], int | None], plant: str, common_days: int
) -> Cell:
    if (plant, cell.scenario) not in runways:
        return cell
    before = runways[(plant, cell.scenario)]
    change = delta(_within(before, common_days), _within(cell.runway_days, common_days))
    return replace(cell, vs_previous=change, previous_runway_days=before)


def _within(runway_days: int | None, horizon_days: int) -> int | None:
    return None if runway_days is None or runway_days >= horizon_days else runway_days


def _only_in(names: Iterable[str], others: Iterable[str], kind: str) -> list[Appearance]:
    known = set(others)
    return [Appearance(kind, name) for name in names if name not in known]


@dataclass(frozen=True)
class Breach:
    """One plant under one scenario that trips a gate."""

    plant: str
    scenario: str
    runway_days: int | None
    previous_runway_days: int | None = None


@dataclass(frozen=True)
class Gate:
    """A CI gate: `--fail-under DAYS` or `--fail-drop DAYS`, and what trips it."""

    option: str  # "--fail-under" | "--fail-drop"
    days: int
    scenarios: tuple[str, ...]  # the scenarios it watches
    breaches: tuple[Breach, ...]

    @property
    def tripped(self) -> bool:
        return bool(self.breaches)


def fail_under_gate(rows: Sequence[Row], days: int, scenarios: Sequence[str]) -> Gate:
    """Trips on a runway under `days` (a null runway never trips it, as in `runway`)."""
    breaches = [
        Breach(row.plant, c.scenario, c.runway_days)
        for row in rows
        for c in row.cells
        if c.scenario in scenarios and c.runway_days is not None and c.runway_days < days
    ]
    return Gate("--fail-under", days, tuple(scenarios), tuple(breaches))


def fail_drop_gate(rows: Sequence[Row], days: int, scenarios: Sequence[str]) -> Gate:
    """Trips on a runway that dropped by more than `days` since the earlier run."""
    breaches = [
        Breach(row.plant, c.scenario, c.runway_days, c.previous_runway_days)
        for row in rows
        for c in row.cells
        if c.scenario in scenarios and c.vs_previous and c.vs_previous.drop_days > days
    ]
    return Gate("--fail-drop", days, tuple(scenarios), tuple(breaches))


def gate_message(gate: Gate, comparison: Comparison) -> str:
    """`gate --fail-under 60 tripped: us-eps-brake (clepa-early-june: 43 d), …`.

    At most MAX_PLANTS_NAMED plants are named, then `… and N more plants`.
    """
    horizon = comparison.horizon_days
    by_plant: dict[str, list[str]] = {}
    for breach in gate.breaches:
        now = _days(breach.runway_days, horizon)
        if gate.option == "--fail-drop":
            before = _days(breach.previous_runway_days, comparison.previous_horizon_days or horizon)
            now = f"{before} → {now}"
        by_plant.setdefault(breach.plant, []).append(f"{breach.scenario}: {now}")
    named = list(by_plant.items())[:MAX_PLANTS_NAMED]
    text = ", ".join(f"{plant} ({'; '.join(cells)})" for plant, cells in named)
    if len(by_plant) > MAX_PLANTS_NAMED:
        text += f", … and {len(by_plant) - MAX_PLANTS_NAMED} more plants"
    return f"gate {gate.option} {gate.days} tripped: {text}"


def _days(runway_days: int | None, horizon_days: int) -> str:
    return f"> {horizon_days} d" if runway_days is None else f"{runway_days} d"


@dataclass(frozen=True)
class Comparison:
    """Everything a renderer shows: sorted rows, what they were compared with, the gates."""

    rows: Sequence[Row]
    scenarios: Sequence[str]
    horizon_days: int
    sort: str | None = None  # a scenario's name, or None for the worst across scenarios
    baseline: str | None = None
    against: str | None = None  # the earlier output's file name
    previous_horizon_days: int | None = None
    appeared: Sequence[Appearance] = ()
    disappeared: Sequence[Appearance] = ()
    gates: Sequence[Gate] = ()


def check_gate_options(
    fail_under: int | None, fail_drop: int | None, fail_scenarios: Sequence[str], against: object
) -> None:
    """Gate options that make no sense together, before anything is loaded."""
    if fail_drop is not None and against is None:
        raise UsageError("--fail-drop needs --against PREVIOUS.json, the run to compare with")
    if fail_drop is not None and fail_drop < 0:
        raise UsageError(f"--fail-drop {fail_drop}: must be 0 days or more")
    if fail_scenarios and fail_under is None and fail_drop is None:
        raise UsageError("--fail-scenario narrows --fail-under and --fail-drop: give one of them")


def check_scenario_names(
    names: Sequence[str], sort: str | None, baseline: str | None, fail_scenarios: Sequence[str]
) -> None:
    """`--sort`, `--baseline` and `--fail-scenario` must name scenarios of this run."""
    named = [("--sort", sort), ("--baseline", baseline)]
    named += [("--fail-scenario", name) for name in fail_scenarios]
    for option, name in named:
        if name is not None and name not in names:
            raise UsageError(
                f"{option} {name!r} is not a scenario of this run{did_you_mean(name, names)}; "
                f"it has: {', '.join(names)}"
            )


def build_comparison(
    rows: Iterable[Row],
    scenarios: Sequence[str],
    horizon_days: int,
    *,
    sort: str | None = None,
    baseline: str | None = None,
    previous: Previous | None = None,
    against: str | None = None,
    fail_under: int | None = None,
    fail_drop: int | None = None,
    fail_scenarios: Sequence[str] = (),
) -> Comparison:
    """Deltas, order and gates for the rows of one run."""
    found = list(rows)
    if baseline is not None:
        found = with_baseline(found, baseline)
    appeared: list[Appearance] = []
    disappeared: list[Appearance] = []
    if previous is not None:
        found, appeared, disappeared = with_previous(found, scenarios, previous, horizon_days)
    found = sort_rows(found, sort)
    watched = list(dict.fromkeys(fail_scenarios)) or list(scenarios)
    gates = []
    if fail_under is not None:
        gates.append(fail_under_gate(found, fail_under, watched))
    if fail_drop is not None:
        gates.append(fail_drop_gate(found, fail_drop, watched))
    return Comparison(
        rows=found,
        scenarios=scenarios,
        horizon_days=horizon_days,
        sort=sort,
        baseline=baseline,
        against=against,
        previous_horizon_days=previous.horizon_days if previous else None,
        appeared=appeared,
        disappeared=disappeared,
        gates=gates,
    )
