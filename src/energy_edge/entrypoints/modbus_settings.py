"""Modbus TCP settings from the environment (prefix EE_MODBUS_) and the hardware factories.

Two ways in, one set of builders:

- a site file names each Modbus asset's (host, port, unit_id, profile) and
  ratings: `build_asset_hardware(spec, site.grid)` takes the asset's spec as
  it is, `build_hardware(kind, host, port, unit_id, profile, ...)` (or the
  per-kind `build_solar_hardware`, `build_battery_hardware`,
  `build_boiler_hardware`, `build_meter_hardware`) returns its driver, with
  timeouts and retries from `ModbusSettings` (shared by every asset);
- a module configured by environment alone (today's deployments):
  `build_modbus_hardware(kind, ModbusSettings())`.

Map files are loaded and validated here, at start-up, so a malformed map or
an unknown profile stops the module with an error naming the entry
(RegisterMapError). `available_profiles(kind)` lists the profile names.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any, Callable, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..adapters.hardware.modbus.battery import ModbusBattery
from ..adapters.hardware.modbus.boiler import BoilerLimits, ModbusBoiler
from ..adapters.hardware.modbus.connection import ConnectionOptions, ModbusConnection
from ..adapters.hardware.modbus.meter import ModbusMeter, SunSpecMeter
from ..adapters.hardware.modbus.meter_limits import MeterLimits
from ..adapters.hardware.modbus.profiles import SUNSPEC, available_profiles, load_profile_map
from ..adapters.hardware.modbus.register_map import SUNSPEC_MODELS_FILE, RegisterMapError, load_sunspec_models
from ..adapters.hardware.modbus.server import DEFAULT_PORTS
from ..adapters.hardware.modbus.solar import ModbusSolarInverter
from ..adapters.hardware.modbus.sunspec import DEFAULT_BASE_ADDRESSES, SunSpecDevice
from ..adapters.hardware.modbus.sunspec_driver import DriverOptions

AssetKind = Literal["solar", "battery", "boiler", "meter"]
ModbusHardware = ModbusSolarInverter | ModbusBattery | ModbusBoiler | ModbusMeter | SunSpecMeter
DEFAULT_PROFILES: dict[str, str] = {"solar": SUNSPEC, "battery": SUNSPEC, "boiler": "boiler_generic", "meter": SUNSPEC}

__all__ = ["ModbusSettings", "available_profiles", "build_asset_hardware", "build_battery_hardware", "build_boiler_hardware", "build_hardware",
           "build_meter_hardware", "build_modbus_hardware", "build_solar_hardware"]


class ModbusSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EE_MODBUS_", extra="ignore", allow_inf_nan=False)

    host: str = Field("127.0.0.1", description="Device (or gateway) host name or address")
    port: int | None = Field(None, ge=1, le=65535,
                             description="TCP port; default: the site simulator's port of the kind (solar 1502, battery 1503, boiler 1504, meter 1505)")
    unit_id: int = Field(1, ge=0, le=255, description="Modbus unit (device) id")
    profile: str | None = Field(None, description="Device profile: sunspec or a register map's name; default per kind")
    map_file: Path | None = Field(None, description="SunSpec model map (sunspec) or register map (boiler, meter); default: the profile's")
    timeout_s: float = Field(1.0, gt=0, le=60, description="Per-request timeout")
    retries: int = Field(2, ge=0, le=10, description="Extra attempts per request, with backoff")
    backoff_s: float = Field(0.05, ge=0, le=10, description="First pause between attempts (doubles each retry)")
    failures_before_fault: int = Field(3, ge=1, le=100, description="Failed polls in a row before FAULT 'communication lost'")
    poll_interval_s: float = Field(0.0, ge=0, le=3600, description="Reuse a poll younger than this (0: poll on every read)")
    revert_timeout_s: int = Field(60, ge=1, le=65535, description="Device reverts to its safe state if not refreshed")
    sunspec_base_addresses: list[Annotated[int, Field(ge=0, le=0xFFFE)]] = Field(
        list(DEFAULT_BASE_ADDRESSES), min_length=1, max_length=8, description="Where to look for 'SunS' (two registers), in order")
    word_order: Literal["big", "little"] = Field("big", description="SunSpec 32-bit word order (register maps carry their own)")
    byte_order: Literal["big", "little"] = Field("big", description="SunSpec byte order (register maps carry their own)")
    rated_power_w: float | None = Field(None, gt=0, le=1e9, description="Nameplate rating of the SunSpec device: the lower of it and the device's own counts")
    capacity_wh: float | None = Field(None, gt=0, le=1e10, description="Battery capacity (bounds the SoC rate of change; the lower of it and the device's counts)")
    heater_power_w: float = Field(6000.0, gt=0, le=1e6, description="Boiler heater rating: readings above 110 % are faults")
    min_temperature_c: float = Field(-20.0, ge=-50, le=150, description="Boiler readings below this are faults")
    max_temperature_c: float = Field(110.0, ge=-50, le=150, description="Boiler readings above this are faults")
    main_fuse_a: float = Field(63.0, gt=0, le=10_000, description="Meter: the grid connection's main fuse per phase")
    phases: int = Field(3, ge=1, le=3, description="Meter: phases of the grid connection")
    nominal_voltage_v: float = Field(230.0, gt=0, le=500, description="Meter: phase-to-neutral voltage")
    import_positive: bool = Field(True, description="SunSpec meter: W > 0 means importing (False for meters that count export positive)")

    def connection(self, host: str, port: int, unit_id: int) -> ModbusConnection:
        return ModbusConnection(ConnectionOptions(host=host, port=port, unit_id=unit_id, timeout_s=self.timeout_s,
                                                  retries=self.retries, backoff_s=self.backoff_s))

    def connection_options(self, kind: AssetKind) -> ConnectionOptions:
        return ConnectionOptions(host=self.host, port=self.port or DEFAULT_PORTS[kind], unit_id=self.unit_id,
                                 timeout_s=self.timeout_s, retries=self.retries, backoff_s=self.backoff_s)


def _sunspec_device(host: str, port: int, unit_id: int, profile: str, settings: ModbusSettings, kind: str) -> SunSpecDevice:
    if profile != SUNSPEC:
        raise RegisterMapError(f"a {kind} speaks SunSpec: profile {profile!r} is not one of {list(available_profiles(kind))}")
    return SunSpecDevice(settings.connection(host, port, unit_id), load_sunspec_models(settings.map_file or SUNSPEC_MODELS_FILE),
                         base_addresses=tuple(settings.sunspec_base_addresses),
                         word_order=settings.word_order, byte_order=settings.byte_order)


def _driver_options(settings: ModbusSettings, now: Callable[[], float] | None, **overrides: float | None) -> DriverOptions:
    options = {"revert_timeout_s": settings.revert_timeout_s, "rated_power_w": settings.rated_power_w,
               "capacity_wh": settings.capacity_wh, "poll_interval_s": settings.poll_interval_s,
               "failures_before_fault": settings.failures_before_fault, "monotonic": now or time.monotonic}
    return DriverOptions(**{**options, **{k: v for k, v in overrides.items() if v is not None}})  # type: ignore[arg-type]


def build_solar_hardware(host: str, port: int, unit_id: int, profile: str = SUNSPEC, *, rated_power_w: float | None = None,
                         settings: ModbusSettings | None = None, now: Callable[[], float] | None = None) -> ModbusSolarInverter:
    """A SunSpec PV inverter; its rating is the lower of `rated_power_w` (the nameplate) and the device's.

    `now` (every builder): the clock of revert timers and rate checks; the site clock when the
    devices are simulated at a speed-up, else time.monotonic.
    """
    settings = settings or ModbusSettings()
    device = _sunspec_device(host, port, unit_id, profile, settings, "solar")
    return ModbusSolarInverter(device, _driver_options(settings, now, rated_power_w=rated_power_w))


def build_battery_hardware(host: str, port: int, unit_id: int, profile: str = SUNSPEC, *, capacity_wh: float | None = None,
                           max_power_w: float | None = None, settings: ModbusSettings | None = None,
                           now: Callable[[], float] | None = None) -> ModbusBattery:
    """A SunSpec storage system; `capacity_wh` (the site file's) bounds how fast its SoC may move."""
    settings = settings or ModbusSettings()
    device = _sunspec_device(host, port, unit_id, profile, settings, "battery")
    return ModbusBattery(device, _driver_options(settings, now, capacity_wh=capacity_wh, rated_power_w=max_power_w))


def build_boiler_hardware(host: str, port: int, unit_id: int, profile: str = "boiler_generic", *,
                          heater_power_w: float | None = None, min_temperature_c: float | None = None,
                          max_temperature_c: float | None = None, settings: ModbusSettings | None = None,
                          now: Callable[[], float] | None = None) -> ModbusBoiler:
    """A boiler on a register map (profile = the map's name, or EE_MODBUS_MAP_FILE)."""
    settings = settings or ModbusSettings()
    limits = BoilerLimits(heater_power_w=heater_power_w or settings.heater_power_w,
                          min_temperature_c=settings.min_temperature_c if min_temperature_c is None else min_temperature_c,
                          max_temperature_c=settings.max_temperature_c if max_temperature_c is None else max_temperature_c,
                          poll_interval_s=settings.poll_interval_s, failures_before_fault=settings.failures_before_fault,
                          monotonic=now or time.monotonic)
    return ModbusBoiler(settings.connection(host, port, unit_id), load_profile_map(profile, "boiler", settings.map_file), limits)


def build_meter_hardware(host: str, port: int, unit_id: int, profile: str = SUNSPEC, *, limits: MeterLimits | None = None,
                         import_positive: bool | None = None, settings: ModbusSettings | None = None,
                         now: Callable[[], float] | None = None) -> ModbusMeter | SunSpecMeter:
    """The grid meter: SunSpec 201-204 or a meter map (sdm630, em24); `limits` from the site's grid connection."""
    settings = settings or ModbusSettings()
    limits = limits or MeterLimits(main_fuse_a=settings.main_fuse_a, phases=settings.phases,
                                   nominal_voltage_v=settings.nominal_voltage_v, poll_interval_s=settings.poll_interval_s,
                                   failures_before_fault=settings.failures_before_fault, monotonic=now or time.monotonic)
    if profile == SUNSPEC:
        device = _sunspec_device(host, port, unit_id, profile, settings, "meter")
        return SunSpecMeter(device, limits, import_positive=settings.import_positive if import_positive is None else import_positive)
    register_map = load_profile_map(profile, "meter", settings.map_file)
    return ModbusMeter(settings.connection(host, port, unit_id), register_map, limits, profile=profile)


_BUILDERS = {"solar": build_solar_hardware, "battery": build_battery_hardware, "boiler": build_boiler_hardware,
             "meter": build_meter_hardware}


def build_hardware(kind: AssetKind, host: str, port: int, unit_id: int, profile: str | None = None, *,
                   settings: ModbusSettings | None = None, now: Callable[[], float] | None = None,
                   **ratings: object) -> ModbusHardware:
    """The driver of one Modbus asset of any kind (site files build theirs in a loop with this).

    `ratings` are the kind's keywords: solar `rated_power_w`; battery `capacity_wh`, `max_power_w`;
    boiler `heater_power_w`, `min_temperature_c`, `max_temperature_c`; meter `limits`, `import_positive`.
    """
    if kind not in _BUILDERS:
        raise RegisterMapError(f"no Modbus driver for kind {kind!r}; kinds are {sorted(_BUILDERS)}")
    return _BUILDERS[kind](host, port, unit_id, profile or DEFAULT_PROFILES[kind], settings=settings, now=now,  # type: ignore[operator]
                           **ratings)


def build_asset_hardware(spec: Any, grid: Any = None, *, settings: ModbusSettings | None = None,
                         now: Callable[[], float] | None = None) -> ModbusHardware:
    """The driver of a site file's Modbus asset (`domain.site.AssetSpec` with `ModbusHardware`).

    Ratings come from the spec (solar `rated_power_w`; battery `capacity_wh`, the larger of
    `max_charge_w`/`max_discharge_w`; boiler `heater_power_w`; its comfort band is not a
    plausibility range), a meter's power bounds from the site's `grid` connection.
    """
    hardware = spec.hardware
    ratings: dict[str, object] = {}
    if spec.kind == "solar":
        ratings = {"rated_power_w": spec.rated_power_w}
    elif spec.kind == "battery":
        powers = [p for p in (spec.max_charge_w, spec.max_discharge_w) if p]
        ratings = {"capacity_wh": spec.capacity_wh, "max_power_w": max(powers) if powers else None}
    elif spec.kind == "boiler":
        ratings = {"heater_power_w": spec.heater_power_w}
    elif spec.kind == "meter" and grid is not None:
        ratings = {"limits": MeterLimits(main_fuse_a=grid.main_fuse_a, phases=grid.phases, nominal_voltage_v=grid.nominal_voltage_v,
                                         monotonic=now or time.monotonic)}
    return build_hardware(spec.kind, hardware.host, hardware.port, hardware.unit_id, hardware.profile,
                          settings=settings, now=now, **ratings)


def build_modbus_hardware(kind: AssetKind, settings: ModbusSettings | None = None,
                          now: Callable[[], float] | None = None) -> ModbusHardware:
    """The Modbus driver of one asset kind from EE_MODBUS_* alone; raises RegisterMapError for a malformed map file."""
    settings = settings or ModbusSettings()
    return build_hardware(kind, settings.host, settings.port or DEFAULT_PORTS[kind], settings.unit_id, settings.profile,
                          settings=settings, now=now)
