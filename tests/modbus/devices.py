"""Bench physics for the Modbus tests: the simplest AssetHardware that behaves like a device.

The Modbus path under test is all real (pymodbus server and client over
loopback TCP); these stand in for the physics only, so a test can set an
exact power or SoC and see it arrive through the registers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from energy_edge.domain.hardware import (
    BatteryMeasurement,
    BatterySetpoint,
    BoilerMeasurement,
    BoilerSetpoint,
    SolarMeasurement,
    SolarSetpoint,
)


@dataclass
class BenchPV:
    available_w: float = 4000.0
    setpoint: SolarSetpoint = field(default_factory=lambda: SolarSetpoint(enabled=False, limit_w=0.0))
    applied: list[SolarSetpoint] = field(default_factory=list)

    async def read(self) -> SolarMeasurement:
        power_w = min(self.available_w, self.setpoint.limit_w) if self.setpoint.enabled else 0.0
        return SolarMeasurement(power_w=power_w, available_power_w=self.available_w)

    async def apply(self, setpoint: SolarSetpoint) -> None:
        self.setpoint = setpoint
        self.applied.append(setpoint)


@dataclass
class BenchBattery:
    soc: float = 0.5
    power_w: float = 0.0

    async def read(self) -> BatteryMeasurement:
        return BatteryMeasurement(power_w=self.power_w, soc=self.soc)

    async def apply(self, setpoint: BatterySetpoint) -> None:
        self.power_w = setpoint.power_w


@dataclass
class BenchBoiler:
    temperature_c: float = 48.5
    heater_power_w: float = 3000.0
    setpoint: BoilerSetpoint = field(default_factory=lambda: BoilerSetpoint(heater_on=False, setpoint_c=55.0))

    async def read(self) -> BoilerMeasurement:
        heating = self.setpoint.heater_on and self.temperature_c < self.setpoint.setpoint_c
        return BoilerMeasurement(temperature_c=self.temperature_c, power_w=-self.heater_power_w if heating else 0.0)

    async def apply(self, setpoint: BoilerSetpoint) -> None:
        self.setpoint = setpoint
