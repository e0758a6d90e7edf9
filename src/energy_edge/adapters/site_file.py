"""The site file (`site.toml`, docs/site-file.md) -> `domain.site.Site`, refused as a whole when wrong.

Read with the standard library's `tomllib` and validated by pydantic models
(unknown keys refused). Whatever is wrong becomes one `SiteFileError` whose
message is one sentence naming the file, the asset (or section) and the field,
the value and what is allowed, so `energy-edge` exits 2 before anything
starts, never with a traceback.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..domain.errors import ConfigurationError
from ..domain.site import (
    BATTERY,
    BOILER,
    KINDS,
    METER,
    MODULE_ID,
    RESERVED_MODULE_IDS,
    SOLAR,
    AssetSpec,
    GridConnection,
    ModbusHardware,
    SimulatedHardware,
    SimulationSpec,
    Site,
)

MAX_ASSETS = 2000
"""More than `make bench` measures (1,000 assets); a file beyond it is more likely a mistake."""

RATINGS: dict[str, tuple[str, ...]] = {
    SOLAR: ("rated_power_w", "tilt_deg", "azimuth_deg"),
    BATTERY: ("capacity_wh", "max_charge_w", "max_discharge_w", "soc_min", "soc_max"),
    BOILER: ("heater_power_w", "min_temperature_c", "max_temperature_c"),
    METER: (),
}
REQUIRED_RATINGS: dict[str, tuple[str, ...]] = {
    SOLAR: ("rated_power_w",),
    BATTERY: ("capacity_wh", "max_charge_w", "max_discharge_w"),
    BOILER: ("heater_power_w",),
    METER: (),
}
SIMULATOR_PARAMETERS: dict[str, tuple[str, ...]] = {
    SOLAR: ("tilt_deg", "azimuth_deg"),
    BATTERY: ("initial_soc", "round_trip_efficiency"),
    BOILER: ("initial_temperature_c", "thermal_mass_j_per_k", "loss_w_per_k"),
    METER: (),
}
KNOWN_PROFILES: dict[str, tuple[str, ...]] = {
    "sunspec": (SOLAR, BATTERY, METER),
    "boiler_generic": (BOILER,),
    "sdm630": (METER,),
    "em24": (METER,),
}
"""Device profiles by the kinds they serve, when the Modbus package does not publish its own list."""


class SiteFileError(ConfigurationError, ValueError):
    """A site file that cannot be used; the message is the one sentence the user sees."""


class _Strict(BaseModel):
    # strict: TOML has types, so "502", true or 3.0 where a number or an integer belongs is a mistake, not a value
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class _SiteSection(_Strict):
    name: str = Field(min_length=1, max_length=64)
    latitude_deg: float = Field(ge=-90, le=90)
    longitude_deg: float = Field(ge=-180, le=180)
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones ("Europe"), a name too long
            raise ValueError(f"{_short(value)} is not an IANA time zone name (e.g. 'Europe/Amsterdam')") from None
        return value


class _GridSection(_Strict):
    import_limit_w: float = Field(ge=0, le=10_000_000)
    export_limit_w: float = Field(ge=0, le=10_000_000)
    main_fuse_a: float = Field(gt=0, le=6_300)
    phases: Literal[1, 3] = 3
    nominal_voltage_v: float = Field(230.0, ge=100, le=500)

    @field_validator("phases", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("should be the integer 1 or 3")
        return value


class _SimulationSection(_Strict):
    seed: int = 42
    base_load_w: float = Field(800.0, ge=0, le=10_000_000)


class _Simulated(_Strict):
    type: Literal["simulated"]
    tilt_deg: float | None = Field(None, ge=0, le=90)
    azimuth_deg: float | None = Field(None, ge=0, le=360)
    initial_soc: float | None = Field(None, ge=0, le=1)
    round_trip_efficiency: float | None = Field(None, gt=0, le=1)
    initial_temperature_c: float | None = Field(None, ge=0, le=100)
    thermal_mass_j_per_k: float | None = Field(None, gt=0, le=1e9)
    loss_w_per_k: float | None = Field(None, ge=0, le=1_000)


class _Modbus(_Strict):
    type: Literal["modbus"]
    host: str = Field(min_length=1, max_length=253)
    port: int = Field(502, ge=1, le=65535)
    unit_id: int = Field(1, ge=0, le=255)
    profile: str = "sunspec"


class _Asset(_Strict):
    id: str
    kind: str
    hardware: Annotated[_Simulated | _Modbus, Field(discriminator="type")] = _Simulated(type="simulated")
    rated_power_w: float | None = Field(None, gt=0, le=1_000_000)
    tilt_deg: float | None = Field(None, ge=0, le=90)  # the array's plane (for the forecast; a simulator's too)
    azimuth_deg: float | None = Field(None, ge=0, le=360)
    capacity_wh: float | None = Field(None, gt=0, le=10_000_000)
    max_charge_w: float | None = Field(None, gt=0, le=1_000_000)
    max_discharge_w: float | None = Field(None, gt=0, le=1_000_000)
    soc_min: float | None = Field(None, ge=0, le=1)
    soc_max: float | None = Field(None, ge=0, le=1)
    heater_power_w: float | None = Field(None, gt=0, le=100_000)
    min_temperature_c: float | None = Field(None, ge=0, le=100)
    max_temperature_c: float | None = Field(None, ge=0, le=100)

    @model_validator(mode="before")
    @classmethod
    def _simulated_by_default(cls, data: Any) -> Any:
        """`type` defaults to simulated in a `[assets.hardware]` table too (unless it names a Modbus field)."""
        hardware = data.get("hardware") if isinstance(data, dict) else None
        if isinstance(hardware, dict) and "type" not in hardware and not set(hardware) & set(_Modbus.model_fields):
            return {**data, "hardware": {"type": "simulated", **hardware}}
        return data


class _SiteFile(_Strict):
    site: _SiteSection
    grid: _GridSection
    simulation: _SimulationSection = _SimulationSection()
    assets: list[_Asset] = Field(min_length=1, max_length=MAX_ASSETS)


def load_site(path: str | Path) -> Site:
    """The site described by the file at `path`; `SiteFileError` (one sentence) when it cannot be used."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SiteFileError(f"{path}: cannot read the site file ({exc.strerror or exc}).") from None
    except UnicodeDecodeError:
        raise SiteFileError(f"{path}: the site file is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteFileError(f"{path}: malformed TOML, {_toml_position(str(exc))}.") from None
    except ValueError:  # tomllib lets int()'s refusal through: a number longer than Python reads
        raise SiteFileError(f"{path}: malformed TOML, a number of more than {sys.get_int_max_str_digits()} "
                            "digits; every number is within a physical bound (docs/site-file.md).") from None
    except RecursionError:  # arrays or inline tables nested until the parser's stack gives up
        raise SiteFileError(f"{path}: malformed TOML, arrays or tables nested too deeply to read.") from None
    return parse_site(raw, path)


def parse_site(raw: dict[str, Any], path: str | Path = "<site>") -> Site:
    """A parsed TOML document -> `Site`, with the same checks and messages as `load_site`."""
    try:
        document = _SiteFile.model_validate(raw)
    except ValidationError as exc:
        raise SiteFileError(_describe(path, raw, exc.errors()[0])) from None
    return _check(path, document)


def known_profiles() -> dict[str, tuple[str, ...]]:
    """Device profiles (SunSpec, register maps) by kind: the Modbus package's own list when it has one."""
    from .hardware import modbus

    published = getattr(modbus, "PROFILES", None)
    if isinstance(published, dict) and published:
        return {str(name): tuple(kinds) for name, kinds in published.items()}
    return dict(KNOWN_PROFILES)


def _check(path: str | Path, document: _SiteFile) -> Site:
    seen: dict[str, int] = {}
    meters: list[str] = []
    specs = []
    profiles = known_profiles()
    for number, asset in enumerate(document.assets, start=1):
        where = f"{path}: asset {_short(asset.id)}"
        if not MODULE_ID.match(asset.id):
            raise SiteFileError(f"{where} (#{number}), field id: not a valid module name; use lowercase letters, "
                                "digits and '-', starting with a letter, at most 64 characters.")
        if asset.id in RESERVED_MODULE_IDS:
            raise SiteFileError(f"{where}, field id: the name is reserved for "
                                f"{'a service module' if asset.id in ('controller', 'telemetry') else 'the runtime'}; "
                                f"reserved: {', '.join(sorted(RESERVED_MODULE_IDS))}.")
        if asset.id in seen:
            raise SiteFileError(f"{where}, field id: duplicate id (assets #{seen[asset.id]} and #{number}).")
        seen[asset.id] = number
        if asset.kind not in KINDS:
            raise SiteFileError(f"{where}, field kind: {_short(asset.kind)} is not a kind; expected one of "
                                f"{', '.join(KINDS)}.")
        _check_ratings(where, asset)
        _check_hardware(where, asset, profiles)
        if asset.kind == METER:
            meters.append(asset.id)
            if len(meters) > 1:
                raise SiteFileError(f"{where}, field kind: a site has at most one grid meter, and {meters[0]!r} "
                                    "is already one.")
        specs.append(_spec(asset))
    site = Site(
        name=document.site.name, latitude_deg=document.site.latitude_deg,
        longitude_deg=document.site.longitude_deg, timezone=document.site.timezone,
        grid=GridConnection(**document.grid.model_dump()), assets=tuple(specs),
        simulation=SimulationSpec(**document.simulation.model_dump()),
    )
    if site.grid.import_limit_w > site.grid.fuse_limit_w:
        raise SiteFileError(f"{path}: [grid], field import_limit_w: {site.grid.import_limit_w:g} W is more than "
                            f"the main fuse carries ({site.grid.phases} x {site.grid.main_fuse_a:g} A x "
                            f"{site.grid.nominal_voltage_v:g} V = {site.grid.fuse_limit_w:g} W).")
    if not site.simulated and site.meter is None:
        real = next(spec for spec in site.assets if not spec.simulated)
        raise SiteFileError(f"{path}: asset {real.id!r}, field hardware: a site with any non-simulated asset needs "
                            "a grid meter (an asset of kind 'meter'), and this one has none.")
    return site


def _check_ratings(where: str, asset: _Asset) -> None:
    for name in REQUIRED_RATINGS[asset.kind]:
        if getattr(asset, name) is None:
            raise SiteFileError(f"{where}, field {name}: required for a {asset.kind}.")
    foreign = [name for kind, names in RATINGS.items() if kind != asset.kind for name in names
               if name not in RATINGS[asset.kind] and getattr(asset, name) is not None]
    if foreign:
        raise SiteFileError(f"{where}, field {foreign[0]}: does not apply to a {asset.kind}; its ratings are "
                            f"{', '.join(RATINGS[asset.kind]) or 'none'}.")
    defaults = AssetSpec("", asset.kind)
    for low, high in (("soc_min", "soc_max"), ("min_temperature_c", "max_temperature_c")):
        if low not in RATINGS[asset.kind]:
            continue
        low_value, high_value = (getattr(asset, n) if getattr(asset, n) is not None else getattr(defaults, n)
                                 for n in (low, high))
        if low_value >= high_value:
            raise SiteFileError(f"{where}, field {high}: needs {low} ({low_value:g}) < {high} ({high_value:g}).")


def _check_hardware(where: str, asset: _Asset, profiles: dict[str, tuple[str, ...]]) -> None:
    hardware = asset.hardware
    if isinstance(hardware, _Modbus):
        allowed = sorted(name for name, kinds in profiles.items() if asset.kind in kinds)
        if hardware.profile not in allowed:
            raise SiteFileError(f"{where}, field hardware.profile: {_short(hardware.profile)} is not a device profile "
                                f"for a {asset.kind}; known: {', '.join(allowed) or 'none'}.")
        return
    foreign = [name for name in hardware.model_fields_set - {"type"}
               if name not in SIMULATOR_PARAMETERS[asset.kind]]
    if foreign:
        raise SiteFileError(f"{where}, field hardware.{sorted(foreign)[0]}: not a simulator parameter of a "
                            f"{asset.kind}; its parameters are {', '.join(SIMULATOR_PARAMETERS[asset.kind]) or 'none'}.")


def _spec(asset: _Asset) -> AssetSpec:
    hardware = asset.hardware
    if isinstance(hardware, _Modbus):
        built: SimulatedHardware | ModbusHardware = ModbusHardware(
            host=hardware.host, port=hardware.port, unit_id=hardware.unit_id, profile=hardware.profile)
    else:
        built = SimulatedHardware(**hardware.model_dump(exclude_none=True))
    ratings = {name: getattr(asset, name) for name in RATINGS[asset.kind] if getattr(asset, name) is not None}
    return AssetSpec(asset.id, asset.kind, built, **ratings)


_POSITION = re.compile(r"^(?P<message>.*?)\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)\s*$", re.S)


def _toml_position(text: str) -> str:
    match = _POSITION.match(text)
    if not match:
        return text[:200]
    return f"line {match['line']}, column {match['column']}: {match['message'][:160]}"


def _describe(path: str | Path, raw: dict[str, Any], error: Any) -> str:
    """One pydantic error as one sentence: the file, the asset (or section), the field, the value, the rule."""
    location = [part for part in error["loc"] if part not in ("simulated", "modbus")]
    where = f"{path}: "
    if location[:1] == ["assets"] and len(location) > 1 and isinstance(location[1], int):
        index = location[1]
        assets = raw.get("assets")
        entry = assets[index] if isinstance(assets, list) and index < len(assets) else None
        asset_id = entry.get("id") if isinstance(entry, dict) else None
        where += f"asset {_short(asset_id)}" if isinstance(asset_id, str) else f"asset #{index + 1}"
        location = location[2:]
    elif location:
        where += f"[{location[0]}]"
        location = location[1:]
    field = ".".join(str(part) for part in location) or "(the entry itself)"
    value = "" if error["type"] == "missing" else f" = {_short(error.get('input'))}"
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        field, value = field + ".type", f" = {_short(error.get('ctx', {}).get('tag'))}" if "tag" in error.get("ctx", {}) else ""
    return f"{where}, field {field}{value}: {_rule(error)}."


def _rule(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "type must be simulated or modbus"
    if kind == "extra_forbidden":
        return "not a known field"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _short(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
