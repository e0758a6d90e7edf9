"""A real controller and real asset modules on the in-memory hub and on a real Mosquitto.

Every regression test of issue 11 runs through the transports, not only
against the services: a forged body, an unbounded lease or a poisoned twin
document must be refused wherever it arrives.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator

import pytest

from energy_edge.adapters.clocks import RealClock
from energy_edge.adapters.hardware.simulated import SimulatedBattery, SimulatedPV
from energy_edge.domain.assets import Battery, Solar
from energy_edge.domain.balancing import Policy
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.services.controller_service import ControllerService
from energy_edge.domain.site import home_site

from ..contract.conftest import HARNESSES, TransportHarness
from ..helpers import register_and_connect


class FixedMeter:
    """A grid meter reading a constant import, so the controller always has something to do."""

    def __init__(self, grid_power_w: float) -> None:
        self.grid_power_w = grid_power_w

    async def read_grid_power_w(self) -> float:
        return self.grid_power_w


class TrustSite:
    """Controller, battery and solar modules, an operator and a raw "boiler" client, on one transport."""

    def __init__(self, harness: TransportHarness) -> None:
        self.harness = harness
        self.clock = RealClock()
        self.controller = ControllerService(harness.client("controller"), FixedMeter(2_000.0), self.clock,
                                            Policy(plan_interval_s=0.0), method_timeout_s=5.0)
        self.battery = Battery()
        self.battery_service = AssetModuleService(harness.client("battery"),
                                                  SimulatedBattery(self.clock, initial_soc=0.5), self.battery,
                                                  self.clock, 1.0)
        self.solar = Solar()
        self.solar_service = AssetModuleService(harness.client("solar"), SimulatedPV(self.clock, seed=1),
                                                self.solar, self.clock, 1.0)
        self.operator = harness.client("operator")
        self.boiler = harness.client("boiler")  # a module whose credentials someone abuses

    async def start(self) -> "TrustSite":
        await self.controller.start()
        await self.battery_service.start()
        await self.solar_service.start()
        await register_and_connect(self.operator)
        await register_and_connect(self.boiler)
        return self

    async def call(self, module: str, method: str, payload: Any) -> Any:
        return await self.operator.invoke_method(module, method, payload, timeout_s=5.0)

    async def reported(self, module: str) -> dict[str, Any]:
        return await self.harness.reported(module)

    async def reported_when(self, module: str, condition) -> dict[str, Any]:
        """The reported document once `condition(reported)` holds (MQTT reports arrive asynchronously)."""
        deadline = time.monotonic() + 5.0
        while True:
            reported = await self.reported(module)
            if condition(reported):
                return reported
            if time.monotonic() > deadline:
                raise AssertionError(f"reported document of {module} never matched: {reported}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        for closing in (self.controller.stop(), self.battery_service.stop(), self.solar_service.stop(),
                        self.operator.close(), self.boiler.close()):
            try:
                await closing
            except Exception:  # a test that failed half-way: close what there is
                pass


@pytest.fixture(params=["inmemory", "mqtt", "edgehub"])
async def site(request) -> AsyncIterator[TrustSite]:
    harness = await HARNESSES[request.param](home_site())
    made = TrustSite(harness)
    try:
        yield await made.start()
    finally:
        await made.close()
        await harness.aclose()
