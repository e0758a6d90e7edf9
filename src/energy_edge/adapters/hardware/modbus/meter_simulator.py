"""Simulated grid meters as Modbus devices: SunSpec 201-204 and any meter register map (SDM630, EM24).

`ConnectionPoint` is the physics: the connection-point power comes from a
callable (the simulated site's `read_grid_power_w`, or a test's number),
split evenly over the phases, with steady voltage and frequency and energy
counters integrated on the simulator's clock. The devices show it through
the same maps the drivers read; a meter takes no writes (ILLEGAL FUNCTION).
"""

from __future__ import annotations

import inspect
import time
from typing import Awaitable, Callable, Protocol

from pymodbus.constants import ExcCodes

from energy_edge.domain.hardware import MeterMeasurement

from ..simulated.meter import ConnectionReadings
from .generic_map import GenericMapCodec
from .register_map import GenericRegisterMap, SunSpecModelTable
from .server import SUNSPEC_BASE_ADDRESS, WRITE_FUNCTION_CODES, SimulatedModbusDevice, power_scale_factor
from .sunspec import SunSpecImage, SunSpecLayout

PowerSource = Callable[[], float | Awaitable[float]]


class MeterSource(Protocol):
    async def read(self) -> MeterMeasurement: ...


class ConnectionPoint:
    """What a meter at the point of common coupling measures, from the simulated connection power."""

    def __init__(self, power_w: PowerSource, now: Callable[[], float] = time.monotonic, *, phases: int = 3,
                 voltage_v: float = 230.0, frequency_hz: float = 50.0, import_energy_wh: float = 1_000_000.0,
                 export_energy_wh: float = 500_000.0) -> None:
        self.power_source, self.now = power_w, now
        self.readings = ConnectionReadings(phases=phases, voltage_v=voltage_v, frequency_hz=frequency_hz,
                                           import_energy_wh=import_energy_wh, export_energy_wh=export_energy_wh)

    async def power_w(self) -> float:
        value = self.power_source()
        return float(await value if inspect.isawaitable(value) else value)

    async def read(self) -> MeterMeasurement:
        power_w = await self.power_w()
        return self.readings.measure(self.now(), power_w)


class _SimulatedMeter(SimulatedModbusDevice[MeterMeasurement, None]):
    """Read-only: nothing to apply at start, writes refused."""

    async def start(self) -> None:
        return None

    async def action(self, function_code: int, start: int, address: int, count: int, registers: list[int], values) -> ExcCodes | None:  # noqa: ANN001
        if function_code in WRITE_FUNCTION_CODES:
            return ExcCodes.ILLEGAL_FUNCTION
        return await super().action(function_code, start, address, count, registers, values)

    def setpoint(self, registers: list[int]) -> tuple[None, float]:
        return None, 0.0

    def safe(self, registers: list[int] | None) -> None:
        return None


class SunSpecMeterSimulator(_SimulatedMeter):
    """A SunSpec meter: common model 1 and one of 201 (single), 202 (split), 203 (wye), 204 (delta)."""

    POINTS = (("WphA", "power_l1_w"), ("WphB", "power_l2_w"), ("WphC", "power_l3_w"), ("PhVphA", "voltage_l1_v"),
              ("PhVphB", "voltage_l2_v"), ("PhVphC", "voltage_l3_v"), ("Hz", "frequency_hz"),
              ("TotWhImp", "import_energy_wh"), ("TotWhExp", "export_energy_wh"))

    def __init__(self, source: MeterSource, table: SunSpecModelTable, *, model_id: int = 203, max_power_w: float = 43_470.0,
                 now: Callable[[], float] = time.monotonic, base_address: int = SUNSPEC_BASE_ADDRESS) -> None:
        self.model_id = model_id
        self.layout = SunSpecLayout.build(base_address, table, (1, model_id))
        image = SunSpecImage(self.layout)
        image.set(1, "Mn", "Energy Edge")
        image.set(1, "Md", f"simulated meter (SunSpec {model_id})")
        image.set(1, "SN", "SIM-METER")
        image.set(model_id, "W_SF", power_scale_factor(max_power_w))
        image.set(model_id, "V_SF", -1)
        image.set(model_id, "Hz_SF", -2)
        image.set(model_id, "TotWh_SF", 0)
        super().__init__(source, base_address, image.registers, now)  # type: ignore[arg-type]

    def show(self, registers: list[int], measurement: MeterMeasurement) -> None:
        image = SunSpecImage(self.layout, registers)
        image.set(self.model_id, "W", measurement.power_w)
        for point, field in self.POINTS:
            image.set(self.model_id, point, getattr(measurement, field))

    def address_of(self, point: str) -> int:
        return self.layout.address_of(self.model_id, point)


class GenericMeterSimulator(_SimulatedMeter):
    """A meter on a register map: every point the map names, from the measurement's field of that name."""

    def __init__(self, source: MeterSource, register_map: GenericRegisterMap, *, now: Callable[[], float] = time.monotonic) -> None:
        self.codec = GenericMapCodec(register_map, "simulated meter")
        super().__init__(source, self.codec.first, [0] * self.codec.count, now)  # type: ignore[arg-type]

    def show(self, registers: list[int], measurement: MeterMeasurement) -> None:
        for name in self.codec.map.by_name:
            self.codec.put(registers, name, getattr(measurement, name))

    def address_of(self, name: str) -> int:
        return self.codec.map.by_name[name].address


def simulated_meter(source: MeterSource, profile: str, table: SunSpecModelTable, *, now: Callable[[], float] = time.monotonic,
                    max_power_w: float = 43_470.0, model_id: int = 203) -> SimulatedModbusDevice:
    """The simulated meter of a profile: SunSpec (model 203 by default) or a meter map by name."""
    from .profiles import SUNSPEC, load_profile_map

    if profile == SUNSPEC:
        return SunSpecMeterSimulator(source, table, model_id=model_id, max_power_w=max_power_w, now=now)
    return GenericMeterSimulator(source, load_profile_map(profile, "meter"), now=now)
