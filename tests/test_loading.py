"""reerisk.loading: files to models, every problem at FILE:LINE:COL (SPEC §2.2, §2.2.1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cli_helpers import PLANT, PLANTS, SAMPLE_PLANT_IDS, SAMPLE_SCENARIO_NAMES, SCENARIOS, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reerisk.errors import InputError, Problem, UsageError
from reerisk.loading import load_plants, load_reference, load_scenarios
from reerisk.models import RateStep, ReferenceData
from reerisk.sources import (
    DEFAULT_MAX_BYTES,
    format_path,
    max_bytes,
    parse_source,
    read_source,
)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    problems: list[Problem] = []
    loaded = load_reference(None, problems)
    assert problems == []
    assert loaded is not None
    return loaded


@pytest.fixture(autouse=True)
def _no_size_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REERISK_MAX_BYTES", raising=False)


def plants_of(
    tmp_path: Path, reference: ReferenceData, *texts: str | bytes
) -> tuple[list, list[str]]:
    """Load plant files p0.yaml, p1.yaml, ... and return (plants, problems as text)."""
    names = []
    for index, text in enumerate(texts):
        names.append(str(write(tmp_path, f"p{index}.yaml", text)))
    problems: list[Problem] = []
    plants = load_plants(names, reference, problems)
    shown = [str(p).replace(str(tmp_path) + os.sep, "") for p in problems]
    return plants, shown


# --- Problem and paths -----------------------------------------------------------------------


def test_format_path() -> None:
    assert format_path(("plants", 0, "supply", 2, "qty")) == "plants[0].supply[2].qty"
    assert format_path(("inventory", "Dy")) == "inventory.Dy"
    assert format_path(()) == ""
    assert format_path((3,)) == "[3]"


def test_problem_text() -> None:
    assert str(Problem("p.yaml", 4, 17, "inventory.Dy", "bad")) == "p.yaml:4:17: inventory.Dy: bad"
    assert str(Problem("p.yaml", 1, 1, "", "the file is empty")) == "p.yaml:1:1: the file is empty"


# --- reading bytes ---------------------------------------------------------------------------


def test_bom_and_crlf() -> None:
    source = parse_source("p.yaml", b"\xef\xbb\xbfid: p1\r\nname: x\r\n")
    assert source.doc.value == {"id": "p1", "name": "x"}
    assert source.problems == []
    assert source.doc.positions[("name",)].line == 2
    # The BOM does not shift the columns of line 1.
    assert source.doc.positions[("id",)].column == 5


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"id: p1\nname: caf\xe9\n", 2, 10),
        (b"a: 1\r\nb: 2\r\nc: \xc3\x28\r\n", 3, 4),
        (b"a: ok\nb: \xe2\x82\n", 2, 4),  # truncated 3-byte sequence
    ],
)
def test_invalid_utf8_points_at_the_line(data: bytes, line: int, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_source("p.yaml", data)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("p.yaml", line, column)
    assert problem.message.startswith("not valid UTF-8")


def test_utf16_file_is_refused_not_misread() -> None:
    with pytest.raises(InputError) as caught:
        parse_source("p.yaml", "id: p1\n".encode("utf-16"))
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith("the file is UTF-16; save it as UTF-8")


def test_yaml_error_becomes_a_positioned_problem() -> None:
    with pytest.raises(InputError) as caught:
        parse_source("p.yaml", b"a: 1\nb: [\n")
    (problem,) = caught.value.problems
    assert problem.file == "p.yaml"
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML")


def test_duplicate_keys_are_problems_not_exceptions() -> None:
    source = parse_source("p.yaml", b"a: 1\nb:\n  c: 1\n  c: 2\n")
    assert [(p.line, p.column) for p in source.problems] == [(4, 3)]
    assert "duplicate key 'c'" in source.problems[0].message


def test_read_missing_file(tmp_path: Path) -> None:
    """A missing file is a usage problem (line 0: no position), listed with the others."""
    name = str(tmp_path / "nope.yaml")
    with pytest.raises(InputError) as caught:
        read_source(name)
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (0, "no such file")
    assert str(problem) == f"reerisk: error: {name}: no such file"


def test_read_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_source(str(tmp_path))
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (0, "is a directory, not a file")


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "p.yaml", PLANT)
    size = path.stat().st_size
    monkeypatch.setenv("REERISK_MAX_BYTES", str(size))
    assert read_source(str(path)).doc.value["id"] == "p1"
    monkeypatch.setenv("REERISK_MAX_BYTES", str(size - 1))
    with pytest.raises(InputError) as caught:
        read_source(str(path), name="shown.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("shown.yaml", 1, 1)
    assert f"file is {size} bytes, over the limit of {size - 1}" in problem.message
    assert "REERISK_MAX_BYTES" in problem.message


def test_default_size_limit_is_64_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DEFAULT_MAX_BYTES == 64 * 1024 * 1024
    assert max_bytes() == DEFAULT_MAX_BYTES
    monkeypatch.setenv("REERISK_MAX_BYTES", "200000000")
    assert max_bytes() == 200_000_000


@pytest.mark.parametrize("raw", ["lots", "1.5", "", "0", "-10"])
def test_bad_size_limit_is_a_usage_error(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REERISK_MAX_BYTES", raw)
    with pytest.raises(UsageError, match="REERISK_MAX_BYTES"):
        max_bytes()


def test_sample_portfolio_fits_far_under_the_limit() -> None:
    # ~2 KB a plant: a 10 000-plant portfolio of the same kind is well under 64 MiB.
    per_plant = PLANTS.stat().st_size / len(SAMPLE_PLANT_IDS)
    assert per_plant * 10_000 < DEFAULT_MAX_BYTES / 2


# --- reference data --------------------------------------------------------------------------


def test_shipped_reference(reference: ReferenceData) -> None:
    assert len(reference.elements) == 17
    assert {e.symbol for e in reference.elements} >= {"Dy", "Tb", "Nd", "Pr", "Sm", "Y", "Sc"}
    no_18 = next(r for r in reference.regimes if r.id == "mofcom-gac-2025-18")
    assert sorted(no_18.elements) == sorted(["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"])
    assert no_18.effective.isoformat() == "2025-04-04"


def test_replacement_reference_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.yaml",
        "elements:\n  - {symbol: Dy, name: dysprosium, z: 66, group: heavy}\n"
        "regimes:\n  - {id: r, title: t, authority: a, document: d, source: s,"
        " effective: 2030-01-01, elements: [Dy], suspended: [{from: 2030-02-01,"
        " until: 2030-02-28}]}\n",
    )
    problems: list[Problem] = []
    loaded = load_reference(str(path), problems)
    assert problems == []
    assert loaded is not None
    assert [e.symbol for e in loaded.elements] == ["Dy"]
    (regime,) = loaded.regimes
    from datetime import date

    assert not regime.in_force(date(2029, 12, 31))
    assert regime.in_force(date(2030, 1, 31))
    assert not regime.in_force(date(2030, 2, 1))
    assert not regime.in_force(date(2030, 2, 28))
    assert regime.in_force(date(2030, 3, 1))


def test_reference_regime_naming_an_unknown_element(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.yaml",
        "elements:\n  - {symbol: Dy, name: dysprosium, z: 66, group: heavy}\n"
        "regimes:\n  - {id: r, title: t, authority: a, document: d, source: s,"
        " effective: 2030-01-01, elements: [Xx]}\n",
    )
    problems: list[Problem] = []
    assert load_reference(str(path), problems) is None
    assert len(problems) == 1
    assert problems[0].file == str(path)
    assert "Xx" in problems[0].message


# --- plants ----------------------------------------------------------------------------------


def test_sample_plants_load(reference: ReferenceData) -> None:
    problems: list[Problem] = []
    plants = load_plants([str(PLANTS)], reference, problems)
    assert problems == []
    assert [p.plant.id for p in plants] == list(SAMPLE_PLANT_IDS)


def test_material_order_shared_first_then_own(tmp_path: Path, reference: ReferenceData) -> None:
    text = (
        "materials:\n"
        "  Tb: {}\n"
        "  unused: {composition: {Dy: 5}}\n"
        "  Dy: {}\n"
        "plants:\n"
        "  - id: a\n"
        "    materials: {own: {composition: {Sm: 30}}, Sm: {}}\n"
        "    inventory: {own: 1, Dy: 1, Tb: 1, Sm: 1}\n"
        "  - id: b\n"
        "    demand: {Dy: 1}\n"
        "  - id: c\n"
        "    materials: {Gd: {}}\n"
        "    inventory: {Gd: 1}\n"
    )
    plants, problems = plants_of(tmp_path, reference, text)
    assert problems == []
    # Definition order: the file's materials (only those named), then the plant's own.
    assert [list(p.materials) for p in plants] == [["Tb", "Dy", "own", "Sm"], ["Dy"], ["Gd"]]


def test_shared_material_named_only_in_supply_or_recovery(
    tmp_path: Path, reference: ReferenceData
) -> None:
    text = (
        "materials:\n  Dy: {}\n  Tb: {}\n  Sm: {}\n"
        "plants:\n  - id: a\n    transit_days: 5\n    inventory: {Dy: 1}\n"
        "    recovery_days: {Tb: 30}\n"
        "    supply: [{material: Sm, qty: 1, filed: 2025-06-01}]\n"
    )
    plants, problems = plants_of(tmp_path, reference, text)
    assert problems == []
    assert list(plants[0].materials) == ["Dy", "Tb", "Sm"]


def test_single_plant_file(tmp_path: Path, reference: ReferenceData) -> None:
    plants, problems = plants_of(tmp_path, reference, PLANT)
    assert problems == []
    (item,) = plants
    assert item.plant.id == "p1"
    assert item.plant.as_of.isoformat() == "2025-06-02"
    assert list(item.materials) == ["Dy"]
    assert item.materials["Dy"].composition is None


def test_yaml_11_words_stay_text_in_a_plant(tmp_path: Path, reference: ReferenceData) -> None:
    text = PLANT.replace("id: p1\n", "id: p1\nname: yes\ncountry: NO\nregion: off\n")
    plants, problems = plants_of(tmp_path, reference, text)
    assert problems == []
    plant = plants[0].plant
    assert (plant.name, plant.country, plant.region) == ("yes", "NO", "off")


def test_plant_ids_unique_across_files(tmp_path: Path, reference: ReferenceData) -> None:
    second = "plants:\n  - id: p2\n    materials: {Dy: {}}\n    inventory: {Dy: 1}\n"
    second += "  - id: p1\n    materials: {Dy: {}}\n    inventory: {Dy: 1}\n"
    plants, problems = plants_of(tmp_path, reference, PLANT, second)
    assert [p.plant.id for p in plants] == ["p1", "p2"]
    assert problems == ["p1.yaml:5:9: plants[1].id: duplicate plant id 'p1' (first at p0.yaml:1:5)"]


def test_plant_ids_unique_within_a_file(tmp_path: Path, reference: ReferenceData) -> None:
    text = (
        "materials: {Dy: {}}\nplants:\n"
        "  - id: a\n    inventory: {Dy: 1}\n"
        "  - id: a\n    inventory: {Dy: 2}\n"
    )
    plants, problems = plants_of(tmp_path, reference, text)
    assert len(plants) == 1
    assert len(problems) == 1
    assert problems[0].startswith("p0.yaml:5:9: plants[1].id: duplicate plant id 'a'")


def test_every_file_is_read(tmp_path: Path, reference: ReferenceData) -> None:
    plants, problems = plants_of(
        tmp_path,
        reference,
        "",
        PLANT.replace("Dy: 100", "Dy: -1"),
        PLANT.replace("id: p1", "id: p3"),
    )
    assert [p.plant.id for p in plants] == ["p3"]
    assert problems == [
        "p0.yaml:1:1: the file is empty",
        "p1.yaml:5:17: inventory.Dy: Input should be greater than or equal to 0 (got -1)",
    ]


def test_one_bad_plant_does_not_hide_the_next(tmp_path: Path, reference: ReferenceData) -> None:
    text = (
        "materials: {Dy: {}}\nplants:\n"
        "  - id: a\n    inventory: {Dy: -1}\n"
        "  - id: b\n    inventory: {Dy: 1}\n"
        "  - id: c\n    inventory: {Dy: x}\n"
    )
    plants, problems = plants_of(tmp_path, reference, text)
    assert [p.plant.id for p in plants] == ["b"]
    assert [p.split(": ")[0] for p in problems] == ["p0.yaml:4:21", "p0.yaml:8:21"]


def test_invalid_shared_material_reported_once(tmp_path: Path, reference: ReferenceData) -> None:
    text = (
        "materials:\n  bad: {composition: {Dy: 500}}\n  Dy: {}\nplants:\n"
        "  - id: a\n    inventory: {bad: 1}\n"
        "  - id: b\n    inventory: {Dy: 1}\n"
    )
    plants, problems = plants_of(tmp_path, reference, text)
    assert [p.plant.id for p in plants] == ["b"]
    assert problems == [
        "p0.yaml:2:27: materials.bad.composition.Dy: "
        "Input should be less than or equal to 100 (got 500)"
    ]


def test_invalid_shared_material_id(tmp_path: Path, reference: ReferenceData) -> None:
    text = "materials:\n  -bad: {composition: {Dy: 5}}\nplants:\n  - id: a\n    demand: {-bad: 1}\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert plants == []
    assert problems[0].startswith("p0.yaml:2:3: materials.-bad: ")


@pytest.mark.parametrize(
    ("composition", "ok"),
    [
        ("{Dy: 50, Fe: 50}", True),
        ("{Dy: 50.0000005, Fe: 50}", True),  # within 1e-6
        ("{Dy: 50.00001, Fe: 50}", False),
        ("{Dy: 100}", True),
        ("{Dy: 0}", False),
        ("{Dy: 100.5}", False),
        ("{Dy: -1, Fe: 50}", False),
        ("{Xq: 1}", False),
    ],
)
def test_composition_rules(
    tmp_path: Path, reference: ReferenceData, composition: str, ok: bool
) -> None:
    text = f"id: p1\nmaterials:\n  m: {{composition: {composition}}}\ninventory: {{m: 1}}\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert (problems == []) is ok, problems
    assert len(plants) == (1 if ok else 0)
    if not ok:
        assert problems[0].startswith("p0.yaml:3:"), problems


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("transit_days: -1", "transit_days"),
        ("transit_days: 2.5", "transit_days"),
        ("recovery_days: {Dy: -3}", "recovery_days.Dy"),
        ("recovery_days: {Dy: 1.5}", "recovery_days.Dy"),
        ("production_days: weekdays", "production_days"),
        ("shutdowns: [{from: 2025-08-10, to: 2025-08-01}]", "shutdowns[0]"),
        ("shutdowns: [{from: 2025-08-10}]", "shutdowns[0].to"),
        ("lines: [{units_per_day: 0, bom: {Dy: 1}}]", "lines[0].units_per_day"),
        ("lines: [{units_per_day: 5, bom: {Dy: -1}}]", "lines[0].bom.Dy"),
        ("country: Germany", "country"),
        ("name: 42", "name"),
        ("as_of: 2025-6-2", "as_of"),
        ("as_of: 20250602", "as_of"),
    ],
)
def test_field_rules(tmp_path: Path, reference: ReferenceData, field: str, bad: str) -> None:
    text = "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 100}\n" + field + "\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert plants == []
    assert len(problems) == 1, problems
    assert problems[0].startswith("p0.yaml:5:"), problems
    assert problems[0].split(": ")[1] == bad, problems


@pytest.mark.parametrize(
    "entry",
    [
        "{material: Dy, qty: 5, arrives: 2025-06-20}",
        "{material: Dy, qty: 5, filed: 2025-05-01}",
        "{material: Dy, qty: 5, filed: 2025-05-01, approved: 2025-05-20, transit_days: 0}",
        "{material: Dy, qty: 5, filed: 2025-05-01, channel: green}",
        "{material: Dy, qty: 5, every_days: 30, first_filed: 2025-05-01}",
        "{material: Dy, qty: 5, every_days: 30, first_filed: 2025-05-01, until: 2025-12-31}",
    ],
)
def test_supply_kinds_accepted(tmp_path: Path, reference: ReferenceData, entry: str) -> None:
    text = PLANT + f"transit_days: 10\nsupply:\n  - {entry}\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert problems == []
    assert len(plants) == 1


@pytest.mark.parametrize(
    "entry",
    [
        "{material: Dy, qty: 5, arrives: 2025-06-20, every_days: 30}",
        "{material: Dy, qty: 5, filed: 2025-05-01, first_filed: 2025-05-01, every_days: 30}",
        "{material: Dy, qty: 5, approved: 2025-05-01, until: 2025-06-01}",
        "{material: Dy, qty: 5}",
    ],
)
def test_supply_kinds_mixed_or_missing(
    tmp_path: Path, reference: ReferenceData, entry: str
) -> None:
    text = PLANT + f"transit_days: 10\nsupply:\n  - {entry}\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert plants == []
    assert problems == [
        "p0.yaml:10:5: supply[0]: a supply entry is exactly one of: a shipment (arrives), "
        "an application (filed, optionally approved) or a standing order (every_days + "
        "first_filed, optionally until)"
    ]


def test_plant_default_transit_days_covers_applications(
    tmp_path: Path, reference: ReferenceData
) -> None:
    entry = "  - {material: Dy, qty: 5, filed: 2025-05-01}\n"
    plants, problems = plants_of(tmp_path, reference, PLANT + "supply:\n" + entry)
    assert plants == []
    assert problems == [
        "p0.yaml:9:5: supply[0]: transit_days is required here (or set a plant-wide transit_days)"
    ]
    plants, problems = plants_of(tmp_path, reference, PLANT + "transit_days: 0\nsupply:\n" + entry)
    assert problems == []
    assert len(plants) == 1


def test_workdays_with_known_country(tmp_path: Path, reference: ReferenceData) -> None:
    text = PLANT + "production_days: workdays\ncountry: DE\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert problems == []
    assert plants[0].plant.country == "DE"


def test_plant_without_materials(tmp_path: Path, reference: ReferenceData) -> None:
    plants, problems = plants_of(tmp_path, reference, "id: p1\nname: x\n")
    assert plants == []
    assert problems == [
        "p0.yaml:1:1: a plant needs at least one material (lines, demand or inventory)"
    ]


def test_plant_with_only_its_own_materials(tmp_path: Path, reference: ReferenceData) -> None:
    plants, problems = plants_of(tmp_path, reference, "id: p1\nmaterials:\n  Dy: {}\n")
    assert problems == []
    assert list(plants[0].materials) == ["Dy"]


def test_element_named_without_materials_entry(tmp_path: Path, reference: ReferenceData) -> None:
    text = "id: p1\nmaterials:\n  Dy: {}\ninventory: {Dy: 1}\ndemand: {Tb: 1}\n"
    plants, problems = plants_of(tmp_path, reference, text)
    assert plants == []
    assert problems == [
        "p0.yaml:5:10: demand.Tb: material 'Tb' is not defined; add 'Tb: {}' under materials"
    ]


def test_misspelt_material_suggests_the_defined_one(
    tmp_path: Path, reference: ReferenceData
) -> None:
    text = (
        "id: p1\nmaterials:\n  rotor-ndfeb: {composition: {Dy: 3}}\n"
        "lines:\n  - {units_per_day: 5, bom: {rotor-ndfb: 1}}\n"
    )
    plants, problems = plants_of(tmp_path, reference, text)
    assert plants == []
    assert problems == [
        "p0.yaml:5:30: lines[0].bom.rotor-ndfb: material 'rotor-ndfb' is not defined; "
        "did you mean 'rotor-ndfeb'?"
    ]


def test_problems_sorted_by_position(tmp_path: Path, reference: ReferenceData) -> None:
    text = (
        "id: p1\nas_of: 2025-02-30\nmaterials:\n  Dy: {}\n"
        "inventory: {Dy: -1}\ndemand:\n  Dy: 1\n  Dy: 2\nzzz: 1\n"
    )
    _, problems = plants_of(tmp_path, reference, text)
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == [2, 5, 8, 9], problems


# --- scenarios -------------------------------------------------------------------------------


def test_sample_scenarios_load() -> None:
    problems: list[Problem] = []
    scenarios = load_scenarios(str(SCENARIOS), problems)
    assert problems == []
    assert [s.name for s in scenarios] == list(SAMPLE_SCENARIO_NAMES)
    london = scenarios[SAMPLE_SCENARIO_NAMES.index("london-framework")]
    assert isinstance(london.approval_rate, list)
    assert all(isinstance(step, RateStep) for step in london.approval_rate)
    assert [step.rate for step in london.approval_rate] == [0.25, 0.6]
    assert london.review_working_days == 45
    green = scenarios[SAMPLE_SCENARIO_NAMES.index("eu-green-channel")]
    assert green.green_channel is not None
    assert green.green_channel.review_working_days == 20


def scenarios_of(tmp_path: Path, text: str) -> tuple[list[str], list[str]]:
    path = write(tmp_path, "s.yaml", text)
    problems: list[Problem] = []
    scenarios = load_scenarios(str(path), problems)
    return [s.name for s in scenarios], [str(p).replace(str(path), "s.yaml") for p in problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("approval_rate: 1.5", "s.yaml:3:20: scenarios[0].approval_rate: "),
        ("approval_rate: -0.1", "s.yaml:3:20: scenarios[0].approval_rate: "),
        ("approval_rate: .nan", "s.yaml:3:20: scenarios[0].approval_rate: "),
        ("approval_rate: []", "s.yaml:3:20: scenarios[0].approval_rate: "),
        ("approval_rate: 0.5\n    review_working_days: -1", "s.yaml:4:26: scenarios[0]."),
        ("approval_rate: 0.5\n    review_working_days: 4.5", "s.yaml:4:26: scenarios[0]."),
        (
            "approval_rate: [{from: 2025-06-01, rate: 0.2}, {from: 2025-06-01, rate: 0.3}]",
            "s.yaml:3:20: scenarios[0].approval_rate: steps must be in strictly increasing",
        ),
        (
            "approval_rate: [{from: 2025-06-01, rate: 2}]",
            "s.yaml:3:46: scenarios[0].approval_rate[0].rate: ",
        ),
        (
            "approval_rate: 0.5\n    overrides: [{when: {end_use: army}, approval_rate: 0}]",
            "s.yaml:4:34: scenarios[0].overrides[0].when.end_use: ",
        ),
        (
            "approval_rate: 0.5\n    green_channel: {approval_rate: 0.8, review_days: 5}",
            "s.yaml:4:41: scenarios[0].green_channel.review_days: unknown key 'review_days'; "
            "did you mean 'review_working_days'?",
        ),
        ("rate: 0.5", "s.yaml:3:5: scenarios[0].rate: unknown key 'rate'"),
    ],
)
def test_scenario_rules(tmp_path: Path, body: str, expected: str) -> None:
    names, problems = scenarios_of(tmp_path, f"scenarios:\n  - name: a\n    {body}\n")
    assert names == []
    assert any(p.startswith(expected) for p in problems), problems


def test_scenario_steps_and_overrides_accepted(tmp_path: Path) -> None:
    text = (
        "scenarios:\n  - name: a\n    approval_rate:\n"
        "      - {from: 2025-04-04, rate: 0.25}\n      - {from: 2025-06-12, rate: 0.6}\n"
        "    review_working_days: {min: 30, mode: 45, max: 90}\n"
        "    green_channel: {review_working_days: 20, approval_rate: 0.8}\n"
        "    overrides:\n      - {when: {end_use: military}, approval_rate: 0}\n"
        "      - {when: {region: EU, country: NO}, review_working_days: 30}\n"
    )
    names, problems = scenarios_of(tmp_path, text)
    assert problems == []
    assert names == ["a"]


def test_scenario_names_unique(tmp_path: Path) -> None:
    text = (
        "scenarios:\n  - name: a\n    approval_rate: 0.1\n  - name: b\n    approval_rate: 0.2\n"
        "  - name: a\n    approval_rate: 0.3\n"
    )
    names, problems = scenarios_of(tmp_path, text)
    assert names == ["a", "b"]
    assert problems == [
        "s.yaml:6:11: scenarios[2].name: duplicate scenario name 'a' (first on line 2)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scenarios: []\n", "s.yaml:1:12: scenarios: expected a list of one or more scenarios"),
        ("scenarios: 3\n", "s.yaml:1:12: scenarios: expected a list of one or more scenarios"),
        ("- name: a\n", "s.yaml:1:1: expected a mapping"),
        ("scenario:\n  - name: a\n", "s.yaml:1:1: scenario: unknown key 'scenario'; did you mean"),
        ("", "s.yaml:1:1: the file is empty"),
    ],
)
def test_scenario_file_shape(tmp_path: Path, text: str, expected: str) -> None:
    names, problems = scenarios_of(tmp_path, text)
    assert names == []
    assert any(p.startswith(expected) for p in problems), problems


# --- hostile input never escapes as anything but a Problem -----------------------------------

SAMPLE_BYTES = PLANTS.read_bytes()
SCENARIO_BYTES = SCENARIOS.read_bytes()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_files_give_problems_not_crashes(
    tmp_path: Path, reference: ReferenceData, data: st.DataObject
) -> None:
    scenario = data.draw(st.booleans())
    mutated = bytearray(SCENARIO_BYTES if scenario else SAMPLE_BYTES)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(mutated) - 1))
        byte = data.draw(st.sampled_from(list(b": -[]{}&*!\n0.9xDy\"'#,\x00\xff")))
        operation = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        if operation == "delete":
            del mutated[index]
        elif operation == "insert":
            mutated.insert(index, byte)
        else:
            mutated[index] = byte
    path = write(tmp_path, "m.yaml", bytes(mutated))
    problems: list[Problem] = []
    if scenario:
        load_scenarios(str(path), problems)
    else:
        load_plants([str(path)], reference, problems)
    line_count = bytes(mutated).count(b"\n") + 1
    for problem in problems:
        assert problem.file == str(path)
        assert 1 <= problem.line <= line_count + 1, problem
        assert problem.column >= 1, problem
        assert problem.message


def test_input_file_not_modified_by_loading(tmp_path: Path, reference: ReferenceData) -> None:
    copy = Path(shutil.copy(PLANTS, tmp_path / "plants.yaml"))
    before = copy.read_bytes()
    load_plants([str(copy)], reference, [])
    assert copy.read_bytes() == before
