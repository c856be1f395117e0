"""Start-up and end-to-end time of the CLI against a bare import of its libraries.

    python benchmarks/startup.py [--runs 15]

Each command runs `--runs` times in a fresh process; the table shows the
median wall time and its ratio to the bare
`python -c "import typer, rich.console, rich.table, pydantic, yaml"`.
Run it from the repository root, in the virtual environment reerisk is
installed in.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

BARE = [sys.executable, "-c", "import typer, rich.console, rich.table, pydantic, yaml"]


def reerisk(*args: str) -> list[str]:
    executable = shutil.which("reerisk")
    return [executable, *args] if executable else [sys.executable, "-m", "reerisk", *args]


COMMANDS = {
    "bare import (baseline)": BARE,
    "reerisk --version": reerisk("--version"),
    "reerisk --help": reerisk("--help"),
    "reerisk runway data/plants.yaml": reerisk("runway", "data/plants.yaml"),
    "reerisk runway data/plants.yaml --format json": reerisk(
        "runway", "data/plants.yaml", "--format", "json"
    ),
    "reerisk runway ... --scenarios data/scenarios.yaml": reerisk(
        "runway", "data/plants.yaml", "--scenarios", "data/scenarios.yaml"
    ),
}


def median_seconds(command: list[str], runs: int) -> float:
    env = os.environ | {"NO_COLOR": "1", "COLUMNS": "100"}
    # Time what a user sees: with bytecode caching on (some sandboxes turn it off).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])  # the first run warms the caches and writes .pyc files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
          f"median of {runs} runs\n")  # fmt: skip
    baseline = median_seconds(BARE, runs)
    print("| command | median (s) | × bare import |")
    print("|---|---:|---:|")
    for name, command in COMMANDS.items():
        seconds = baseline if command is BARE else median_seconds(command, runs)
        print(f"| `{name}` | {seconds:.3f} | {seconds / baseline:.2f} |")


if __name__ == "__main__":
    main()
