"""An electric boiler on a generic holding-register map (maps/boiler_generic.json).

The map names four points: temperature_c, setpoint_c, heater_on (0/1) and
power_w (the heater's consumption, positive on the device; the driver
reports it negative, the site convention for consumption). Any device whose
registers differ gets its own map file; addresses, types, scale, word and
byte order are all in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from energy_edge.domain.hardware import BoilerMeasurement, BoilerSetpoint

from .codec import decode, encode
from .connection import ModbusConnection
from .physical import power_within, required, within
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


class ModbusBoiler:
    """AssetHardware[BoilerMeasurement, BoilerSetpoint] over a generic register map."""

    def __init__(self, connection: ModbusConnection, register_map: GenericRegisterMap, limits: BoilerLimits = BoilerLimits()) -> None:
        self.connection = connection
        self.map = register_map
        self.limits = limits
        self._orders = {"word_order": register_map.word_order, "byte_order": register_map.byte_order}
        self._first = min(point.address for point in register_map.points)
        self._count = max(point.address + point.registers for point in register_map.points) - self._first
        self._poller = DevicePoller(
            self._read_once,
            name=f"boiler {connection.endpoint}",
            poll_interval_s=limits.poll_interval_s,
            failures_before_fault=limits.failures_before_fault,
        )
        self._throttle = SetpointThrottle(limits.refresh_s)

    def decode(self, registers: list[int], name: str) -> float:
        """One point's engineering value from registers read from the map's first address."""
        point = self.map.by_name[name]
        start = point.address - self._first
        raw = decode(registers[start : start + point.registers], point.type, **self._orders)
        return required(raw, f"boiler {name}") * point.scale

    async def read(self) -> BoilerMeasurement:
        return await self._poller.read()

    async def _read_once(self) -> BoilerMeasurement:
        registers = await self.connection.read(self._first, self._count)
        temperature_c = within(
            self.decode(registers, "temperature_c"), self.limits.min_temperature_c, self.limits.max_temperature_c, "water temperature", "°C"
        )
        power_w = power_within(self.decode(registers, "power_w"), self.limits.heater_power_w, "heater", signed=False)
        return BoilerMeasurement(temperature_c=temperature_c, power_w=-power_w)

    async def apply(self, setpoint: BoilerSetpoint) -> None:
        if not self._throttle.due(setpoint):
            return
        async with communication_guard(self._poller):
            for name, value in (("setpoint_c", setpoint.setpoint_c), ("heater_on", 1 if setpoint.heater_on else 0)):
                point = self.map.by_name[name]
                raw = value / point.scale if point.type == "float32" else round(value / point.scale)
                await self.connection.write(point.address, encode(raw, point.type, **self._orders))
        self._throttle.written(setpoint)

    async def close(self) -> None:
        self.connection.close()
