"""Timeouts, retries, reconnect: an unreachable device, a device that dies and comes back."""

from __future__ import annotations

import pytest

from energy_edge.adapters.hardware.modbus.server import SunSpecInverterSimulator, SunSpecStorageSimulator
from energy_edge.adapters.hardware.modbus.solar import ModbusSolarInverter
from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BatterySetpoint, DriverCounters, SolarSetpoint
from tests.helpers import free_port

from .conftest import sunspec
from .devices import BenchBattery, BenchPV

FAILURES = 3


async def test_an_unreachable_device_is_communication_lost(table):
    driver = ModbusSolarInverter(sunspec(free_port(), table), DriverOptions(failures_before_fault=FAILURES))
    with pytest.raises(HardwareFault, match=r"^communication lost: 127\.0\.0\.1:\d+ unit 1: read 2 registers at 40000 failed after 2 attempts"):
        await driver.read()
    await driver.close()


async def test_a_device_that_dies_holds_for_n_minus_one_polls_then_faults_and_recovers(serve, table, fake_time):
    pv = BenchPV(available_w=3210.0)
    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=5000.0, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(failures_before_fault=FAILURES))
    assert (await driver.read()).power_w == 3210.0

    await server.stop()  # the device dies mid-run
    pv.available_w = 1000.0
    for _ in range(FAILURES - 1):  # a missed poll or two: the last good measurement stands in
        assert (await driver.read()).power_w == 3210.0
    assert driver.counters().polls_held == FAILURES - 1  # served as energy_edge_asset_polls_held_total
    with pytest.raises(HardwareFault, match=r"^communication lost: "):
        await driver.read()
    with pytest.raises(HardwareFault, match=r"^communication lost: "):
        await driver.read()  # and stays lost while the device is away

    await server.start()  # it comes back on the same port
    assert (await driver.read()).power_w == 1000.0
    await driver.apply(SolarSetpoint(enabled=True, limit_w=500.0))
    assert (await driver.read()).power_w == 500.0
    assert driver.counters() == DriverCounters(polls_held=FAILURES - 1, rating_mismatches={"power": 0})  # faults: not held
    await driver.close()


async def test_a_setpoint_that_cannot_be_written_is_a_fault_at_once(serve, table, fake_time):
    server = await serve(SunSpecStorageSimulator(BenchBattery(), table, max_rate_w=5000.0, capacity_wh=10_000.0, now=fake_time))
    driver = ModbusBattery(sunspec(server.port, table), DriverOptions(failures_before_fault=FAILURES))
    await driver.read()
    await server.stop()
    with pytest.raises(HardwareFault, match=r"^communication lost: .*failed after 2 attempts"):
        await driver.apply(BatterySetpoint(power_w=-1000.0))
    await driver.close()


async def test_a_device_answering_with_a_modbus_exception_is_a_fault_naming_it(serve, table, fake_time):
    pv = BenchPV()

    async def broken_read():
        raise HardwareFault("inverter DSP not responding")

    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=5000.0, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table))
    await driver.read()
    pv.read = broken_read  # the device itself fails: it answers every read with DEVICE_FAILURE
    with pytest.raises(HardwareFault, match=r"refused to read \d+ registers at \d+: Modbus exception 4"):
        await driver.read()
    await driver.close()


async def test_the_polling_interval_spares_the_device(serve, table, fake_time):
    pv = BenchPV(available_w=2000.0)
    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=5000.0, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(poll_interval_s=60.0))
    assert (await driver.read()).power_w == 2000.0
    pv.available_w = 100.0
    assert (await driver.read()).power_w == 2000.0  # within the interval: the cached poll
    assert driver.counters().polls_held == 0  # no poll missed
    await driver.apply(SolarSetpoint(enabled=True, limit_w=5000.0))  # a setpoint invalidates the cache
    assert (await driver.read()).power_w == 100.0
    await driver.close()


async def test_an_unchanged_setpoint_is_not_rewritten_every_cycle(serve, table, fake_time):
    pv = BenchPV(available_w=2000.0)
    server = await serve(SunSpecInverterSimulator(pv, table, rated_power_w=5000.0, now=fake_time))
    driver = ModbusSolarInverter(sunspec(server.port, table), DriverOptions(revert_timeout_s=60))
    await driver.apply(SolarSetpoint(enabled=True, limit_w=1500.0))
    writes = len(pv.applied)
    assert writes > 1  # the revert timers and the limit, one request each
    await driver.apply(SolarSetpoint(enabled=True, limit_w=1500.0))
    assert len(pv.applied) == writes
    await driver.apply(SolarSetpoint(enabled=True, limit_w=1400.0))
    assert len(pv.applied) > writes
    await driver.close()


def test_the_throttle_refreshes_within_a_third_of_the_revert_timeout():
    from energy_edge.adapters.hardware.modbus.throttle import SetpointThrottle

    now = [0.0]
    throttle = SetpointThrottle(refresh_s=20.0, monotonic=lambda: now[0])
    assert throttle.due("a")
    throttle.written("a")
    now[0] = 19.9
    assert not throttle.due("a") and throttle.due("b")
    now[0] = 20.0
    assert throttle.due("a")
