"""The real services of a whole site over one transport, stepped by hand on a manual clock.

The fuzz tests feed hostile inputs to these services through their transport
(in-memory hub, or MQTT on a real Mosquitto) and then check that the site still
cycles, answers and stays within its physical limits.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from energy_edge.adapters.clocks import ManualClock
from energy_edge.domain.ports import ModuleClient
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.services.controller_service import ControllerService
from energy_edge.domain.services.telemetry_service import TelemetryService
from energy_edge.entrypoints.factories import build_asset, build_simulated_site, initial_policy, resolve_site
from energy_edge.entrypoints.lifecycle import autostart
from energy_edge.entrypoints.settings import SiteSettings

START = 1_782_043_200.0  # 2026-06-21 12:00 UTC: the sun is up
ASSETS = ("solar", "battery", "boiler")


class FuzzSite:
    """Three asset modules, the controller and the telemetry module, each on its own client."""

    def __init__(self, client: Callable[[str], ModuleClient], settings: SiteSettings | None = None) -> None:
        site = resolve_site(settings or SiteSettings())
        self.clock = ManualClock(START)
        self.physics = build_simulated_site(self.clock, site)
        self.assets = {spec.id: AssetModuleService(client(spec.id), self.physics.hardware(spec.id), build_asset(spec),
                                                   self.clock, 1.0) for spec in site.assets if spec.id in ASSETS}
        self.controller = ControllerService(client("controller"), self.physics, self.clock, initial_policy(site))
        self.telemetry = TelemetryService(client("telemetry"), self.clock, staleness_s=10.0)
        self.delivered: Counter[str] = Counter()  # telemetry bodies that reached each consumer's handler
        self._count_deliveries()
        self.invoked: list[str] = []  # every module the controller called, to catch calls to modules that do not exist
        invoke = self.controller.client.invoke_method

        async def recording_invoke(module_id: str, *args: Any, **kwargs: Any):
            self.invoked.append(module_id)
            return await invoke(module_id, *args, **kwargs)

        self.controller.client.invoke_method = recording_invoke  # type: ignore[method-assign]

    def _count_deliveries(self) -> None:
        """Wrap the two consumers' handlers before they are registered, so a test knows when a body arrived."""
        for name, owner, attribute in (("controller", self.controller, "on_telemetry"),
                                       ("telemetry", self.telemetry, "on_asset_telemetry")):
            handler = getattr(owner, attribute)

            async def counted(message, handler=handler, name=name):
                try:
                    await handler(message)
                finally:
                    self.delivered[name] += 1

            setattr(owner, attribute, counted)

    async def start(self) -> None:
        await self.telemetry.start()
        for service in self.assets.values():
            await service.start()
            await autostart(service)
        await self.controller.start()

    async def step(self, seconds: int = 1) -> None:
        """Advance the clock and run every asset's cycle, then the controller's (the order of `energy-edge up`)."""
        for _ in range(seconds):
            self.clock.advance(1.0)
            for service in self.assets.values():
                await service.run_cycle()
            await self.controller.run_cycle()
            await self.controller.commands.settle(10.0)  # deterministic: this step's calls are done

    async def stop(self) -> None:
        for service in (*self.assets.values(), self.controller, self.telemetry):
            await service.stop()


def asset_snapshot(service: AssetModuleService) -> tuple[Any, ...]:
    """What a refused input must not change: state, lease, configuration, the setpoint in force."""
    asset = service.asset
    return (str(asset.state), asset.lease.expires_at, asset.config, repr(asset.setpoint()))
