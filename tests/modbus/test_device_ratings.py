"""The site file's nameplate against the device's own rating: the lower counts, a bigger claim is reported.

A device (or a wrong scale factor) claiming 655 MW must not widen the 110 %
power bound or the setpoints past what the site file says is installed; a
device derated below its nameplate is honoured. Real pymodbus servers.
"""

from __future__ import annotations

import logging

import pytest

from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.server import SunSpecInverterSimulator, SunSpecStorageSimulator
from energy_edge.adapters.hardware.modbus.solar import ModbusSolarInverter
from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BatterySetpoint, SolarSetpoint

from .conftest import sunspec
from .devices import BenchBattery, BenchPV

CLAIM = [encode(65534, "uint16"), encode(4, "sunssf")]  # 65534 x 10^4 W: 655 MW (65535 is "not implemented")


def claim_655_mw(simulator, model_id: int, point: str) -> None:
    simulator.force(simulator.address_of(model_id, point), CLAIM[0])
    simulator.force(simulator.address_of(model_id, f"{point}_SF"), CLAIM[1])


async def test_an_inverter_claiming_655_mw_is_bounded_by_the_nameplate_and_reported(serve, table, fake_time, caplog):
    simulator = SunSpecInverterSimulator(BenchPV(available_w=4000.0), table, rated_power_w=10_000.0, now=fake_time)
    for model_id, point in ((120, "WRtg"), (121, "WMax")):
        claim_655_mw(simulator, model_id, point)
    simulator.force(simulator.address_of(103, "W"), encode(12_500, "int16"))  # 125 % of the nameplate
    server = await serve(simulator)
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(rated_power_w=10_000.0))
    with caplog.at_level(logging.WARNING), \
            pytest.raises(HardwareFault, match=r"PV power of a 10000 W device: 12500 W outside the physical range -200\.\.11000 W"):
        await driver.read()
    assert await driver.rating_w() == 10_000.0
    assert await driver.device_rating_w() == pytest.approx(655_340_000.0)
    assert driver.rating_mismatches_total == {"rated power": 1}
    assert "rated power of 6.5534e+08 W, more than the site file's nameplate 10000 W" in caplog.text
    await driver.close()


async def test_an_inverter_derated_below_its_nameplate_is_honoured(serve, table, fake_time, caplog):
    pv = BenchPV(available_w=7000.0)
    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=8000.0, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(rated_power_w=10_000.0))
    with caplog.at_level(logging.WARNING):
        assert await driver.rating_w() == 8000.0
    assert not driver.rating_mismatches_total and "nameplate" not in caplog.text
    await driver.apply(SolarSetpoint(enabled=True, limit_w=6000.0))
    assert pv.setpoint.limit_w == pytest.approx(6000.0)  # 75 % of the device's 8 kW
    await driver.apply(SolarSetpoint(enabled=True, limit_w=9500.0))  # above the derated rating: capped at it
    assert pv.setpoint.limit_w == pytest.approx(8000.0)
    await driver.close()


async def test_a_device_within_the_tolerance_is_not_reported_and_its_percentages_stay_its_own(serve, table, fake_time):
    pv = BenchPV(available_w=9000.0)
    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=10_500.0, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(rated_power_w=10_000.0))
    assert await driver.rating_w() == 10_000.0 and not driver.rating_mismatches_total
    await driver.apply(SolarSetpoint(enabled=True, limit_w=20_000.0))  # capped at the nameplate, as a percent of 10.5 kW
    assert pv.setpoint.limit_w == pytest.approx(10_000.0, abs=11.0)  # WMaxLimPct in 0.1 % steps
    await driver.close()


async def test_a_storage_system_claiming_655_mw_and_a_huge_capacity_keeps_the_site_files(serve, table, fake_time, caplog):
    battery = BenchBattery(soc=0.5, power_w=0.0)
    simulator = SunSpecStorageSimulator(battery, table, max_rate_w=5000.0, capacity_wh=10_000.0, now=fake_time)
    claim_655_mw(simulator, 124, "WChaMax")
    for model_id in (120, 802):
        claim_655_mw(simulator, model_id, "WHRtg")
    server = await serve(simulator)
    driver = ModbusBattery(sunspec(server.port, table), DriverOptions(rated_power_w=5000.0, capacity_wh=10_000.0))
    battery.power_w = 6000.0  # 120 % of the site's 5 kW
    with caplog.at_level(logging.WARNING), \
            pytest.raises(HardwareFault, match=r"battery power of a 5000 W device: 6000 W outside the physical range -5500\.\.5500 W"):
        await driver.read()
    assert await driver.rating_w() == 5000.0
    battery.power_w = 0.0
    assert (await driver.read()).soc == 0.5
    assert await driver.capacity_wh() == 10_000.0
    assert driver.rating_mismatches_total == {"rated power": 1, "capacity": 1}
    assert driver.counters().rating_mismatches == {"power": 1, "capacity": 1}  # energy_edge_asset_rating_mismatches_total
    assert "capacity of 6.5534e+08 Wh, more than the site file's nameplate 10000 Wh" in caplog.text
    await driver.close()


async def test_a_storage_system_derated_below_the_site_file_is_honoured(serve, table, fake_time):
    battery = BenchBattery(soc=0.5)
    server = await serve(SunSpecStorageSimulator(battery, table, max_rate_w=4000.0, capacity_wh=8000.0, now=fake_time))
    driver = ModbusBattery(sunspec(server.port, table), DriverOptions(rated_power_w=5000.0, capacity_wh=10_000.0))
    await driver.read()
    assert await driver.rating_w() == 4000.0 and await driver.capacity_wh() == 8000.0
    assert not driver.rating_mismatches_total
    assert driver.counters().rating_mismatches == {"power": 0, "capacity": 0}  # checked, served as 0
    await driver.apply(BatterySetpoint(power_w=5000.0))  # above the derated rating: 100 % of the device's 4 kW
    assert battery.power_w == pytest.approx(4000.0)
    await driver.apply(BatterySetpoint(power_w=-2000.0))
    assert battery.power_w == pytest.approx(-2000.0)
    await driver.close()
