"""Simulated devices as real Modbus TCP servers (pymodbus SimDevice, 0-based addresses).

Each simulator wraps any `AssetHardware` (normally the physics simulators of
adapters/hardware/simulated) behind the same register maps the drivers read:
a SunSpec PV inverter, a SunSpec storage system, a generic-map boiler.
pymodbus calls our action on every request with the live registers: before a
read we refresh the measurement points from the physics; on a write we decode
the control points as they will stand and apply the setpoint to the physics.

Revert timers run in the simulator's own time (`now`, e.g. the site clock):
a setpoint not refreshed within its revert timeout falls back to the
device's safe state (inverter: full output; storage: idle), as the real
device would if the edge controller died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Callable, Generic, TypeVar

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from energy_edge.domain.hardware import (
    BatteryMeasurement,
    BatterySetpoint,
    BoilerMeasurement,
    BoilerSetpoint,
    SolarMeasurement,
    SolarSetpoint,
)
from energy_edge.domain.errors import ConfigurationError, HardwareFault
from energy_edge.domain.ports import AssetHardware
from energy_edge.domain.scheduling import CycleScheduler

from ...clocks import RealClock
from .generic_map import GenericMapCodec
from .register_map import GenericRegisterMap, SunSpecModelTable
from .sunspec import SunSpecImage, SunSpecLayout

logger = logging.getLogger(__name__)

INVERTER_MODELS = (1, 103, 120, 121, 123)
INVERTER_MODELS_700 = (1, 701, 120, 121, 704)
STORAGE_MODELS = (1, 103, 120, 124, 802)
SUNSPEC_BASE_ADDRESS = 40000
DEFAULT_PORTS = {"solar": 1502, "battery": 1503, "boiler": 1504, "meter": 1505}  # the site simulator's; drivers default to them too
WRITE_FUNCTION_CODES = {6, 16, 22, 23}

M = TypeVar("M")
S = TypeVar("S")


def power_scale_factor(rated_w: float) -> int:
    """The smallest SunSpec exponent that fits 110 % of `rated_w` into an int16."""
    exponent = 0
    while rated_w * 1.1 / 10**exponent > 32767:
        exponent += 1
    return exponent


class SimulatedModbusDevice(Generic[M, S]):
    """Registers + physics + revert timer; subclasses say how points map to measurements and setpoints."""

    def __init__(self, hardware: AssetHardware[M, S], base_address: int, registers: list[int], now: Callable[[], float]) -> None:
        self.hardware = hardware
        self.base_address = base_address
        self.initial_registers = registers
        self.now = now
        self.revert_at: float | None = None
        self._reverted = False  # a revert happened since the registers were last synchronised
        self._forced: dict[int, int] = {}
        self._restore: dict[int, int] = {}

    # -- hooks ---------------------------------------------------------------------------
    def show(self, registers: list[int], measurement: M) -> None:
        raise NotImplementedError

    def setpoint(self, registers: list[int]) -> tuple[S, float]:
        """The setpoint the control registers command, and its revert timeout (0: none)."""
        raise NotImplementedError

    def safe(self, registers: list[int] | None) -> S:
        """The safe setpoint; with registers, also write the reverted control points into them."""
        raise NotImplementedError

    # -- fault injection -----------------------------------------------------------------
    def force(self, address: int, registers: list[int]) -> None:
        """Make `address..` read as `registers` whatever the physics says (garbage, sentinels)."""
        self._forced.update({address + i: value for i, value in enumerate(registers)})

    def release(self) -> None:
        """Stop forcing; the forced registers read their initial values again from the next request."""
        image = range(self.base_address, self.base_address + len(self.initial_registers))
        self._restore.update({address: self.initial_registers[address - self.base_address]
                              for address in self._forced if address in image})
        self._forced.clear()

    # -- runtime -------------------------------------------------------------------------
    async def start(self) -> None:
        """Bring the physics to the setpoint the initial registers command."""
        await self.hardware.apply(self.setpoint(self.initial_registers)[0])

    async def tick(self) -> None:
        """Fire the revert timer when due (called periodically by the server)."""
        if self.revert_at is not None and self.now() >= self.revert_at:
            self.revert_at = None
            self._reverted = True
            logger.info("simulated device at %d: setpoint not refreshed, reverting to its safe state", self.base_address)
            await self.hardware.apply(self.safe(None))

    async def action(self, function_code: int, start: int, address: int, count: int, registers: list[int], values) -> ExcCodes | None:  # noqa: ANN001
        """pymodbus's hook: `registers` are the live registers from address `start`.

        A fault of the physics (an injected HardwareFault) answers the request
        with the Modbus exception DEVICE_FAILURE, as a real device would.
        """
        try:
            await self._serve(function_code, start, address, registers, values)
        except HardwareFault as fault:
            logger.info("simulated device at %d answers DEVICE_FAILURE: %s", self.base_address, fault.reason)
            return ExcCodes.DEVICE_FAILURE
        return None

    async def _serve(self, function_code: int, start: int, address: int, registers: list[int], values) -> None:  # noqa: ANN001
        await self.tick()
        for restored_address, value in self._restore.items():
            if 0 <= restored_address - start < len(registers):
                registers[restored_address - start] = value
        self._restore.clear()
        if self._reverted:
            self._reverted = False
            self.safe(registers)
        if function_code in WRITE_FUNCTION_CODES and values:
            after = list(registers)
            offset = address - start
            after[offset : offset + len(values)] = list(values)
            setpoint, revert_s = self.setpoint(after)
            self.revert_at = self.now() + revert_s if revert_s > 0 else None
            await self.hardware.apply(setpoint)
            return None
        self.show(registers, await self.hardware.read())
        for forced_address, value in self._forced.items():
            if 0 <= forced_address - start < len(registers):  # a force beyond the image has nothing to change
                registers[forced_address - start] = value
        return None

    def sim_device(self, unit_id: int = 1) -> SimDevice:
        data = SimData(address=self.base_address, values=list(self.initial_registers), datatype=DataType.REGISTERS)
        return SimDevice(id=unit_id, simdata=[data], action=self.action)


class _SunSpecSimulated(SimulatedModbusDevice[M, S]):
    def __init__(self, hardware: AssetHardware[M, S], table: SunSpecModelTable, model_ids: tuple[int, ...],
                 now: Callable[[], float], base_address: int) -> None:
        self.layout = SunSpecLayout.build(base_address, table, model_ids)
        image = SunSpecImage(self.layout)
        image.set(1, "Mn", "Energy Edge")
        image.set(1, "SN", "SIM-0001")
        self.describe(image)
        super().__init__(hardware, base_address, image.registers, now)

    def describe(self, image: SunSpecImage) -> None:
        """Nameplate, scale factors and the initial control points of the register image."""
        raise NotImplementedError

    def image(self, registers: list[int]) -> SunSpecImage:
        return SunSpecImage(self.layout, registers)

    def address_of(self, model_id: int, point: str) -> int:
        return self.layout.address_of(model_id, point)


class SunSpecInverterSimulator(_SunSpecSimulated[SolarMeasurement, SolarSetpoint]):
    """A PV inverter: 103 or 701 measurements, 120/121 ratings, 123 or 704 curtailment."""

    def __init__(self, hardware: AssetHardware[SolarMeasurement, SolarSetpoint], table: SunSpecModelTable, *,
                 rated_power_w: float, model_ids: tuple[int, ...] = INVERTER_MODELS,
                 now: Callable[[], float] = time.monotonic, base_address: int = SUNSPEC_BASE_ADDRESS) -> None:
        self.rated_power_w = rated_power_w
        self.measure = 701 if 701 in model_ids else 103
        self.control = 704 if 704 in model_ids else 123
        super().__init__(hardware, table, model_ids, now, base_address)

    def describe(self, image: SunSpecImage) -> None:
        image.set(1, "Md", "simulated PV inverter")
        power_sf = power_scale_factor(self.rated_power_w)
        for model_id, rating, sf in ((120, "WRtg", "WRtg_SF"), (121, "WMax", "WMax_SF")):
            image.set(model_id, sf, power_sf)
            image.set(model_id, rating, self.rated_power_w)
        image.set(120, "DERTyp", 4)  # PV
        image.set(self.measure, "W_SF", power_sf)
        image.set(self.control, "WMaxLimPct_SF", -1)  # 0.1 % steps
        self.safe_into(image)

    def safe_into(self, image: SunSpecImage) -> None:
        if self.control == 704:
            image.set(704, "WMaxLimPctEna", 0)
            image.set(704, "WMaxLimPct", 100.0)
        else:
            image.set(123, "Conn", 1)
            image.set(123, "WMaxLim_Ena", 0)
            image.set(123, "WMaxLimPct", 100.0)

    def show(self, registers: list[int], measurement: SolarMeasurement) -> None:
        self.image(registers).set(self.measure, "W", measurement.power_w)

    def setpoint(self, registers: list[int]) -> tuple[SolarSetpoint, float]:
        image = self.image(registers)
        if self.control == 704:
            enabled, limited, revert = True, image.get(704, "WMaxLimPctEna") == 1, image.get(704, "WMaxLimPctRvrtTms")
        else:
            enabled, limited = image.get(123, "Conn") != 0, image.get(123, "WMaxLim_Ena") == 1
            revert = image.get(123, "WMaxLimPct_RvrtTms")
        percent = image.get(self.control, "WMaxLimPct") if limited else 100.0
        limit_w = self.rated_power_w * min(100.0, float(percent or 0.0)) / 100
        return SolarSetpoint(enabled=enabled, limit_w=limit_w), float(revert or 0)

    def safe(self, registers: list[int] | None) -> SolarSetpoint:
        if registers is not None:
            self.safe_into(self.image(registers))
        return SolarSetpoint(enabled=True, limit_w=self.rated_power_w)


class SunSpecStorageSimulator(_SunSpecSimulated[BatteryMeasurement, BatterySetpoint]):
    """A storage system: 103 AC power, 120 nameplate, 124 storage controls, 802 battery SoC."""

    def __init__(self, hardware: AssetHardware[BatteryMeasurement, BatterySetpoint], table: SunSpecModelTable, *,
                 max_rate_w: float, capacity_wh: float, model_ids: tuple[int, ...] = STORAGE_MODELS,
                 now: Callable[[], float] = time.monotonic, base_address: int = SUNSPEC_BASE_ADDRESS) -> None:
        self.max_rate_w = max_rate_w
        self.capacity_wh = capacity_wh
        self.has_802 = 802 in model_ids
        super().__init__(hardware, table, model_ids, now, base_address)

    def describe(self, image: SunSpecImage) -> None:
        image.set(1, "Md", "simulated storage system")
        power_sf = power_scale_factor(self.max_rate_w)
        energy_sf = power_scale_factor(self.capacity_wh)
        for model_id, point, sf, value in (
            (120, "WRtg", "WRtg_SF", self.max_rate_w), (120, "WHRtg", "WHRtg_SF", self.capacity_wh),
            (124, "WChaMax", "WChaMax_SF", self.max_rate_w), (103, "W", "W_SF", 0.0),
        ):
            image.set(model_id, sf, energy_sf if point == "WHRtg" else power_sf)
            image.set(model_id, point, value)
        image.set(120, "DERTyp", 82)  # storage
        image.set(124, "ChaState_SF", -1)
        image.set(124, "InOutWRte_SF", -1)
        if self.has_802:
            image.set(802, "SoC_SF", -1)
            image.set(802, "WHRtg_SF", energy_sf)
            image.set(802, "WHRtg", self.capacity_wh)
        self.safe_into(image)

    @staticmethod
    def safe_into(image: SunSpecImage) -> None:
        image.set(124, "StorCtl_Mod", 0)
        image.set(124, "InWRte", 0.0)
        image.set(124, "OutWRte", 0.0)

    def show(self, registers: list[int], measurement: BatteryMeasurement) -> None:
        image = self.image(registers)
        image.set(103, "W", measurement.power_w)
        image.set(124, "ChaState", measurement.soc * 100)
        if self.has_802:
            image.set(802, "SoC", measurement.soc * 100)

    def setpoint(self, registers: list[int]) -> tuple[BatterySetpoint, float]:
        image = self.image(registers)
        mode = int(image.get(124, "StorCtl_Mod") or 0)
        rate = float((image.get(124, "OutWRte") if mode == 2 else image.get(124, "InWRte") if mode == 1 else 0.0) or 0.0)
        power_w = self.max_rate_w * min(100.0, max(0.0, rate)) / 100 * (1 if mode == 2 else -1)
        return BatterySetpoint(power_w=power_w if mode in (1, 2) else 0.0), float(image.get(124, "InOutWRte_RvrtTms") or 0)

    def safe(self, registers: list[int] | None) -> BatterySetpoint:
        if registers is not None:
            self.safe_into(self.image(registers))
        return BatterySetpoint(power_w=0.0)


class GenericBoilerSimulator(SimulatedModbusDevice[BoilerMeasurement, BoilerSetpoint]):
    """A boiler on the generic map: it keeps its own thermostat, so it has nothing to revert."""

    def __init__(self, hardware: AssetHardware[BoilerMeasurement, BoilerSetpoint], register_map: GenericRegisterMap, *,
                 setpoint_c: float = 55.0, now: Callable[[], float] = time.monotonic) -> None:
        self.map = register_map
        self.codec = GenericMapCodec(register_map, "simulated boiler")
        super().__init__(hardware, self.codec.first, [0] * self.codec.count, now)
        self.codec.put(self.initial_registers, "setpoint_c", setpoint_c)
        self.codec.put(self.initial_registers, "heater_on", 1)

    def show(self, registers: list[int], measurement: BoilerMeasurement) -> None:
        self.codec.put(registers, "temperature_c", measurement.temperature_c)
        self.codec.put(registers, "power_w", -measurement.power_w)

    def setpoint(self, registers: list[int]) -> tuple[BoilerSetpoint, float]:
        heater_on, setpoint_c = (self.codec.value(registers, name) or 0.0 for name in ("heater_on", "setpoint_c"))
        return BoilerSetpoint(heater_on=heater_on != 0, setpoint_c=setpoint_c), 0.0

    def safe(self, registers: list[int] | None) -> BoilerSetpoint:  # never called: no revert timer
        return self.setpoint(registers or self.initial_registers)[0]

    def address_of(self, name: str) -> int:
        return self.map.by_name[name].address


class PortInUse(ConfigurationError):
    """The port a simulated device should serve on is taken (often: another simulator already serves there)."""


class ModbusDeviceServer:
    """One simulated device served over Modbus TCP; start and stop it at will (a device that dies)."""

    def __init__(self, device: SimulatedModbusDevice, host: str = "127.0.0.1", port: int = 1502, *,
                 unit_id: int = 1, tick_s: float = 0.25) -> None:
        self.device = device
        self.host, self.port, self.unit_id, self.tick_s = host, port, unit_id, tick_s
        self._server: ModbusTcpServer | None = None
        self._ticker: asyncio.Task | None = None

    async def start(self) -> None:
        await self.device.start()
        self._server = ModbusTcpServer(self.device.sim_device(self.unit_id), address=(self.host, self.port))
        try:
            await self._server.serve_forever(background=True)
        except RuntimeError:  # pymodbus's "Could not start listen": the address is taken
            self._server = None
            raise PortInUse(f"{self.host}:{self.port} (the simulated {type(self.device).__name__}) is in use") from None
        self._ticker = asyncio.create_task(self._tick_forever(), name=f"modbus-sim-{self.port}")
        logger.info("simulated %s on %s:%d unit %d", type(self.device).__name__, self.host, self.port, self.unit_id)

    async def _tick_forever(self) -> None:
        await asyncio.sleep(self.tick_s)
        await CycleScheduler(RealClock(), lambda: self.tick_s, self.device.tick, name=f"modbus-sim-{self.port}").run()

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._server is not None:
            await self._server.shutdown()
            self._server = None


def site_servers(pv, battery, boiler, table: SunSpecModelTable, boiler_map: GenericRegisterMap, **options) -> list[ModbusDeviceServer]:  # noqa: ANN001, ANN003
    """The simulated assets of a site as Modbus TCP servers (see `simulated_devices.site_servers`)."""
    from .simulated_devices import site_servers as build  # it builds on this module's simulators

    return build(pv, battery, boiler, table, boiler_map, **options)
