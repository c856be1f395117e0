"""Fuzzing: mutated plant, scenario and reference files never break the CLI's contract.

Each example takes a valid file (the sample portfolio, a small plant in YAML
or JSON, the sample scenarios, the shipped elements.yaml, an earlier JSON run
for `compare --against`), applies one to five
mutations (byte flips, deleted, repeated or swapped lines, renamed keys, values
swapped for other types, truncation, indentation changes, inserted YAML
tokens) and runs a command through `reerisk.cli.main`, asserting:

- exit code 0, 1 or 2 (70 is a crash), and never a traceback;
- every stderr line in a documented form, with a position inside the file;
- the run takes under MAX_SECONDS, and no input file is modified.

CI runs a fixed-seed pass of FUZZ_EXAMPLES (200) inputs. A longer pass, with
fresh random inputs each time:

    REERISK_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py

and `python tests/fuzz_hunt.py 20000` keeps going after a failure and saves
every failing input. Each crash found becomes a case in test_hostile.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from fuzzing import COMMANDS, OPERATIONS, TARGETS, mutate, run_mutated, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = int(os.environ.get("REERISK_FUZZ_EXAMPLES", "200"))
MAX_SECONDS = 5.0

steps = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1 << 20), st.integers(0, 1 << 16)),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize="REERISK_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(sorted(TARGETS)),
    command=st.sampled_from(sorted(COMMANDS)),
    mutation=steps,
)
def test_mutated_inputs_keep_the_contract(
    tmp_path: Path, target: str, command: str, mutation: list[tuple[str, int, int]]
) -> None:
    mutated = mutate(seed(target), mutation)
    outcome, broken = run_mutated(tmp_path, target, mutated, command, MAX_SECONDS)
    assert not broken, (
        f"{broken}\ncommand: {command}, file: {target}, mutation: {mutation}\n"
        f"exit {outcome.exit_code}\nstderr:\n{outcome.stderr[-3000:]}"
    )
