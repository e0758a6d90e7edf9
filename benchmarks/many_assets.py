"""A simulated site of N assets for the scale benchmarks: one simulator, asset module and client each.

Shared by `bench_command_path` (edgeHub stand-in) and `bench_site_scale` (in-memory and MQTT):
N assets in the proportions 2 inverters : 2 batteries : 1 boiler, a grid meter module that
reads the site's balance (base load minus every asset's power), and the controller that
balances on that meter's telemetry. A summer noon with an export limit, so every lever
moves: batteries charge, boilers heat, inverters share curtailment.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass
from typing import Any, Callable

from energy_edge.adapters.clocks import AcceleratedClock
from energy_edge.adapters.hardware.simulated import LoadProfile, SimulatedBattery, SimulatedBoiler, SimulatedPV
from energy_edge.adapters.hardware.simulated.meter import SimulatedMeter
from energy_edge.domain.assets import Battery, BatteryConfig, Boiler, BoilerConfig, Solar, SolarConfig
from energy_edge.domain.assets.meter import Meter, MeterConfig
from energy_edge.domain.balancing import Policy
from energy_edge.domain.messages import MethodRequest
from energy_edge.domain.services.asset_service import AssetModuleService

NOON_EPOCH = 1_782_039_600.0  # 2026-06-21T11:00Z: the sun high over 52 deg N
METER = "grid-meter"
SOLAR_W, BATTERY_W, BATTERY_WH, BOILER_W = 5_000.0, 5_000.0, 10_000.0, 3_000.0
LOAD_PER_ASSET_W = 600.0


def shape(count: int) -> dict[str, str]:
    """Module id -> kind for `count` steered assets (2 solar : 2 battery : 1 boiler), plus the grid meter."""
    kinds = ("solar", "battery", "solar", "battery", "boiler")
    modules = {f"{kinds[i % 5]}-{i}": kinds[i % 5] for i in range(count)}
    return {**modules, METER: "meter"}


def routes(kinds: dict[str, str]) -> dict[str, str]:
    """Every asset's telemetry to the controller, the controller's report upstream (no telemetry module:
    the controller's figures are measured, not the exporter's)."""
    table = {}
    for module in kinds:
        table[f"{module}ToController"] = (f"FROM /messages/modules/{module}/outputs/telemetry INTO "
                                          f'BrokeredEndpoint("/modules/controller/inputs/telemetry")')
    table["controllerToUpstream"] = "FROM /messages/modules/controller/outputs/cloud INTO $upstream"
    return table


def policy(count: int) -> Policy:
    return Policy(export_limit_w=count * 1_000.0, import_limit_w=count * 10_000.0, setpoint_ttl_s=30.0,
                  reporting_interval_s=10.0)


class SiteBalance:
    """The grid meter's physics: base load minus what every simulated asset puts into the bus.

    With the site split over load-generator processes (`shards`), each process writes its own
    assets' power into its slot of a shared array and the meter adds the slots up.
    """

    def __init__(self, load: LoadProfile, clock: Any, slots: Any = None, shard: int = 0) -> None:
        self.load, self.clock, self.devices, self.slots, self.shard = load, clock, [], slots, shard

    def local_power_w(self) -> float:
        return sum(device.power_w() for device in self.devices)

    async def read_grid_power_w(self) -> float:
        if self.slots is None:
            return self.load.power_w(self.clock.now()) - self.local_power_w()
        self.slots[self.shard] = self.local_power_w()
        return self.load.power_w(self.clock.now()) - sum(self.slots)

    async def publish_forever(self, interval_s: float = 0.1) -> None:
        """A shard without the meter: keep its slot current."""
        while True:
            self.slots[self.shard] = self.local_power_w()
            await asyncio.sleep(interval_s)


@dataclass
class AssetSide:
    """The asset modules of a site (and its meter), started and cycling on one clock."""

    clock: Any
    services: list[AssetModuleService]
    tasks: list[asyncio.Task]
    balance: SiteBalance

    @classmethod
    def build(cls, kinds: dict[str, str], client: Callable[[str], Any], clock: Any | None = None, *,
              shard: int = 0, shards: int = 1, slots: Any = None) -> "AssetSide":
        """This process's share of the site: assets `index % shards == shard`; shard 0 also runs the meter."""
        clock = clock or AcceleratedClock(1.0, NOON_EPOCH)
        steered = sum(1 for kind in kinds.values() if kind != "meter")
        balance = SiteBalance(LoadProfile(seed=7, origin=clock.now(), base_w=LOAD_PER_ASSET_W * steered), clock,
                              slots, shard)
        services = []
        for index, (module, kind) in enumerate(kinds.items()):
            if index % shards != shard:
                continue
            if kind == "solar":
                hardware, asset = SimulatedPV(clock, rated_power_w=SOLAR_W, seed=index), Solar(SolarConfig(
                    rated_power_w=SOLAR_W, export_safe_limit_w=SOLAR_W / 2))
            elif kind == "battery":
                hardware = SimulatedBattery(clock, capacity_wh=BATTERY_WH, max_charge_w=BATTERY_W,
                                            max_discharge_w=BATTERY_W, initial_soc=0.2 + 0.6 * (index % 7) / 6)
                asset = Battery(BatteryConfig(capacity_wh=BATTERY_WH, max_charge_w=BATTERY_W,
                                              max_discharge_w=BATTERY_W))
            elif kind == "boiler":
                hardware, asset = SimulatedBoiler(clock, heater_power_w=BOILER_W), Boiler(BoilerConfig(
                    heater_power_w=BOILER_W))
            else:
                continue
            balance.devices.append(hardware)
            services.append(AssetModuleService(client(module), hardware, asset, clock, 1.0))
        if shard == 0:
            meter = next(module for module, kind in kinds.items() if kind == "meter")
            fuse = MeterConfig(main_fuse_a=max(50.0, 2.0 * steered))  # a connection sized for the site
            services.append(AssetModuleService(client(meter), SimulatedMeter(balance, clock), Meter(fuse), clock, 1.0))
        return cls(clock, services, [], balance)

    async def start(self, connect_concurrency: int = 50) -> None:
        """Connect every module (then `run()` starts their cycles)."""
        limit = asyncio.Semaphore(connect_concurrency)

        async def start_one(service: AssetModuleService) -> None:
            async with limit:
                await service.start()
                if service.asset.kind in ("solar", "boiler"):
                    await service.on_method(MethodRequest("start", {}))

        await asyncio.gather(*(start_one(service) for service in self.services))

    def run(self) -> None:
        """Start every module's cycle."""
        for index, service in enumerate(self.services):  # cycles spread over the second, as real modules' are
            self.tasks.append(asyncio.create_task(_run_after(service, index / len(self.services))))
        if self.balance.slots is not None and self.balance.shard != 0:
            self.tasks.append(asyncio.create_task(self.balance.publish_forever()))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(service.client.close() for service in self.services), return_exceptions=True)


async def _run_after(service: AssetModuleService, delay_s: float) -> None:
    await asyncio.sleep(delay_s)
    await service.run()


async def run_controller(controller: Any, duration_s: float, warmup_s: float) -> list[float]:
    """Cycle the controller every second from cycle start; the durations (s) after the warm-up."""
    loop = asyncio.get_running_loop()
    durations: list[float] = []
    begin = loop.time()
    next_start = begin
    while loop.time() - begin < warmup_s + duration_s:
        started = loop.time()
        await controller.run_cycle()
        if started - begin >= warmup_s:
            durations.append(loop.time() - started)
        next_start = max(next_start + 1.0, loop.time())
        await asyncio.sleep(next_start - loop.time())
    return durations


def p99_ms(durations: list[float]) -> float:
    if len(durations) < 2:
        return durations[0] * 1000 if durations else float("nan")
    return statistics.quantiles(durations, n=100, method="inclusive")[98] * 1000
