"""Monte Carlo speed: `reerisk simulate` on the sample portfolio (SPEC §6, issue 4).

    python benchmarks/simulate.py [--runs 5] [--trials 1000 10000]

For each trial count:

1. the CLI end to end, each run in a fresh process:
   `reerisk simulate data/plants.yaml --scenarios data/scenarios.yaml --trials N
   --format json --output FILE` (6 plants x 7 scenarios);
2. the simulation alone, in this process (inputs loaded once; the first run
   also fills the calendar caches, as a CLI run does): `montecarlo.simulate_plant`
   for every plant under every scenario.

Prints the median of `--runs` and the machine. Run it from the repository root,
in the virtual environment reerisk is installed in. The seed is fixed, so every
run does the same work.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANTS = ROOT / "data" / "plants.yaml"
SCENARIOS = ROOT / "data" / "scenarios.yaml"


def reerisk() -> list[str]:
    beside = Path(sys.executable).with_name("reerisk")
    found = shutil.which("reerisk") or (str(beside) if beside.exists() else None)
    return [found] if found else [sys.executable, "-m", "reerisk"]


def time_cli(trials: int, runs: int) -> list[float]:
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "odds.json"
        command = [*reerisk(), "simulate", str(PLANTS), "--scenarios", str(SCENARIOS)]
        command += ["--trials", str(trials), "--format", "json", "--output", str(target)]
        # Time what a user sees: with bytecode caching on (some sandboxes turn it off).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, cwd=ROOT, env=env)
            seconds.append(time.perf_counter() - start)
    return seconds


def time_engine(trials: int, runs: int) -> tuple[list[float], int]:
    from reerisk.errors import Problem
    from reerisk.loading import load_plants, load_reference, load_scenarios
    from reerisk.montecarlo import simulate_plant

    problems: list[Problem] = []
    reference = load_reference(None, problems)
    assert reference is not None
    plants = load_plants([str(PLANTS)], reference, problems)
    scenarios = load_scenarios(str(SCENARIOS), problems)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        for item in plants:
            assert item.plant.as_of is not None
            simulate_plant(item, scenarios, reference.regimes, item.plant.as_of, 365, trials, 0,
                           (10.0, 50.0, 90.0))  # fmt: skip
        seconds.append(time.perf_counter() - start)
    return seconds, len(plants) * len(scenarios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trials", type=int, nargs="+", default=[1000, 10_000])
    args = parser.parse_args()
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}. Median of {args.runs} runs.\n"
    )
    print("| trials | CLI end to end (s) | simulation alone (s) | plant x scenario |")
    print("|---:|---:|---:|---:|")
    for trials in args.trials:
        cli = time_cli(trials, args.runs)
        engine, pairs = time_engine(trials, args.runs)
        print(
            f"| {trials:,} | {statistics.median(cli):.2f} | {statistics.median(engine):.2f} "
            f"| {pairs} |"
        )
    print(f"\nReproduce: python benchmarks/simulate.py --runs {args.runs} "
          f"--trials {' '.join(map(str, args.trials))}")  # fmt: skip


if __name__ == "__main__":
    main()
