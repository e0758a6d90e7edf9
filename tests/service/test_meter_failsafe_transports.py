"""Fault injection on the real transports: the grid meter fails, the controller stops, every lease runs out.

The real services (asset modules on simulated hardware, a meter module reading the
simulated site's balance, the controller balancing on the meter's telemetry) run on the
in-memory hub and on a real Mosquitto, on one accelerated clock. The meter is first made
faulty, then killed outright; each time the controller must send nothing, every asset must
return to its safe state by its own lease (battery IDLE, solar at its export-safe limit,
boiler on its own thermostat), and control must resume on fresh readings.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from typing import Any, Callable

import pytest

from energy_edge.adapters.clocks import AcceleratedClock
from energy_edge.adapters.hardware.simulated import SimulatedSite
from energy_edge.adapters.hardware.simulated.meter import SimulatedMeter
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery, BatteryConfig, Boiler, BoilerConfig, Solar, SolarConfig
from energy_edge.domain.assets.meter import Meter
from energy_edge.domain.balancing import Policy
from energy_edge.domain.messages import MethodRequest
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.services.controller_service import ControllerService
from energy_edge.domain.topology import ASSET_KINDS, DEFAULT_ROUTES

SPEED = 10.0  # one clock second = 0.1 s
TTL_S = 4.0
MIDNIGHT = 1_782_864_000.0  # 2026-07-01T00:00Z: no sun, the battery covers the base load
KINDS = {**ASSET_KINDS, "meter": "meter"}
ROUTES = {**DEFAULT_ROUTES, **{
    f"meterTo{target.title()}": 'FROM /messages/modules/meter/outputs/telemetry INTO '
                                f'BrokeredEndpoint("/modules/{target}/inputs/telemetry")'
    for target in ("controller", "telemetry")}}


async def _inmemory(stack: AsyncExitStack) -> Callable[[str], Any]:
    hub = InMemoryHub(RouteTable.parse(ROUTES), modules=(*KINDS, "controller", "telemetry"))
    return hub.client


async def _mqtt(stack: AsyncExitStack) -> Callable[[str], Any]:
    from energy_edge.adapters.transports.mqtt import MqttModuleClient
    from tests.mosquitto import TempBroker, client_config

    broker = TempBroker()
    stack.callback(broker.close)
    config, routes = client_config(broker.broker), RouteTable.parse(ROUTES)
    return lambda module: MqttModuleClient(module, routes, config)


class Site:
    def __init__(self, client: Callable[[str], Any]) -> None:
        self.client = client
        self.clock = AcceleratedClock(SPEED, MIDNIGHT)
        self.physics = SimulatedSite(self.clock, seed=1)
        self.meter_hardware = SimulatedMeter(self.physics, self.clock)
        configs = {"solar": Solar(SolarConfig(rated_power_w=15_000.0, export_safe_limit_w=3_000.0)),
                   "battery": Battery(BatteryConfig(capacity_wh=20_000.0, max_charge_w=8_000.0,
                                                    max_discharge_w=8_000.0)),
                   "boiler": Boiler(BoilerConfig(heater_power_w=6_000.0))}
        hardware = {"solar": self.physics.pv, "battery": self.physics.battery, "boiler": self.physics.boiler}
        self.assets = {kind: AssetModuleService(client(kind), hardware[kind], asset, self.clock, 1.0)
                       for kind, asset in configs.items()}
        self.meter = self._meter_service()
        self.controller = ControllerService(client("controller"), None, self.clock,
                                            Policy(setpoint_ttl_s=TTL_S, reporting_interval_s=1.0), asset_kinds=KINDS)
        self.tasks: dict[str, asyncio.Task] = {}

    def _meter_service(self) -> AssetModuleService:
        return AssetModuleService(self.client("meter"), self.meter_hardware, Meter(), self.clock, 1.0)

    async def start(self) -> None:
        for name, service in (*self.assets.items(), ("meter", self.meter)):
            await service.start()
            if name in ("solar", "boiler"):
                assert (await service.on_method(MethodRequest("start", {}))).ok
            self.tasks[name] = asyncio.create_task(service.run())
        await self.controller.start()
        self.tasks["controller"] = asyncio.create_task(self.controller.run())

    async def kill_meter(self) -> None:
        self.tasks.pop("meter").cancel()
        await self.meter.client.close()

    async def restart_meter(self) -> None:
        self.meter = self._meter_service()
        await self.meter.start()
        self.tasks["meter"] = asyncio.create_task(self.meter.run())

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        for service in (*self.assets.values(), self.meter, self.controller):
            await service.client.close()

    # -- what the test looks at ---------------------------------------------------------
    def controlled(self) -> bool:
        solar, battery, boiler = (self.assets[k].asset for k in ("solar", "battery", "boiler"))
        return (str(battery.state) == "DISCHARGING" and solar.lease.expires_at is not None
                and boiler.lease.expires_at is not None)

    def safe(self) -> bool:
        solar, battery, boiler = (self.assets[k].asset for k in ("solar", "battery", "boiler"))
        return (str(battery.state) == "IDLE" and solar.limit_w == solar.config.export_safe_limit_w
                and solar.lease.expires_at is None and boiler.lease.expires_at is None
                and boiler.setpoint_c == boiler.config.setpoint_c)

    async def wait_for(self, condition: Callable[[], bool], what: str, clock_s: float = 40.0) -> None:
        deadline = time.monotonic() + clock_s / SPEED + 2.0
        while not condition():
            assert time.monotonic() < deadline, f"not {what} within {clock_s:g} clock seconds"
            await asyncio.sleep(0.01)

    async def assert_no_setpoint_while_suspended(self) -> None:
        """Suspended: nothing goes out until every lease has run out and the assets are safe."""
        await self.wait_for(lambda: self.controller.suspended_reason is not None, "suspended")
        await self.controller.commands.settle(5.0)  # a call already on its way when the meter failed
        calls = self.controller.method_calls_total
        await self.wait_for(self.safe, "back in every safe state", clock_s=TTL_S * 3)
        await asyncio.sleep(3.0 / SPEED)  # and they stay safe: nobody refreshes a lease
        assert self.safe() and self.controller.method_calls_total == calls, "a setpoint went out while suspended"


@pytest.mark.parametrize("transport", [_inmemory, _mqtt], ids=["inmemory", "mqtt"])
async def test_a_failed_meter_stops_control_every_asset_falls_back_and_control_resumes(transport) -> None:
    async with AsyncExitStack() as stack:
        site = Site(await transport(stack))
        await site.start()
        stack.push_async_callback(site.close)
        await site.wait_for(site.controlled, "controlled (battery discharging, solar and boiler leased)")

        site.meter_hardware.fault = "communication lost"  # the meter answers no more: FAULT
        await site.assert_no_setpoint_while_suspended()
        assert "FAULT: communication lost" in site.controller.suspended_reason
        site.meter_hardware.fault = None
        await site.wait_for(site.controlled, "controlled again after the meter recovered")

        await site.kill_meter()  # the meter module is gone: stale after 3 cycles
        await site.assert_no_setpoint_while_suspended()
        assert "stale" in site.controller.suspended_reason
        await site.restart_meter()
        await site.wait_for(site.controlled, "controlled again after the meter came back")
        assert site.controller.meter_outages_total == 2 and site.controller.suspended_reason is None
