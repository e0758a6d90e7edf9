"""What each asset's hardware port reads and writes.

These are the values a driver (simulator or Modbus) exchanges with the asset
state machines. Signs follow the site convention: power into the site's bus is
positive (PV production, battery discharge), power out is negative (battery
charge, boiler heating).

Every measurement carries `age_s`: None when the read measured it, else how
many seconds ago it was measured. A driver that stands in the last good
measurement for a poll the device missed (or reuses a poll within its
polling interval) says so there, and the asset service then reports it under
the time it was measured, never as a new reading (`is_held`).

A driver may also count what an operator should see but the asset cannot
report (`DriverCounters`: polls held over, a device claiming more than the
site file's nameplate) through an optional `counters()`; the asset module's
process metrics serve them (`driver_counters`). A driver without it (the
simulators) counts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .quick_init import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class SolarMeasurement:
    power_w: float  # >= 0, what the inverter feeds in now
    available_power_w: float  # >= 0, what it could feed in without a limit (MPP estimate)
    age_s: float | None = field(default=None, kw_only=True)  # None: measured by this read; else held this long


@quick_init
@dataclass(frozen=True, slots=True)
class SolarSetpoint:
    enabled: bool
    limit_w: float  # active-power limit, 0..rated


@quick_init
@dataclass(frozen=True, slots=True)
class BatteryMeasurement:
    power_w: float  # > 0 discharging, < 0 charging
    soc: float  # 0..1
    age_s: float | None = field(default=None, kw_only=True)  # None: measured by this read; else held this long


@quick_init
@dataclass(frozen=True, slots=True)
class BatterySetpoint:
    power_w: float  # > 0 discharge, < 0 charge, 0 idle


@quick_init
@dataclass(frozen=True, slots=True)
class BoilerMeasurement:
    temperature_c: float
    power_w: float  # <= 0: heater consumption
    age_s: float | None = field(default=None, kw_only=True)  # None: measured by this read; else held this long


@quick_init
@dataclass(frozen=True, slots=True)
class BoilerSetpoint:
    heater_on: bool
    setpoint_c: float  # written to devices that keep their own thermostat too


@quick_init
@dataclass(frozen=True, slots=True)
class MeterMeasurement:
    """One reading of the grid meter at the point of common coupling (import positive).

    Bounds: powers within +-the main fuse's rating (per phase) and finite; voltages 0..500 V;
    frequency 45..65 Hz; energy counters >= 0 and never decreasing. A driver that reads
    anything else reports a fault naming the point, never a reading.
    """

    power_w: float  # total active power, > 0 importing from the grid, < 0 exporting
    power_l1_w: float | None = None  # per phase, same sign; None on a single-phase meter
    power_l2_w: float | None = None
    power_l3_w: float | None = None
    voltage_l1_v: float | None = None
    voltage_l2_v: float | None = None
    voltage_l3_v: float | None = None
    frequency_hz: float | None = None
    import_energy_wh: float | None = None  # lifetime counter
    export_energy_wh: float | None = None  # lifetime counter
    age_s: float | None = field(default=None, kw_only=True)  # None: measured by this read; else held this long


def is_held(measurement: Any) -> bool:
    """Whether a driver handed over an earlier measurement again (not measured by this read)."""
    return getattr(measurement, "age_s", None) is not None


@dataclass(frozen=True, slots=True)
class DriverCounters:
    """What a driver counts for the operator, read at scrape time (totals since the driver started)."""

    polls_held: int = 0  # polls the device missed where the last good measurement stood in
    rating_mismatches: Mapping[str, int] = field(default_factory=dict)  # by quantity (power, capacity): the device
    # stated more than the site file's nameplate + 10 % and the nameplate stood; the quantities it checks, 0 included


def driver_counters(hardware: Any) -> DriverCounters | None:
    """The driver's `counters()`, optional on the hardware port: None when it counts nothing (the simulators)."""
    counters = getattr(hardware, "counters", None)
    return counters() if callable(counters) else None
