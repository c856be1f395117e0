"""Reading an earlier run's `--format json` output, for `reerisk compare --against`.

`parse_previous` is pure: bytes in, a `Previous` out, or an InputError naming
the file; `read_previous` reads the file first. Both
`runway` and `compare` write `plants[].results[].runway_days`, so either is
accepted, when it was written by the same major.minor version of reerisk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from reerisk import __version__
from reerisk.errors import InputError, Problem, UsageError


@dataclass(frozen=True)
class Previous:
    """What an earlier `--format json` output said: runway per plant and scenario."""

    horizon_days: int | None
    plants: tuple[str, ...]
    scenarios: tuple[str, ...]
    runways: Mapping[tuple[str, str], int | None]


def read_previous(path: Path) -> Previous:
    """Read and parse `--against PATH` (within the input size limit)."""
    from reerisk.sources import max_bytes

    if not path.is_file():
        if path.is_dir():
            what = "is a directory, not a file"
        else:
            what = "not a regular file" if path.exists() else "no such file"
        raise UsageError(f"--against {path}: {what}")
    try:
        size = path.stat().st_size
        if size > max_bytes():
            _refuse(str(path), f"file is {size} bytes, over the limit of {max_bytes()} "
                    "(raise it with REERISK_MAX_BYTES)")  # fmt: skip
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"--against {path}: cannot read: {exc.strerror}") from None
    return parse_previous(str(path), data)


def parse_previous(name: str, data: bytes) -> Previous:
    """An earlier `reerisk runway|compare --format json` output; InputError when it is not one."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        _refuse(name, "not valid UTF-8: not reerisk JSON output")
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    name,
                    exc.lineno,
                    exc.colno,
                    "",
                    f"not valid JSON: {exc.msg} (--against takes the --format json output of "
                    "reerisk runway or compare)",
                )
            ]
        ) from None
    except RecursionError:
        _refuse(name, "not reerisk JSON output: nested too deeply")
    except ValueError:  # an integer of more than 4300 digits (sys.get_int_max_str_digits)
        _refuse(name, "not reerisk JSON output: a number has thousands of digits")
    if not isinstance(document, dict) or "reerisk" not in document:
        _refuse(name, "not reerisk JSON output (no \"reerisk\" key); give the JSON that "
                "`reerisk runway` or `reerisk compare` wrote with --format json")  # fmt: skip
    _check_version(name, document["reerisk"])
    plants = document.get("plants")
    if not isinstance(plants, list):
        _refuse(name, 'not reerisk JSON output: "plants" is missing or not a list')
    horizon = document.get("horizon_days")
    runways: dict[tuple[str, str], int | None] = {}
    plant_ids: list[str] = []
    scenario_names: dict[str, None] = {}
    for index, plant in enumerate(plants):
        plant_id, results = _plant(name, index, plant)
        plant_ids.append(plant_id)
        for scenario, runway in results:
            scenario_names.setdefault(scenario)
            runways[(plant_id, scenario)] = runway
    return Previous(
        horizon_days=horizon if _is_int(horizon) else None,
        plants=tuple(plant_ids),
        scenarios=tuple(scenario_names),
        runways=runways,
    )


def _plant(name: str, index: int, plant: object) -> tuple[str, list[tuple[str, int | None]]]:
    where = f"plants[{index}]"
    if not isinstance(plant, dict) or not isinstance(plant.get("id"), str):
        _refuse(name, 'expected a plant with an "id"', where)
    results = plant.get("results")
    if not isinstance(results, list):
        _refuse(name, 'expected a list of "results"', f"{where}.results")
    found = []
    for number, result in enumerate(results):
        at = f"{where}.results[{number}]"
        if not isinstance(result, dict) or not isinstance(result.get("scenario"), str):
            _refuse(name, 'expected a result with a "scenario" name', at)
        runway = result.get("runway_days")
        if runway is not None and not (_is_int(runway) and runway >= 0):
            message = f"runway_days must be a whole number of days or null, got {_short(runway)}"
            _refuse(name, message, f"{at}.runway_days")
        found.append((result["scenario"], runway))
    return plant["id"], found


def _check_version(name: str, written_by: object) -> None:
    ours = __version__.split(".")[:2]
    theirs = written_by.split(".") if isinstance(written_by, str) else []
    if theirs[:2] != ours or len(theirs) < 3:
        _refuse(
            name,
            f"written by reerisk {_short(written_by)}; this reerisk {__version__} reads the output "
            f"of {'.'.join(ours)}.x only: rerun the earlier version, or start afresh",
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _refuse(name: str, message: str, path: str = "") -> NoReturn:
    raise InputError([Problem(name, 1, 1, path, message)])
