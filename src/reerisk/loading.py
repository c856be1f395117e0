"""Files -> models: reference data, plants and scenarios, with every problem at FILE:LINE:COL.

Each plant and each scenario is validated on its own, so that one bad plant
does not hide the problems of the next; cross-references are checked on the
raw mapping (`crossref`). Nothing is raised until every file has been read:
the caller gets all problems at once in `InputError`.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any

from pydantic import TypeAdapter

from reerisk.crossref import check_materials, check_plant
from reerisk.errors import InputError, Problem
from reerisk.models import Material, MaterialId, Plant, ReferenceData, Scenario
from reerisk.results import PlantInput
from reerisk.sources import SourceFile, check_keys, expect_mapping, read_source
from reerisk.yamlread import Path

_MATERIAL_ID: TypeAdapter[str] = TypeAdapter(MaterialId)
FirstSeen = dict[str, tuple[SourceFile, Path]]  # plant id -> where it was first defined


def _read(filename: str, problems: list[Problem], **options: Any) -> SourceFile | None:
    try:
        return read_source(filename, **options)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Load with Python's cyclic garbage collector paused, then keep what was loaded from it.

    Loading builds millions of small objects and no cycles worth collecting: the
    collector would walk them over and over (more than half the load time at
    10 000 plants). Afterwards they are frozen out of its sight, which also keeps
    forked `--jobs` workers from copying them. A process-wide setting: for the
    CLI and the benchmarks, not for a library caller's own code.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


# --- reference data -------------------------------------------------------------------


def packaged_elements_path() -> str:
    """Where the shipped `elements.yaml` lives."""
    return str(resources.files("reerisk") / "data" / "elements.yaml")


def load_reference(filename: str | None, problems: list[Problem]) -> ReferenceData | None:
    """Read `elements.yaml`: the shipped one, or `--elements FILE`."""
    if filename is None:
        source = _read(packaged_elements_path(), problems, name="elements.yaml", shipped=True)
    else:
        source = _read(filename, problems)
    if source is None:
        return None
    reference: ReferenceData | None = source.validate(ReferenceData, ())
    problems.extend(source.sorted_problems())
    return reference


# --- plants ---------------------------------------------------------------------------


def load_plants(
    filenames: Sequence[str], reference: ReferenceData | None, problems: list[Problem]
) -> list[PlantInput]:
    """Read plant files; every plant that passes every check is returned."""
    rare_earths = {e.symbol for e in reference.elements} if reference else None
    found: list[PlantInput] = []
    first_seen: FirstSeen = {}
    for filename in filenames:
        source = _read(filename, problems)
        if source is None:
            continue
        for plant, shared in _plants_in(source, rare_earths, first_seen):
            if plant is not None:
                named = plant.named_materials()
                materials = {m: shared[m] for m in shared if m in named}
                materials.update(plant.materials)
                found.append(PlantInput(plant, materials))
        problems.extend(source.sorted_problems())
    return found


def _plants_in(
    source: SourceFile, rare_earths: set[str] | None, first_seen: FirstSeen
) -> list[tuple[Plant | None, dict[str, Material]]]:
    """Each plant of one file (None where it has problems), with the valid shared materials."""
    if not expect_mapping(source, "one plant with an id, or a portfolio with plants"):
        return []
    value = source.doc.value
    if "plants" not in value and "id" not in value:
        if "scenarios" in value:
            source.report((), "this is a scenarios file; pass it with --scenarios FILE")
            return []
        for key in value:
            if difflib.get_close_matches(key, ["plants"], n=1):
                source.report((key,), f"unknown key '{key}'; did you mean 'plants'?", at_key=True)
                return []
    if "plants" not in value:
        return [_one_plant(source, (), value, {}, set(), rare_earths, first_seen)]
    check_keys(source, ("materials", "plants"), ("plants",))
    raw_shared = value.get("materials")
    shared = _shared_materials(source, raw_shared, rare_earths)
    shared_ids = set(raw_shared) if isinstance(raw_shared, dict) else set()
    listed = value["plants"]
    if not isinstance(listed, list) or not listed:
        source.report(("plants",), "expected a list of one or more plants")
        return []
    return [
        _one_plant(source, ("plants", index), raw, shared, shared_ids, rare_earths, first_seen)
        for index, raw in enumerate(listed)
    ]


def _one_plant(
    source: SourceFile,
    path: Path,
    raw: Any,
    shared: dict[str, Material],
    shared_ids: set[str],
    rare_earths: set[str] | None,
    first_seen: FirstSeen,
) -> tuple[Plant | None, dict[str, Material]]:
    plant: Plant | None = source.validate(Plant, path)
    plant_id = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(plant_id, str):
        if plant_id in first_seen:
            earlier, earlier_path = first_seen[plant_id]
            where = earlier.doc.locate((*earlier_path, "id"))
            message = (
                f"duplicate plant id '{plant_id}' "
                f"(first at {earlier.name}:{where.line}:{where.column})"
            )
            source.report((*path, "id"), message)
            plant = None
        else:
            first_seen[plant_id] = (source, path)  # located only if it is repeated
    invalid_shared = shared_ids - set(shared)
    fields_valid = plant is not None
    if not check_plant(
        source, path, raw, shared_ids, invalid_shared, rare_earths, fields_valid=fields_valid
    ):
        plant = None
    return plant, shared


def _shared_materials(
    source: SourceFile, raw: Any, rare_earths: set[str] | None
) -> dict[str, Material]:
    """The file-level materials that are valid; each problem is reported."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        source.report(("materials",), "expected a mapping of material id to material")
        return {}
    valid: dict[str, Material] = {}
    for material_id in raw:
        path = ("materials", material_id)
        if source.validate(_MATERIAL_ID, path, value=material_id, at_key=True) is None:
            continue
        material = source.validate(Material, path)
        if material is not None:
            valid[material_id] = material
    check_materials(source, ("materials",), raw, rare_earths)
    return valid


# --- scenarios ------------------------------------------------------------------------


def load_scenarios(filename: str, problems: list[Problem]) -> list[Scenario]:
    """Read a scenarios file: `scenarios:` and a list of scenarios."""
    source = _read(filename, problems)
    if source is None:
        return []
    scenarios: list[Scenario] = []
    if expect_mapping(source, "with a 'scenarios' list"):
        if "scenarios" not in source.doc.value and (
            "plants" in source.doc.value or "id" in source.doc.value
        ):
            source.report((), "this is a plant file, not a scenarios file")
            problems.extend(source.sorted_problems())
            return []
        check_keys(source, ("scenarios",), ("scenarios",))
        listed = source.doc.value.get("scenarios")
        if "scenarios" in source.doc.value and (not isinstance(listed, list) or not listed):
            source.report(("scenarios",), "expected a list of one or more scenarios")
        elif isinstance(listed, list):
            scenarios = _each_scenario(source, listed)
    problems.extend(source.sorted_problems())
    return scenarios


def _each_scenario(source: SourceFile, listed: list[Any]) -> list[Scenario]:
    scenarios: list[Scenario] = []
    first_seen: dict[str, int] = {}
    for index in range(len(listed)):
        scenario: Scenario | None = source.validate(Scenario, ("scenarios", index))
        if scenario is None:
            continue
        if scenario.name in first_seen:
            line = source.doc.locate(("scenarios", first_seen[scenario.name], "name")).line
            source.report(
                ("scenarios", index, "name"),
                f"duplicate scenario name '{scenario.name}' (first on line {line})",
            )
            continue
        first_seen[scenario.name] = index
        scenarios.append(scenario)
    return scenarios
