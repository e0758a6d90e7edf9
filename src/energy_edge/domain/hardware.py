"""What each asset's hardware port reads and writes.

These are the values a driver (simulator or Modbus) exchanges with the asset
state machines. Signs follow the site convention: power into the site's bus is
positive (PV production, battery discharge), power out is negative (battery
charge, boiler heating).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SolarMeasurement:
    power_w: float  # >= 0, what the inverter feeds in now
    available_power_w: float  # >= 0, what it could feed in without a limit (MPP estimate)


@dataclass(frozen=True, slots=True)
class SolarSetpoint:
    enabled: bool
    limit_w: float  # active-power limit, 0..rated


@dataclass(frozen=True, slots=True)
class BatteryMeasurement:
    power_w: float  # > 0 discharging, < 0 charging
    soc: float  # 0..1


@dataclass(frozen=True, slots=True)
class BatterySetpoint:
    power_w: float  # > 0 discharge, < 0 charge, 0 idle


@dataclass(frozen=True, slots=True)
class BoilerMeasurement:
    temperature_c: float
    power_w: float  # <= 0: heater consumption


@dataclass(frozen=True, slots=True)
class BoilerSetpoint:
    heater_on: bool
    setpoint_c: float  # written to devices that keep their own thermostat too
