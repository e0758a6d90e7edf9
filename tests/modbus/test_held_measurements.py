"""A measurement held over a missed poll is never passed off as new, end to end.

Real pymodbus devices, the real drivers, the asset module services and the
controller on one in-memory hub. The device stops answering for one poll:
the driver stands in its last good measurement (`failures_before_fault`),
marked with its age; the module reports it under the time it was measured;
the controller keeps the report (state, lease) but does not take it for a
fresh reading: no balancing on a held grid meter reading.
"""

from __future__ import annotations

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.meter import SunSpecMeter
from energy_edge.adapters.hardware.modbus.meter_limits import MeterLimits
from energy_edge.adapters.hardware.modbus.meter_simulator import ConnectionPoint, simulated_meter
from energy_edge.adapters.hardware.modbus.server import SunSpecStorageSimulator
from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery
from energy_edge.domain.assets.meter import Meter
from energy_edge.domain.balancing import Policy
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.services.controller_service import ControllerService
from energy_edge.domain.topology import ASSET_KINDS, DEFAULT_ROUTES
from tests.domain.controller.fakes import with_meter_routes

from .conftest import sunspec
from .devices import BenchBattery

START = 1_782_043_200.0


class Clock(ManualClock):
    def __call__(self) -> float:  # the drivers' and the simulators' clock too
        return self.now()


async def site(serve, table):
    """A SunSpec meter and a storage system on real servers, their modules and the controller."""
    clock = Clock(START)
    meter_device = simulated_meter(ConnectionPoint(lambda: 1500.0, clock), "sunspec", table, now=clock)
    storage_device = SunSpecStorageSimulator(BenchBattery(soc=0.5), table, max_rate_w=5000.0, capacity_wh=10_000.0, now=clock)
    servers = {"meter": await serve(meter_device), "battery": await serve(storage_device)}
    devices = {"meter": meter_device, "battery": storage_device}
    hub = InMemoryHub(RouteTable.parse(with_meter_routes(DEFAULT_ROUTES)))
    options = DriverOptions(failures_before_fault=3, monotonic=clock)
    limits = MeterLimits(main_fuse_a=25.0, phases=3, failures_before_fault=3, monotonic=clock)
    modules = {
        "meter": AssetModuleService(hub.client("meter"), SunSpecMeter(sunspec(servers["meter"].port, table), limits),
                                    Meter(), clock, 1.0),
        "battery": AssetModuleService(hub.client("battery"), ModbusBattery(sunspec(servers["battery"].port, table), options),
                                      Battery(), clock, 1.0),
    }
    controller = ControllerService(hub.client("controller"), None, clock, Policy(setpoint_ttl_s=10.0),
                                   asset_kinds={**ASSET_KINDS, "meter": "meter"})
    await controller.start()
    for module in modules.values():
        await module.start()
    return clock, servers, devices, modules, controller


async def cycle(clock, modules, controller):
    clock.advance(1.0)
    for module in modules.values():
        await module.run_cycle()
    return await controller.run_cycle()


@pytest.mark.parametrize("silent", ["meter", "battery"])
async def test_a_device_that_misses_one_poll_is_reported_under_its_measurement_time(serve, table, silent):
    clock, servers, devices, modules, controller = await site(serve, table)
    assert await cycle(clock, modules, controller) is not None  # a fresh meter reading: balanced on
    measured = controller.latest[silent]
    assert measured.timestamp == clock.now() and measured.state != "FAULT"

    port = servers[silent].port
    await servers[silent].stop()  # the device misses one poll
    decision = await cycle(clock, modules, controller)
    held = controller.latest[silent]
    assert held.seq == measured.seq + 1 and held.state != "FAULT", "the report arrived, its state counts"
    assert held.timestamp == measured.timestamp < clock.now(), "a held measurement claimed a new measurement time"
    assert held.power_w == measured.power_w
    assert modules[silent].hardware.counters().polls_held == 1  # energy_edge_asset_polls_held_total
    if silent == "meter":
        assert decision is None, "the controller balanced twice on one grid meter reading"

    servers[silent] = await serve(devices[silent], port=port)  # it answers again: fresh readings flow
    assert await cycle(clock, modules, controller) is not None
    assert controller.latest[silent].timestamp == clock.now()
    for module in modules.values():
        await module.hardware.close()


async def test_the_driver_marks_a_held_measurement_with_its_age(serve, table):
    clock = Clock(START)
    server = await serve(SunSpecStorageSimulator(BenchBattery(soc=0.5), table, max_rate_w=5000.0, capacity_wh=10_000.0,
                                                 now=clock))
    driver = ModbusBattery(sunspec(server.port, table), DriverOptions(failures_before_fault=3, monotonic=clock))
    assert (await driver.read()).age_s is None  # measured by this read
    await server.stop()
    clock.advance(2.5)
    held = await driver.read()
    assert held.age_s == 2.5 and held.soc == 0.5
    await driver.close()
