"""An electric boiler on a generic holding-register map (maps/boiler_generic.json).

The map names four points: temperature_c, setpoint_c, heater_on (0/1) and
power_w (the heater's consumption, positive on the device; the driver
reports it negative, the site convention for consumption). Any device whose
registers differ gets its own map file; addresses, types, scale, word and
byte order are all in the file.

Plausibility: the temperature must lie in the limits' range, must not be a
"no reading" content of the map (the shipped map: 0xFFFF, which would
otherwise read as -0.1 °C and call for heating), and may move at most
`temperature_step_k + max_temperature_rate_k_per_s x elapsed` between polls.
A 6 kW heater warms a 200 l tank by about 0.007 K/s and a hot-water draw
cools the sensor by a few kelvin within seconds, so 0.5 K/s beyond a 3 K
step is a broken sensor or garbage, never water. Setpoint writes are read
back: a device that does not hold them is a fault. Both points are written
before either is read back, so a device whose read answers are broken
still receives the whole setpoint (the safe "heater off" above all).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BoilerMeasurement, BoilerSetpoint, DriverCounters

from .codec import hex_words
from .connection import ModbusConnection
from .generic_map import GenericMapCodec
from .physical import power_within, within
from .plausibility import RateLimit
from .poller import DevicePoller, communication_guard
from .register_map import GenericRegisterMap
from .throttle import SetpointThrottle


@dataclass(frozen=True, slots=True)
class BoilerLimits:
    heater_power_w: float = 3000.0
    min_temperature_c: float = -20.0  # below this the tank is frozen solid or the sensor is broken
    max_temperature_c: float = 110.0  # above this the safety valve should have opened long ago
    poll_interval_s: float = 0.0
    failures_before_fault: int = 3
    refresh_s: float = 20.0  # rewrite an unchanged setpoint this often (a rebooted device forgets it)
    max_temperature_rate_k_per_s: float = 0.5  # see the module docstring
    temperature_step_k: float = 3.0
    monotonic: Callable[[], float] = time.monotonic  # the site clock in an accelerated simulation


class ModbusBoiler:
    """AssetHardware[BoilerMeasurement, BoilerSetpoint] over a generic register map."""

    def __init__(self, connection: ModbusConnection, register_map: GenericRegisterMap, limits: BoilerLimits = BoilerLimits()) -> None:
        self.connection = connection
        self.map = register_map
        self.limits = limits
        self.codec = GenericMapCodec(register_map, "boiler")
        self.temperature_rate = RateLimit("water temperature", "°C", max_rate_per_s=limits.max_temperature_rate_k_per_s,
                                          step=limits.temperature_step_k, monotonic=limits.monotonic)
        self._poller = DevicePoller(
            self._read_once,
            name=f"boiler {connection.endpoint}",
            poll_interval_s=limits.poll_interval_s,
            failures_before_fault=limits.failures_before_fault,
            monotonic=limits.monotonic,
        )
        self._throttle = SetpointThrottle(limits.refresh_s, limits.monotonic)

    def decode(self, registers: list[int], name: str) -> float:
        """One point's engineering value from registers read from the map's first address."""
        return self.codec.required(registers, name)

    async def read(self) -> BoilerMeasurement:
        return await self._poller.read()

    def counters(self) -> DriverCounters:
        """Polls held over (no rating is checked against the site file here)."""
        return self._poller.counters()

    async def _read_once(self) -> BoilerMeasurement:
        registers = await self.connection.read(self.codec.first, self.codec.count, table=self.map.table)
        temperature_c = within(
            self.decode(registers, "temperature_c"), self.limits.min_temperature_c, self.limits.max_temperature_c, "water temperature", "°C"
        )
        self.temperature_rate.check(temperature_c)
        power_w = power_within(self.decode(registers, "power_w"), self.limits.heater_power_w, "heater", signed=False)
        return BoilerMeasurement(temperature_c=temperature_c, power_w=-power_w)

    async def apply(self, setpoint: BoilerSetpoint) -> None:
        if not self._throttle.due(setpoint):
            return
        values = {"setpoint_c": setpoint.setpoint_c, "heater_on": 1 if setpoint.heater_on else 0}
        async with communication_guard(self._poller):
            words = {name: self.codec.words(name, value) for name, value in values.items()}  # both encode, or nothing is written
            for name in values:  # every point first: a device whose answers are broken still gets "heater off"
                await self.connection.write(self.map.by_name[name].address, words[name])
            for name, value in values.items():
                point = self.map.by_name[name]
                held = await self.connection.read(point.address, point.registers)
                if held != words[name]:
                    raise HardwareFault(f"boiler {name} reads back {hex_words(held)} after writing {hex_words(words[name])} ({value}): "
                                        "the device did not take the setpoint")
        self._throttle.written(setpoint)

    async def close(self) -> None:
        self.connection.close()
