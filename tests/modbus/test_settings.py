"""EE_MODBUS_* settings build the right driver; a malformed map stops start-up naming the entry."""

from __future__ import annotations

import json

import pytest

from energy_edge.adapters.hardware.modbus import ModbusBattery, ModbusBoiler, ModbusMeter, ModbusSolarInverter, SunSpecMeter
from energy_edge.adapters.hardware.modbus.register_map import SUNSPEC_MODELS_FILE, RegisterMapError
from energy_edge.adapters.hardware.modbus.server import SunSpecInverterSimulator
from energy_edge.domain.hardware import SolarSetpoint
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_hardware, build_modbus_hardware

from .devices import BenchPV


@pytest.mark.parametrize(("kind", "driver", "port"), [("solar", ModbusSolarInverter, 1502), ("battery", ModbusBattery, 1503),
                                                     ("boiler", ModbusBoiler, 1504), ("meter", SunSpecMeter, 1505)])
def test_each_kind_gets_its_driver_and_the_simulator_port_by_default(kind, driver, port):
    hardware = build_modbus_hardware(kind, ModbusSettings())
    assert isinstance(hardware, driver)
    connection = hardware.connection if kind == "boiler" else hardware.device.connection
    assert connection.options.port == port


@pytest.mark.parametrize(("kind", "profile", "driver"), [("solar", "sunspec", ModbusSolarInverter), ("battery", "sunspec", ModbusBattery),
                                                         ("boiler", "boiler_generic", ModbusBoiler), ("meter", "sunspec", SunSpecMeter),
                                                         ("meter", "sdm630", ModbusMeter), ("meter", "em24", ModbusMeter)])
def test_a_site_file_asset_is_built_from_host_port_unit_and_profile(kind, profile, driver):
    hardware = build_hardware(kind, "10.0.0.7", 5020, 3, profile)
    assert isinstance(hardware, driver)
    connection = getattr(hardware, "connection", None) or hardware.device.connection
    assert (connection.options.host, connection.options.port, connection.options.unit_id) == ("10.0.0.7", 5020, 3)


def test_site_ratings_reach_the_drivers():
    battery = build_hardware("battery", "127.0.0.1", 502, 1, capacity_wh=13_500.0, max_power_w=5000.0)
    assert (battery.options.capacity_wh, battery.options.rated_power_w) == (13_500.0, 5000.0)
    boiler = build_hardware("boiler", "127.0.0.1", 502, 1, heater_power_w=3000.0, max_temperature_c=90.0)
    assert (boiler.limits.heater_power_w, boiler.limits.max_temperature_c) == (3000.0, 90.0)


def test_environment_configures_the_connection(monkeypatch):
    monkeypatch.setenv("EE_MODBUS_HOST", "10.1.2.3")
    monkeypatch.setenv("EE_MODBUS_PORT", "502")
    monkeypatch.setenv("EE_MODBUS_UNIT_ID", "7")
    monkeypatch.setenv("EE_MODBUS_REVERT_TIMEOUT_S", "30")
    monkeypatch.setenv("EE_MODBUS_SUNSPEC_BASE_ADDRESSES", "[0]")
    inverter = build_modbus_hardware("solar")
    options = inverter.device.connection.options
    assert (options.host, options.port, options.unit_id) == ("10.1.2.3", 502, 7)
    assert inverter.options.revert_timeout_s == 30


def test_a_malformed_map_file_fails_at_start_up_naming_the_entry(monkeypatch, tmp_path):
    document = json.loads(SUNSPEC_MODELS_FILE.read_text())
    document["models"][1]["points"][0]["offset"] = "fourteen"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    monkeypatch.setenv("EE_MODBUS_MAP_FILE", str(path))
    with pytest.raises(RegisterMapError, match=r"models\[1\] \(id 101, inverter_single_phase\)\.points\[0\] \(W\)\.offset"):
        build_modbus_hardware("solar")


async def test_the_factory_driver_talks_to_a_real_server(serve, table, fake_time):
    pv = BenchPV(available_w=1500.0)
    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=5000.0, now=fake_time))
    inverter = build_modbus_hardware("solar", ModbusSettings(port=server.port, revert_timeout_s=15))
    await inverter.apply(SolarSetpoint(enabled=True, limit_w=1000.0))
    assert (await inverter.read()).power_w == 1000.0
    await inverter.close()


def test_a_site_file_asset_spec_is_built_with_its_ratings_and_the_grid():
    from types import SimpleNamespace

    from energy_edge.entrypoints.modbus_settings import build_asset_hardware

    def spec(kind, profile, **ratings):
        fields = {"rated_power_w": None, "capacity_wh": None, "max_charge_w": None, "max_discharge_w": None,
                  "heater_power_w": None, **ratings}
        return SimpleNamespace(kind=kind, hardware=SimpleNamespace(host="10.0.0.9", port=502, unit_id=4, profile=profile), **fields)

    grid = SimpleNamespace(main_fuse_a=35.0, phases=3, nominal_voltage_v=230.0)
    battery = build_asset_hardware(spec("battery", "sunspec", capacity_wh=20_000.0, max_charge_w=8000.0, max_discharge_w=10_000.0))
    assert (battery.options.capacity_wh, battery.options.rated_power_w) == (20_000.0, 10_000.0)
    meter = build_asset_hardware(spec("meter", "sdm630"), grid)
    assert isinstance(meter, ModbusMeter) and meter.limits.main_fuse_a == 35.0
    assert meter.connection.options.unit_id == 4
    assert build_asset_hardware(spec("solar", "sunspec", rated_power_w=9000.0)).options.rated_power_w == 9000.0
    assert build_asset_hardware(spec("boiler", "boiler_generic", heater_power_w=2000.0)).limits.heater_power_w == 2000.0


@pytest.mark.parametrize(("value", "words"), [("[70000]", "less than or equal to 65534"), ("[-5]", "greater than or equal to 0"),
                                              ("[]", "at least 1 item"), (str(list(range(9))), "at most 8 items")])
def test_sunspec_base_addresses_are_register_addresses(monkeypatch, value, words):
    """'SunS' is two registers at a base in 0..65534; an address beyond reached pymodbus as a ValueError at run time."""
    from pydantic import ValidationError

    monkeypatch.setenv("EE_MODBUS_SUNSPEC_BASE_ADDRESSES", value)
    with pytest.raises(ValidationError, match=words):
        ModbusSettings()
