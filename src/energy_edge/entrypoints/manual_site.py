"""The embedded site's real object graph, stepped by hand on a manual clock.

The same `SiteContainer` as `energy-edge up`, with the clock
overridden (dependency-injector's `override`), so a test, a benchmark or a
simulation drives whole simulated days deterministically and as fast as the
code runs: every step advances the clock, runs each asset module's cycle,
then the controller's (unless it has been "killed" for a fault-injection run), and lets
the controller's direct methods land before the next step.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from dependency_injector import providers

from ..adapters.clocks import ManualClock
from ..domain.services.asset_service import AssetModuleService
from .containers import SiteContainer, embedded_site_container
from .lifecycle import start_site
from .settings import SiteSettings


SETTLE_TIMEOUT_S = 30.0  # wall time a step waits for its direct methods (in-process calls: milliseconds)
LOOP_TURN_EVERY_STEPS = 60  # the event loop gets a turn this often (see `step`)


class ManualClockSite:
    def __init__(self, container: SiteContainer, clock: ManualClock) -> None:
        self.container = container
        self.clock = clock
        self.controller_alive = True
        self._assets: list[AssetModuleService] | None = None
        self._controller: Any = None
        self._steps = 0

    @classmethod
    async def start(cls, start: str, controller_policy: dict[str, Any] | None = None,
                    **settings: Any) -> "ManualClockSite":
        """Build and start the site at `start` (ISO 8601, UTC); `settings` are SiteSettings fields."""
        start_epoch = datetime.fromisoformat(start).replace(tzinfo=timezone.utc).timestamp()
        clock = ManualClock(start_epoch)
        container = embedded_site_container(SiteSettings(metrics_port=0, **settings))
        container.clock.override(providers.Object(clock))
        site = cls(container, clock)
        if controller_policy:
            await container.hub().set_desired("controller", controller_policy)
        await start_site(container)
        return site

    @property
    def assets(self) -> list[AssetModuleService]:
        """The asset services (singletons: looked up in the container once, not every simulated second)."""
        if self._assets is None:
            self._assets = list(self.container.assets().values())
        return self._assets

    async def step(self, seconds: float = 1.0) -> None:
        self.clock.advance(seconds)
        for service in self.assets:
            await service.run_cycle()
        if self.controller_alive:
            if self._controller is None:
                self._controller = self.container.controller()
                # Its calls land within the cycle, in the caller's task: no task, wait and loop turns per call
                # (`CommandPath.inline`); the order is the tasks' and every call had landed before the next step.
                self._controller.commands.inline = True
            await self._controller.run_cycle()
            # Every call of this cycle lands before the next step, as calls of a few ms land within a
            # real 1 s cycle: the run does not depend on how fast this machine is right now (the
            # controller's command budget is wall time, so a loaded machine would otherwise leave
            # calls in flight into the next simulated second, and the same day would run differently).
            # Inline, they have landed already; this waits for any a caller left in flight.
            await self._controller.commands.settle(SETTLE_TIMEOUT_S)
        self._steps += 1
        if self._steps % LOOP_TURN_EVERY_STEPS == 0:
            # A step that calls nothing that waits never yields to the event loop, and the timeout of each
            # inline method call (the hub's asyncio.timeout) leaves a cancelled timer that the loop drops only
            # on its turns: one turn a simulated minute keeps them from piling up over a day (19,000 a day).
            await asyncio.sleep(0)

    async def run(self, duration_s: float, step_s: float = 1.0) -> None:
        for _ in range(int(duration_s / step_s)):
            await self.step(step_s)
