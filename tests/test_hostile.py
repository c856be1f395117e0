"""Hostile input (issue 6, SPEC §2.2.1 and §6): exit 2, a positioned message, quickly.

One case per kind of hostile file, in YAML and, where the JSON fast path
(`jsonread`) could read it, in JSON too. Each asserts the exit code, the
message's FILE:LINE:COL (or the plain `reerisk: error:` line where no line
applies), a keyword, and the time taken. The crashes that fuzzing found are
at the end, each with the input that found it.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from cli_helpers import (
    PLANT,
    PLANTS,
    PROBLEM,
    assert_input_error,
    assert_ok,
    run,
    write,
)

MAX_SECONDS = 5.0  # generous: each case takes well under a second

# A valid plant, with every kind of field, for cases that break one of them.
#   1 id, 2 as_of, 3 transit_days, 4 materials, 5 Dy, 6 inventory, 7 demand, 8 supply, 9 entry
FULL = """\
id: p1
as_of: 2025-06-02
transit_days: 30
materials:
  Dy: {}
inventory: {Dy: 100}
demand: {Dy: 1}
supply:
  - {material: Dy, qty: 50, filed: 2025-05-01}
"""
FULL_JSON = (
    '{"id": "p1", "as_of": "2025-06-02", "transit_days": 30, "materials": {"Dy": {}},\n'
    ' "inventory": {"Dy": 100}, "demand": {"Dy": 1},\n'
    ' "supply": [{"material": "Dy", "qty": 50, "filed": "2025-05-01"}]}\n'
)


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def timed(*args: object, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = run(*args, env=env)
    elapsed = time.perf_counter() - started
    assert elapsed < MAX_SECONDS, f"took {elapsed:.1f} s"
    return result


def billion_laughs() -> str:
    lines = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"l{level}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


MEGABYTE = 1_000_000
# A whole plant on one line of a megabyte, with a mistake at its far end.
ONE_LINE_PLANT = (
    "{id: p1, materials: {Dy: {}}, name: " + "x" * MEGABYTE + ", inventory: {Dy: oops}}\n"
)

# (file content, the stderr line's start, a keyword in it). The file is p.yaml or p.json.
YAML_CASES = {
    "syntax-error": ("id: p1\nmaterials: [Dy\n", "p.yaml:3:1: ", "invalid YAML"),
    "syntax-error-unclosed-quote": ('id: "p1\nmaterials: {}\n', "p.yaml:3:1: ", "invalid YAML"),
    "tab-indent": ("id: p1\nmaterials:\n\tDy: {}\n", "p.yaml:3:1: ", "tab"),
    "duplicate-key-top": (FULL + "id: p2\n", "p.yaml:10:1: id: ", "duplicate key 'id'"),
    "duplicate-key-deep": (
        FULL.replace("qty: 50,", "qty: 50, qty: 60,"),
        "p.yaml:9:29: supply[0].qty: ",
        "duplicate key 'qty' (first given on line 9)",
    ),
    "alias-bomb": (billion_laughs(), "p.yaml:1:1: ", "aliases expand to more than 100000"),
    "nesting-10000-lists": ("[" * 10_000 + "]" * 10_000 + "\n", "p.yaml:1:101: ", "nesting"),
    "nesting-10000-mappings": (
        "id: p1\nname: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
        "p.yaml:2:",
        "nesting is deeper than 100 levels",
    ),
    "nesting-10000-block": (
        "".join(" " * i + "a:\n" for i in range(10_000)),
        "p.yaml:101:",
        "nesting",
    ),
    "python-name-tag": (
        "id: !!python/name:os.system\n",
        "p.yaml:1:5: id: ",
        "tag tag:yaml.org,2002:python/name:os.system is not allowed",
    ),
    "nan": (FULL.replace("{Dy: 100}", "{Dy: .nan}"), "p.yaml:6:17: inventory.Dy: ", "finite"),
    "inf": (FULL.replace("{Dy: 1}", "{Dy: .inf}"), "p.yaml:7:14: demand.Dy: ", "finite"),
    "1e400": (FULL.replace("qty: 50", "qty: 1e400"), "p.yaml:9:25: supply[0].qty: ", "finite"),
    "boolean-quantity": (
        FULL.replace("{Dy: 100}", "{Dy: true}"),
        "p.yaml:6:17: inventory.Dy: ",
        "valid number (got True)",
    ),
    "boolean-days": (
        FULL.replace("transit_days: 30", "transit_days: false"),
        "p.yaml:3:15: transit_days: ",
        "valid integer (got False)",
    ),
    "impossible-date": (
        FULL.replace("as_of: 2025-06-02", "as_of: 2025-02-30"),
        "p.yaml:2:8: as_of: ",
        "'2025-02-30' is not a calendar date",
    ),
    "date-day-month-year": (
        FULL.replace("as_of: 2025-06-02", "as_of: 02/06/2025"),
        "p.yaml:2:8: as_of: ",
        "expected a date as YYYY-MM-DD, got '02/06/2025'",
    ),
    "date-without-zeros": (
        FULL.replace("filed: 2025-05-01", "filed: 2025-5-1"),
        "p.yaml:9:36: supply[0].filed: ",
        "expected a date as YYYY-MM-DD, got '2025-5-1'",
    ),
    "date-as-number": (
        FULL.replace("as_of: 2025-06-02", "as_of: 20250602"),
        "p.yaml:2:8: as_of: ",
        "expected a date as YYYY-MM-DD, got 20250602",
    ),
    "binary-png": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "p.yaml:1:1: ",
        "binary file",
    ),
    "binary-without-nul": (
        bytes(range(1, 256)) * 4,
        "p.yaml:2:118: ",
        "not valid UTF-8 (byte 0x80)",
    ),
    "utf16-le-bom": (
        ("\ufeff" + FULL).encode("utf-16-le"),
        "p.yaml:1:1: ",
        "UTF-16; save it as UTF-8",
    ),
    "utf16-be-bom": (("\ufeff" + FULL).encode("utf-16-be"), "p.yaml:1:1: ", "UTF-16"),
    "latin1": (
        FULL.replace("id: p1\n", "id: p1\nname: caf\xe9\n").encode("latin-1"),
        "p.yaml:2:10: ",
        "not valid UTF-8 (byte 0xe9)",
    ),
    "one-megabyte-line-bad-value-at-its-end": (
        ONE_LINE_PLANT,
        f"p.yaml:1:{ONE_LINE_PLANT.index('oops') + 1}: inventory.Dy: ",
        "valid number",
    ),
    "one-megabyte-line-of-text": ("x" * MEGABYTE + "\n", "p.yaml:1:1: ", "expected a mapping"),
    "empty": ("", "p.yaml:1:1: ", "the file is empty"),
    "only-whitespace": ("  \n\n   \n", "p.yaml:1:1: ", "the file is empty"),
    "only-a-comment": ("# a plant will go here\n", "p.yaml:1:1: ", "the file is empty"),
    "only-a-null": ("~\n", "p.yaml:1:1: ", "expected a mapping"),
}

JSON_CASES = {
    "json-syntax-error": ('{"id": "p1", "materials": {"Dy": {}\n', "p.json:2:1: ", "invalid YAML"),
    "json-duplicate-key-deep": (
        FULL_JSON.replace('"qty": 50,', '"qty": 50, "qty": 60,'),
        "p.json:3:43: supply[0].qty: ",
        "duplicate key 'qty'",
    ),
    "json-nesting-10000": ('{"a": ' * 10_000 + "1" + "}" * 10_000, "p.json:1:", "nesting"),
    "json-nan": (
        FULL_JSON.replace('{"Dy": 100}', '{"Dy": NaN}'),
        "p.json:2:22: inventory.Dy: ",
        "valid number (got 'NaN')",
    ),
    "json-1e400": (
        FULL_JSON.replace('"qty": 50', '"qty": 1e400'),
        "p.json:3:39: supply[0].qty: ",
        "finite",
    ),
    "json-boolean-quantity": (
        FULL_JSON.replace('{"Dy": 100}', '{"Dy": true}'),
        "p.json:2:22: inventory.Dy: ",
        "valid number (got True)",
    ),
    "json-impossible-date": (
        FULL_JSON.replace('"2025-06-02"', '"2025-02-30"'),
        "p.json:1:23: as_of: ",
        "not a calendar date",
    ),
    "json-non-iso-date": (
        FULL_JSON.replace('"2025-05-01"', '"2025-5-1"'),
        "p.json:3:52: supply[0].filed: ",
        "YYYY-MM-DD",
    ),
    "json-utf16-bom": (("\ufeff" + FULL_JSON).encode("utf-16-le"), "p.json:1:1: ", "UTF-16"),
    "json-latin1": (
        FULL_JSON.replace('"id": "p1",', '"id": "p1", "name": "caf\xe9",').encode("latin-1"),
        "p.json:1:26: ",
        "not valid UTF-8",
    ),
    "json-one-megabyte-line": (
        '{"id": "p1", "materials": {"Dy": {}}, "inventory": {"Dy": 1}, "name": "'
        + "x" * MEGABYTE
        + '", "demand": {"Dy": "1"}}',
        f"p.json:1:{MEGABYTE + 92}: demand.Dy: ",
        "valid number",
    ),
    "json-empty-object": ("{}", "p.json:1:1: ", "id: Field required"),
    "json-tab-before-the-document": ("\t" + FULL_JSON, "p.json:1:1: ", "a tab cannot indent"),
}


@pytest.mark.parametrize(
    ("content", "start", "keyword"),
    [pytest.param(*case, id=name) for name, case in {**YAML_CASES, **JSON_CASES}.items()],
)
def test_hostile_file(cwd: Path, content: str | bytes, start: str, keyword: str) -> None:
    name = start.split(":", 1)[0]
    write(cwd, name, content)
    lines = assert_input_error(timed("runway", name), start)
    line = next(line for line in lines if line.startswith(start))
    assert keyword in line, line
    assert all(PROBLEM.match(line) for line in lines), lines


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch CREATED']",
        "!!python/object/apply:os.system\n  - touch CREATED",
        "!!python/object/new:subprocess.call [['touch', 'CREATED']]",
        "!!python/object:builtins.open {file: CREATED, mode: w}",
        "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch CREATED']",
    ],
)
def test_python_tags_construct_nothing(cwd: Path, tagged: str) -> None:
    write(cwd, "p.yaml", f"id: p1\nname: {tagged}\nmaterials: {{Dy: {{}}}}\n")
    lines = assert_input_error(timed("runway", "p.yaml"), "p.yaml:2:7: name: ")
    assert "is not allowed: reerisk files hold plain data only" in lines[0]
    assert not (cwd / "CREATED").exists()


def test_directory(cwd: Path) -> None:
    (cwd / "plants").mkdir()
    result = timed("runway", "plants")
    assert_input_error(result, "reerisk: error: plants: is a directory, not a file")


def test_missing_file(cwd: Path) -> None:
    result = timed("runway", "plant.yaml")
    assert_input_error(result, "reerisk: error: plant.yaml: no such file")


def test_file_over_the_size_limit(cwd: Path) -> None:
    path = write(cwd, "p.yaml", FULL)
    size = path.stat().st_size
    result = timed("runway", "p.yaml", env={"REERISK_MAX_BYTES": "100"})
    (line,) = assert_input_error(result, "p.yaml:1:1: ")
    assert f"file is {size} bytes, over the limit of 100 (raise it with REERISK_MAX_BYTES)" in line
    assert_ok(timed("runway", "p.yaml", env={"REERISK_MAX_BYTES": str(size)}))


@pytest.mark.parametrize("output_format", ["table", "json"])
def test_crlf_copy_of_the_sample_gives_the_same_output(cwd: Path, output_format: str) -> None:
    crlf = write(cwd, "plants-crlf.yaml", PLANTS.read_bytes().replace(b"\n", b"\r\n"))
    lf = Path(shutil.copy(PLANTS, cwd / "plants.yaml"))
    assert b"\r\n" in crlf.read_bytes()
    expected = timed("runway", lf, "--format", output_format)
    got = timed("runway", crlf, "--format", output_format)
    assert_ok(expected)
    assert_ok(got)
    assert got.stdout == expected.stdout


def test_crlf_errors_point_at_the_same_place(cwd: Path) -> None:
    text = FULL.replace("{Dy: 100}", "{Dy: -1}")
    write(cwd, "p.yaml", text.replace("\n", "\r\n"))
    assert_input_error(timed("runway", "p.yaml"), "p.yaml:6:17: inventory.Dy: ")


def test_a_megabyte_name_is_not_refused(cwd: Path) -> None:
    write(cwd, "p.yaml", FULL.replace("id: p1\n", "id: p1\nname: " + "x" * MEGABYTE + "\n"))
    result = timed("validate", "p.yaml")
    assert_ok(result)


# --- crashes found by fuzzing and probing (each was exit 70 with a traceback) ---------------


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("0x" + "f" * 5000, "number has 5002 characters"),
        ("0o" + "7" * 5000, "number has 5002 characters"),
    ],
)
def test_5000_digit_hex_and_octal_numbers(cwd: Path, number: str, message: str) -> None:
    # Read as a 6000-digit int, which repr() refused to print in the message.
    write(cwd, "p.yaml", FULL.replace("{Dy: 100}", "{Dy: " + number + "}"))
    (line,) = assert_input_error(timed("runway", "p.yaml"), "p.yaml:6:17: inventory.Dy: ")
    assert message in line


def test_astronomical_piece_mass(cwd: Path) -> None:
    # 1e300 g a piece times 1e12 pieces overflowed the element figures to infinity.
    write(
        cwd,
        "p.yaml",
        "id: p1\nas_of: 2025-06-02\nmaterials:\n"
        "  m: {unit: pcs, mass_g: 1e300, composition: {Dy: 100}}\n"
        "inventory: {m: 1e12}\ndemand: {m: 1}\n",
    )
    (line,) = assert_input_error(timed("runway", "p.yaml"), "p.yaml:4:26: materials.m.mass_g: ")
    assert "less than or equal to 1000000000" in line


@pytest.mark.parametrize("output_format", ["table", "json"])
def test_vanishing_demand_is_no_stockout(cwd: Path, output_format: str) -> None:
    # Stock / 1e-300 a day is infinite: int() of it crashed the engine and the cover column.
    write(
        cwd,
        "p.yaml",
        "id: p1\nas_of: 2025-06-02\nmaterials:\n"
        "  m: {unit: pcs, mass_g: 1e9, composition: {Dy: 100}}\n"
        "inventory: {m: 1e12}\ndemand: {m: 1e-300}\n",
    )
    result = timed("runway", "p.yaml", "--format", output_format)
    assert_ok(result)
    assert "> 365 d" in result.stdout or '"runway_days": null' in result.stdout


@pytest.mark.parametrize("rate", [".inf", "-.inf", ".nan"])
def test_infinite_approval_rate(cwd: Path, rate: str) -> None:
    # The "did you mean 0.25?" hint for rates over 1 ran int(.inf). Found by fuzz_hunt.py.
    write(cwd, "p.yaml", PLANT)
    write(cwd, "s.yaml", f"scenarios:\n  - name: a\n    approval_rate: {rate}\n")
    result = timed("runway", "p.yaml", "--scenarios", "s.yaml")
    (line,) = assert_input_error(result, "s.yaml:3:20: scenarios[0].approval_rate: ")
    assert "Input should be" in line


@pytest.mark.parametrize(
    ("old", "new", "start"),
    [
        ("as_of: 2025-06-02", "as_of: 9999-12-01", "p.yaml:2:8: as_of: '9999-12-01' is outside"),
        ("filed: 2025-05-01", "filed: 9999-12-30", "p.yaml:9:36: supply[0].filed: '9999-12-30' is"),
        ("as_of: 2025-06-02", "as_of: 0001-01-01", "p.yaml:2:8: as_of: '0001-01-01' is outside"),
    ],
)
def test_dates_near_year_9999(cwd: Path, old: str, new: str, start: str) -> None:
    # Day 0 + the horizon, or a filing + review + transit, overflowed the date type.
    write(cwd, "p.yaml", FULL.replace(old, new))
    (line,) = assert_input_error(timed("runway", "p.yaml"), start)
    assert "outside 1900-01-01..2199-12-31; is the year a typo?" in line


def test_as_of_option_near_year_9999(cwd: Path) -> None:
    write(cwd, "p.yaml", FULL)
    result = timed("runway", "p.yaml", "--as-of", "9999-12-31")
    message = "--as-of '9999-12-31': outside 1900-01-01..2199-12-31"
    assert_input_error(result, f"reerisk: error: {message}")


def test_latest_dates_still_run(cwd: Path) -> None:
    write(
        cwd, "p.yaml", FULL.replace("2025-06-02", "2199-12-31").replace("2025-05-01", "2199-12-31")
    )
    assert_ok(timed("runway", "p.yaml", "--horizon", "3660", "--format", "json"))


@pytest.mark.parametrize("review", ["100000", "{min: 0, mode: 99999, max: 100000}"])
def test_centuries_of_review_are_refused(cwd: Path, review: str) -> None:
    # 100 000 Chinese working days took 6 s of holiday calendars: past the fuzz time limit.
    write(cwd, "p.yaml", FULL)
    write(
        cwd,
        "s.yaml",
        f"scenarios:\n  - name: a\n    approval_rate: 0.5\n    review_working_days: {review}\n",
    )
    result = timed("runway", "p.yaml", "--scenarios", "s.yaml")
    lines = assert_input_error(result, "s.yaml:4:")
    assert all("less than or equal to 2500" in line for line in lines), lines


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\\n", "\\t", "\\u001b[31m"])
def test_line_breaks_inside_names_do_not_break_the_message_line(cwd: Path, odd: str) -> None:
    # A JSON material id ending in U+2028 printed raw split its problem over two lines.
    # Found by fuzz_hunt.py (seed 3, input 7635).
    text = FULL_JSON.replace('"material": "Dy"', f'"material": "Dy{odd}"')
    write(cwd, "p.json", text)
    lines = assert_input_error(timed("runway", "p.json"), "p.json:3:26: supply[0].material: ")
    assert all(PROBLEM.match(line) for line in lines), lines
    assert any("material 'Dy\\" in line for line in lines), lines


# --- devices and pipes: read up to the size limit, never forever ------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_stop_at_the_size_limit(cwd: Path, device: str) -> None:
    # read_bytes() on /dev/zero never returned: stat gives a size of 0.
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    result = timed("runway", device, env={"REERISK_MAX_BYTES": "100000"})
    (line,) = assert_input_error(result, f"{device}:1:1: ")
    assert "file is over the limit of 100000 bytes (raise it with REERISK_MAX_BYTES)" in line


def test_a_pipe_is_read_like_a_file(cwd: Path) -> None:
    # As in `reerisk validate <(generate-portfolio)`.
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=_write_and_close, args=(write_end, FULL.encode()))
    writer.start()
    try:
        result = timed("validate", f"/dev/fd/{read_end}")
    finally:
        writer.join()
        os.close(read_end)
    assert_ok(result)
    assert result.stdout == "ok: 1 plant, 0 scenarios\n"


def _write_and_close(descriptor: int, data: bytes) -> None:
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def test_tabs_inside_json_are_fine(cwd: Path) -> None:
    # Inside brackets a tab is whitespace, in JSON and in YAML's flow style alike.
    write(cwd, "p.json", FULL_JSON.replace(" ", "\t").replace("\n\t", "\n"))
    assert_ok(timed("runway", "p.json"))
