"""`--output` (and `init`) never leave a partial file, and never replace an input.

A write that fails midway (a full disk, or a bug in a renderer) must leave the
target as it was, or absent, and no temporary file beside it. The check that
no input file is ever modified runs around every CLI call of the suite
(`cli_helpers.run`) and every test (`conftest.py`); here it is exercised.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import (
    PLANTS,
    SCENARIOS,
    SHIPPED_ELEMENTS,
    assert_ok,
    assert_usage_error,
    run,
    sha256,
)
from fuzzing import run_main

import reerisk.output
import reerisk.sources


class FullDisk:
    """A stream that takes `room` characters, then fails as a full disk does."""

    def __init__(self, stream: Any, room: int, error: BaseException) -> None:
        self.stream, self.room, self.error = stream, room, error

    def write(self, text: str) -> int:
        if len(text) > self.room:
            self.stream.write(text[: self.room])
            self.stream.flush()  # the partial bytes really reach the temporary file
            raise self.error
        self.room -= len(text)
        return int(self.stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Make the next output file fail after 2000 characters; append the error to raise."""
    errors: list[BaseException] = [OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))]
    real_fdopen = os.fdopen

    def failing_fdopen(*args: Any, **kwargs: Any) -> FullDisk:
        return FullDisk(real_fdopen(*args, **kwargs), 2000, errors[-1])

    monkeypatch.setattr(reerisk.output.os, "fdopen", failing_fdopen)
    return errors


COMMANDS = {
    "runway-json": ["runway", PLANTS, "--format", "json"],
    "runway-table": ["runway", PLANTS],
    "runway-csv": ["runway", PLANTS, "--format", "csv"],
    "compare-markdown": ["compare", PLANTS, "--format", "markdown"],
}


@pytest.mark.parametrize("existing", [True, False], ids=["replacing", "new"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_disk_full_midway_leaves_no_partial_file(
    tmp_path: Path, full_disk: list[BaseException], command: str, existing: bool
) -> None:
    target = tmp_path / "out.txt"
    if existing:
        target.write_text("last week's results\n", encoding="utf-8")
    result = run(*COMMANDS[command], "--output", target)
    assert_usage_error(result, f"--output {target}: cannot write: No space left on device")
    if existing:
        assert target.read_text(encoding="utf-8") == "last week's results\n"
    else:
        assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == (["out.txt"] if existing else [])


def test_a_crash_midway_leaves_no_partial_file_either(
    tmp_path: Path, full_disk: list[BaseException]
) -> None:
    full_disk.append(RuntimeError("a bug in a renderer"))
    target = tmp_path / "out.json"
    target.write_text("{}\n", encoding="utf-8")
    outcome = run_main(["runway", str(PLANTS), "--format", "json", "--output", str(target)])
    assert outcome.exit_code == 70
    assert "RuntimeError: a bug in a renderer" in outcome.stderr
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_init_on_a_full_disk_writes_nothing(tmp_path: Path, full_disk: list[BaseException]) -> None:
    target = tmp_path / "plant.yaml"
    assert_usage_error(run("init", target), f"{target}: cannot write: No space left on device")
    assert list(tmp_path.iterdir()) == []


# --- never over an input ---------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of the sample files in a working directory with a subdirectory `sub`."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(PLANTS, tmp_path / "plants.yaml")
    shutil.copy(SCENARIOS, tmp_path / "scenarios.yaml")
    shutil.copy(SHIPPED_ELEMENTS, tmp_path / "elements.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.yaml").symlink_to(tmp_path / "plants.yaml")
    return tmp_path


@pytest.mark.parametrize(
    "output",
    [
        "plants.yaml",
        "./plants.yaml",
        "sub/../plants.yaml",
        "link.yaml",  # a symlink to an input
        "scenarios.yaml",
        "elements.yaml",
    ],
)
def test_output_never_replaces_an_input(inputs: Path, output: str) -> None:
    before = {name: sha256(inputs / name) for name in ("plants.yaml", "scenarios.yaml")}
    args = ["plants.yaml", "--scenarios", "scenarios.yaml", "--elements", "elements.yaml"]
    for command in ("runway", "compare"):
        result = run(command, *args, "--format", "json", "--output", output)
        assert_usage_error(result, f"--output {Path(output)}: that is an input file")
    assert {name: sha256(inputs / name) for name in before} == before


def test_output_through_a_symlinked_input_name(inputs: Path) -> None:
    # The input is given by its symlink, the output by the real name: still the same file.
    result = run("runway", "link.yaml", "--output", (inputs / "plants.yaml").resolve())
    assert_usage_error(result, "--output")
    assert "that is an input file" in result.stderr


def test_output_beside_the_inputs_is_fine(inputs: Path) -> None:
    assert_ok(run("runway", "plants.yaml", "--format", "json", "--output", "sub/plants.yaml"))
    assert (inputs / "sub" / "plants.yaml").read_text(encoding="utf-8").startswith("{")


def test_the_guard_notices_a_modified_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` fails a test whose CLI call changed an input file: seen by breaking the reader."""
    path = tmp_path / "plants.yaml"
    shutil.copy(PLANTS, path)
    real_parse_source = reerisk.sources.parse_source

    def parse_and_touch(name: str, data: bytes) -> Any:
        if name == str(path):
            path.write_bytes(data + b"# touched\n")
        return real_parse_source(name, data)

    monkeypatch.setattr(reerisk.sources, "parse_source", parse_and_touch)
    with pytest.raises(AssertionError, match="modified its input"):
        run("validate", path)


# --- devices and pipes are written to, never replaced -----------------------------------------


def test_output_into_a_named_pipe_keeps_the_pipe(tmp_path: Path) -> None:
    # A temporary file renamed over /dev/full replaced the device node itself (as root).
    # A named pipe shows the same harmlessly: it must still be a pipe, and carry the output.
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("runway", PLANTS, "--rate", "25%", "--format", "json", "--output", fifo)
    reader.join(timeout=10)
    assert_ok(result)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["scenarios"][0]["name"] == "25%"
    assert [p.name for p in tmp_path.iterdir()] == ["results.fifo"]


def test_output_to_dev_null_keeps_dev_null() -> None:
    assert_ok(run("runway", PLANTS, "--format", "json", "--output", "/dev/null"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
