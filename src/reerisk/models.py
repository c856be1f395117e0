"""The input files as pydantic models: plants, scenarios and reference data.

Every model forbids unknown keys (with a "did you mean" hint), is strict about
types (`qty: true` is not 1) and is frozen. Cross-references that span a
whole file, such as "every material a plant names is defined", are checked in
`loading.py`, which knows where each value stood in the file.
"""

from __future__ import annotations

import difflib
import itertools
import math
from datetime import date
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reerisk.chem import CHEMICAL_SYMBOLS, suggest_symbol
from reerisk.options import DATE_RANGE_HINT, MAX_DATE, MIN_DATE

COMPOSITION_TOLERANCE = 1e-6


def _parse_iso_date(value: Any) -> Any:
    """Accept `YYYY-MM-DD` text (YAML dates stay text under our reader) or a `date`."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise PydanticCustomError(
                "date_format", f"expected a date as YYYY-MM-DD, got {value!r}"
            )
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise PydanticCustomError(
                "date_value", f"{value!r} is not a calendar date: {exc}"
            ) from None
        if not MIN_DATE <= day <= MAX_DATE:
            raise PydanticCustomError("date_range", f"{value!r} is {DATE_RANGE_HINT}")
        return day
    if isinstance(value, date) and type(value) is not date:  # a datetime
        raise PydanticCustomError("date_format", "expected a date without a time of day")
    if isinstance(value, int | float):  # 20250602, or a bool
        raise PydanticCustomError("date_format", f"expected a date as YYYY-MM-DD, got {value!r}")
    return value


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date)]
MaterialId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
PlantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
# A trillion pieces or kg is beyond any plant; the bound keeps sums over a
# horizon finite (1e308 would overflow to infinity) and catches unit slips.
MAX_QUANTITY = 1e12
# A thousand tonnes per piece: a direct-drive wind turbine's whole magnet set is
# about 10 t. Unbounded, 1e300 g x 1e12 pieces overflows kg figures to infinity.
MAX_MASS_G = 1e9


def _rate_hint(value: Any) -> Any:
    """`approval_rate: 25` or `"25%"` almost surely meant 0.25."""
    if isinstance(value, str) and value.strip().endswith("%"):
        raise PydanticCustomError(
            "rate_percent", f"write approval rates as 0..1: {value!r} is not a number here"
        )
    number = isinstance(value, int | float) and not isinstance(value, bool)
    # isfinite first: int(.inf) and int(.nan) raise, and pydantic reports them below.
    whole = number and math.isfinite(value) and value == int(value)
    if whole and 1 < value <= 100:
        raise PydanticCustomError(
            "rate_range", f"approval rates are 0..1; did you mean {value / 100:g}? (got {value:g})"
        )
    return value


Quantity = Annotated[float, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)]
PositiveQuantity = Annotated[float, Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False)]
Percent = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
Rate = Annotated[float, BeforeValidator(_rate_hint), Field(ge=0, le=1, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0, le=100_000)]
# About ten years of Chinese working days: beyond that a review is a typo, and
# each extra year costs the holiday calendar time (100 000 took 6 s).
MAX_REVIEW_WORKING_DAYS = 2500
ReviewWorkingDays = Annotated[int, Field(ge=0, le=MAX_REVIEW_WORKING_DAYS)]
ReviewBound = Annotated[float, Field(ge=0, le=MAX_REVIEW_WORKING_DAYS, allow_inf_nan=False)]
PositiveDays = Annotated[int, Field(gt=0, le=100_000)]
Channel = Literal["standard", "green"]
EndUse = Literal["civilian", "dual-use", "military"]
ProductionDays = Literal["all", "mon-fri", "mon-sat", "workdays"]


class Strict(BaseModel):
    """Base of every input model: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def unknown_key_message(root: Any, loc: tuple[Any, ...]) -> str:
    """Pydantic's "Extra inputs are not permitted" at `loc`, as a did-you-mean.

    Worked out only when a file has an unknown key, by following `loc` through
    the annotations to the model that refused the key.
    """
    key = loc[-1]
    if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 3:
        # `{qty: 6,500}`: inside braces the comma ends the entry, and `500` becomes a key.
        return (
            f"unknown key '{key}'; inside {{ }} a comma separates entries: "
            "write numbers without thousands separators (6500, not 6,500)"
        )
    model = _model_at(root, loc[:-1])
    if model is None:
        return f"unknown key '{key}'"
    names = [info.alias or name for name, info in model.model_fields.items()]
    match = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    hint = f"; did you mean '{match[0]}'?" if match else f"; expected one of: {', '.join(names)}"
    return f"unknown key '{key}'{hint}"


def _model_at(annotation: Any, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    for part in loc:
        annotation = _step(annotation, part)
    annotation = _choose(annotation, None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _step(annotation: Any, part: Any) -> Any:
    """The type one step down `loc`: a field, an item, a value, or a union's tagged member."""
    annotation = _choose(annotation, part)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return annotation  # `part` was the union tag that chose this model
    origin = get_origin(annotation)
    if origin in (list, tuple):
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    return annotation


def _choose(annotation: Any, tag: Any) -> Any:
    """Strip `Annotated`; of a union, take the member with this tag, or its only model."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) not in (Union, UnionType):
        return annotation
    members = get_args(annotation)
    for member in members:
        metadata = getattr(member, "__metadata__", ())
        if any(isinstance(item, Tag) and item.tag == tag for item in metadata):
            return _choose(member, None)
    models = [_choose(member, None) for member in members]
    models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
    return models[0] if len(models) == 1 else annotation


# --- reference data -------------------------------------------------------------------


class Element(Strict):
    """One rare earth, as listed in `elements.yaml`."""

    symbol: str
    name: str
    z: Annotated[int, Field(ge=1, le=118)]
    group: Literal["light", "heavy"]
    notes: str = ""


class Suspension(Strict):
    """A window, both ends inclusive, in which a regime is not applied."""

    start: IsoDate = Field(alias="from")
    until: IsoDate


class Regime(Strict):
    """An export-control regime: which elements need a licence, and when."""

    id: str
    title: str
    authority: str
    document: str
    source: str
    effective: IsoDate
    ended: IsoDate | None = None
    suspended: list[Suspension] = Field(default_factory=list)
    elements: list[str]
    min_content_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 0.0
    notes: str = ""

    def in_force(self, day: date) -> bool:
        """True when the regime applies on `day` (SPEC §2.1)."""
        if day < self.effective or (self.ended is not None and day >= self.ended):
            return False
        for window in self.suspended:  # noqa: SIM110 - a loop, not any(): it runs per filing
            if window.start <= day <= window.until:
                return False
        return True


class ReferenceData(Strict):
    """The contents of `elements.yaml`."""

    elements: list[Element]
    regimes: list[Regime]

    @model_validator(mode="after")
    def _regimes_name_known_elements(self) -> ReferenceData:
        known = {element.symbol for element in self.elements}
        for regime in self.regimes:
            unknown = [symbol for symbol in regime.elements if symbol not in known]
            if unknown:
                guess = suggest_symbol(unknown[0])
                hint = f"; did you mean '{guess}'?" if guess in known else ""
                raise ValueError(f"regime {regime.id} lists unknown elements {unknown}{hint}")
        return self


# --- plants ---------------------------------------------------------------------------


class Material(Strict):
    """Something a plant consumes: a magnet part (pcs) or a metal, alloy or oxide (kg).

    `composition` is in mass-%. A material with no composition must be named
    by a rare-earth symbol and is 100 % that element, in kg.
    """

    unit: Literal["pcs", "kg"] = "kg"
    mass_g: Annotated[float, Field(gt=0, le=MAX_MASS_G, allow_inf_nan=False)] | None = None
    composition: dict[str, Percent] | None = None

    @field_validator("composition")
    @classmethod
    def _real_elements(cls, composition: dict[str, float] | None) -> dict[str, float] | None:
        if composition:
            for symbol in composition:
                if symbol not in CHEMICAL_SYMBOLS:
                    guess = suggest_symbol(symbol)
                    hint = f"; did you mean '{guess}'?" if guess else ""
                    raise ValueError(f"'{symbol}' is not a chemical element symbol{hint}")
            total = math.fsum(composition.values())
            if total > 100 + COMPOSITION_TOLERANCE:
                raise ValueError(f"composition adds up to {total:.10g} %, more than 100 %")
        return composition

    @model_validator(mode="after")
    def _mass_for_pieces(self) -> Material:
        if self.unit == "pcs" and self.mass_g is None:
            raise ValueError(
                "mass_g (grams per piece) is required when unit is pcs: it turns pieces into "
                "kg of each element (a 1.45 kg rotor magnet set is mass_g: 1450)"
            )
        if self.unit == "kg" and self.mass_g is not None:
            raise ValueError("mass_g applies only to unit: pcs (set unit: pcs, or drop mass_g)")
        return self


class Line(Strict):
    """A production line: units per production day times a bill of materials."""

    product: str = ""
    units_per_day: PositiveQuantity
    bom: dict[MaterialId, Quantity]


class Shutdown(Strict):
    """Days, both ends inclusive, with no production."""

    start: IsoDate = Field(alias="from")
    end: IsoDate = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Shutdown:
        if self.end < self.start:
            raise ValueError(f"shutdown ends ({self.end}) before it starts ({self.start})")
        return self


class Shipment(Strict):
    """A certain delivery: the full `qty` arrives on `arrives`."""

    material: MaterialId
    qty: PositiveQuantity
    arrives: IsoDate


class Application(Strict):
    """One export-licence application for one shipment."""

    material: MaterialId
    qty: PositiveQuantity
    filed: IsoDate
    approved: IsoDate | None = None
    channel: Channel = "standard"
    transit_days: Days | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Application:
        if self.approved is not None and self.approved < self.filed:
            raise ValueError(f"approved ({self.approved}) is before filed ({self.filed})")
        return self


class StandingOrder(Strict):
    """A repeating application: filed every `every_days` from `first_filed` to `until`."""

    material: MaterialId
    qty: PositiveQuantity
    every_days: PositiveDays
    first_filed: IsoDate
    until: IsoDate | None = None
    channel: Channel = "standard"
    transit_days: Days | None = None

    @model_validator(mode="after")
    def _ordered(self) -> StandingOrder:
        if self.until is not None and self.until < self.first_filed:
            raise ValueError(f"until ({self.until}) is before first_filed ({self.first_filed})")
        return self


def supply_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {Shipment: "shipment", Application: "application"}.get(type(value), "standing")
    if not isinstance(value, dict):
        return None
    # Spelled out rather than looped: this runs for every supply entry of every plant.
    shipment = "arrives" in value
    application = "filed" in value or "approved" in value
    standing = "every_days" in value or "first_filed" in value or "until" in value
    if shipment + application + standing != 1:
        return None
    return "shipment" if shipment else "application" if application else "standing"


SUPPLY_KINDS = (Shipment, Application, StandingOrder)
SupplyEntry = Annotated[
    Annotated[Shipment, Tag("shipment")]
    | Annotated[Application, Tag("application")]
    | Annotated[StandingOrder, Tag("standing")],
    Discriminator(
        supply_kind,
        custom_error_type="supply_kind",
        custom_error_message=(
            "a supply entry is exactly one of: a shipment (arrives), an application "
            "(filed, optionally approved) or a standing order (every_days + first_filed, "
            "optionally until)"
        ),
    ),
]


def _country_hint(value: Any) -> Any:
    if isinstance(value, str) and not (len(value) == 2 and value.isascii() and value.isupper()):
        hint = f"; did you mean '{value.upper()}'?" if len(value) == 2 and value.isalpha() else ""
        raise PydanticCustomError(
            "country", f"expected an ISO 3166 alpha-2 code such as DE, got {value!r}{hint}"
        )
    return value


class Plant(Strict):
    """A plant: what it makes, what it holds, and what is on the way."""

    id: PlantId
    name: str = ""
    country: Annotated[str, BeforeValidator(_country_hint)] | None = None
    region: str | None = None
    end_use: EndUse = "civilian"
    as_of: IsoDate | None = None
    production_days: ProductionDays = "all"
    shutdowns: list[Shutdown] = Field(default_factory=list)
    transit_days: Days | None = None
    lines: list[Line] = Field(default_factory=list)
    demand: dict[MaterialId, Quantity] = Field(default_factory=dict)
    inventory: dict[MaterialId, Quantity] = Field(default_factory=dict)
    recovery_days: dict[MaterialId, Days] = Field(default_factory=dict)
    materials: dict[MaterialId, Material] = Field(default_factory=dict)
    supply: list[SupplyEntry] = Field(default_factory=list)

    def named_materials(self) -> set[str]:
        """Every material id this plant refers to, outside its own `materials`."""
        named = set(self.demand) | set(self.inventory) | set(self.recovery_days)
        for line in self.lines:
            named |= set(line.bom)
        named |= {entry.material for entry in self.supply}
        return named


class Portfolio(Strict):
    """A file of several plants sharing file-level materials."""

    materials: dict[MaterialId, Material] = Field(default_factory=dict)
    plants: list[Plant]


# --- scenarios ------------------------------------------------------------------------


class RateStep(Strict):
    """From a decision date on, this share of reviewed applications is approved."""

    start: IsoDate = Field(alias="from")
    rate: Rate


def _steps_increase(steps: list[RateStep]) -> list[RateStep]:
    for earlier, later in itertools.pairwise(steps):
        if later.start <= earlier.start:
            raise ValueError(
                f"steps must be in strictly increasing 'from' order: {later.start} "
                f"follows {earlier.start}"
            )
    return steps


RateSteps = Annotated[list[RateStep], Field(min_length=1), AfterValidator(_steps_increase)]


def _rate_kind(value: Any) -> str:
    return "steps" if isinstance(value, list) else "constant"


ApprovalRate = Annotated[
    Annotated[Rate, Tag("constant")] | Annotated[RateSteps, Tag("steps")],
    Discriminator(_rate_kind),
]


class Triangular(Strict):
    """Review working days as a triangle: runway uses the mode, simulate draws from it."""

    min: ReviewBound
    mode: ReviewBound
    max: ReviewBound

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.min <= self.mode <= self.max:
            raise ValueError(
                f"needs min <= mode <= max, got {self.min:g}, {self.mode:g}, {self.max:g}"
            )
        return self


def _review_kind(value: Any) -> str:
    return "triangular" if isinstance(value, dict | Triangular) else "fixed"


ReviewDays = Annotated[
    Annotated[ReviewWorkingDays, Tag("fixed")] | Annotated[Triangular, Tag("triangular")],
    Discriminator(_review_kind),
]


def whole_days(days: float) -> int:
    """The nearest whole number of days, halves rounded up: 44.5 -> 45 (not Python's 44)."""
    return math.floor(days + 0.5)


def review_days_value(review: int | Triangular) -> int:
    """The deterministic review time: the number itself, or a triangle's mode, rounded."""
    return review if isinstance(review, int) else whole_days(review.mode)


class GreenChannel(Strict):
    """Faster or more generous review for applications filed with `channel: green`."""

    review_working_days: ReviewDays | None = None
    approval_rate: ApprovalRate | None = None


class When(Strict):
    """Which plants an override applies to; every key given must match."""

    plant: str | None = None
    region: str | None = None
    country: str | None = None
    end_use: EndUse | None = None

    def matches(self, plant: Plant) -> bool:
        return (
            (self.plant is None or self.plant == plant.id)
            and (self.region is None or self.region == plant.region)
            and (self.country is None or self.country == plant.country)
            and (self.end_use is None or self.end_use == plant.end_use)
        )


class Override(Strict):
    """Terms that replace the scenario's for matching plants, on both channels."""

    when: When
    approval_rate: ApprovalRate | None = None
    review_working_days: ReviewDays | None = None


class Scenario(Strict):
    """One licence-approval scenario, and what the plants do about it.

    `demand_scale` multiplies every plant's need per production day (0.8 is a
    20 % production cut). `extra_stock` adds stock on day 0, per material id,
    to every plant that has that material: a buy from a non-Chinese source or
    a broker.
    """

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    approval_rate: ApprovalRate
    review_working_days: ReviewDays = 45
    green_channel: GreenChannel | None = None
    overrides: list[Override] = Field(default_factory=list)
    demand_scale: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 1.0
    extra_stock: dict[MaterialId, Quantity] = Field(default_factory=dict)


class ScenarioFile(Strict):
    """The contents of a scenarios file."""

    scenarios: list[Scenario]
