"""Where results go: stdout or a file replaced atomically, in the chosen format.

Rendering happens plant by plant as projections come, so memory does not hold
every result. Heavy modules (Rich, the renderers, the engine) load inside the
functions that need them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO, TypeVar

from reerisk.errors import UsageError

if TYPE_CHECKING:
    from reerisk.montecarlo import SimulationRun
    from reerisk.odds import PlantOdds
    from reerisk.parallel import Run
    from reerisk.results import PlantInput, PlantProjection

T = TypeVar("T")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@contextmanager
def open_output(output: Path | None, *, option: str = "--output") -> Iterator[TextIO]:
    """stdout, or a temporary file beside `output` that replaces it only when all is written.

    `option` names where the path came from in error messages ("" for none).
    """
    named = f"{option} {output}" if option else str(output)
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if _is_device(output):
        with _opened_device(output, named, "w") as stream:
            yield stream
        return
    with (
        _replacing(output, named) as handle,
        os.fdopen(handle, "w", encoding="utf-8", newline="") as stream,
    ):
        yield stream


@contextmanager
def open_binary_output(output: Path) -> Iterator[BinaryIO]:
    """`open_output` for bytes (a workbook): always a file, replaced atomically."""
    named = f"--output {output}"
    if _is_device(output):
        with _opened_device(output, named, "wb") as stream:
            yield stream
        return
    with _replacing(output, named) as handle, os.fdopen(handle, "wb") as stream:
        yield stream


def _is_device(output: Path) -> bool:
    """A device or a pipe (/dev/null, /dev/stdout, a FIFO): written to as it is.

    Renaming a file over it would replace the device node itself.
    """
    return output.exists() and not output.is_file() and not output.is_dir()


@contextmanager
def _replacing(output: Path, named: str) -> Iterator[int]:
    """A descriptor of a temporary file beside `output`, renamed over it once closed."""
    target = Path(os.path.realpath(output))  # write through a symlink, not over it
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else _default_file_mode()
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"{named}: cannot write: {exc.strerror}") from None
    try:
        yield handle  # the caller's `with os.fdopen(...)` closes it before the rename
        os.chmod(temporary, mode)  # mkstemp makes it private; keep the usual permissions
        os.replace(temporary, target)
    except OSError as exc:
        raise UsageError(f"{named}: cannot write: {exc.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


@contextmanager
def _opened_device(target: Path, named: str, mode: str) -> Iterator[Any]:
    try:
        if "b" in mode:
            with open(target, mode) as binary:
                yield binary
        else:
            with open(target, mode, encoding="utf-8", newline="") as stream:
                yield stream
    except OSError as exc:
        raise UsageError(f"{named}: cannot write: {exc.strerror}") from None


def write_output(text: str, output: Path | None, *, option: str = "--output") -> None:
    """Print to stdout, or replace `output` atomically."""
    with open_output(output, option=option) as stream:
        stream.write(text)


def write_starter_plant(path: Path, *, force: bool) -> None:
    """`reerisk init`: write the commented starter plant (package data) to `path`, atomically.

    An existing file (or a symlink, even a dangling one) is replaced only with `force`.
    """
    from importlib import resources

    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name, such as {path}/plant.yaml")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(f"{path}: the starter file is YAML; name it .yaml, such as plant.yaml")
    if (path.exists() or path.is_symlink()) and not force:
        raise UsageError(f"{path} already exists; use --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # `reerisk init plants/bavaria.yaml`
    except OSError as exc:
        raise UsageError(f"{path}: cannot create its folder: {exc.strerror}") from None
    template = resources.files("reerisk") / "data" / "starter-plant.yaml"
    write_output(template.read_text(encoding="utf-8"), path, option="")


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_results(
    run: Run,
    plants: Sequence[PlantInput],
    jobs: int,
    output_format: OutputFormat,
    stream: TextIO,
) -> list[tuple[str, int]]:
    """Project and render plant by plant; return (plant id, shortest runway) where one exists."""
    from reerisk.parallel import project_all
    from reerisk.render import text

    worst: list[tuple[str, int]] = []

    def keep(pieces: Iterator[tuple[T, int | None]]) -> Iterator[T]:
        for item, (piece, runway) in zip(plants, pieces, strict=True):  # in input order
            if runway is not None:
                worst.append((item.plant.id, runway))
            yield piece

    if output_format is OutputFormat.json:
        text.write_json(
            keep(project_all(run, plants, jobs, text.json_plant)),
            run.scenarios,
            run.horizon_days,
            stream,
        )
        return worst
    if output_format is OutputFormat.csv:
        text.write_csv(keep(project_all(run, plants, jobs, text.csv_plant)), stream)
        return worst
    projections = keep(project_all(run, plants, jobs, _same))
    if output_format is OutputFormat.markdown:
        text.write_markdown(projections, run.horizon_days, stream)
        return worst
    from rich.console import Console

    from reerisk.render.table import print_tables

    to_file = stream is not sys.stdout
    console = Console(file=stream, width=120, color_system=None) if to_file else Console()
    print_tables(console, projections, run.horizon_days)
    return worst


def _same(projection: PlantProjection) -> PlantProjection:
    return projection


# Trials x plants above which a terminal gets a progress bar (the sample's 10 000
# trials x 6 plants take a few seconds).
PROGRESS_FROM_TRIAL_PLANTS = 50_000


def write_simulation(
    run: SimulationRun,
    plants: Sequence[PlantInput],
    jobs: int,
    output_format: OutputFormat,
    stream: TextIO,
) -> list[PlantOdds]:
    """Simulate every plant, then render them all; return the results for the gate.

    The results are gathered before anything is printed, so that the progress
    bar (stderr, terminals only, never with JSON) does not interleave with them.
    """
    from reerisk.parallel import map_plants

    simulated = map_plants(run.simulate, plants, jobs)
    show = (
        output_format is not OutputFormat.json
        and run.trials * len(plants) >= PROGRESS_FROM_TRIAL_PLANTS
        and sys.stderr.isatty()
    )
    if show:
        from rich.console import Console
        from rich.progress import track

        results = list(
            track(simulated, "Simulating", total=len(plants), console=Console(stderr=True),
                  transient=True)
        )  # fmt: skip
    else:
        results = list(simulated)
    if output_format is OutputFormat.json:
        from reerisk.render.simulate import write_simulation_json

        write_simulation_json(results, run, stream)
    elif output_format is OutputFormat.csv:
        from reerisk.render.simulate import write_simulation_csv

        write_simulation_csv(results, run, stream)
    elif output_format is OutputFormat.markdown:
        from reerisk.render.simulate import write_simulation_markdown

        write_simulation_markdown(results, run, stream)
    else:
        from rich.console import Console

        from reerisk.render.simulate_table import print_simulation

        to_file = stream is not sys.stdout
        console = Console(file=stream, width=120, color_system=None) if to_file else Console()
        print_simulation(console, results, run)
    return results
