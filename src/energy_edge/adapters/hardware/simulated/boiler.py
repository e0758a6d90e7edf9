"""A simulated electric boiler: one thermal mass, losses to ambient, hot-water draws, a hard cutoff."""

from __future__ import annotations

from dataclasses import dataclass, field

from ....domain.hardware import BoilerMeasurement, BoilerSetpoint
from ....domain.ports import Clock
from .faults import InjectableFault

WATER_J_PER_KG_K = 4186.0


def _default_draws() -> dict[int, float]:
    # litres per hour by local hour: morning showers, lunch, evening dishes and showers (~200 L/day)
    return {6: 20.0, 7: 60.0, 8: 30.0, 12: 10.0, 18: 20.0, 19: 40.0, 20: 20.0}


@dataclass(frozen=True)
class HotWaterDraw:
    """A daily hot-water draw profile (litres per hour by local hour), replaced by cold water."""

    litres_per_hour: dict[int, float] = field(default_factory=_default_draws)
    cold_water_c: float = 10.0
    utc_offset_s: float = 0.0

    def kg_per_s(self, epoch_s: float) -> float:
        hour = int(((epoch_s + self.utc_offset_s) % 86400) // 3600)
        return self.litres_per_hour.get(hour, 0.0) / 3600


class SimulatedBoiler(InjectableFault):
    """Implements AssetHardware[BoilerMeasurement, BoilerSetpoint].

    C dT/dt = P·on − UA·(T − T_ambient) − ṁ·c·(T − T_cold), integrated in
    steps of at most `step_s`. The element heats only while the device's own
    thermostat (the written setpoint) and the physical cutoff both allow; a
    step that would cross that limit stops at it.
    """

    def __init__(self, clock: Clock, *, heater_power_w: float = 3000.0, thermal_mass_j_per_k: float = 200 * 4186.0,
                 loss_w_per_k: float = 2.0, ambient_c: float = 20.0, initial_temperature_c: float = 50.0,
                 cutoff_c: float = 85.0, draw: HotWaterDraw | None = None, step_s: float = 10.0) -> None:
        self.clock = clock
        self.heater_power_w = heater_power_w
        self.thermal_mass_j_per_k = thermal_mass_j_per_k
        self.loss_w_per_k = loss_w_per_k
        self.ambient_c = ambient_c
        self.cutoff_c = cutoff_c
        self.draw = draw or HotWaterDraw()
        self.step_s = step_s
        self.temperature_c = initial_temperature_c
        self.setpoint = BoilerSetpoint(heater_on=False, setpoint_c=initial_temperature_c)
        self._t = clock.now()

    def _limit_c(self) -> float:
        return min(self.setpoint.setpoint_c, self.cutoff_c)

    def _heating(self) -> bool:
        return self.setpoint.heater_on and self.temperature_c < self._limit_c()

    def _advance(self) -> None:
        now = self.clock.now()
        while self._t < now:
            dt = min(self.step_s, now - self._t)
            heating = self._heating()
            t = self.temperature_c
            flow_w = self.draw.kg_per_s(self._t) * WATER_J_PER_KG_K * (t - self.draw.cold_water_c)
            net_w = (self.heater_power_w if heating else 0.0) - self.loss_w_per_k * (t - self.ambient_c) - flow_w
            t_next = t + net_w * dt / self.thermal_mass_j_per_k
            self.temperature_c = min(t_next, self._limit_c()) if heating else t_next
            self._t += dt

    def power_w(self) -> float:
        self._advance()
        return -self.heater_power_w if self._heating() else 0.0

    async def read(self) -> BoilerMeasurement:
        self._raise_if_faulty()
        power_w = self.power_w()
        return BoilerMeasurement(temperature_c=self.temperature_c, power_w=power_w)

    async def apply(self, setpoint: BoilerSetpoint) -> None:
        self._raise_if_faulty()
        self._advance()
        self.setpoint = setpoint
