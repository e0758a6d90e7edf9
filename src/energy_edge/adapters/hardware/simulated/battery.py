"""A simulated battery: SoC integration with round-trip losses split evenly between directions."""

from __future__ import annotations

import math

from ....domain.hardware import BatteryMeasurement, BatterySetpoint
from ....domain.ports import Clock
from .faults import InjectableFault


class SimulatedBattery(InjectableFault):
    """Implements AssetHardware[BatteryMeasurement, BatterySetpoint].

    The setpoint is held constant between clock instants; each direction
    loses sqrt(round_trip_efficiency). The cells physically stop at 0 and 1.
    """

    def __init__(self, clock: Clock, *, capacity_wh: float = 10_000.0, max_charge_w: float = 5000.0,
                 max_discharge_w: float = 5000.0, round_trip_efficiency: float = 0.9,
                 initial_soc: float = 0.5) -> None:
        if not 0 < round_trip_efficiency <= 1:
            raise ValueError(f"round_trip_efficiency must be in (0, 1], got {round_trip_efficiency}")
        if not 0 <= initial_soc <= 1:
            raise ValueError(f"initial_soc must be in [0, 1], got {initial_soc}")
        self.clock = clock
        self.capacity_wh = capacity_wh
        self.max_charge_w = max_charge_w
        self.max_discharge_w = max_discharge_w
        self.one_way_efficiency = math.sqrt(round_trip_efficiency)
        self.soc = initial_soc
        self.requested_w = 0.0  # > 0 discharge, < 0 charge
        self._t = clock.now()

    def _actual_w(self) -> float:
        """The requested power within the inverter limits, and 0 once the cells are full or empty."""
        p = max(-self.max_charge_w, min(self.max_discharge_w, self.requested_w))
        if (p < 0 and self.soc >= 1.0) or (p > 0 and self.soc <= 0.0):
            return 0.0
        return float(p)

    def _advance(self) -> None:
        now = self.clock.now()
        if now <= self._t:  # already integrated up to now (asked again within the same instant)
            return
        dt_h = (now - self._t) / 3600
        self._t = max(self._t, now)
        p = self._actual_w()
        if p < 0:  # charging: less reaches the cells than the bus gives
            stored_wh = -p * dt_h * self.one_way_efficiency
        else:  # discharging: the cells give more than the bus receives
            stored_wh = -p * dt_h / self.one_way_efficiency
        self.soc = min(1.0, max(0.0, self.soc + stored_wh / self.capacity_wh))

    def power_w(self) -> float:
        self._advance()
        return self._actual_w()

    async def read(self) -> BatteryMeasurement:
        self._raise_if_faulty()
        power_w = self.power_w()
        return BatteryMeasurement(power_w=power_w, soc=self.soc)

    async def apply(self, setpoint: BatterySetpoint) -> None:
        self._raise_if_faulty()
        self._advance()  # the old setpoint was in force until now
        self.requested_w = setpoint.power_w
