"""Asset module cost: one full cycle (read simulator, observe, apply, publish) and one direct method.

A site runs three asset modules at 1 Hz on a small edge box, so a cycle must
stay far below its period; simulated-day speed tells how fast quality runs go.
"""

from __future__ import annotations

import asyncio
import time

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import SimulatedSite
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.topology import DEFAULT_ROUTES

from .result import Result

START = 1_782_000_000.0  # a June day
CYCLES = 3000


async def _measure() -> tuple[float, float, float]:
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = ManualClock(START)
    site = SimulatedSite(clock, seed=1)
    services = [AssetModuleService(hub.client(name), hw, asset, clock, 1.0)
                for name, hw, asset in (("solar", site.pv, Solar()), ("battery", site.battery, Battery()),
                                        ("boiler", site.boiler, Boiler()))]
    for service in services:
        await service.start()
    controller = hub.client("controller")
    await controller.connect()
    start = time.perf_counter()
    for _ in range(CYCLES):
        clock.advance(1.0)
        for service in services:
            await service.run_cycle()
    cycle_s = (time.perf_counter() - start) / (CYCLES * len(services))
    start = time.perf_counter()
    for i in range(CYCLES):
        await controller.invoke_method("battery", "start_charging" if i % 2 else "stop",
                                       {"power_w": 1000} if i % 2 else {}, 1.0)
    method_s = (time.perf_counter() - start) / CYCLES
    return cycle_s, method_s, CYCLES * 1.0 / (cycle_s * CYCLES * len(services))


def run() -> list[Result]:
    cycle_s, method_s, speedup = asyncio.run(_measure())
    return [
        Result("assets: one module cycle (sim read .. publish)", cycle_s * 1e6, "us", "<= 1000 us", cycle_s <= 1e-3),
        Result("assets: direct method round trip (in-memory)", method_s * 1e6, "us", "<= 1000 us", method_s <= 1e-3),
        Result("assets: simulated site speed (3 modules, 1 s cycle)", speedup, "x real time", ">= 100", speedup >= 100),
    ]
