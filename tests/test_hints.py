"""Helpful errors (issue 6): a "did you mean" for keys, element symbols, material ids and
scenario names, and a unit hint when a pcs material has no mass_g."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import (
    SCENARIOS,
    assert_input_error,
    assert_ok,
    assert_usage_error,
    run,
    write,
)

# A plant with one magnet part and one metal, to misspell things in.
#   1 id, 2 as_of, 3 materials, 4 rotor, 5 Dy, 6 lines, 7 line, 8 demand, 9 inventory,
#   10 recovery_days, 11 supply, 12 entry
PLANT = """\
id: p1
as_of: 2025-06-02
materials:
  rotor: {unit: pcs, mass_g: 1450, composition: {Nd: 23, Dy: 3.5, Fe: 73.5}}
  Dy: {}
lines:
  - {product: motor, units_per_day: 10, bom: {rotor: 1}}
demand: {Dy: 0.5}
inventory: {rotor: 400, Dy: 40}
recovery_days: {rotor: 180}
supply:
  - {material: rotor, qty: 100, arrives: 2025-06-20}
"""


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(cwd: Path, text: str, *expected: str) -> list[str]:
    write(cwd, "p.yaml", text)
    return assert_input_error(run("validate", "p.yaml"), *expected)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("inventory:", "invetory:", "p.yaml:9:1: invetory: unknown key 'invetory'; did you mean "
         "'inventory'?"),
        ("mass_g:", "mass_gr:", "p.yaml:4:22: materials.rotor.mass_gr: unknown key 'mass_gr'; "
         "did you mean 'mass_g'?"),
        ("units_per_day:", "unit_per_day:", "p.yaml:7:22: lines[0].unit_per_day: unknown key "
         "'unit_per_day'; did you mean 'units_per_day'?"),
        ("arrives:", "arives:", "p.yaml:12:33: supply[0].arives: unknown key 'arives'"),
    ],
)  # fmt: skip
def test_did_you_mean_for_keys(cwd: Path, old: str, new: str, expected: str) -> None:
    problems(cwd, PLANT.replace(old, new, 1), expected)


def test_did_you_mean_for_scenario_keys(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    write(cwd, "s.yaml", "scenarios:\n  - name: a\n    aproval_rate: 0.5\n")
    result = run("validate", "p.yaml", "--scenarios", "s.yaml")
    assert_input_error(
        result,
        "s.yaml:3:5: scenarios[0].aproval_rate: unknown key 'aproval_rate'; "
        "did you mean 'approval_rate'?",
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("Dy: 3.5", "dy: 3.5", "'dy' is not a chemical element symbol; did you mean 'Dy'?"),
        ("Dy: 3.5", "DY: 3.5", "'DY' is not a chemical element symbol; did you mean 'Dy'?"),
        ("Dy: 3.5", "Dys: 3.5", "'Dys' is not a chemical element symbol; did you mean 'Dy'?"),
    ],
)
def test_did_you_mean_for_element_symbols(cwd: Path, old: str, new: str, expected: str) -> None:
    lines = problems(cwd, PLANT.replace(old, new), "p.yaml:4:49: materials.rotor.composition: ")
    assert expected in lines[0]


def test_did_you_mean_for_an_element_named_as_a_material(cwd: Path) -> None:
    text = PLANT.replace("  Dy: {}", "  dy: {}").replace("{Dy: 0.5}", "{dy: 0.5}")
    text = text.replace("Dy: 40}", "dy: 40}")
    lines = problems(cwd, text, "p.yaml:5:3: materials.dy: material 'dy' has no composition")
    assert lines[0].endswith("did you mean 'Dy'?")


def test_did_you_mean_for_a_regime_element(cwd: Path) -> None:
    reference = Path(__file__).resolve().parents[1] / "src" / "reerisk" / "data" / "elements.yaml"
    write(cwd, "e.yaml", reference.read_text(encoding="utf-8").replace("[Sm, Gd,", "[SM, Gd,", 1))
    write(cwd, "p.yaml", PLANT)
    lines = assert_input_error(run("validate", "p.yaml", "--elements", "e.yaml"), "e.yaml:")
    assert "lists unknown elements ['SM']; did you mean 'Sm'?" in lines[0]


@pytest.mark.parametrize(
    ("old", "new", "start"),
    [
        ("bom: {rotor: 1}", "bom: {rotr: 1}", "p.yaml:7:47: lines[0].bom.rotr: "),
        ("demand: {Dy: 0.5}", "demand: {rotr: 0.5}", "p.yaml:8:10: demand.rotr: "),
        ("inventory: {rotor: 400,", "inventory: {rotr: 400,", "p.yaml:9:13: inventory.rotr: "),
        ("recovery_days: {rotor:", "recovery_days: {rotr:", "p.yaml:10:17: recovery_days.rotr: "),
        ("{material: rotor,", "{material: rotr,", "p.yaml:12:16: supply[0].material: "),
    ],
)
def test_did_you_mean_for_material_ids(cwd: Path, old: str, new: str, start: str) -> None:
    lines = problems(cwd, PLANT.replace(old, new), start)
    line = next(line for line in lines if line.startswith(start))
    assert line.endswith("material 'rotr' is not defined; did you mean 'rotor'?"), line


def test_did_you_mean_for_an_element_material_id(cwd: Path) -> None:
    lines = problems(cwd, PLANT.replace("demand: {Dy: 0.5}", "demand: {dy: 0.5}"), "p.yaml:8:10: ")
    assert lines[0].endswith("material 'dy' is not defined; did you mean 'Dy'?")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["runway", "--scenario", "embrago"], "--scenario 'embrago' is not in the scenarios file "
         "(did you mean 'embargo'?); it has: embargo, "),
        (["runway", "--scenario", "Slow-Review"], "--scenario 'Slow-Review' is not in the "
         "scenarios file (did you mean 'slow-review'?)"),
        (["compare", "--baseline", "clepa-late"], "--baseline 'clepa-late' is not a scenario of "
         "this run (did you mean 'clepa-late-june'?)"),
        (["compare", "--sort", "london"], "--sort 'london' is not a scenario of this run (did "
         "you mean 'london-framework'?)"),
        (["compare", "--fail-under", "30", "--fail-scenario", "embarg"], "--fail-scenario "
         "'embarg' is not a scenario of this run (did you mean 'embargo'?)"),
    ],
)  # fmt: skip
def test_did_you_mean_for_scenario_names(cwd: Path, args: list[str], expected: str) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run(args[0], "p.yaml", "--scenarios", SCENARIOS, *args[1:])
    assert_usage_error(result, expected)


def test_no_guess_for_a_rate_scenario(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    result = run("compare", "p.yaml", "--rate", "25%", "--sort", "20%")
    assert_usage_error(result, "--sort '20%' is not a scenario of this run; it has: 25%")


def test_unit_hint_when_pcs_has_no_mass(cwd: Path) -> None:
    lines = problems(
        cwd,
        PLANT.replace("unit: pcs, mass_g: 1450, ", "unit: pcs, "),
        "p.yaml:4:10: materials.rotor: mass_g (grams per piece) is required when unit is pcs",
    )
    assert (
        "it turns pieces into kg of each element (a 1.45 kg rotor magnet set is mass_g: 1450)"
        in (lines[0])
    )


def test_unit_hint_when_kg_has_a_mass(cwd: Path) -> None:
    problems(
        cwd,
        PLANT.replace("unit: pcs, mass_g: 1450, ", "mass_g: 1450, "),
        "p.yaml:4:10: materials.rotor: mass_g applies only to unit: pcs (set unit: pcs, or drop "
        "mass_g)",
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{rotor: 400,", '{rotor: "400",', "p.yaml:9:20: inventory.rotor: Input should be a valid "
         "number; write it without quotes (got '400')"),
        ("{rotor: 180}", "{rotor: '180'}", "p.yaml:10:24: recovery_days.rotor: Input should be a "
         "valid integer; write it without quotes (got '180')"),
        # A percent sign is no quote: mass-% is a plain number.
        ("Dy: 3.5,", "Dy: 3.5%,", "p.yaml:4:62: materials.rotor.composition.Dy: Input should be "
         "a valid number; write the number alone, without '%' (see the field's unit) (got "
         "'3.5%')"),
    ],
)  # fmt: skip
def test_quoted_numbers_are_told_to_lose_the_quotes(
    cwd: Path, old: str, new: str, expected: str
) -> None:
    problems(cwd, PLANT.replace(old, new), expected)


def test_thousands_separators_are_named(cwd: Path) -> None:
    # Block style: `qty: 1,100` is the text '1,100'.
    problems(
        cwd,
        PLANT.replace("  - {material: rotor, qty: 100, arrives: 2025-06-20}\n",
                      "  - material: rotor\n    qty: 1,100\n    arrives: 2025-06-20\n"),
        "p.yaml:13:10: supply[0].qty: Input should be a valid number; write it without "
        "thousands separators: 1100 (got '1,100')",
    )  # fmt: skip
    # Inside braces the comma ends the entry: qty is 1 and `100` becomes a key of its own.
    problems(
        cwd,
        PLANT.replace("qty: 100,", "qty: 1,100,"),
        "p.yaml:12:30: supply[0].100: unknown key '100'; inside { } a comma separates "
        "entries: write numbers without thousands separators (6500, not 6,500)",
    )


def test_scenario_levers_and_overrides_that_miss_by_a_typo_are_warned(cwd: Path) -> None:
    # Dyy is one letter off Dy, `eu` is the plant's EU in lower case, p11 is close to p1:
    # each would silently change nothing. Tb (no plant has it) and a far-off plant id are a
    # shared scenario file's business, and say nothing.
    write(cwd, "p.yaml", PLANT.replace("id: p1\n", "id: p1\nregion: EU\n"))
    write(cwd, "s.yaml", """\
scenarios:
  - name: broker
    approval_rate: 0.5
    extra_stock: {Dyy: 10, Tb: 5}
    overrides:
      - {when: {region: eu}, approval_rate: 0.9}
      - {when: {plant: p11}, approval_rate: 0.9}
      - {when: {plant: somebody-elses-plant}, approval_rate: 0.9}
""")  # fmt: skip
    result = run("runway", "p.yaml", "--scenarios", "s.yaml", "--format", "csv")
    assert_ok(
        result,
        "scenario 'broker': extra_stock 'Dyy' is no material of any plant in this run (did you "
        "mean 'Dy'?), so it adds nothing",
        "scenario 'broker': overrides[0].when.region 'eu' matches no plant in this run (did you "
        "mean 'EU'?)",
        "scenario 'broker': overrides[1].when.plant 'p11' matches no plant in this run (did you "
        "mean 'p1'?)",
    )


def test_a_spreadsheet_export_is_named_as_one(cwd: Path) -> None:
    problems(
        cwd, "id,name,inventory\np1,Plant,100\n", "p.yaml:1:1: expected a mapping (one plant "
        "with an id, or a portfolio with plants), got text (this looks like a spreadsheet "
        "export; reerisk reads YAML or JSON",
    )  # fmt: skip


def test_a_rate_written_as_a_percentage_without_the_sign(cwd: Path) -> None:
    write(cwd, "p.yaml", PLANT)
    assert_usage_error(
        run("runway", "p.yaml", "--rate", "60"),
        "--rate '60': must be between 0 and 1 (0 % and 100 %); did you mean 60%?",
    )
