"""SunSpec discovery, PV inverter reads (scale factors, sentinels) and curtailment with the revert timeout."""

from __future__ import annotations

import pytest

from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.register_map import SunSpecModelTable
from energy_edge.adapters.hardware.modbus.server import INVERTER_MODELS, INVERTER_MODELS_700, SunSpecInverterSimulator
from energy_edge.adapters.hardware.modbus.solar import ModbusSolarInverter
from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import SolarSetpoint

from .conftest import sunspec
from .devices import BenchPV


def inverter(table, fake_time, models=INVERTER_MODELS, base_address=40000, rated_power_w=10_000.0, pv=None):
    return SunSpecInverterSimulator(pv or BenchPV(), table, rated_power_w=rated_power_w, model_ids=models,
                                    now=fake_time, base_address=base_address)


@pytest.mark.parametrize("base_address", [40000, 0, 50000])
async def test_discovery_finds_suns_and_walks_every_model(serve, table, fake_time, base_address):
    server = await serve(inverter(table, fake_time, base_address=base_address))
    device = sunspec(server.port, table)
    layout = await device.discover()
    assert layout.base_address == base_address
    assert list(layout.blocks) == list(INVERTER_MODELS)
    assert layout.blocks[103].address == base_address + 2 + 2 + 66
    device.connection.close()


async def test_discovery_skips_models_the_map_does_not_describe(serve, table, fake_time):
    vendor = {"id": 64001, "name": "vendor", "length": 10, "points": []}
    server_table = SunSpecModelTable.model_validate({"models": [*table.model_dump()["models"], vendor]})
    server = await serve(inverter(server_table, fake_time, models=(1, 64001, 103, 120, 121, 123)))
    driver = ModbusSolarInverter(sunspec(server.port, table))
    layout = await driver.device.discover()
    assert layout.blocks[64001].model is None and layout.blocks[103].model is not None
    assert (await driver.read()).power_w == 4000.0  # the models after the unknown one are still found
    await driver.close()


async def test_a_device_without_sunspec_is_a_fault(serve, table, fake_time, boiler_map):
    from energy_edge.adapters.hardware.modbus.server import GenericBoilerSimulator

    from .devices import BenchBoiler

    server = await serve(GenericBoilerSimulator(BenchBoiler(), boiler_map, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=r"no SunSpec marker 'SunS' at \[40000, 0, 50000\]"):
        await driver.read()
    await driver.close()


@pytest.mark.parametrize("models", [INVERTER_MODELS, INVERTER_MODELS_700])
async def test_power_is_read_with_the_device_scale_factor(serve, table, fake_time, models):
    simulator = inverter(table, fake_time, models=models)
    server = await serve(simulator)
    measure = 701 if 701 in models else 103
    simulator.force(simulator.address_of(measure, "W_SF"), encode(-1, "sunssf"))
    simulator.force(simulator.address_of(measure, "W"), encode(12345, "int16"))
    driver = ModbusSolarInverter(sunspec(server.port, table))
    measurement = await driver.read()
    assert measurement.power_w == pytest.approx(1234.5)
    assert measurement.available_power_w == pytest.approx(1234.5)  # no limit active: the sun is the limit
    await driver.close()


async def test_rating_comes_from_the_nameplate_with_its_scale_factor(serve, table, fake_time):
    server = await serve(inverter(table, fake_time, rated_power_w=250_000.0))  # needs WMax_SF = 1
    driver = ModbusSolarInverter(sunspec(server.port, table))
    assert await driver.rating_w() == 250_000.0
    await driver.close()


async def test_a_not_implemented_power_is_a_fault_not_a_zero(serve, table, fake_time):
    simulator = inverter(table, fake_time)
    server = await serve(simulator)
    simulator.force(simulator.address_of(103, "W"), [0x8000])
    driver = ModbusSolarInverter(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=r"model 103 W not implemented by the device"):
        await driver.read()
    await driver.close()


@pytest.mark.parametrize(
    ("point", "raw", "reason"),
    [
        ("W_SF", encode(3, "sunssf"), r"PV power of a 10000 W device: 6000000 W outside the physical range -200..11000 W"),
        ("W_SF", encode(57, "sunssf"), r"SunSpec model 103 W_SF: scale factor 57 outside -3..4, the range allowed for this point"),
        ("W", encode(-5000, "int16"), r"PV power .* -5000 W outside the physical range"),
    ],
)
async def test_garbage_registers_are_a_fault_with_a_clear_reason(serve, table, fake_time, point, raw, reason):
    simulator = inverter(table, fake_time)
    server = await serve(simulator)
    simulator.force(simulator.address_of(103, "W"), encode(6000, "int16"))
    simulator.force(simulator.address_of(103, point), raw)
    driver = ModbusSolarInverter(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=reason):
        await driver.read()
    await driver.close()


async def test_curtailment_writes_the_revert_timeout_and_the_limit(serve, table, fake_time):
    pv = BenchPV(available_w=8000.0)
    simulator = inverter(table, fake_time, pv=pv)
    server = await serve(simulator)
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(revert_timeout_s=45))
    await driver.apply(SolarSetpoint(enabled=True, limit_w=2500.0))
    device = driver.device
    control = (await device.discover()).blocks[123]
    values = await device.read_model(control)
    assert values["WMaxLimPct_RvrtTms"] == 45 and values["Conn_RvrtTms"] == 45
    assert values["WMaxLimPct"] == pytest.approx(25.0) and values["WMaxLim_Ena"] == 1 and values["Conn"] == 1
    assert pv.setpoint == SolarSetpoint(enabled=True, limit_w=2500.0)
    measurement = await driver.read()
    assert measurement.power_w == 2500.0
    assert measurement.available_power_w == 10_000.0  # clipping at the limit: the rating bounds what is available
    await driver.close()


async def test_an_inverter_not_refreshed_returns_to_full_output_by_itself(serve, table, fake_time):
    pv = BenchPV(available_w=8000.0)
    simulator = inverter(table, fake_time, pv=pv)
    server = await serve(simulator)
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(revert_timeout_s=30))
    await driver.apply(SolarSetpoint(enabled=True, limit_w=1000.0))
    fake_time.t += 29
    assert (await driver.read()).power_w == 1000.0
    fake_time.t += 2  # the edge controller died: no refresh within 30 s
    await simulator.tick()
    assert pv.setpoint == SolarSetpoint(enabled=True, limit_w=10_000.0)
    assert (await driver.read()).power_w == 8000.0
    values = await driver.device.read_model(driver.device.layout.blocks[123])
    assert values["WMaxLim_Ena"] == 0
    await driver.close()


async def test_model_704_curtails_with_its_own_revert_points(serve, table, fake_time):
    pv = BenchPV(available_w=8000.0)
    simulator = inverter(table, fake_time, models=INVERTER_MODELS_700, pv=pv)
    server = await serve(simulator)
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(revert_timeout_s=120))
    await driver.apply(SolarSetpoint(enabled=True, limit_w=4000.0))
    values = await driver.device.read_model(driver.device.layout.blocks[704])
    assert values["WMaxLimPctRvrtTms"] == 120 and values["WMaxLimPctEnaRvrt"] == 1
    assert values["WMaxLimPctRvrt"] == pytest.approx(100.0)
    assert values["WMaxLimPct"] == pytest.approx(40.0) and values["WMaxLimPctEna"] == 1
    assert (await driver.read()).power_w == 4000.0
    fake_time.t += 121
    await simulator.tick()
    assert (await driver.read()).power_w == 8000.0
    await driver.close()


async def test_stop_sets_the_limit_to_zero_and_disconnects(serve, table, fake_time):
    pv = BenchPV(available_w=3000.0)
    server = await serve(inverter(table, fake_time, pv=pv))
    driver = ModbusSolarInverter(sunspec(server.port, table))
    await driver.apply(SolarSetpoint(enabled=False, limit_w=5000.0))
    assert pv.setpoint.enabled is False
    assert (await driver.read()).power_w == 0.0
    await driver.close()


@pytest.mark.parametrize(("length", "reason"), [
    (0xFFF0, r"SunSpec model 1 at 40002: length 65520 runs beyond register 65535"),
    (65535 - 40003, r"SunSpec walk from 40000: no end marker before register 65535"),  # model 1 ends at the last register
])
async def test_a_model_length_that_walks_off_the_address_space_is_a_fault_naming_it(serve, table, fake_time, length, reason):
    simulator = inverter(table, fake_time)
    server = await serve(simulator)
    simulator.force(simulator.address_of(1, "Mn") - 1, [length])  # model 1's L register
    driver = ModbusSolarInverter(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=reason):
        await driver.read()
    await driver.close()
