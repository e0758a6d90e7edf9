"""The generic boiler map: reads, writes, a per-device map, impossible temperatures."""

from __future__ import annotations

import json

import pytest

from energy_edge.adapters.hardware.modbus.boiler import BoilerLimits, ModbusBoiler
from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.register_map import load_boiler_map
from energy_edge.adapters.hardware.modbus.server import GenericBoilerSimulator
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BoilerMeasurement, BoilerSetpoint

from .conftest import connection
from .devices import BenchBoiler


async def test_reads_temperature_and_consumption_in_site_units(serve, boiler_map, fake_time):
    boiler = BenchBoiler(temperature_c=48.5)
    server = await serve(GenericBoilerSimulator(boiler, boiler_map, setpoint_c=55.0, now=fake_time))
    driver = ModbusBoiler(connection(server.port), boiler_map)
    assert await driver.read() == BoilerMeasurement(temperature_c=48.5, power_w=-3000.0)
    await driver.close()


async def test_setpoint_and_heater_are_written(serve, boiler_map, fake_time):
    boiler = BenchBoiler(temperature_c=60.0)
    server = await serve(GenericBoilerSimulator(boiler, boiler_map, now=fake_time))
    driver = ModbusBoiler(connection(server.port), boiler_map)
    await driver.apply(BoilerSetpoint(heater_on=True, setpoint_c=72.5))
    assert boiler.setpoint == BoilerSetpoint(heater_on=True, setpoint_c=72.5)
    assert (await driver.read()).power_w == -3000.0
    await driver.apply(BoilerSetpoint(heater_on=False, setpoint_c=72.5))
    assert (await driver.read()).power_w == 0.0
    await driver.close()


async def test_a_device_with_other_registers_gets_its_own_map(serve, tmp_path, fake_time):
    path = tmp_path / "vendor_boiler.json"
    path.write_text(json.dumps({
        "word_order": "little",
        "points": [
            {"name": "power_w", "address": 100, "type": "float32"},
            {"name": "temperature_c", "address": 102, "type": "int32", "scale": 0.01},
            {"name": "heater_on", "address": 110, "type": "uint16", "access": "rw"},
            {"name": "setpoint_c", "address": 111, "type": "uint16", "scale": 0.5, "access": "rw"},
        ],
    }))
    vendor_map = load_boiler_map(path)
    boiler = BenchBoiler(temperature_c=61.27)
    server = await serve(GenericBoilerSimulator(boiler, vendor_map, setpoint_c=65.0, now=fake_time))
    driver = ModbusBoiler(connection(server.port), vendor_map)
    measurement = await driver.read()
    assert measurement.temperature_c == pytest.approx(61.27) and measurement.power_w == -3000.0
    await driver.apply(BoilerSetpoint(heater_on=False, setpoint_c=70.5))
    assert boiler.setpoint == BoilerSetpoint(heater_on=False, setpoint_c=70.5)
    await driver.close()


@pytest.mark.parametrize(
    ("point", "raw", "reason"),
    [
        ("temperature_c", encode(9000, "int16"), r"water temperature 900 °C outside the physical range -20..110 °C"),
        ("temperature_c", [0x8000], r"boiler temperature_c not implemented"),
        ("power_w", encode(250_000, "uint32"), r"heater power of a 3000 W device: 250000 W outside"),
    ],
)
async def test_impossible_boiler_readings_are_faults(serve, boiler_map, fake_time, point, raw, reason):
    simulator = GenericBoilerSimulator(BenchBoiler(), boiler_map, now=fake_time)
    server = await serve(simulator)
    simulator.force(simulator.address_of(point), raw)
    driver = ModbusBoiler(connection(server.port), boiler_map, BoilerLimits(heater_power_w=3000.0))
    with pytest.raises(HardwareFault, match=reason):
        await driver.read()
    await driver.close()
