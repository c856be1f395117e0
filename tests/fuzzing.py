"""The fuzz harness's parts: seed files, mutations, one run of `reerisk.cli.main`, the contract.

Shared by `test_fuzz.py` (hypothesis draws the mutations, CI runs a short
fixed-seed pass) and `fuzz_hunt.py` (a long random pass by hand that keeps
going after a failure and saves every failing input). Not a test module.

A mutation is a list of steps, each `(operation, position, choice)`, applied in
order to the bytes of a valid file; position and choice are reduced modulo
whatever they index, so any integers make a valid step and hypothesis can
shrink them towards 0.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from reerisk.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

SMALL_PLANT = b"""\
# yaml-language-server: $schema=plants.schema.json
materials:
  rotor: {unit: pcs, mass_g: 1450, composition: {Nd: 23.0, Dy: 3.5, Tb: 0.7, Fe: 72.8}}
  Dy: {}
plants:
  - id: p1
    country: DE
    region: EU
    end_use: civilian
    as_of: 2025-06-02
    production_days: mon-fri
    shutdowns: [{from: 2025-08-04, to: 2025-08-15}]
    transit_days: 35
    lines:
      - product: motor
        units_per_day: 80
        bom: {rotor: 1}
    demand: {Dy: 0.5}
    inventory: {rotor: 2600, Dy: 40}
    recovery_days: {rotor: 180}
    supply:
      - {material: rotor, qty: 800, arrives: 2025-06-20}
      - {material: rotor, qty: 2000, filed: 2025-05-12}
      - {material: rotor, qty: 2000, filed: 2025-05-20, approved: 2025-06-10}
      - {material: rotor, qty: 1500, every_days: 30, first_filed: 2025-06-15,
         until: 2026-06-30, channel: green, transit_days: 10}
"""


def _small_plant_json() -> bytes:
    """The small plant as JSON, so that the fast path (`jsonread`) is fuzzed too."""
    from reerisk.yamlread import parse_yaml

    value = parse_yaml(SMALL_PLANT.decode()).value
    return json.dumps(value, indent=1).encode()


def _previous_run() -> bytes:
    """A short `runway --format json` of the sample, for `compare --against`."""
    args = ["runway", str(DATA / "plants.yaml"), "--scenarios", str(DATA / "scenarios.yaml")]
    outcome = run_main([*args, "--horizon", "200", "--format", "json"])
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stdout.encode()


SEEDS: dict[str, bytes] = {
    "plants.yaml": (DATA / "plants.yaml").read_bytes(),
    "small.yaml": SMALL_PLANT,
    "small.json": _small_plant_json(),
    "scenarios.yaml": (DATA / "scenarios.yaml").read_bytes(),
    "elements.yaml": (DATA / "elements.yaml").read_bytes(),
}
PREVIOUS = "previous.json"  # the --against file; its seed is made on first use
PLANT_SEEDS = ("plants.yaml", "small.yaml", "small.json")

# What a value may be swapped for: other types, hostile numbers, dates, YAML oddities.
VALUES: tuple[bytes, ...] = (
    b"true", b"false", b"no", b"~", b"null", b"''", b'""', b"[]", b"{}", b"[1, 2]", b"{a: 1}",
    b"0", b"-1", b"-0.0", b"1e400", b"-1e400", b".nan", b".inf", b"-.inf", b"1e-320",
    b"1e12", b"1e13", b"0x7f", b"0o17", b"0b11", b"9" * 120, b"0x" + b"f" * 200, b"1_000",
    b"2025-02-30", b"02/06/2025", b"2025-6-2", b"2025-06-02T10:00:00", b"0001-01-01",
    b"9999-12-31", b"20250602", b"!!python/object/apply:os.system ['true']", b"!!str 5",
    b"!!int x", b"!!float 1", b"!!binary aGk=", b"!custom x", b"&anchor 5", b"*anchor",
    b"*undefined", b"|\n  text", b">-\n  folded", b"'quoted'", b'"\\u00e9"', b'"\\ud800"',
    b"25%", b"Dy", b"dy", b"Xx", b"pcs", b"kg", b"green", b"military", b"workdays", b"NO",
)  # fmt: skip
# What a date or a number may become while staying of its kind: the edges of what is valid.
DATES: tuple[bytes, ...] = (
    b"1900-01-01", b"2199-12-31", b"1899-12-31", b"2200-01-01", b"9999-12-31", b"0001-01-01",
    b"2025-04-04", b"2025-06-02", b"2026-11-10", b"2024-02-29", b"2025-02-29",
)  # fmt: skip
NUMBERS: tuple[bytes, ...] = (
    b"0", b"0.0", b"1", b"5e-324", b"1e-300", b"1e-9", b"0.999999", b"1.000001", b"100",
    b"100.000001", b"2500", b"2501", b"3660", b"100000", b"100001", b"1e9", b"1e12",
    b"1000000000001", b"-0", b"0.5", b"45",
)  # fmt: skip
_DATE_TEXT = re.compile(rb"\d{4}-\d{2}-\d{2}")
_NUMBER_TEXT = re.compile(rb"[-+]?[0-9][0-9.eE+-]*")
# What may be inserted anywhere: YAML's special characters and structures, odd bytes.
TOKENS: tuple[bytes, ...] = (
    b"- ", b": ", b":", b"{", b"}", b"[", b"]", b",", b"&a ", b"*a", b"!!str ", b"!tag ",
    b"? ", b"|", b">", b"#", b"'", b'"', b"%YAML 1.2\n---\n", b"---\n", b"...\n",
    b"<<: *a\n", b"\t", b"\r", b"\r\n", b"\n", "\ufeff".encode(), b"\x00",
    b"\xff", b"\xc3", b"\x85", b"\xe2\x80\xa8", b" " * 7, b"\\", b"@", b"`", b"%",
)  # fmt: skip
KEYS: tuple[bytes, ...] = (
    b"id", b"plants", b"materials", b"inventory", b"demand", b"supply", b"lines", b"bom",
    b"qty", b"unit", b"mass_g", b"composition", b"as_of", b"transit_days", b"scenarios",
    b"name", b"approval_rate", b"from", b"rate", b"overrides", b"when", b"elements",
    b"regimes", b"symbol", b"Dy", b"Tb", b"recovery_days", b"filed", b"arrives",
)  # fmt: skip
OPERATIONS = (
    "flip", "delete_line", "duplicate_line", "swap_lines", "rename_key", "swap_value",
    "truncate", "indent", "insert_token", "delete_span", "edge_value",
)  # fmt: skip

_KEY = re.compile(rb"([A-Za-z_][A-Za-z0-9_.-]*)\s*:")
_VALUE = re.compile(rb":[ ]+([^\s,{}\[\]#][^,{}\[\]\n#]*)")

Step = tuple[str, int, int]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _renamed(key: bytes, choice: int) -> bytes:
    """A near miss of `key` (a typo, a case change), or another known key."""
    kind = choice % 6
    at = (choice // 6) % max(len(key), 1)
    if kind == 0:
        return key[:at] + key[at + 1 :] or b"x"
    if kind == 1 and len(key) > 1:
        at = min(at, len(key) - 2)
        return key[:at] + key[at + 1 : at + 2] + key[at : at + 1] + key[at + 2 :]
    if kind == 2:
        return key.upper() if key != key.upper() else key.lower()
    if kind == 3:
        return key[:at] + b"x" + key[at:]
    if kind == 4:
        return key + b" "
    return KEYS[choice % len(KEYS)]


def apply_step(data: bytes, step: Step) -> bytes:
    """`data` changed by one mutation step."""
    operation, position, choice = step
    if operation == "flip":
        if not data:
            return bytes([choice % 256])
        at = position % len(data)
        return data[:at] + bytes([choice % 256]) + data[at + 1 :]
    if operation in ("delete_line", "duplicate_line", "swap_lines", "indent"):
        lines = _lines(data)
        at = position % len(lines)
        if operation == "delete_line":
            del lines[at]
        elif operation == "duplicate_line":
            lines.insert(at, lines[at])
        elif operation == "swap_lines":
            other = choice % len(lines)
            lines[at], lines[other] = lines[other], lines[at]
        else:
            stripped = lines[at].lstrip(b" ")
            indent = len(lines[at]) - len(stripped)
            change = (choice % 9) - 4  # -4 .. +4 spaces; 0 puts a tab in front
            lines[at] = (
                b"\t" + lines[at] if change == 0 else b" " * max(0, indent + change) + stripped
            )
        return b"".join(lines)
    if operation == "edge_value":
        matches = list(_VALUE.finditer(data))
        if not matches:
            return data
        match = matches[position % len(matches)]
        value = match.group(1).strip()
        if _DATE_TEXT.fullmatch(value.strip(b'"')):  # quoted in JSON
            replacement = DATES[choice % len(DATES)]
            replacement = b'"' + replacement + b'"' if value.startswith(b'"') else replacement
        elif _NUMBER_TEXT.fullmatch(value):
            replacement = NUMBERS[choice % len(NUMBERS)]
        else:
            return data
        return data[: match.start(1)] + replacement + data[match.start(1) + len(value) :]
    if operation in ("rename_key", "swap_value"):
        pattern = _KEY if operation == "rename_key" else _VALUE
        matches = list(pattern.finditer(data))
        if not matches:
            return data
        match = matches[position % len(matches)]
        if operation == "rename_key":
            replacement = _renamed(match.group(1), choice)
        else:
            replacement = VALUES[choice % len(VALUES)]
        return data[: match.start(1)] + replacement + data[match.end(1) :]
    if operation == "truncate":
        return data[: position % (len(data) + 1)]
    if operation == "insert_token":
        at = position % (len(data) + 1)
        return data[:at] + TOKENS[choice % len(TOKENS)] + data[at:]
    if operation == "delete_span":
        if not data:
            return data
        at = position % len(data)
        return data[:at] + data[at + 1 + choice % 64 :]
    raise ValueError(f"unknown mutation {operation!r}")


def mutate(data: bytes, steps: Sequence[Step]) -> bytes:
    for step in steps:
        data = apply_step(data, step)
    return data


# --- one run, and the contract ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float


def run_main(args: Sequence[str], env: dict[str, str | None] | None = None) -> Outcome:
    """Run `reerisk ARGS` through `reerisk.cli.main`, as the console script does.

    Unlike `CliRunner.invoke(app)`, a crash here is what a user would see: a
    traceback on stderr and exit code 70.
    """
    runner = CliRunner()
    saved_argv = sys.argv
    started = time.perf_counter()
    with runner.isolation(env=env) as (stdout, stderr, _):
        sys.argv = ["reerisk", *args]
        try:
            main()
            exit_code = 0
        except SystemExit as exc:
            exit_code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.argv = saved_argv
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    seconds = time.perf_counter() - started
    return Outcome(exit_code, out.decode(errors="replace"), err.decode(errors="replace"), seconds)


# YAML's line breaks: a lone CR (an old Mac file), NEL, and the Unicode line and
# paragraph separators start a line too, and positions from the parser count them.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_count(content: bytes) -> int:
    return len(_BREAK.findall(content.decode("utf-8", errors="replace"))) + 1


# The documented forms of a stderr line (README, "Exit codes"; errors.Problem.__str__).
_AT_FILE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>\S.*)$")
_PLAIN = re.compile(r"^reerisk: (error|warning): \S.*$")
_GATE = re.compile(r"^reerisk: gate --fail-(under|drop) \d+ tripped: \S.*$")  # exit 1 only
_MORE = re.compile(r"^… and \d+ more$")


def contract_violations(outcome: Outcome, files: dict[str, bytes], max_seconds: float) -> list[str]:
    """Every way this run broke reerisk's contract with its user; empty when it kept it."""
    broken: list[str] = []
    if outcome.exit_code not in (0, 1, 2):
        broken.append(f"exit code {outcome.exit_code}")
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        broken.append("a traceback was printed")
    if "Traceback" in outcome.stderr:  # the traceback's own lines need no more words
        return [*broken, outcome.stderr.strip().splitlines()[-2]]
    if outcome.seconds > max_seconds:
        broken.append(f"took {outcome.seconds:.1f} s (limit {max_seconds} s)")
    for line in outcome.stderr.splitlines():
        if _PLAIN.match(line) or _MORE.match(line):
            continue
        if _GATE.match(line):
            if outcome.exit_code != 1:
                broken.append(f"a gate line with exit {outcome.exit_code}: {line!r}")
            continue
        match = _AT_FILE.match(line)
        if match is None or match["file"] not in files:
            broken.append(f"stderr line not in a documented form: {line!r}")
            continue
        line_count = _line_count(files[match["file"]])
        row, column = int(match["line"]), int(match["col"])
        if not 1 <= row <= line_count + 1 or column < 1:
            broken.append(f"position {row}:{column} outside the file ({line_count} lines)")
        if outcome.exit_code == 0 and "warning: " not in line:
            broken.append(f"exit 0 with a problem on stderr: {line!r}")
    if outcome.exit_code == 2 and not outcome.stderr.strip():
        broken.append("exit 2 with nothing on stderr")
    if outcome.exit_code == 0 and not outcome.stdout.strip():
        broken.append("exit 0 with nothing on stdout")
    return broken


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _json_violations(text: str) -> list[str]:
    """--format json must print strict JSON: no NaN or Infinity, which many readers refuse."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        return [f"--format json printed invalid JSON: {exc}"]
    return []


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "runway-table": ["runway"],
    "runway-json": ["runway", "--format", "json"],
    "runway-csv": ["runway", "--format", "csv", "--horizon", "120"],
    "compare": ["compare", "--baseline", "embargo"],
    "runway-long": ["runway", "--horizon", "3660", "--format", "json"],
    "runway-late": ["runway", "--as-of", "2199-12-31", "--format", "csv"],
    "simulate-json": ["simulate", "--trials", "40", "--format", "json"],
    "simulate-table": ["simulate", "--trials", "40", "--fail-under", "30"],
    "report-markdown": ["report", "--format", "markdown"],  # stdout: no charts, no matplotlib
}


def arguments(command: str, target: str, plant_file: str) -> list[str]:
    """The command line for one fuzz run; `target` is the mutated file's name."""
    args = [*COMMANDS[command], plant_file, "--scenarios", "scenarios.yaml"]
    if target == "elements.yaml":
        args += ["--elements", "elements.yaml"]
    if target == PREVIOUS:  # whatever the command drawn: only compare reads it
        args = ["compare", plant_file, "--scenarios", "scenarios.yaml", "--against", PREVIOUS]
        args += ["--fail-drop", "10"]
    return args


def seed(target: str) -> bytes:
    """The valid file that `target` starts from."""
    if target not in SEEDS:
        SEEDS[target] = _previous_run()
    return SEEDS[target]


TARGETS = (*SEEDS, PREVIOUS)


def run_mutated(
    directory: Path, target: str, mutated: bytes, command: str, max_seconds: float
) -> tuple[Outcome, list[str]]:
    """Write the seeds (one of them mutated) in `directory`, run there, and check the contract."""
    plant_file = target if target in PLANT_SEEDS else "plants.yaml"
    files = {plant_file: SEEDS[plant_file], "scenarios.yaml": SEEDS["scenarios.yaml"]}
    if target == PREVIOUS:
        files[PREVIOUS] = seed(PREVIOUS)
    if target == "elements.yaml":
        files["elements.yaml"] = SEEDS["elements.yaml"]
    files[target] = mutated
    for name, content in files.items():
        (directory / name).write_bytes(content)
    args = arguments(command, target, plant_file)
    before = os.getcwd()
    os.chdir(directory)
    try:
        outcome = run_main(args, env={"REERISK_MAX_BYTES": None, "NO_COLOR": "1"})
    finally:
        os.chdir(before)
    broken = contract_violations(outcome, files, max_seconds)
    if "json" in args and outcome.exit_code in (0, 1):
        broken += _json_violations(outcome.stdout)
    for name, content in files.items():
        if (directory / name).read_bytes() != content:
            broken.append(f"input file {name} was modified")
    return outcome, broken
