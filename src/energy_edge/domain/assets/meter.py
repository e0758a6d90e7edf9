"""The grid meter at the point of common coupling: read-only, RUNNING or FAULT.

It takes no setpoints and has no lease; its job is to turn each reading into telemetry the
controller can trust. A reading outside its physical bounds (powers beyond what the main
fuse can carry, voltages outside 0..500 V, frequency outside 45..65 Hz, an energy counter
that is negative or runs backwards) puts the meter in FAULT naming the point, never into
telemetry as a value. Unlike a steered asset a meter leaves FAULT by itself on the next
good reading: the controller resumes on fresh readings without an operator's reset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from ..hardware import MeterMeasurement
from .base import Asset, require, with_fault_and_reset
from .payload import TTL, Number

PHASE_OVERLOAD_RATIO = 2.0  # a fuse carries overloads for minutes: beyond this a reading is implausible
VOLTAGE_RANGE_V = (0.0, 500.0)
FREQUENCY_RANGE_HZ = (45.0, 65.0)
MAX_MAIN_FUSE_A = 6_300.0  # the largest low-voltage main fuse (the site file's bound too)


class MeterState(StrEnum):
    RUNNING = "RUNNING"
    FAULT = "FAULT"


RECOVER_EVENT = "recover"  # internal: a good reading after a fault
METER_TABLE = with_fault_and_reset({(MeterState.FAULT, RECOVER_EVENT): MeterState.RUNNING},
                                   MeterState, MeterState.FAULT, MeterState.RUNNING)


@dataclass(frozen=True, slots=True)
class MeterConfig:
    """The grid connection the meter sits on (from the site file's [grid])."""

    main_fuse_a: float = 50.0
    phases: int = 3
    nominal_voltage_v: float = 230.0
    default_setpoint_ttl_s: float = 60.0  # unused: the meter takes no setpoints (kept for the common twin field)

    def __post_init__(self) -> None:
        require("meter.config.main_fuse_a", 0 < self.main_fuse_a <= MAX_MAIN_FUSE_A,
                f"{self.main_fuse_a} must be within 0..{MAX_MAIN_FUSE_A:g} A")
        require("meter.config.phases", self.phases in (1, 3), f"{self.phases} must be 1 or 3")
        require("meter.config.nominal_voltage_v", 0 < self.nominal_voltage_v <= VOLTAGE_RANGE_V[1],
                f"{self.nominal_voltage_v} must be within 0..{VOLTAGE_RANGE_V[1]:g} V")

    @property
    def phase_bound_w(self) -> float:
        return PHASE_OVERLOAD_RATIO * self.main_fuse_a * self.nominal_voltage_v

    @property
    def total_bound_w(self) -> float:
        return self.phase_bound_w * self.phases


class Meter(Asset[MeterState, MeterConfig]):
    kind = "meter"
    WRITABLE = {"default_setpoint_ttl_s": TTL, "main_fuse_a": Number(low=0.0, high=MAX_MAIN_FUSE_A, low_open=True, required=False)}
    CEILINGS = ("main_fuse_a",)  # a bigger fuse than the site file's would pass readings the connection cannot carry

    def __init__(self, config: MeterConfig | None = None, envelope: Mapping[str, float] | None = None) -> None:
        super().__init__(METER_TABLE, MeterState.RUNNING, config or MeterConfig(), envelope)
        self.reading: MeterMeasurement | None = None

    def observe(self, measurement: MeterMeasurement, now: float) -> None:
        """Take a reading, or fault naming the point that is out of its bounds."""
        problem = self._implausible(measurement)
        if problem is not None:
            self.fault(problem)
            return
        self.reading, self.power_w = measurement, measurement.power_w
        if self.state is MeterState.FAULT:
            self.machine.fire(RECOVER_EVENT)
            self.fault_reason = None
            self.note("readings plausible again: RUNNING")

    def _implausible(self, m: MeterMeasurement) -> str | None:
        config = self.config
        checks: list[tuple[str, float | None, float, float]] = [
            ("power_w", m.power_w, -config.total_bound_w, config.total_bound_w),
            *((f"power_l{n}_w", getattr(m, f"power_l{n}_w"), -config.phase_bound_w, config.phase_bound_w)
              for n in (1, 2, 3)),
            *((f"voltage_l{n}_v", getattr(m, f"voltage_l{n}_v"), *VOLTAGE_RANGE_V) for n in (1, 2, 3)),
            ("frequency_hz", m.frequency_hz, *FREQUENCY_RANGE_HZ),
            ("import_energy_wh", m.import_energy_wh, 0.0, math.inf),
            ("export_energy_wh", m.export_energy_wh, 0.0, math.inf),
        ]
        for name, value, low, high in checks:
            if value is None:
                continue
            if not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
                return f"meter reading {name} = {value!r} outside {low:g}..{high:g}"
        for name in ("import_energy_wh", "export_energy_wh"):
            before = None if self.reading is None else getattr(self.reading, name)
            now_value = getattr(m, name)
            if before is not None and now_value is not None and now_value < before:
                return f"meter reading {name} ran backwards ({before:g} -> {now_value:g} Wh)"
        return None

    def _on_lease_expired(self) -> None:
        """Never called: a meter grants no lease."""

    def setpoint(self) -> None:
        return None

    def telemetry_values(self) -> dict[str, Any]:
        reading = self.reading or MeterMeasurement(0.0)
        return {name: getattr(reading, name) for name in METER_OPTIONAL_FIELDS}


METER_OPTIONAL_FIELDS = ("power_l1_w", "power_l2_w", "power_l3_w", "voltage_l1_v", "voltage_l2_v", "voltage_l3_v",
                         "frequency_hz", "import_energy_wh", "export_energy_wh")
