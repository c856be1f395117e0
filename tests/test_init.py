"""`reerisk init`: a commented starter plant that validates and runs, never over a file."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from cli_helpers import assert_ok, assert_usage_error, run, sha256, write

from reerisk.models import Application, Line, Material, Plant, Shipment, StandingOrder
from reerisk.yamlread import parse_yaml

TEMPLATE = resources.files("reerisk") / "data" / "starter-plant.yaml"


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_then_validate_then_runway(cwd: Path) -> None:
    result = run("init")
    assert_ok(result)
    assert result.stdout.splitlines() == [
        "wrote plant.yaml: a starter plant with example values; edit it, then run",
        "  reerisk validate plant.yaml",
        "  reerisk runway plant.yaml",
    ]
    assert (cwd / "plant.yaml").read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    validated = run("validate", "plant.yaml")
    assert_ok(validated)
    assert validated.stdout == "ok: 1 plant, 0 scenarios\n"
    table = run("runway", "plant.yaml")
    assert_ok(table)  # no warnings either: as_of is set, recovery_days within the horizon
    assert "my-plant" in table.stdout
    document = json.loads(run("runway", "plant.yaml", "--format", "json").stdout)
    results = document["plants"][0]["results"]
    # The example is worth reading: it runs out at 0 %, not at 100 %, and has a break-even.
    assert results[0]["runway_days"] is not None
    assert results[-1]["runway_days"] is None
    assert 0 < results[0]["breakeven_rate"] < 1


def test_init_with_the_sample_scenarios(cwd: Path) -> None:
    assert_ok(run("init", "mine.yaml"))
    scenarios = Path(__file__).resolve().parents[1] / "data" / "scenarios.yaml"
    assert_ok(run("runway", "mine.yaml", "--scenarios", scenarios))


def test_init_to_a_path_names_it_in_the_next_commands(cwd: Path) -> None:
    (cwd / "plants").mkdir()
    result = run("init", "plants/bavaria plant.yaml")
    assert_ok(result)
    assert "  reerisk validate 'plants/bavaria plant.yaml'" in result.stdout.splitlines()
    assert_ok(run("validate", "plants/bavaria plant.yaml"))


def test_init_refuses_to_overwrite(cwd: Path) -> None:
    path = write(cwd, "plant.yaml", "id: mine\n")
    before = sha256(path)
    assert_usage_error(run("init"), "plant.yaml already exists; use --force to replace it")
    assert sha256(path) == before


def test_init_refuses_a_dangling_symlink_too(cwd: Path) -> None:
    (cwd / "plant.yaml").symlink_to(cwd / "elsewhere.yaml")
    assert_usage_error(run("init"), "plant.yaml already exists")
    assert not (cwd / "elsewhere.yaml").exists()


def test_init_force_replaces(cwd: Path) -> None:
    write(cwd, "plant.yaml", "id: mine\n")
    assert_ok(run("init", "--force"))
    assert (cwd / "plant.yaml").read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")
    assert [p.name for p in cwd.iterdir()] == ["plant.yaml"]  # no temporary file left


def test_init_into_a_directory_or_a_missing_one(cwd: Path) -> None:
    (cwd / "plants").mkdir()
    assert_usage_error(run("init", "plants"), "plants: is a directory; give a file name")
    # The README's `reerisk init plants/bavaria.yaml` makes the folder it needs.
    assert_ok(run("init", "new/sub/plant.yaml"))
    assert_ok(run("validate", "new/sub/plant.yaml"))
    write(cwd, "file", "")
    assert_usage_error(run("init", "file/plant.yaml"), "file/plant.yaml: cannot create its folder")


@pytest.mark.parametrize("name", ["plant.json", "plant.csv", "plant"])
def test_init_writes_yaml_only_to_a_yaml_name(cwd: Path, name: str) -> None:
    assert_usage_error(run("init", name), f"{name}: the starter file is YAML; name it .yaml")
    assert not (cwd / name).exists()
    assert_ok(run("init", "plant.YML"))


def test_schema_line_comes_first() -> None:
    first = TEMPLATE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=plants.schema.json"


def _keys_of(model: type) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}  # type: ignore[attr-defined]


def test_every_field_appears_with_a_comment() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    plant = parse_yaml(text).value
    assert set(plant) == _keys_of(Plant)
    assert set(plant["materials"]["rotor-magnet"]) == _keys_of(Material)
    assert set(plant["lines"][0]) == _keys_of(Line)
    kinds = [set(entry) for entry in plant["supply"]]
    assert _keys_of(Shipment) in kinds
    assert _keys_of(StandingOrder) in kinds
    assert _keys_of(Application) - {"channel", "transit_days"} in kinds  # a decided one
    lines = text.splitlines()
    for key in plant:
        (index,) = [i for i, line in enumerate(lines) if re.match(rf"{key}:", line)]
        commented = lines[index - 1].startswith("#") or "#" in lines[index]
        assert commented, f"{key} has no comment"
