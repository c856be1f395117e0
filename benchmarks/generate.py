"""Seeded synthetic portfolios for the scale benchmark (SPEC §6).

    python benchmarks/generate.py --plants 10000 --seed 1 --format json --output /tmp/p10k.json
    python benchmarks/generate.py --plants 100 --format yaml --output /tmp/p100.yaml \\
        --scenarios-output /tmp/scenarios.yaml

Every plant has five materials: three shared at file level (an NdFeB rotor in
pcs with Dy and Tb, an SmCo part in kg, and `Dy: {}`) and two of its own (a
small NdFeB magnet in pcs and an uncontrolled NdPr metal). It has two lines,
direct demand, inventory, recovery days, about 20 supply entries (shipments,
applications, some approved, some on the green channel) and one or two
standing orders with `until`. All plants are seen on 2025-06-02. The same
seed gives the same file, byte for byte.

`--scenarios-output` also writes five scenarios: embargo, 25 %, 60 % with a
military override, a step list and a green channel.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2025, 6, 2)
COUNTRIES = {"DE": "EU", "FR": "EU", "IT": "EU", "PL": "EU", "US": "US", "JP": "JP", "CN": "CN"}

SHARED_MATERIALS: dict[str, Any] = {
    "rotor-ndfeb": {
        "unit": "pcs",
        "mass_g": 1450,
        "composition": {"Nd": 23.0, "Pr": 6.5, "Dy": 3.0, "Tb": 0.8, "Fe": 64.7, "B": 1.0},
    },
    "smco-part": {"composition": {"Sm": 25.0, "Co": 50.0, "Fe": 16.0, "Cu": 7.0, "Zr": 2.0}},
    "Dy": {},
}

SCENARIOS: list[dict[str, Any]] = [
    {"name": "embargo", "approval_rate": 0},
    {"name": "trickle", "approval_rate": 0.25},
    {
        "name": "clepa-late-june",
        "approval_rate": 0.6,
        "overrides": [{"when": {"end_use": "military"}, "approval_rate": 0}],
    },
    {
        "name": "london-framework",
        "approval_rate": [
            {"from": date(2025, 4, 4), "rate": 0.25},
            {"from": date(2025, 6, 12), "rate": 0.6},
        ],
        "overrides": [{"when": {"end_use": "military"}, "approval_rate": 0}],
    },
    {
        "name": "eu-green-channel",
        "approval_rate": 0.6,
        "green_channel": {"review_working_days": 20, "approval_rate": 0.8},
        "overrides": [
            {"when": {"end_use": "military"}, "approval_rate": 0},
            {"when": {"region": "EU"}, "review_working_days": 30},
        ],
    },
]


def _day(offset: int) -> date:
    return AS_OF + timedelta(days=offset)


def plant(index: int, rng: random.Random) -> dict[str, Any]:
    """One synthetic plant: five materials, two lines, about 20 supply entries."""
    country = rng.choice(list(COUNTRIES))
    schedule = rng.choices(["mon-fri", "all", "mon-sat", "workdays"], weights=[50, 25, 10, 15])[0]
    motors = rng.randint(50, 800)
    actuators = rng.randint(10, 200)
    small_per_motor = rng.randint(2, 12)
    smco_kg = round(rng.uniform(0.05, 0.5), 3)
    ndpr_kg = round(rng.uniform(0.05, 0.4), 3)
    dy_kg = round(rng.uniform(0.1, 2.0), 2)
    per_day = {
        "rotor-ndfeb": motors,
        "small-magnet": motors * small_per_motor + actuators * 2,
        "smco-part": actuators * smco_kg,
        "NdPr-metal": actuators * ndpr_kg,
        "Dy": dy_kg,
    }
    materials = list(per_day)
    inventory = {m: round(per_day[m] * rng.randint(20, 120), 1) for m in materials}
    transit = rng.choice([10, 30, 40, 45])

    supply: list[dict[str, Any]] = []
    for _ in range(rng.randint(17, 19)):
        material = rng.choice(materials)
        qty = round(per_day[material] * rng.randint(15, 70), 1)
        kind = rng.random()
        if kind < 0.3:
            supply.append({"material": material, "qty": qty, "arrives": _day(rng.randint(1, 330))})
            continue
        filed = _day(rng.randint(-60, 200))
        entry: dict[str, Any] = {"material": material, "qty": qty, "filed": filed}
        if kind < 0.5:
            entry["approved"] = filed + timedelta(days=rng.randint(10, 60))
        elif kind < 0.65:
            entry["channel"] = "green"
            entry["transit_days"] = 10
        supply.append(entry)
    for number in range(rng.randint(1, 2)):
        material = "rotor-ndfeb" if number == 0 else rng.choice(["small-magnet", "smco-part"])
        every = rng.choice([14, 30, 30, 60])
        first = _day(rng.randint(-30, 30))
        order: dict[str, Any] = {
            "material": material,
            "qty": round(per_day[material] * every * rng.uniform(0.5, 1.2), 1),
            "every_days": every,
            "first_filed": first,
            "until": first + timedelta(days=rng.randint(120, 400)),
        }
        if rng.random() < 0.3:
            order["channel"] = "green"
        supply.append(order)

    result: dict[str, Any] = {
        "id": f"p{index:06d}-{country.lower()}",
        "name": f"Synthetic plant {index}",
        "country": country,
        "region": COUNTRIES[country],
        "end_use": rng.choices(["civilian", "dual-use", "military"], weights=[85, 10, 5])[0],
        "as_of": AS_OF,
        "production_days": schedule,
        "transit_days": transit,
    }
    if rng.random() < 0.3:
        start = _day(rng.randint(40, 200))
        result["shutdowns"] = [{"from": start, "to": start + timedelta(days=rng.randint(3, 20))}]
    result |= {
        "materials": {
            "small-magnet": {
                "unit": "pcs",
                "mass_g": rng.choice([8, 18, 45]),
                "composition": {"Nd": 23.5, "Pr": 7.0, "Dy": 1.0, "Fe": 67.4, "B": 1.1},
            },
            "NdPr-metal": {"composition": {"Nd": 75, "Pr": 25}},
        },
        "lines": [
            {
                "product": "motor",
                "units_per_day": motors,
                "bom": {"rotor-ndfeb": 1, "small-magnet": small_per_motor},
            },
            {
                "product": "actuator",
                "units_per_day": actuators,
                "bom": {"smco-part": smco_kg, "NdPr-metal": ndpr_kg, "small-magnet": 2},
            },
        ],
        "demand": {"Dy": dy_kg},
        "inventory": inventory,
        "recovery_days": {m: rng.randint(60, 365) for m in materials if rng.random() < 0.6},
        "supply": supply,
    }
    return result


def portfolio(plants: int, seed: int) -> dict[str, Any]:
    """A portfolio of `plants` plants with three shared materials."""
    rng = random.Random(seed)
    return {"materials": SHARED_MATERIALS, "plants": [plant(i, rng) for i in range(plants)]}


def _json_value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]*")
_NOT_PLAIN = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _NOT_PLAIN and not text.endswith(" "):
        return text
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _is_flat(value: Any) -> bool:
    return isinstance(value, dict) and not any(isinstance(v, dict | list) for v in value.values())


def _flow(value: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"


def _yaml_lines(value: Any, indent: str, out: list[str]) -> None:
    """Block style, like data/plants.yaml: a mapping of scalars goes on one line, in flow style."""
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_flat(item):
                out.append(f"{indent}{_scalar(key)}: {_flow(item)}")
            elif isinstance(item, dict | list):
                out.append(f"{indent}{_scalar(key)}:")
                _yaml_lines(item, indent + "  ", out)
            else:
                out.append(f"{indent}{_scalar(key)}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if _is_flat(item):
                out.append(f"{indent}- {_flow(item)}")
            elif isinstance(item, dict):
                nested: list[str] = []
                _yaml_lines(item, indent + "  ", nested)
                out.append(f"{indent}- {nested[0].lstrip()}")
                out.extend(nested[1:])
            else:
                out.append(f"{indent}- {_scalar(item)}")


def to_yaml(data: dict[str, Any]) -> str:
    """Hand-written YAML (PyYAML's dumper takes about 20 s for 10 000 plants)."""
    out: list[str] = []
    _yaml_lines(data, "", out)
    return "\n".join(out) + "\n"


def write(data: dict[str, Any], output: Path, fmt: str) -> None:
    """JSON via json.dump (compact, one line); YAML by hand, in block style."""
    with output.open("w", encoding="utf-8") as stream:
        if fmt == "json":
            json.dump(data, stream, default=_json_value)
            stream.write("\n")
        else:
            stream.write(to_yaml(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["json", "yaml"], default="json")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--scenarios-output", type=Path)
    args = parser.parse_args()
    write(portfolio(args.plants, args.seed), args.output, args.format)
    if args.scenarios_output:
        fmt = "json" if args.scenarios_output.suffix == ".json" else "yaml"
        write({"scenarios": SCENARIOS}, args.scenarios_output, fmt)


if __name__ == "__main__":
    main()
