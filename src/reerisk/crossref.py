"""Checks that span a plant: names that must be defined, defaults that must exist.

They run on the raw mapping, not on the validated model, so a plant with a bad
quantity still gets its undefined materials reported in the same run:

    materials: {Dy: {}}
    inventory: {Dy: -1, Tb: 5}     ->  inventory.Dy: must be >= 0
                                       inventory.Tb: material 'Tb' is not defined
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from reerisk.calendar import has_calendar
from reerisk.chem import suggest_symbol
from reerisk.models import SUPPLY_KINDS, supply_kind
from reerisk.sources import SourceFile
from reerisk.yamlread import Path

if TYPE_CHECKING:
    from reerisk.models import Scenario
    from reerisk.results import PlantInput

_COUNTRY = re.compile(r"[A-Z]{2}\Z")
_NEEDS_TRANSIT = ("filed", "every_days", "first_filed")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _entries(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                yield index, entry


def named_places(raw: dict[str, Any]) -> list[tuple[Path, str, bool]]:
    """Every place a plant names a material: (path, material id, whether the path is a key)."""
    places: list[tuple[Path, str, bool]] = []
    for field in ("demand", "inventory", "recovery_days"):
        places += [((field, m), m, True) for m in _mapping(raw.get(field))]
    for index, line in _entries(raw.get("lines")):
        places += [(("lines", index, "bom", m), m, True) for m in _mapping(line.get("bom"))]
    for index, entry in _entries(raw.get("supply")):
        if isinstance(entry.get("material"), str):
            places.append((("supply", index, "material"), entry["material"], False))
    return places


def check_materials(
    source: SourceFile, path: Path, materials: dict[str, Any], rare_earths: set[str] | None
) -> None:
    """Materials as a whole: rare-earth names, and compositions that look like fractions.

    `rare_earths` is None when the reference data could not be read: then
    nothing is known to be a rare earth, and that check is skipped.
    """
    for material_id, material in materials.items():
        if not isinstance(material, dict):
            continue
        composition = material.get("composition")
        if composition:
            _check_fractions(source, (*path, material_id, "composition"), composition)
        elif rare_earths is not None and material_id not in rare_earths:
            guess = suggest_symbol(material_id)
            if guess in rare_earths:
                hint = f"; did you mean '{guess}'?"
            else:
                hint = (
                    "; give its composition in mass-%, or name it by a rare-earth symbol such as Dy"
                )
            source.report(
                (*path, material_id),
                f"material '{material_id}' has no composition and is not a rare-earth symbol{hint}",
                at_key=True,
            )


def _check_fractions(source: SourceFile, path: Path, composition: Any) -> None:
    """Several shares adding up to 1 or less were most likely written as fractions."""
    if not isinstance(composition, dict):
        return
    shares = [v for v in composition.values() if isinstance(v, int | float) and v > 0]
    if len(shares) >= 2 and sum(shares) <= 1.0 + 1e-9:
        source.report(
            path,
            f"composition adds up to {sum(shares):g} %: values are mass-% (3.5 means 3.5 %), "
            "not fractions",
            warning=True,
        )


def check_plant(
    source: SourceFile,
    path: Path,
    raw: Any,
    shared_ids: set[str],
    invalid_shared: set[str],
    rare_earths: set[str] | None,
    *,
    fields_valid: bool,
) -> bool:
    """Report what is wrong across the plant at `path`; True when nothing is.

    With `fields_valid` false (the model already reported problems), a plant
    that names no material is not reported again: a typo'd key is the likelier cause.
    """
    if not isinstance(raw, dict):
        return False
    before = len(source.problems)
    own = _mapping(raw.get("materials"))
    for material_id in own:
        if material_id in shared_ids:
            source.report(
                (*path, "materials", material_id),
                f"material '{material_id}' is also defined in the file's shared materials",
                at_key=True,
            )
    check_materials(source, (*path, "materials"), own, rare_earths)
    places = named_places(raw)
    defined = shared_ids | set(own)
    for place, material_id, is_key in places:
        if material_id not in defined:
            message = undefined_message(material_id, defined, rare_earths or set())
            source.report((*path, *place), message, at_key=is_key)
    _check_supply_keys(source, path, raw)
    _check_transit(source, path, raw)
    _check_calendar(source, path, raw)
    if fields_valid and not places and not own:
        source.report(path, "a plant needs at least one material (lines, demand or inventory)")
    uses_invalid = any(material_id in invalid_shared for _, material_id, _ in places)
    new_errors = [p for p in source.problems[before:] if not p.warning]
    return not new_errors and not uses_invalid


_SUPPLY_KEYS = sorted(
    {info.alias or name for kind in SUPPLY_KINDS for name, info in kind.model_fields.items()}
)


def _check_supply_keys(source: SourceFile, path: Path, raw: dict[str, Any]) -> None:
    """Unknown keys in a supply entry whose kind is unclear: `arives` is likelier than a
    fourth kind, and pydantic, stopping at the kind, would not name the key."""
    for index, entry in _entries(raw.get("supply")):
        if supply_kind(entry) is not None:
            continue  # the model reports its unknown keys
        for key in entry:
            if key not in _SUPPLY_KEYS:
                match = difflib.get_close_matches(str(key), _SUPPLY_KEYS, n=1)
                hint = f"; did you mean '{match[0]}'?" if match else ""
                source.report(
                    (*path, "supply", index, key), f"unknown key '{key}'{hint}", at_key=True
                )


def _check_transit(source: SourceFile, path: Path, raw: dict[str, Any]) -> None:
    if raw.get("transit_days") is not None:
        return
    for index, entry in _entries(raw.get("supply")):
        if "arrives" in entry or "transit_days" in entry:
            continue
        if any(key in entry for key in _NEEDS_TRANSIT):
            source.report(
                (*path, "supply", index),
                "transit_days is required here (or set a plant-wide transit_days)",
            )


def _check_calendar(source: SourceFile, path: Path, raw: dict[str, Any]) -> None:
    if raw.get("production_days") != "workdays":
        return
    country = raw.get("country")
    if country is None:
        source.report((*path, "production_days"), "production_days: workdays needs a country")
    elif isinstance(country, str) and _COUNTRY.match(country) and not has_calendar(country):
        source.report(
            (*path, "country"),
            f"no working-day calendar for country '{country}'; use an ISO 3166 alpha-2 "
            "code, or production_days: mon-fri",
        )


def undefined_message(material_id: str, defined: set[str], rare_earths: set[str]) -> str:
    """Say that a material is not defined, with the likeliest fix."""
    message = f"material '{material_id}' is not defined"
    guess = suggest_symbol(material_id)
    if material_id in rare_earths:
        return f"{message}; add '{material_id}: {{}}' under materials"
    if guess in rare_earths and guess != material_id:
        then = "" if guess in defined else f" (and add '{guess}: {{}}' under materials)"
        return f"{message}; did you mean '{guess}'?{then}"
    match = difflib.get_close_matches(material_id, sorted(defined), n=1)
    if match:
        return f"{message}; did you mean '{match[0]}'?"
    return f"{message}; define it under materials (in the plant or at the top of the file)"


def scenario_warnings(scenarios: Sequence[Scenario], plants: Sequence[PlantInput]) -> list[str]:
    """Scenario levers and overrides that touch no plant of this run.

    Said only when the run has a name close to it (`Dyy` for `Dy`, `eu` for `EU`,
    `my-plnat`): a likely typo. A scenario file shared between portfolios may
    well name materials and plants that this run does not have.
    """
    materials = sorted({m for item in plants for m in item.materials})
    seen = {
        "plant": sorted({item.plant.id for item in plants}),
        "region": sorted({item.plant.region for item in plants if item.plant.region}),
        "country": sorted({item.plant.country for item in plants if item.plant.country}),
    }
    found = []
    for scenario in scenarios:
        for material_id in scenario.extra_stock:
            hint = "" if material_id in materials else _close(material_id, materials)
            if hint:
                found.append(
                    f"scenario {scenario.name!r}: extra_stock {material_id!r} is no material of "
                    f"any plant in this run{hint}, so it adds nothing"
                )
        for index, override in enumerate(scenario.overrides):
            for key, names in seen.items():
                value = getattr(override.when, key)
                if value is None or value in names:
                    continue
                hint = _close(value, names)
                if hint:
                    found.append(
                        f"scenario {scenario.name!r}: overrides[{index}].when.{key} {value!r} "
                        f"matches no plant in this run{hint}"
                    )
    return found


def _close(name: str, names: Sequence[str]) -> str:
    """` (did you mean 'EU'?)` for a name equal but for case, or close to one; else ""."""
    same_but_case = [n for n in names if n.lower() == name.lower()]
    match = same_but_case or difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return f" (did you mean {match[0]!r}?)" if match else ""
