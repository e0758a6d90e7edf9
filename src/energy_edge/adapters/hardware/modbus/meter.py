"""Grid meters on Modbus TCP: a register map (SDM630, EM24, ...) or SunSpec models 201-204.

Both return `MeterMeasurement` (import positive) and raise only
HardwareFault: a point that does not decode, reads "not implemented" where
a value is required, or breaks a physical bound (meter_limits.py) is a
fault naming the meter and the point, never a reading. A register map lists
only the points its device has, so every one of them is required. SunSpec
requires W, Hz, the two energy counters and the voltage of each phase the
model has (201: one, 202: two, 203/204: three); phase powers are optional.

SunSpec meters report W > 0 when importing (energy delivered to the site);
a device wired or configured the other way round (SolarEdge's meters report
export positive) takes `import_positive=False`.
"""

from __future__ import annotations

from energy_edge.domain.hardware import DriverCounters, MeterMeasurement

from .connection import ModbusConnection
from .generic_map import GenericMapCodec
from .meter_limits import MeterLimits, MeterPlausibility
from .physical import required
from .poller import DevicePoller
from .register_map import GenericRegisterMap
from .sunspec import SunSpecDevice
from .sunspec_driver import require_models

METER_MODELS = (203, 204, 202, 201)  # three-phase first: a device with several describes the whole connection there
MODEL_PHASES = {201: 1, 202: 2, 203: 3, 204: 3}
_SUNSPEC_POINTS = {"power_l1_w": "WphA", "power_l2_w": "WphB", "power_l3_w": "WphC",
                   "voltage_l1_v": "PhVphA", "voltage_l2_v": "PhVphB", "voltage_l3_v": "PhVphC",
                   "frequency_hz": "Hz", "import_energy_wh": "TotWhImp", "export_energy_wh": "TotWhExp"}
_SIGNED = ("power_w", "power_l1_w", "power_l2_w", "power_l3_w")


class _Meter:
    """The poll loop and the bounds every meter driver shares."""

    def __init__(self, where: str, endpoint: str, limits: MeterLimits) -> None:
        self.limits = limits
        self.plausibility = MeterPlausibility(where, limits)
        self._poller: DevicePoller[MeterMeasurement] = DevicePoller(
            self._checked, name=f"{where} {endpoint}", poll_interval_s=limits.poll_interval_s,
            failures_before_fault=limits.failures_before_fault, monotonic=limits.monotonic)

    async def read(self) -> MeterMeasurement:
        return await self._poller.read()

    def counters(self) -> DriverCounters:
        """Polls held over (no rating is checked against the site file here)."""
        return self._poller.counters()

    async def apply(self, _setpoint: object = None) -> None:
        """A meter takes no setpoint (kept so it fits wherever an AssetHardware goes)."""

    async def _checked(self) -> MeterMeasurement:
        return self.plausibility.check(await self._read_once())

    async def _read_once(self) -> MeterMeasurement:
        raise NotImplementedError


class ModbusMeter(_Meter):
    """A meter on a register map (maps/sdm630.json, maps/em24.json or a file of its own)."""

    def __init__(self, connection: ModbusConnection, register_map: GenericRegisterMap, limits: MeterLimits = MeterLimits(),
                 *, profile: str = "custom") -> None:
        self.connection = connection
        self.map = register_map
        self.codec = GenericMapCodec(register_map, f"meter {profile}")
        super().__init__(f"meter {profile}", connection.endpoint, limits)

    async def _read_once(self) -> MeterMeasurement:
        registers = await self.connection.read(self.codec.first, self.codec.count, table=self.map.table)
        return MeterMeasurement(**{name: self.codec.required(registers, name) for name in self.map.by_name})

    async def close(self) -> None:
        self.connection.close()


class SunSpecMeter(_Meter):
    """A SunSpec meter (model 203/204, else 202, else 201), found by the usual discovery."""

    def __init__(self, device: SunSpecDevice, limits: MeterLimits = MeterLimits(), *, import_positive: bool = True) -> None:
        self.device = device
        self.sign = 1.0 if import_positive else -1.0
        super().__init__("meter sunspec", device.connection.endpoint, limits)

    async def _read_once(self) -> MeterMeasurement:
        await self.device.discover()
        (block,) = require_models(self.device, METER_MODELS)
        values = await self.device.read_model(block)
        where = f"SunSpec model {block.model_id}"
        phases = MODEL_PHASES[block.model_id]
        needed = {"frequency_hz", "import_energy_wh", "export_energy_wh", *[f"voltage_l{i}_v" for i in range(1, phases + 1)]}
        fields: dict[str, float | None] = {"power_w": required(values["W"], f"{where} W")}
        for name, point in _SUNSPEC_POINTS.items():
            value = values[point]
            fields[name] = required(value, f"{where} {point}") if name in needed else (None if value is None else float(value))
        for name in _SIGNED:
            if fields[name] is not None:
                fields[name] = self.sign * fields[name]  # type: ignore[operator]
        return MeterMeasurement(**fields)  # type: ignore[arg-type]

    async def close(self) -> None:
        self.device.connection.close()
