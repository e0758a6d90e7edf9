"""Issue 11 item 8: hostile register values through real pymodbus servers become FAULT naming the point.

Each case runs the asset module service (the state machine, on the in-memory
hub) over the real Modbus driver and server: the cycle never raises, the
asset goes to FAULT with a reason naming the model and point, telemetry
still flows, and a direct method answers 409 (never 500).
"""

from __future__ import annotations

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.boiler import ModbusBoiler
from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.server import GenericBoilerSimulator, SunSpecInverterSimulator, SunSpecStorageSimulator
from energy_edge.adapters.hardware.modbus.solar import ModbusSolarInverter
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.topology import DEFAULT_ROUTES

from .conftest import connection, sunspec
from .devices import BenchBattery, BenchBoiler, BenchPV

COMMAND = {"solar": ("set_output", {"limit_w": 1000, "ttl_s": 30}), "battery": ("start_charging", {"power_w": 1000, "ttl_s": 30}),
           "boiler": ("start", {})}


def simulator(kind, table, boiler_map, fake_time, physics=None):
    if kind == "solar":
        return SunSpecInverterSimulator(physics or BenchPV(), table, rated_power_w=10_000.0, now=fake_time)
    if kind == "battery":
        return SunSpecStorageSimulator(physics or BenchBattery(), table, max_rate_w=5000.0, capacity_wh=10_000.0, now=fake_time)
    return GenericBoilerSimulator(physics or BenchBoiler(), boiler_map, now=fake_time)


def driver(kind, port, table, boiler_map):
    if kind == "solar":
        return ModbusSolarInverter(sunspec(port, table))
    if kind == "battery":
        return ModbusBattery(sunspec(port, table))
    return ModbusBoiler(connection(port), boiler_map)


async def module(kind, hardware):
    """The asset's module service on an in-memory hub, and the operator's client."""
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    asset = {"solar": Solar, "battery": Battery, "boiler": Boiler}[kind]()
    service = AssetModuleService(hub.client(kind), hardware, asset, ManualClock(1_782_043_200.0), 1.0)
    caller = hub.client("controller")
    await caller.connect()
    await service.start()
    return service, caller


async def assert_fault_not_500(kind, hardware, reason):
    service, caller = await module(kind, hardware)
    telemetry = await service.run_cycle()  # never raises
    assert telemetry.state == "FAULT", telemetry
    assert reason in (telemetry.fault_reason or ""), telemetry.fault_reason
    method, payload = COMMAND[kind]
    response = await caller.invoke_method(kind, method, payload, timeout_s=2.0)
    assert response.status == 409, response
    await hardware.close()


@pytest.mark.parametrize(
    ("kind", "model_id", "point", "raw"),
    [
        ("solar", 123, "WMaxLimPct_SF", -10),
        ("solar", 123, "WMaxLimPct_SF", 0x7FFF),
        ("battery", 124, "InOutWRte_SF", -10),
        ("battery", 124, "InOutWRte_SF", 0x7FFF),
        ("battery", 802, "WHRtg_SF", 0x7FFF),
        ("battery", 802, "SoC_SF", 2),  # SoC in 100 % steps: "reads 1.0" before
    ],
)
async def test_a_hostile_scale_factor_is_a_fault_naming_the_point(serve, table, boiler_map, fake_time, kind, model_id, point, raw):
    device = simulator(kind, table, boiler_map, fake_time)
    server = await serve(device)
    device.force(device.address_of(model_id, point), encode(raw, "sunssf"))
    await assert_fault_not_500(kind, driver(kind, server.port, table, boiler_map), f"SunSpec model {model_id} {point}: scale factor {raw}")


@pytest.mark.parametrize(
    ("kind", "model_id", "point", "words", "reason"),
    [
        ("solar", 103, "W", [0x8000], "model 103 W not implemented"),
        ("battery", 103, "W", [0x8000], "model 103 W not implemented"),
        ("battery", 802, "SoC", [0xFFFF], "model 802 SoC not implemented"),
        ("boiler", None, "temperature_c", [0xFFFF], "boiler temperature_c not implemented by the device (no reading: registers [0xFFFF])"),
        ("boiler", None, "temperature_c", [0x8000], "boiler temperature_c not implemented"),
    ],
)
async def test_a_sentinel_where_a_value_is_required_is_a_fault(serve, table, boiler_map, fake_time, kind, model_id, point, words, reason):
    device = simulator(kind, table, boiler_map, fake_time)
    server = await serve(device)
    device.force(device.address_of(point) if model_id is None else device.address_of(model_id, point), words)
    await assert_fault_not_500(kind, driver(kind, server.port, table, boiler_map), reason)


async def test_a_boiler_whose_sensor_reads_0xffff_is_fault_and_does_not_heat(serve, boiler_map, fake_time):
    boiler = BenchBoiler(temperature_c=48.5)
    device = GenericBoilerSimulator(boiler, boiler_map, now=fake_time)
    server = await serve(device)
    device.force(device.address_of("temperature_c"), [0xFFFF])  # was -0.1 °C: "cold, heat!"
    service, _ = await module("boiler", ModbusBoiler(connection(server.port), boiler_map))
    telemetry = await service.run_cycle()
    assert telemetry.state == "FAULT"
    assert boiler.setpoint.heater_on is False  # the safe setpoint reached the device
    await service.hardware.close()


async def test_a_nan_reading_on_a_float_map_is_a_fault(serve, tmp_path, fake_time):
    import json

    from energy_edge.adapters.hardware.modbus.register_map import load_boiler_map

    path = tmp_path / "float_boiler.json"
    path.write_text(json.dumps({"points": [
        {"name": "temperature_c", "address": 0, "type": "float32"}, {"name": "power_w", "address": 2, "type": "float32"},
        {"name": "setpoint_c", "address": 4, "type": "float32", "access": "rw"},
        {"name": "heater_on", "address": 6, "type": "uint16", "access": "rw"}]}))
    float_map = load_boiler_map(path)
    device = GenericBoilerSimulator(BenchBoiler(), float_map, now=fake_time)
    server = await serve(device)
    for words, reason in (([0x7FC0, 0x0000], "not implemented"), ([0x7F80, 0x0000], "inf, not a finite number")):
        device.force(0, words)
        await assert_fault_not_500("boiler", ModbusBoiler(connection(server.port), float_map), f"boiler temperature_c {reason}"
                                   if "finite" not in reason else reason)


async def test_a_setpoint_that_does_not_fit_under_the_device_scale_factor_is_a_fault(serve, table, fake_time):
    """WMaxLimPct_SF -3 is allowed, but 100 % is then raw 100000: more than a uint16 holds."""
    from energy_edge.domain.errors import HardwareFault
    from energy_edge.domain.hardware import SolarSetpoint

    device = simulator("solar", table, None, fake_time)
    server = await serve(device)
    device.force(device.address_of(123, "WMaxLimPct_SF"), encode(-3, "sunssf"))
    inverter = ModbusSolarInverter(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=r"SunSpec model 123 WMaxLimPct: raw value 100000 \(scale factor -3\) does not fit uint16"):
        await inverter.apply(SolarSetpoint(enabled=True, limit_w=10_000.0))
    await inverter.close()


@pytest.mark.parametrize("kind", ["solar", "battery", "boiler"])
async def test_a_setpoint_the_device_does_not_hold_is_a_fault(serve, table, boiler_map, fake_time, kind):
    """The readback: a limit "applied" while the inverter ignores it (forced register) never passes as applied."""
    from energy_edge.domain.errors import HardwareFault
    from energy_edge.domain.hardware import BatterySetpoint, BoilerSetpoint, SolarSetpoint

    device = simulator(kind, table, boiler_map, fake_time)
    server = await serve(device)
    forced, setpoint = {
        "solar": ((123, "WMaxLimPct", encode(1000, "uint16")), SolarSetpoint(enabled=True, limit_w=5000.0)),
        "battery": ((124, "StorCtl_Mod", encode(3, "bitfield16")), BatterySetpoint(power_w=2000.0)),
        "boiler": ((None, "heater_on", encode(1, "uint16")), BoilerSetpoint(heater_on=False, setpoint_c=55.0)),
    }[kind]
    model_id, point, words = forced
    device.force(device.address_of(point) if model_id is None else device.address_of(model_id, point), words)
    hardware = driver(kind, server.port, table, boiler_map)
    with pytest.raises(HardwareFault, match=rf"{point} reads back .* the device did not take the setpoint"):
        await hardware.apply(setpoint)
    await hardware.close()


async def test_a_soc_faster_than_the_battery_can_move_is_a_fault(serve, table, fake_time):
    battery = BenchBattery(soc=0.4)
    device = simulator("battery", table, None, fake_time, battery)
    server = await serve(device)
    hardware = driver("battery", server.port, table, None)
    hardware.options = type(hardware.options)(monotonic=fake_time)  # rate checks on the test's clock
    assert (await hardware.read()).soc == pytest.approx(0.4)
    fake_time.t += 60  # 5 kW into 10 kWh for a minute: at most 0.8 % (x2 margin + 2 % step)
    battery.soc = 0.42
    assert (await hardware.read()).soc == pytest.approx(0.42)
    fake_time.t += 1
    battery.soc = 1.0
    with pytest.raises(Exception, match=r"battery state of charge moved from 0.42 to 1 \(fraction\) in 1 s"):
        await hardware.read()
    await hardware.close()


async def test_a_water_temperature_faster_than_physics_is_a_fault(serve, boiler_map, fake_time):
    from energy_edge.adapters.hardware.modbus.boiler import BoilerLimits
    from energy_edge.domain.errors import HardwareFault

    boiler = BenchBoiler(temperature_c=48.5)
    server = await serve(GenericBoilerSimulator(boiler, boiler_map, now=fake_time))
    hardware = ModbusBoiler(connection(server.port), boiler_map, BoilerLimits(monotonic=fake_time))
    await hardware.read()
    fake_time.t += 1
    boiler.temperature_c = 10.0
    with pytest.raises(HardwareFault, match=r"water temperature moved from 48.5 to 10 °C in 1 s; at most 3.5 °C is physical"):
        await hardware.read()
    fake_time.t += 600  # ten minutes later the tank really may have cooled that far
    assert (await hardware.read()).temperature_c == 10.0
    await hardware.close()


async def test_an_inverter_that_keeps_producing_above_its_limit_is_a_fault(serve, table, fake_time):
    from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
    from energy_edge.domain.errors import HardwareFault
    from energy_edge.domain.hardware import SolarSetpoint

    pv = BenchPV(available_w=8000.0)
    device = simulator("solar", table, None, fake_time, pv)
    server = await serve(device)
    inverter = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(monotonic=fake_time))
    await inverter.apply(SolarSetpoint(enabled=True, limit_w=2000.0))
    assert (await inverter.read()).power_w == 2000.0
    device.force(device.address_of(103, "W"), encode(7000, "int16"))  # the inverter ignores the limit
    await inverter.read()  # within the ramp time: not yet
    fake_time.t += 11
    with pytest.raises(HardwareFault, match=r"PV produces 7000 W above its active limit 2000 W for 11 s"):
        await inverter.read()
    device.release()
    pv.available_w = 0.0  # night: 0 W under a limit is normal
    assert (await inverter.read()).power_w == 0.0
    await inverter.close()


async def test_a_scale_factor_that_changes_while_a_setpoint_is_written_is_a_fault(serve, table, fake_time):
    """InWRte 60 % is raw 600 under InOutWRte_SF -1; a device that moves the factor to -2 meanwhile holds 6 %.

    The raw words read back equal the written ones, so only the factor tells: the setpoint must not pass as applied.
    """
    from energy_edge.domain.errors import HardwareFault
    from energy_edge.domain.hardware import BatterySetpoint

    class RescalingBattery(BenchBattery):
        async def apply(self, setpoint: BatterySetpoint) -> None:
            await super().apply(setpoint)
            if setpoint.power_w:  # the first write that commands power: the firmware switches its resolution
                device.force(device.address_of(124, "InOutWRte_SF"), encode(-2, "sunssf"))

    device = simulator("battery", table, None, fake_time, RescalingBattery())
    server = await serve(device)
    hardware = driver("battery", server.port, table, None)
    with pytest.raises(HardwareFault, match=r"SunSpec model 124 InOutWRte_SF changed from -1 to -2 while writing InWRte, OutWRte: "
                       r"the values written mean something else to the device"):
        await hardware.apply(BatterySetpoint(power_w=-3000.0))
    await hardware.close()
