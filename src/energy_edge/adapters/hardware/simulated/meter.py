"""A simulated grid meter: reads the connection the simulated site's balance makes.

On a simulated site the meter module exists as on a real one, so the controller balances
on meter telemetry everywhere; only this driver knows the grid power is a simulation
(`SimulatedSite`'s balance: base load minus what the assets put into the bus). The
power is split evenly over the phases; the energy counters integrate it over the clock.
A test (or `energy-edge up`) can stop it to play a meter that went silent or faulty.
"""

from __future__ import annotations

from ....domain.errors import HardwareFault
from ....domain.hardware import MeterMeasurement
from ....domain.ports import Clock, GridMeter


class ConnectionReadings:
    """A meter's view of a connection power over time: split evenly over the phases, integrated into the
    import and export energy registers. Shared by this driver and the Modbus meter simulator."""

    def __init__(self, *, phases: int = 3, voltage_v: float = 230.0, frequency_hz: float = 50.0,
                 import_energy_wh: float = 0.0, export_energy_wh: float = 0.0) -> None:
        self.phases = phases
        self.voltage_v = voltage_v
        self.frequency_hz = frequency_hz
        self.import_energy_wh = import_energy_wh
        self.export_energy_wh = export_energy_wh
        self._last: tuple[float, float] | None = None  # (time, power) of the last reading

    def measure(self, now: float, power_w: float) -> MeterMeasurement:
        if self._last is not None and now > self._last[0]:
            energy_wh = self._last[1] * (now - self._last[0]) / 3600.0
            if energy_wh > 0:
                self.import_energy_wh += energy_wh
            else:
                self.export_energy_wh -= energy_wh
        self._last = (now, power_w)
        phase = [power_w / self.phases if n < self.phases else None for n in range(3)]
        volts = [self.voltage_v if n < self.phases else None for n in range(3)]
        return MeterMeasurement(power_w, phase[0], phase[1], phase[2], volts[0], volts[1], volts[2], self.frequency_hz,
                                self.import_energy_wh, self.export_energy_wh)


class SimulatedMeter:
    """`AssetHardware[MeterMeasurement, None]` over any `GridMeter` (the simulated site)."""

    def __init__(self, site: GridMeter, clock: Clock, *, phases: int = 3, voltage_v: float = 230.0,
                 frequency_hz: float = 50.0) -> None:
        self.site = site
        self.clock = clock
        self.readings = ConnectionReadings(phases=phases, voltage_v=voltage_v, frequency_hz=frequency_hz)
        self.fault: str | None = None  # set to make every read fail with this reason (fault injection)

    async def read(self) -> MeterMeasurement:
        if self.fault is not None:
            raise HardwareFault(self.fault)
        return self.readings.measure(self.clock.now(), await self.site.read_grid_power_w())

    async def apply(self, setpoint: None) -> None:
        """A meter takes no setpoints."""
