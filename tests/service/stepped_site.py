"""The embedded site's real object graph, stepped by hand on a manual clock.

The same `EmbeddedSiteContainer` as `energy-edge up`, with the clock
overridden (dependency-injector's `override`), so a test drives whole
simulated hours deterministically: every step advances the clock, runs each
asset module's cycle, then the controller's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from dependency_injector import providers

from energy_edge.adapters.clocks import ManualClock
from energy_edge.entrypoints.containers import EmbeddedSiteContainer, embedded_site_container
from energy_edge.entrypoints.lifecycle import autostart
from energy_edge.entrypoints.settings import SiteSettings


@dataclass
class Sample:
    t: float
    grid_power_w: float
    load_w: float
    pv_available_w: float
    pv_power_w: float
    solar_limit_w: float
    battery_power_w: float
    soc: float
    battery_state: str
    boiler_power_w: float
    boiler_temperature_c: float
    boiler_setpoint_c: float
    solar_state: str


@dataclass
class SteppedSite:
    container: EmbeddedSiteContainer
    clock: ManualClock
    samples: list[Sample] = field(default_factory=list)
    controller_alive: bool = True

    @classmethod
    async def start(cls, start: str, controller_policy: dict[str, Any] | None = None, **settings: Any) -> "SteppedSite":
        start_epoch = datetime.fromisoformat(start).replace(tzinfo=timezone.utc).timestamp()
        clock = ManualClock(start_epoch)
        container = embedded_site_container(SiteSettings(metrics_port=0, **settings))
        container.clock.override(providers.Object(clock))
        site = cls(container, clock)
        if controller_policy:
            await container.hub().set_desired("controller", controller_policy)
        await container.telemetry().start()
        for service in site.assets:
            await service.start()
            await autostart(service)
        await container.controller().start()
        return site

    @property
    def assets(self) -> list[Any]:
        return [self.container.solar(), self.container.battery(), self.container.boiler()]

    async def step(self, seconds: float = 1.0) -> Sample:
        self.clock.advance(seconds)
        for service in self.assets:
            await service.run_cycle()
        if self.controller_alive:
            await self.container.controller().run_cycle()
        sample = await self._sample()
        self.samples.append(sample)
        return sample

    async def run(self, duration_s: float, step_s: float = 1.0) -> None:
        for _ in range(int(duration_s / step_s)):
            await self.step(step_s)

    async def _sample(self) -> Sample:
        site = self.container.site()
        solar, battery, boiler = (service.asset for service in self.assets)
        now = self.clock.now()
        return Sample(
            t=now, grid_power_w=await site.read_grid_power_w(), load_w=site.load.power_w(now),
            pv_available_w=site.pv.available_power_w(), pv_power_w=site.pv.power_w(),
            solar_limit_w=solar.telemetry_values()["limit_w"], battery_power_w=site.battery.power_w(),
            soc=battery.telemetry_values()["soc"], battery_state=str(battery.state),
            boiler_power_w=site.boiler.power_w(), boiler_temperature_c=boiler.telemetry_values()["temperature_c"],
            boiler_setpoint_c=boiler.telemetry_values()["setpoint_c"], solar_state=str(solar.state),
        )
