"""The long fuzz pass, by hand: random mutations that keep going after a failure.

    python tests/fuzz_hunt.py 20000 [--seed N] [--out DIR]

Runs N mutated inputs (see fuzzing.py) and saves each one that breaks the
contract in DIR (default fuzz-failures/) as `NNNN-<command>-<file>` with a
`.txt` beside it giving the command, the mutation and the output. Prints the
counts at the end and exits 1 if anything failed. Reproduce one with
`fuzzing.run_mutated`, then add it to test_hostile.py.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzing import COMMANDS, OPERATIONS, TARGETS, mutate, run_mutated, seed

MAX_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    options = parser.parse_args()
    rng = random.Random(options.seed)
    exits: collections.Counter[int] = collections.Counter()
    failures = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        for index in range(options.count):
            target = rng.choice(sorted(TARGETS))
            command = rng.choice(sorted(COMMANDS))
            steps = [
                (rng.choice(OPERATIONS), rng.randrange(1 << 20), rng.randrange(1 << 16))
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 5)))
            ]
            mutated = mutate(seed(target), steps)
            outcome, broken = run_mutated(directory, target, mutated, command, MAX_SECONDS)
            exits[outcome.exit_code] += 1
            if broken:
                failures += 1
                options.out.mkdir(parents=True, exist_ok=True)
                stem = options.out / f"{options.seed}-{index:06d}-{command}-{target}"
                stem.write_bytes(mutated)
                report = (
                    f"command: {command}\nfile: {target}\nmutation: {steps}\n"
                    f"broken: {broken}\nexit: {outcome.exit_code}\n"
                    f"stderr:\n{outcome.stderr}"
                )
                stem.with_name(stem.name + ".txt").write_text(report, encoding="utf-8")
                print(f"FAIL {stem.name}: {broken[0]}", flush=True)
            if (index + 1) % 1000 == 0:
                rate = (index + 1) / (time.perf_counter() - started)
                print(f"{index + 1} inputs, {failures} failing, {rate:.0f}/s", flush=True)
    print(
        f"inputs: {options.count}; exit codes: {dict(sorted(exits.items()))}; failing: {failures}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
