"""Register maps are data: JSON files, validated as a whole at start-up.

A map that is wrong stops the module before it ever talks to a device, with
an error naming the file and the entry (`models[3] (id 123).points[5]
(WMaxLimPct).type: ...`), instead of a wrong number reaching the balancing
hours later. The shipped maps live in `maps/`; a device with other
registers gets its own file (EE_MODBUS_MAP_FILE).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError, field_validator, model_validator

from ....domain.bounded_json import DuplicateKey, unique_keys
from ....domain.errors import ConfigurationError
from .codec import REGISTER_TYPES, SCALE_FACTOR_RANGE, size_of
from .connection import MAX_READ_REGISTERS

MAPS_DIR = Path(__file__).parent / "maps"
SUNSPEC_MODELS_FILE = MAPS_DIR / "sunspec_models.json"
BOILER_MAP_FILE = MAPS_DIR / "boiler_generic.json"

BOILER_POINTS = ("temperature_c", "setpoint_c", "heater_on", "power_w")
METER_POINTS = ("power_w",)  # every meter map has it; of the others, a map lists those its device has
METER_OPTIONAL_POINTS = ("power_l1_w", "power_l2_w", "power_l3_w", "voltage_l1_v", "voltage_l2_v", "voltage_l3_v",
                         "frequency_hz", "import_energy_wh", "export_energy_wh")
TypeName = Literal[tuple(REGISTER_TYPES)]  # type: ignore[valid-type]
LAST_REGISTER = 0xFFFF  # Modbus addresses are 0..65535
MAX_MODEL_SPAN = MAX_READ_REGISTERS  # a SunSpec model's points: one read request, so a value and its scale factor share an answer
MAX_MAP_SPAN = 8 * MAX_READ_REGISTERS  # a register map's points: at most 8 requests every poll


class RegisterMapError(ConfigurationError, ValueError):
    """A map file that cannot be used; the message names the file and the bad entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(values: list, what: str) -> None:
    duplicates = sorted({value for value in values if values.count(value) > 1})
    if duplicates:
        raise ValueError(f"duplicate {what} {duplicates}")


def _no_overlap(points: list, unit: str, start: Callable[[Any], int]) -> None:
    """No register belongs to two points (a SunSpec model's offsets, a map's addresses)."""
    used: dict[int, str] = {}
    for point in points:
        for register in range(start(point), start(point) + point.registers):
            if register in used:
                raise ValueError(f"point {point.name!r} overlaps {used[register]!r} at {unit} {register}")
            used[register] = point.name


class SunSpecPoint(_Strict):
    name: str = Field(min_length=1)
    offset: StrictInt = Field(ge=2, description="registers from the model's ID register")
    type: TypeName
    size: StrictInt | None = Field(default=None, ge=1, le=125, description="string points only: their registers")
    sf: str | None = None  # name of the sunssf point of the same model
    access: Literal["r", "rw"] = "r"
    sf_range: tuple[StrictInt, StrictInt] | None = Field(
        default=None, description="sunssf only: the exponents a real device of this kind can use (default -10..10)")

    @property
    def registers(self) -> int:
        return size_of(self.type, self.size)

    @property
    def allowed_scale_factors(self) -> range:
        """SunSpec allows -10..10; a point may narrow it (a SoC in 100 % steps is no battery)."""
        return SCALE_FACTOR_RANGE if self.sf_range is None else range(self.sf_range[0], self.sf_range[1] + 1)

    @model_validator(mode="after")
    def _strings_need_a_size(self) -> "SunSpecPoint":
        if self.type == "string" and self.size is None:
            raise ValueError("a string point needs 'size' (registers)")
        if self.type != "string" and self.size is not None:
            size = REGISTER_TYPES[self.type].size
            raise ValueError(f"'size' belongs on a string point ({self.type} has {size} register{'s' if size > 1 else ''})")
        if self.sf_range is not None:
            low, high = self.sf_range
            if self.type != "sunssf":
                raise ValueError("'sf_range' belongs on a sunssf point")
            if not SCALE_FACTOR_RANGE.start <= low <= high < SCALE_FACTOR_RANGE.stop:
                raise ValueError(f"sf_range {list(self.sf_range)} must be low <= high within -10..10")
        return self


class SunSpecModel(_Strict):
    id: StrictInt = Field(ge=1, lt=0xFFFF)
    name: str
    length: StrictInt = Field(ge=1, le=0xFFFE, description="the model's L: registers after ID and L")
    points: list[SunSpecPoint]

    @cached_property
    def by_name(self) -> dict[str, SunSpecPoint]:
        return {point.name: point for point in self.points}

    @model_validator(mode="after")
    def _points_fit_and_refer(self) -> "SunSpecModel":
        _unique([point.name for point in self.points], "point names")
        _no_overlap(self.points, "offset", lambda point: point.offset)
        for point in self.points:
            if point.offset + point.registers > MAX_MODEL_SPAN:
                raise ValueError(f"point {point.name!r} ends at offset {point.offset + point.registers - 1}; a model's points must lie "
                                 f"within its first {MAX_MODEL_SPAN} registers (one read, so a value and its scale factor share an answer)")
            if point.offset + point.registers > self.length + 2:
                raise ValueError(
                    f"point {point.name!r} (offset {point.offset}, {point.registers} registers) ends beyond the model length {self.length}"
                )
            if point.sf is not None:
                target = self.by_name.get(point.sf)
                if target is None or target.type != "sunssf":
                    raise ValueError(f"point {point.name!r}: scale factor {point.sf!r} is not a sunssf point of this model")
        return self


class SunSpecModelTable(_Strict):
    description: str = ""
    models: list[SunSpecModel]

    @cached_property
    def by_id(self) -> dict[int, SunSpecModel]:
        return {model.id: model for model in self.models}

    @field_validator("models")
    @classmethod
    def _unique_ids(cls, models: list[SunSpecModel]) -> list[SunSpecModel]:
        _unique([model.id for model in models], "model ids")
        return models


class GenericPoint(_Strict):
    name: str = Field(min_length=1)
    address: StrictInt = Field(ge=0, le=LAST_REGISTER)
    type: Literal["int16", "uint16", "int32", "uint32", "float32"]
    scale: StrictFloat = Field(default=1.0, gt=0, allow_inf_nan=False)
    access: Literal["r", "rw"] = "r"
    no_reading: list[StrictInt] = Field(
        default_factory=list,
        description="register contents (unsigned, as on the wire, words in the map's order) meaning 'no reading', "
                    "beside the type's own sentinel (int16 0x8000, uint16 0xFFFF, float32 NaN)")

    @property
    def registers(self) -> int:
        return size_of(self.type)

    @model_validator(mode="after")
    def _fits_the_address_space(self) -> "GenericPoint":
        last = self.address + self.registers - 1
        if last > LAST_REGISTER:
            raise ValueError(f"registers {self.address}..{last} run beyond {LAST_REGISTER}, the last Modbus address")
        largest = (1 << (16 * self.registers)) - 1
        for content in self.no_reading:
            if not 0 <= content <= largest:
                raise ValueError(f"no_reading {content} does not fit {self.type} (0..{largest}: its registers, unsigned)")
        return self


class GenericRegisterMap(_Strict):
    """Registers at fixed addresses, one engineering value each (value = raw * scale)."""

    description: str = ""
    kind: Literal["boiler", "meter"] | None = Field(default=None, description="the asset kind this map serves")
    table: Literal["holding", "input"] = Field(default="holding", description="function 3 or 4 to read the points")
    word_order: Literal["big", "little"] = "big"
    byte_order: Literal["big", "little"] = "big"
    points: list[GenericPoint]

    @cached_property
    def by_name(self) -> dict[str, GenericPoint]:
        return {point.name: point for point in self.points}

    @model_validator(mode="after")
    def _no_overlap(self) -> "GenericRegisterMap":
        _unique([point.name for point in self.points], "point names")
        _no_overlap(self.points, "register", lambda point: point.address)
        if self.points:
            first = min(point.address for point in self.points)
            last = max(point.address + point.registers for point in self.points) - 1
            if last - first + 1 > MAX_MAP_SPAN:
                raise ValueError(f"points span registers {first}..{last} ({last - first + 1} registers); at most {MAX_MAP_SPAN}, "
                                 f"since every poll reads the whole span")
        return self

    def require(self, names: tuple[str, ...], writable: tuple[str, ...] = ()) -> "GenericRegisterMap":
        """Check the points a driver needs are there (and writable where it writes)."""
        missing = [name for name in names if name not in self.by_name]
        if missing:
            raise RegisterMapError(f"missing points {missing} (a {self.kind or 'boiler'} map needs {list(names)})")
        read_only = [name for name in writable if self.by_name[name].access != "rw"]
        if read_only:
            raise RegisterMapError(f"points {read_only} must have access 'rw'")
        return self


def _describe(error: dict, document: object) -> str:
    """`models[3] (id 123).points[5] (WMaxLimPct).type: <message>` from a pydantic error."""
    parts: list[str] = []
    node = document
    for key in error["loc"]:
        label = f"[{key}]" if isinstance(key, int) else (f".{key}" if parts else str(key))
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if isinstance(node, dict):
                tag = node.get("name") if "name" in node else None
                ident = node.get("id")
                label += f" ({'id ' + str(ident) if ident is not None else ''}{', ' if ident is not None and tag else ''}{tag or ''})"
        elif isinstance(node, dict):
            node = node.get(key)
        parts.append(label)
    return f"{''.join(parts) or '<root>'}: {error['msg']}"


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        document = json.loads(Path(path).read_text(), object_pairs_hook=unique_keys)
    except DuplicateKey as exc:  # a copied map edited twice over: which entry counts, no reader can tell
        raise RegisterMapError(f"{path}: invalid register map: {exc.reason}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise RegisterMapError(f"{path}: cannot read map: {exc}") from exc
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        reasons = "; ".join(_describe(error, document) for error in exc.errors())
        raise RegisterMapError(f"{path}: invalid register map: {reasons}") from exc


def load_sunspec_models(path: Path = SUNSPEC_MODELS_FILE) -> SunSpecModelTable:
    table = _load(path, SunSpecModelTable)
    assert isinstance(table, SunSpecModelTable)
    return table


def _load_generic(path: Path, kind: str, names: tuple[str, ...], writable: tuple[str, ...] = (),
                  optional: tuple[str, ...] | None = None) -> GenericRegisterMap:
    register_map = _load(path, GenericRegisterMap)
    assert isinstance(register_map, GenericRegisterMap)
    try:
        if register_map.kind not in (None, kind):
            raise RegisterMapError(f"kind {register_map.kind!r}: this is not a {kind} map")
        register_map.require(names, writable)
        if optional is not None:
            unknown = sorted(set(register_map.by_name) - set(names) - set(optional))
            if unknown:
                raise RegisterMapError(f"unknown points {unknown} (a meter map may name {list(names + optional)})")
        return register_map
    except RegisterMapError as exc:
        raise RegisterMapError(f"{path}: invalid register map: {exc}") from exc


def load_boiler_map(path: Path = BOILER_MAP_FILE) -> GenericRegisterMap:
    return _load_generic(path, "boiler", BOILER_POINTS, writable=("setpoint_c", "heater_on"))


def load_meter_map(path: Path) -> GenericRegisterMap:
    """A meter's map: `power_w` (import positive) and any of the other MeterMeasurement fields, in SI units."""
    return _load_generic(path, "meter", METER_POINTS, optional=METER_OPTIONAL_POINTS)
