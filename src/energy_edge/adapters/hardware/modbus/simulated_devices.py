"""Simulated Modbus devices by (kind, profile): one server per asset, for a site of any shape.

`simulated_device(kind, physics, profile, ...)` is what a site file's
Modbus asset looks like on the simulator: a SunSpec inverter or storage
system, a boiler on a register map, or a grid meter (SunSpec or a meter
map), each driven by its physics (adapters/hardware/simulated, or a
`meter_simulator.ConnectionPoint` for the meter). `site_servers` is today's
fixed site (inverter, storage, boiler and optionally the meter) on the
default ports.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .meter_simulator import simulated_meter
from .profiles import SUNSPEC, load_profile_map
from .register_map import GenericRegisterMap, SunSpecModelTable, load_sunspec_models
from .server import (
    DEFAULT_PORTS,
    GenericBoilerSimulator,
    ModbusDeviceServer,
    SimulatedModbusDevice,
    SunSpecInverterSimulator,
    SunSpecStorageSimulator,
)

DEFAULT_METER_MAX_POWER_W = 43_470.0  # 63 A x 230 V x 3: the meter's W_SF is sized for this


def simulated_device(kind: str, physics: Any, profile: str = SUNSPEC, *, table: SunSpecModelTable | None = None,
                     now: Callable[[], float] = time.monotonic, rated_power_w: float | None = None,
                     max_power_w: float | None = None, capacity_wh: float | None = None,
                     heater_power_w: float | None = None,  # noqa: ARG001 - the boiler's physics knows its heater
                     meter_max_power_w: float = DEFAULT_METER_MAX_POWER_W) -> SimulatedModbusDevice:
    """The simulated device of one asset, with the ratings keywords `build_hardware` takes.

    Ratings default to the physics' own (`rated_power_w`, `max_charge_w`, `capacity_wh`).
    """
    table = table or load_sunspec_models()
    if kind == "solar":
        return SunSpecInverterSimulator(physics, table, rated_power_w=rated_power_w or physics.rated_power_w, now=now)
    if kind == "battery":
        return SunSpecStorageSimulator(physics, table, max_rate_w=max_power_w or physics.max_charge_w,
                                       capacity_wh=capacity_wh or physics.capacity_wh, now=now)
    if kind == "boiler":
        return GenericBoilerSimulator(physics, load_profile_map(profile, "boiler"), now=now)
    if kind == "meter":
        return simulated_meter(physics, profile, table, now=now, max_power_w=meter_max_power_w)
    raise ValueError(f"no simulated Modbus device for kind {kind!r}")


def site_servers(pv, battery, boiler, table: SunSpecModelTable, boiler_map: GenericRegisterMap, *,  # noqa: ANN001
                 host: str = "127.0.0.1", ports: dict[str, int] = DEFAULT_PORTS,
                 now: Callable[[], float] = time.monotonic, meter=None, meter_profile: str = SUNSPEC,  # noqa: ANN001
                 meter_max_power_w: float = DEFAULT_METER_MAX_POWER_W) -> list[ModbusDeviceServer]:
    """Today's site as Modbus TCP servers (not yet started): inverter, storage, boiler on `boiler_map`.

    Takes the physics simulators of adapters/hardware/simulated (or anything
    with the same AssetHardware methods and ratings): `pv.rated_power_w`,
    `battery.max_charge_w` and `battery.capacity_wh`. With `meter` (any
    object with `async read() -> MeterMeasurement`, e.g. a `ConnectionPoint`
    fed by the site's grid power) a grid meter of `meter_profile` (sunspec,
    or a meter map's name) is served too.
    """
    servers = [
        ModbusDeviceServer(simulated_device("solar", pv, table=table, now=now), host, ports["solar"]),
        ModbusDeviceServer(simulated_device("battery", battery, table=table, now=now), host, ports["battery"]),
        ModbusDeviceServer(GenericBoilerSimulator(boiler, boiler_map, now=now), host, ports["boiler"]),
    ]
    if meter is not None:
        servers.append(ModbusDeviceServer(simulated_device("meter", meter, meter_profile, table=table, now=now,
                                                           meter_max_power_w=meter_max_power_w), host, ports["meter"]))
    return servers
