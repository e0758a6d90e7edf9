"""What a grid meter's reading may be: the physical bounds of `MeterMeasurement`, checked as a whole.

The meter is the one measurement the controller balances on, so a garbage
reading is worse here than anywhere: it becomes setpoints for every asset.
Bounds (each a HardwareFault naming the meter and the field, never a reading):

- powers finite and within +-`fuse_headroom` x the main fuse's rating at
  nominal voltage, per phase (the total: x phases). A gG fuse carries
  1.45 x its rating for up to an hour before it must trip; a reading beyond
  1.5 x is not a current the connection can carry.
- the phases add up to the total within `phase_sum_tolerance` of a phase's
  limit (at least 100 W): one garbage register among consistent ones.
- voltages 0..500 V (phase to neutral; a missing phase reads 0), frequency
  45..65 Hz (European and American grids, with every tolerance).
- energy counters >= 0, never decreasing, rising at most as fast as the
  connection's limit allows (`plausibility.Counter`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields
from typing import Callable

from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import MeterMeasurement

from .plausibility import Counter

PHASE_POWERS = ("power_l1_w", "power_l2_w", "power_l3_w")
VOLTAGES = ("voltage_l1_v", "voltage_l2_v", "voltage_l3_v")
COUNTERS = ("import_energy_wh", "export_energy_wh")


@dataclass(frozen=True, slots=True)
class MeterLimits:
    main_fuse_a: float = 63.0  # per phase; the site file's grid.main_fuse_a
    phases: int = 3
    nominal_voltage_v: float = 230.0
    fuse_headroom: float = 1.5
    phase_sum_tolerance: float = 0.05
    max_voltage_v: float = 500.0
    min_frequency_hz: float = 45.0
    max_frequency_hz: float = 65.0
    poll_interval_s: float = 0.0
    failures_before_fault: int = 3
    monotonic: Callable[[], float] = time.monotonic  # the site clock in an accelerated simulation

    def __post_init__(self) -> None:
        if not (self.main_fuse_a > 0 and self.phases in (1, 2, 3) and self.nominal_voltage_v > 0):
            raise ValueError(f"meter limits need main_fuse_a > 0, phases 1..3 and nominal_voltage_v > 0, got {self}")

    @property
    def phase_power_limit_w(self) -> float:
        return self.main_fuse_a * self.nominal_voltage_v * self.fuse_headroom

    @property
    def power_limit_w(self) -> float:
        return self.phase_power_limit_w * self.phases


class MeterPlausibility:
    """Checks readings of one meter; it keeps the counters' history, so one per meter."""

    def __init__(self, where: str, limits: MeterLimits) -> None:
        self.where = where
        self.limits = limits
        self.counters = {name: Counter(f"{where} {name}", max_power_w=limits.power_limit_w * 1.1,
                                       monotonic=limits.monotonic) for name in COUNTERS}

    def _within(self, name: str, value: float, low: float, high: float, unit: str) -> None:
        if not (math.isfinite(value) and low <= value <= high):
            raise HardwareFault(f"{self.where} {name} {value:.10g} {unit} outside the physical range {low:.10g}..{high:.10g} {unit}")

    def check(self, reading: MeterMeasurement) -> MeterMeasurement:
        limits = self.limits
        values = {field.name: getattr(reading, field.name) for field in fields(reading)}
        self._within("power_w", reading.power_w, -limits.power_limit_w, limits.power_limit_w, "W")
        phases = [values[name] for name in PHASE_POWERS if values[name] is not None]
        for name in PHASE_POWERS:
            if values[name] is not None:
                self._within(name, values[name], -limits.phase_power_limit_w, limits.phase_power_limit_w, "W")
        tolerance = max(100.0, limits.phase_sum_tolerance * limits.phase_power_limit_w)
        if phases and abs(sum(phases) - reading.power_w) > tolerance:
            raise HardwareFault(f"{self.where} phase powers add up to {sum(phases):.6g} W but power_w reads "
                                f"{reading.power_w:.6g} W (tolerance {tolerance:.6g} W)")
        for name in VOLTAGES:
            if values[name] is not None:
                self._within(name, values[name], 0.0, limits.max_voltage_v, "V")
        if reading.frequency_hz is not None:
            self._within("frequency_hz", reading.frequency_hz, limits.min_frequency_hz, limits.max_frequency_hz, "Hz")
        for name in COUNTERS:
            if values[name] is not None:
                if not math.isfinite(values[name]):
                    raise HardwareFault(f"{self.where} {name} reads {values[name]}, not a finite number")
                self.counters[name].check(values[name])
        return reading
