"""Scale: a synthetic 10 000-plant portfolio under 5 scenarios (SPEC §6).

    python benchmarks/scale.py [--plants 10000] [--runs 3]

1. Generates the portfolio (`generate.py`, seeded) as JSON and YAML, at
   `--plants` and at a quarter and half of it, in a temporary directory.
2. Loading alone: `load_plants` on each file in a fresh process, with the
   collector paused as the CLI does, and its peak memory. YAML that takes
   over `--load-timeout` seconds is stopped, reported, and not run through
   the CLI.
3. Engine alone: loads the JSON once (`loading.py`, with the collector paused
   as the CLI does), then times `engine.project_plant` for every plant x 5
   scenarios x 365 days, each projection dropped once made as the CLI streams
   them; and, on the first `--daily-plants` plants, the engine against the
   day-by-day reference `daily.project_plant_daily`, timed the same way in
   turn (the ratio is taken there), then compared field by field in one more,
   untimed pass: they must agree. (Rendering is measured only through the CLI.)
4. The CLI end to end, each run in a fresh process:
   `reerisk runway P --scenarios S --format json|csv --output FILE`, for JSON
   and YAML input, with the peak memory of each run (the command's own
   `ru_maxrss`, taken by a small launcher process). A run over `--timeout`
   seconds is stopped and reported.
5. Prints Markdown tables (medians of `--runs`), the machine, and the command.

Run it from the repository root, in the virtual environment reerisk is
installed in. Peak memory is per process: with `--cli-args "--jobs N"` it is
the largest of the main process and its workers, not their sum.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # benchmarks/ is not a package

HORIZON = 365
SEED = 1


def reerisk(*args: str) -> list[str]:
    beside = Path(sys.executable).with_name("reerisk")  # the venv's, when it is not on PATH
    executable = shutil.which("reerisk") or (str(beside) if beside.exists() else None)
    return [executable, *args] if executable else [sys.executable, "-m", "reerisk", *args]


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as stream:
            kib = int(stream.readline().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs{memory}; "
        f"Python {platform.python_version()}"
    )


# --- the engine alone -----------------------------------------------------------------


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Fields where two projections differ (floats within 1e-9 relative, 1e-6 absolute)."""
    if is_dataclass(a) and is_dataclass(b) and type(a) is type(b):
        found: list[str] = []
        for field in fields(a):
            found += _differences(
                getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}"
            )
        return found
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items vs {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{where}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float | int):
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
        return [] if same else [f"{where}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]


@dataclass
class EngineTimes:
    plants: int
    load_json: float
    engine: list[float]
    daily_plants: int
    daily: list[float]
    engine_subset: list[float]
    disagreements: list[str]


def time_engine(
    plants_file: Path, scenarios_file: Path, runs: int, daily_plants: int
) -> EngineTimes:
    from reerisk.daily import project_plant_daily
    from reerisk.engine import project_plant
    from reerisk.loading import collector_paused, load_plants, load_reference, load_scenarios

    problems: list[Any] = []
    with collector_paused():  # as the CLI loads
        reference = load_reference(None, problems)
        load_json, items = _timed(lambda: load_plants([str(plants_file)], reference, problems))
        scenarios = load_scenarios(str(scenarios_file), problems)
    errors = [p for p in problems if not getattr(p, "warning", False)]
    if reference is None or errors:
        raise SystemExit(f"{plants_file}: {len(errors)} problems, first: {errors[:3]}")
    regimes = reference.regimes
    rare_earths = [e.symbol for e in sorted(reference.elements, key=lambda e: e.z)]

    def run(project: Callable[..., Any], subset: Sequence[Any]) -> list[Any]:
        return [
            project(
                item, scenarios, regimes, rare_earths, item.plant.as_of or date.today(), HORIZON
            )
            for item in subset
        ]

    def stream(project: Callable[..., Any], subset: Sequence[Any]) -> None:
        """As the CLI does: each plant's projection is dropped once made (written, there)."""
        for item in subset:
            project(
                item, scenarios, regimes, rare_earths, item.plant.as_of or date.today(), HORIZON
            )

    # The first pass fills the per-run caches (calendars, Chinese decision dates), as a CLI
    # run does; it is counted like the others.
    engine = [_timed(lambda: stream(project_plant, items))[0] for _ in range(runs)]
    # Engine and reference on the same subset, timed the same way (streamed, in turn) ...
    subset = items[:daily_plants]
    daily: list[float] = []
    engine_subset: list[float] = []
    for _ in range(runs):
        daily.append(_timed(lambda: stream(project_plant_daily, subset))[0])
        engine_subset.append(_timed(lambda: stream(project_plant, subset))[0])
    # ... and compared field by field in one more, untimed pass.
    projections = run(project_plant, subset)
    reference_projections = run(project_plant_daily, subset)
    disagreements = [
        f"{p.plant_id}{d}"
        for p, q in zip(projections, reference_projections, strict=True)
        for d in _differences(p, q)
    ]
    return EngineTimes(
        len(items), load_json, engine, len(subset), daily, engine_subset, disagreements
    )


# --- the CLI end to end ---------------------------------------------------------------


@dataclass
class CliRun:
    seconds: float
    max_rss_mib: float
    exit_code: int | None  # None: stopped at the timeout
    stderr: str
    stdout: str


# A small process that forks and execs the command, then reports the command's own wall time
# and peak RSS. Measuring from this (large) benchmark process would not do: a child spawned
# with vfork/exec inherits its parent's high-water RSS, so wait4's ru_maxrss would show
# this process's size for a small command.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as exc:
        sys.stderr.write(f"cannot run {sys.argv[2]}: {exc}\\n")
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{time.perf_counter() - start} {usage.ru_maxrss}")
sys.exit(max(0, os.waitstatus_to_exitcode(status)))
"""


def run_cli(command: list[str], timeout: float) -> CliRun:
    """One run in a fresh process, with its wall time and peak RSS (via LAUNCHER)."""
    env = os.environ | {"NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with (
        tempfile.TemporaryFile() as errors,
        tempfile.TemporaryFile() as output,
        tempfile.TemporaryDirectory() as scratch,
    ):
        measured = Path(scratch) / "usage"
        launcher = [sys.executable, "-c", LAUNCHER, str(measured), *command]
        start = time.perf_counter()
        # A session of its own, so that a timeout stops the command and its workers too.
        process = subprocess.Popen(
            launcher, stdout=output, stderr=errors, env=env, start_new_session=True
        )
        try:
            exit_code: int | None = process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            exit_code = None
        seconds = time.perf_counter() - start
        max_rss = 0.0
        if measured.exists():
            wall, rss = measured.read_text().split()
            seconds = float(wall)
            # ru_maxrss is in KiB on Linux, in bytes on macOS.
            max_rss = int(rss) / (2**20 if sys.platform == "darwin" else 2**10)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
        output.seek(0)
        stdout = output.read(100_000).decode("utf-8", "replace")
    return CliRun(seconds, max_rss, exit_code, stderr, stdout)


@dataclass
class CliResult:
    label: str
    plants: int
    runs: list[CliRun]

    @property
    def timed_out(self) -> bool:
        return any(run.exit_code is None for run in self.runs)

    def median_seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    def median_rss(self) -> float:
        return statistics.median(run.max_rss_mib for run in self.runs)


def time_cli(label: str, plants: int, command: list[str], runs: int, timeout: float) -> CliResult:
    done: list[CliRun] = []
    for _ in range(runs):
        result = run_cli(command, timeout)
        done.append(result)
        status = "timeout" if result.exit_code is None else f"exit {result.exit_code}"
        print(
            f"  {label}, {plants} plants: {result.seconds:.2f} s, "
            f"{result.max_rss_mib:.0f} MiB, {status}",
            file=sys.stderr,
        )
        if result.exit_code != 0:  # a timeout or an error: one run says enough
            break
    return CliResult(label, plants, done)


# --- loading alone, in a fresh process --------------------------------------------------

LOAD_ONLY = """
import json, sys, time
from reerisk.loading import collector_paused, load_plants, load_reference
problems = []
reference = load_reference(None, problems)
start = time.perf_counter()
with collector_paused():  # as the CLI loads
    plants = load_plants(sys.argv[1:], reference, problems)
seconds = time.perf_counter() - start
errors = [str(p) for p in problems if not getattr(p, "warning", False)]
print(json.dumps({"seconds": seconds, "plants": len(plants), "errors": errors[:3],
                  "error_count": len(errors)}))
"""


@dataclass
class LoadResult:
    plants: int
    fmt: str
    run: CliRun
    seconds: float | None  # inside the process; None when it failed or timed out
    loaded: int
    errors: list[str]


def time_load(plants: int, fmt: str, path: Path, timeout: float) -> LoadResult:
    run = run_cli([sys.executable, "-c", LOAD_ONLY, str(path)], timeout)
    status = "timeout" if run.exit_code is None else f"exit {run.exit_code}"
    print(
        f"  load {fmt.upper()}, {plants} plants: {run.seconds:.2f} s, "
        f"{run.max_rss_mib:.0f} MiB, {status}",
        file=sys.stderr,
    )
    if run.exit_code != 0:
        reason = "timeout" if run.exit_code is None else run.stderr.strip()[-500:]
        return LoadResult(plants, fmt, run, None, 0, [reason])
    found = json.loads(run.stdout)
    return LoadResult(plants, fmt, run, found["seconds"], found["plants"], found["errors"])


# --- report ---------------------------------------------------------------------------


def _sizes(plants: int) -> list[int]:
    return sorted({max(1, plants // 4), max(1, plants // 2), plants})


def _mib(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:.1f} MiB"


def _source_fingerprint() -> str:
    """A hash of the installed package's source, to notice edits made during a run."""
    import reerisk

    digest = hashlib.sha256()
    for path in sorted(Path(reerisk.__file__).parent.rglob("*.py")):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _check_output(path: Path, output_format: str, plants: int) -> str:
    """Does the last output hold every plant (JSON) or every plant x scenario x material (CSV)?"""
    scenarios, materials = len(generate.SCENARIOS), 5
    if output_format == "json":
        with path.open(encoding="utf-8") as stream:
            found = json.load(stream)
        got = len(found.get("plants", []))
        bad = [p["id"] for p in found.get("plants", []) if len(p["results"]) != scenarios]
        if got != plants or bad:
            return f"the JSON holds {got} plants, {len(bad)} without {scenarios} results"
        return ""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = sum(1 for _ in csv.reader(stream)) - 1
    expected = plants * scenarios * materials
    return "" if rows == expected else f"the CSV has {rows} rows, not {expected}"


def _revision() -> str:
    """The commit measured, and whether the working tree had changes."""
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown revision"
    return f"revision {found.stdout.strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--daily-plants",
        type=int,
        default=1_000,
        help="plants on which the engine is compared with the day-by-day reference",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=60.0,
        help="seconds to load one portfolio; YAML slower than this is not run through the CLI",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per CLI run")
    parser.add_argument("--cli-args", default="", help='extra runway options, e.g. "--jobs 2"')
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reerisk-scale-"))
    try:
        report(args, max(1, args.runs), _sizes(args.plants), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, runs: int, sizes: list[int], work: Path) -> None:
    plants: int = args.plants
    extra = shlex.split(args.cli_args)
    scenarios = work / "scenarios.yaml"
    generate.write({"scenarios": generate.SCENARIOS}, scenarios, "yaml")
    files: dict[tuple[int, str], Path] = {}
    for size in sizes:
        data = generate.portfolio(size, SEED)
        for fmt in ("json", "yaml"):
            files[size, fmt] = work / f"plants-{size}.{fmt}"
            generate.write(data, files[size, fmt], fmt)
    print(f"generated {', '.join(str(s) for s in sizes)} plants in {work}", file=sys.stderr)

    notes: list[str] = []
    source = _source_fingerprint()
    # Check that the generated data is valid (this also warms the bytecode cache).
    for fmt in ("json", "yaml"):
        check = run_cli(
            reerisk("validate", str(files[sizes[0], fmt]), "--scenarios", str(scenarios)),
            args.load_timeout,
        )
        if check.exit_code != 0:
            notes.append(
                f"`reerisk validate` on {sizes[0]} plants ({fmt}): exit "
                f"{check.exit_code}: {check.stderr.strip()[:500]}"
            )

    print("loading alone ...", file=sys.stderr)
    loads = [
        time_load(size, fmt, files[size, fmt], args.load_timeout)
        for size in sizes
        for fmt in ("json", "yaml")
    ]
    slow_yaml = {load.plants for load in loads if load.fmt == "yaml" and load.seconds is None}

    print("engine alone ...", file=sys.stderr)
    engine = time_engine(files[plants, "json"], scenarios, runs, args.daily_plants)

    print("CLI end to end ...", file=sys.stderr)
    out = work / "out"
    cli: list[CliResult] = []
    for size in sizes:
        for fmt, output_format in (("json", "json"), ("yaml", "json"), ("json", "csv")):
            label = f"{fmt.upper()} in, {output_format} out"
            if fmt == "yaml" and size in slow_yaml:
                notes.append(
                    f"{label}, {size} plants: not run, loading alone failed or took "
                    f"over {args.load_timeout:.0f} s"
                )
                continue
            command = reerisk(
                "runway",
                str(files[size, fmt]),
                "--scenarios",
                str(scenarios),
                "--format",
                output_format,
                "--output",
                str(out),
                *extra,
            )
            cli.append(time_cli(label, size, command, runs, args.timeout))
            if cli[-1].runs[-1].exit_code == 0:
                problem = _check_output(out, output_format, size)
                if problem:
                    notes.append(f"{label}, {size} plants: {problem}")
    if _source_fingerprint() != source:
        notes.append(
            "reerisk's source files changed while this ran: the rows may mix revisions; run again"
        )

    print(f"\nMachine: {machine()}; reerisk at {_revision()}.  ")
    print(
        f"Portfolio: `benchmarks/generate.py --seed {SEED}`: 5 materials, 2 lines and about 20 "
        f"supply entries per plant, 5 scenarios, {HORIZON}-day horizon. {plants} plants = "
        f"{_mib(files[plants, 'json'])} JSON, {_mib(files[plants, 'yaml'])} YAML.  "
    )
    options = f" --cli-args {shlex.quote(args.cli_args)}" if extra else ""
    print(
        f"Median of {runs} runs. Reproduce: `python benchmarks/scale.py --plants {plants} "
        f"--runs {runs}{options}`\n"
    )

    _engine_table(engine, notes)
    _load_table(loads, notes)
    _cli_table(cli, sizes, notes, args.timeout, " ".join(extra))
    if notes:
        print("\nNotes:\n")
        for note in notes:
            print(f"- {note}")


def _engine_table(engine: EngineTimes, notes: list[str]) -> None:
    scenarios = len(generate.SCENARIOS)
    engine_s = statistics.median(engine.engine)
    daily_subset = statistics.median(engine.daily)
    engine_subset = statistics.median(engine.engine_subset)
    print(
        f"**Engine alone**, in one process: {engine.plants} plants x {scenarios} scenarios x "
        f"{HORIZON} days, the JSON loaded once.\n"
    )
    print("| step | plants | seconds | µs per plant x scenario |")
    print("|---|---:|---:|---:|")

    def row(step: str, plants: int, seconds: float) -> None:
        per = seconds / (plants * scenarios) * 1e6
        print(f"| {step} | {plants} | {seconds:.2f} | {per:.0f} |")

    print(
        f"| `load_plants` (JSON, once) | {engine.plants} | {engine.load_json:.2f} | "
        f"{engine.load_json / engine.plants * 1e6:.0f} per plant |"
    )
    row("`engine.project_plant`, each plant dropped once made (as the CLI streams)",
        engine.plants, engine_s)  # fmt: skip
    row("`engine.project_plant`, the same way", engine.daily_plants, engine_subset)
    row("`daily.project_plant_daily`, the same way", engine.daily_plants, daily_subset)
    print(
        f"\nDay-by-day / event-driven: **{daily_subset / engine_subset:.1f}×**, on the same "
        f"{engine.daily_plants} plants timed the same way, in turn.",
        end="",
    )
    first, rest = engine.engine[0], engine.engine[1:]
    if rest:
        later = ", ".join(f"{s:.2f}" for s in rest)
        print(
            f" The engine's first pass, with cold calendar caches as in a CLI run, took "
            f"{first:.2f} s; later passes {later} s.",
            end="",
        )
    if engine.disagreements:
        notes.append(
            f"engine and daily disagree on {len(engine.disagreements)} fields, e.g. "
            f"{engine.disagreements[:3]}"
        )
    else:
        print(
            f" Engine and daily agree on every field of the {engine.daily_plants} plants.", end=""
        )
    print("\n")


def _load_table(loads: list[LoadResult], notes: list[str]) -> None:
    print(
        "**Loading alone** (`load_plants` in a fresh process; the process's wall time "
        "includes start-up and imports):\n"
    )
    print("| plants | input | `load_plants` (s) | process (s) | peak RSS (MiB) |")
    print("|---:|---|---:|---:|---:|")
    for load in loads:
        if load.seconds is None:
            inside = "timeout" if load.run.exit_code is None else f"exit {load.run.exit_code}"
            notes.append(f"loading {load.plants} plants ({load.fmt}): {load.errors[0][:500]}")
        else:
            inside = f"{load.seconds:.2f}"
            if load.errors or load.loaded != load.plants:
                notes.append(
                    f"loading {load.plants} plants ({load.fmt}) gave {load.loaded} "
                    f"plants and problems: {load.errors}"
                )
        print(
            f"| {load.plants} | {load.fmt.upper()} | {inside} | {load.run.seconds:.2f} | "
            f"{load.run.max_rss_mib:.0f} |"
        )
    print(
        _growth(
            [
                (f"{load.fmt.upper()}", load.plants, load.run.max_rss_mib)
                for load in loads
                if load.seconds is not None
            ]
        )
    )
    print()


def _cli_table(
    cli: list[CliResult], sizes: list[int], notes: list[str], timeout: float, extra: str
) -> None:
    options = f" {extra}" if extra else ""
    print(
        "**The CLI end to end** (a fresh process each run: `reerisk runway P --scenarios S "
        f"--format F --output FILE{options}`):\n"
    )
    print("| plants | input | output | median (s) | peak RSS (MiB) |")
    print("|---:|---|---|---:|---:|")
    for result in cli:
        fmt_in, _, fmt_out = result.label.partition(" in, ")
        first = result.runs[0]
        if result.timed_out:
            seconds = f"> {timeout:.0f} (stopped)"
        elif first.exit_code != 0:
            seconds = f"exit {first.exit_code}"
            notes.append(
                f"{result.label}, {result.plants} plants: exit {first.exit_code}: "
                f"{first.stderr.strip()[:500]}"
            )
        else:
            seconds = f"{result.median_seconds():.2f}"
        stderr = first.stderr.strip()
        if stderr and first.exit_code == 0:
            notes.append(
                f"{result.label}, {result.plants} plants wrote "
                f"{len(stderr.splitlines())} lines to stderr, first: "
                f"{stderr.splitlines()[0][:200]}"
            )
        print(
            f"| {result.plants} | {fmt_in} | {fmt_out.removesuffix(' out')} | {seconds} | "
            f"{result.median_rss():.0f} |"
        )
    print(_growth([(r.label, r.plants, r.median_rss()) for r in cli if not r.timed_out]))


def _growth(points: list[tuple[str, int, float]]) -> str:
    """Peak-RSS slope from the smallest to the largest portfolio, per kind of run."""
    parts = []
    for label in dict.fromkeys(label for label, _, _ in points):
        by_size = {plants: rss for kind, plants, rss in points if kind == label}
        low, high = min(by_size), max(by_size)
        if high > low:
            slope = (by_size[high] - by_size[low]) / (high - low) * 1000
            parts.append(f"{label} {slope:.0f}")
    if not parts:
        return ""
    return f"\nPeak RSS growth, MiB per 1 000 plants: {'; '.join(parts)}."


if __name__ == "__main__":
    main()
