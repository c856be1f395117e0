"""Test-wide settings and guards.

- The working-day cache lives in a temporary folder, never in ~/.cache.
- No test may change the shipped data files (SPEC §5: input files are never
  modified). `cli_helpers.run` also checks every file a CLI call reads.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["REERISK_CACHE_DIR"] = tempfile.mkdtemp(prefix="reerisk-test-cache-")

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted({*ROOT.joinpath("data").glob("*.yaml"), *ROOT.glob("src/reerisk/data/*.yaml")})


def _digests() -> dict[Path, str]:
    digests = {}
    for path in SHIPPED:
        with open(path, "rb") as stream:
            digests[path] = hashlib.sha256(stream.read()).hexdigest()
    return digests


@pytest.fixture(autouse=True)
def shipped_data_unchanged() -> Iterator[None]:
    before = _digests()
    yield
    changed = [str(p.relative_to(ROOT)) for p, d in _digests().items() if before[p] != d]
    assert not changed, f"the test modified shipped data files: {changed}"
