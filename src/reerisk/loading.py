"""Files -> models, with every problem mapped to FILE:LINE:COL.

Each file is read as bytes (size limit, UTF-8 with an optional BOM), parsed
by `yamlread` (which keeps positions), then validated piece by piece: each
plant and each scenario on its own, so that one bad plant does not hide the
problems of the next. Cross-references (materials named but not defined,
duplicate plant ids, ...) are checked last. Nothing is raised until every
file has been read: the caller gets all problems at once in `InputError`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reerisk.calendar import has_calendar
from reerisk.chem import suggest_symbol
from reerisk.engine import PlantInput
from reerisk.models import (
    Application,
    Material,
    MaterialId,
    Plant,
    ReferenceData,
    Scenario,
    StandingOrder,
)
from reerisk.yamlread import Document, Path, YamlError, parse_yaml

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_UNION_TAGS = frozenset(
    {"shipment", "application", "standing", "constant", "steps", "fixed", "triangular"}
)
_MATERIAL_ID: TypeAdapter[str] = TypeAdapter(MaterialId)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, at one place."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InputError(Exception):
    """The input files have problems; each is listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the input files")
        self.problems = list(problems)


class UsageError(Exception):
    """A mistake on the command line: a missing file, a bad option value."""


def format_path(path: Path) -> str:
    """`("plants", 0, "supply", 2, "qty")` -> `plants[0].supply[2].qty`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class SourceFile:
    """A parsed file and the problems found in it so far."""

    name: str
    doc: Document
    problems: list[Problem]

    def sorted_problems(self) -> list[Problem]:
        """The problems in the order they stand in the file."""
        return sorted(self.problems, key=lambda problem: (problem.line, problem.column))

    def report(self, path: Path, message: str, *, at_key: bool = False) -> None:
        position = self.doc.locate(path, at_key=at_key)
        self.problems.append(
            Problem(self.name, position.line, position.column, format_path(path), message)
        )

    def validate(self, model: Any, path: Path, *, value: Any = None) -> Any:
        """Validate the value at `path` (or `value`) as `model`; report, return None, on failure."""
        if value is None:
            value = self.doc.value
            for part in path:
                value = value[part]
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_python(value)
            return model.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                self._report_validation(path, error, at_key=model is _MATERIAL_ID)
            return None

    def _report_validation(self, prefix: Path, error: Any, *, at_key: bool) -> None:
        path = _data_path(self.doc.value, (*prefix, *error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        value = error.get("input")
        if error["type"] not in ("missing", "extra_forbidden") and not isinstance(
            value, dict | list
        ):
            shown = repr(value)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            if "got " not in message:
                message += f" (got {shown})"
        self.report(path, message, at_key=at_key or error["type"] == "extra_forbidden")


def _data_path(root: Any, loc: Iterable[Any]) -> Path:
    """Drop pydantic's union-branch names from `loc`, keeping the keys and indexes."""
    path: list[str | int] = []
    value = root
    for part in loc:
        is_key = isinstance(value, dict) and part in value
        if isinstance(part, str) and ("[" in part or part in _UNION_TAGS) and not is_key:
            continue
        path.append(part)
        is_index = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        value = value[part] if is_key or is_index else None
    return tuple(path)


def max_bytes() -> int:
    """The file size limit: 64 MiB, or `REERISK_MAX_BYTES`."""
    raw = os.environ.get("REERISK_MAX_BYTES")
    if raw is None:
        return DEFAULT_MAX_BYTES
    try:
        limit = int(raw)
    except ValueError:
        raise UsageError(
            f"REERISK_MAX_BYTES must be a whole number of bytes, got {raw!r}"
        ) from None
    if limit <= 0:
        raise UsageError(f"REERISK_MAX_BYTES must be positive, got {limit}")
    return limit


def _decode(name: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            [Problem(name, line, column, "", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")]
        ) from None
    return text.removeprefix("\ufeff")


def read_source(filename: str, display_name: str | None = None) -> SourceFile:
    """Read and parse one file. Raises UsageError or InputError."""
    name = display_name or filename
    path = FilePath(filename)
    if not path.exists():
        raise UsageError(f"{name}: no such file")
    if path.is_dir():
        raise UsageError(f"{name}: is a directory, not a file")
    limit = max_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                [
                    Problem(
                        name,
                        1,
                        1,
                        "",
                        f"file is {size} bytes, over the limit of {limit} "
                        "(raise it with REERISK_MAX_BYTES)",
                    )
                ]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror}") from None
    return parse_source(name, data)


def parse_source(name: str, data: bytes) -> SourceFile:
    """Parse bytes already read. Raises InputError."""
    text = _decode(name, data)
    try:
        doc = parse_yaml(text)
    except YamlError as exc:
        position = exc.position
        raise InputError([Problem(name, position.line, position.column, "", exc.message)]) from None
    problems = [
        Problem(name, e.position.line, e.position.column, "", e.message) for e in doc.errors
    ]
    return SourceFile(name, doc, problems)


def _expect_mapping(source: SourceFile, what: str) -> bool:
    if not isinstance(source.doc.value, dict):
        source.report((), f"expected a mapping ({what}), got {type(source.doc.value).__name__}")
        return False
    return True


def _check_keys(source: SourceFile, allowed: Sequence[str], required: Sequence[str]) -> None:
    for key in source.doc.value:
        if key not in allowed:
            match = difflib.get_close_matches(key, allowed, n=1)
            hint = (
                f"; did you mean '{match[0]}'?" if match else f"; expected {' or '.join(allowed)}"
            )
            source.report((key,), f"unknown key '{key}'{hint}", at_key=True)
    for key in required:
        if key not in source.doc.value:
            source.report((), f"missing key '{key}'")


# --- reference data -------------------------------------------------------------------


def packaged_elements_path() -> str:
    """Where the shipped `elements.yaml` lives."""
    return str(resources.files("reerisk") / "data" / "elements.yaml")


def load_reference(filename: str | None, problems: list[Problem]) -> ReferenceData | None:
    """Read `elements.yaml` (the shipped one, or `--elements FILE`)."""
    try:
        source = read_source(filename or packaged_elements_path(), filename or "elements.yaml")
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    reference: ReferenceData | None = source.validate(ReferenceData, ())
    problems.extend(source.sorted_problems())
    return reference


# --- plants ---------------------------------------------------------------------------


def load_plants(
    filenames: Sequence[str], reference: ReferenceData | None, problems: list[Problem]
) -> list[PlantInput]:
    """Read plant files; every plant that passes every check is returned."""
    rare_earths = {e.symbol for e in reference.elements} if reference else set()
    found: list[PlantInput] = []
    first_seen: dict[str, str] = {}
    for filename in filenames:
        try:
            source = read_source(filename)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for path, plant, shared in _plants_in(source, rare_earths):
            key = (*path, "id")
            if plant.id in first_seen:
                source.report(
                    key, f"duplicate plant id '{plant.id}' (first at {first_seen[plant.id]})"
                )
                continue
            position = source.doc.locate(key)
            first_seen[plant.id] = f"{source.name}:{position.line}:{position.column}"
            item = _resolve(source, path, plant, shared, rare_earths)
            if item is not None:
                found.append(item)
        problems.extend(source.sorted_problems())
    return found


def _plants_in(
    source: SourceFile, rare_earths: set[str]
) -> list[tuple[Path, Plant, dict[str, Material]]]:
    """The plants of one file (one plant, or a portfolio), each with the shared materials."""
    if not _expect_mapping(source, "one plant with an id, or a portfolio with plants"):
        return []
    value = source.doc.value
    if "plants" not in value:
        plant = source.validate(Plant, ())
        return [((), plant, {})] if plant is not None else []
    _check_keys(source, ("materials", "plants"), ("plants",))
    shared, shared_ids = _shared_materials(source, value.get("materials"), rare_earths)
    if not isinstance(value["plants"], list) or not value["plants"]:
        source.report(("plants",), "expected a list of one or more plants")
        return []
    plants: list[tuple[Path, Plant, dict[str, Material]]] = []
    for index in range(len(value["plants"])):
        plant = source.validate(Plant, ("plants", index))
        if plant is None:
            continue
        if plant.named_materials() & (shared_ids - set(shared)):
            continue  # it names a shared material that is invalid, which is reported already
        plants.append((("plants", index), plant, shared))
    return plants


def _shared_materials(
    source: SourceFile, raw: Any, rare_earths: set[str]
) -> tuple[dict[str, Material], set[str]]:
    """The file-level materials that are valid, and the ids of all of them, valid or not."""
    if raw is None:
        return {}, set()
    if not isinstance(raw, dict):
        source.report(("materials",), "expected a mapping of material id to material")
        return {}, set()
    valid: dict[str, Material] = {}
    for material_id in raw:
        if source.validate(_MATERIAL_ID, ("materials", material_id), value=material_id) is None:
            continue
        material = source.validate(Material, ("materials", material_id))
        if material is not None:
            valid[material_id] = material
    _check_elementless(source, ("materials",), valid, rare_earths)
    return valid, set(raw)


def _check_elementless(
    source: SourceFile, path: Path, materials: dict[str, Material], rare_earths: set[str]
) -> None:
    for material_id, material in materials.items():
        if material.composition or material_id in rare_earths:
            continue
        guess = suggest_symbol(material_id)
        if guess in rare_earths:
            hint = f"; did you mean '{guess}'?"
        else:
            hint = "; give its composition in mass-%, or name it by a rare-earth symbol such as Dy"
        source.report(
            (*path, material_id),
            f"material '{material_id}' has no composition and is not a rare-earth symbol{hint}",
            at_key=True,
        )


def _named_places(plant: Plant) -> list[tuple[Path, str, bool]]:
    """Every place a plant names a material: (path, material id, path is a key)."""
    places: list[tuple[Path, str, bool]] = []
    for field in ("demand", "inventory", "recovery_days"):
        places += [((field, m), m, True) for m in getattr(plant, field)]
    for index, line in enumerate(plant.lines):
        places += [(("lines", index, "bom", m), m, True) for m in line.bom]
    for index, entry in enumerate(plant.supply):
        places.append((("supply", index, "material"), entry.material, False))
    return places


def _resolve(
    source: SourceFile,
    path: Path,
    plant: Plant,
    shared: dict[str, Material],
    rare_earths: set[str],
) -> PlantInput | None:
    """Cross-check one plant and resolve its materials; None if anything is wrong."""
    before = len(source.problems)
    for material_id in plant.materials:
        if material_id in shared:
            source.report(
                (*path, "materials", material_id),
                f"material '{material_id}' is also defined in the file's shared materials",
                at_key=True,
            )
    _check_elementless(source, (*path, "materials"), plant.materials, rare_earths)
    defined = set(shared) | set(plant.materials)
    for place, material_id, is_key in _named_places(plant):
        if material_id not in defined:
            source.report(
                (*path, *place),
                _undefined_message(material_id, defined, rare_earths),
                at_key=is_key,
            )
    for index, entry in enumerate(plant.supply):
        if isinstance(entry, Application | StandingOrder) and (
            entry.transit_days is None and plant.transit_days is None
        ):
            source.report(
                (*path, "supply", index),
                "transit_days is required here (or set a plant-wide transit_days)",
            )
    if plant.production_days == "workdays":
        if plant.country is None:
            source.report((*path, "production_days"), "production_days: workdays needs a country")
        elif not has_calendar(plant.country):
            source.report(
                (*path, "country"),
                f"no working-day calendar for country '{plant.country}'; "
                "use an ISO 3166 alpha-2 code, or production_days: mon-fri",
            )
    named = plant.named_materials()
    materials = {m: shared[m] for m in shared if m in named}
    materials.update(plant.materials)
    if not materials:
        source.report(path, "a plant needs at least one material (lines, demand or inventory)")
    if len(source.problems) > before:
        return None
    return PlantInput(plant, materials)


def _undefined_message(material_id: str, defined: set[str], rare_earths: set[str]) -> str:
    message = f"material '{material_id}' is not defined"
    guess = suggest_symbol(material_id)
    if material_id in rare_earths:
        return f"{message}; add '{material_id}: {{}}' under materials"
    if guess in rare_earths and guess != material_id:
        return f"{message}; did you mean '{guess}'?"
    match = difflib.get_close_matches(material_id, sorted(defined), n=1)
    if match:
        return f"{message}; did you mean '{match[0]}'?"
    return f"{message}; define it under materials (in the plant or at the top of the file)"


# --- scenarios ------------------------------------------------------------------------


def load_scenarios(filename: str, problems: list[Problem]) -> list[Scenario]:
    """Read a scenarios file: `scenarios:` and a list of scenarios."""
    try:
        source = read_source(filename)
    except InputError as exc:
        problems.extend(exc.problems)
        return []
    scenarios: list[Scenario] = []
    if _expect_mapping(source, "with a 'scenarios' list"):
        _check_keys(source, ("scenarios",), ("scenarios",))
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
