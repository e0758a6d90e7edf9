"""The embedded site as the quality runs need it, stepped one simulated second at a time;
plus the progress bar.

`site_factory` is the `quality.runner.SiteFactory` that the `simulate` and
`quality` commands (and benchmarks/bench_quality.py) pass to the quality layer.
It is the `energy-edge up` object graph (`EmbeddedSiteContainer`: five modules on
the in-memory hub) with the clock and the simulated site overridden by the
scenario's, the physical sizes in its settings and everything else configured
the way an operator would: through each module's twin. Each step advances the
manual clock by one second, runs every asset module's cycle, then the
controller's, in a fixed order, so a run is deterministic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from typing import Any, AsyncIterator, Callable, Iterator

from dependency_injector import providers

from ..domain.assets.battery import Battery
from ..domain.assets.boiler import Boiler
from ..domain.assets.solar import Solar
from ..domain.topology import BATTERY, BOILER, CONTROLLER, SOLAR
from .containers import embedded_site_container
from .lifecycle import autostart
from .settings import SiteSettings

STEP_S = 1.0
_WRITABLE = {SOLAR: Solar.WRITABLE, BATTERY: Battery.WRITABLE, BOILER: Boiler.WRITABLE}


def _settings(spec: Any) -> SiteSettings:
    """Physical sizes (not twin-writable) for the container's factories."""
    c = spec.configs
    return SiteSettings(metrics_port=0, autostart=True, cycle_s=STEP_S,
                        solar_rated_power_w=c.solar.rated_power_w, battery_capacity_wh=c.battery.capacity_wh,
                        battery_max_power_w=max(c.battery.max_charge_w, c.battery.max_discharge_w),
                        boiler_heater_power_w=c.boiler.heater_power_w)


def _desired(config: Any, kind: str) -> dict[str, Any]:
    """The twin-writable part of an asset config, as desired properties."""
    return {name: value for name, value in dataclasses.asdict(config).items() if name in _WRITABLE[kind]}


class SteppedEmbeddedSite:
    """Implements quality.runner.SteppedSite over the embedded container."""

    def __init__(self, spec: Any) -> None:
        self.clock = spec.clock
        self.policy = spec.policy
        self.container = embedded_site_container(_settings(spec))
        self.container.clock.override(providers.Object(spec.clock))
        self.container.site.override(providers.Object(spec.hardware))
        self.configs = spec.configs
        c = self.container
        self.assets = {SOLAR: c.solar(), BATTERY: c.battery(), BOILER: c.boiler()}
        self.controller = c.controller()
        self.telemetry = c.telemetry()

    async def start(self) -> None:
        hub = self.container.hub()
        for kind in self.assets:
            await hub.set_desired(kind, _desired(getattr(self.configs, kind), kind))
        if self.policy is not None:
            await hub.set_desired(CONTROLLER, self.policy.as_dict())
        await self.telemetry.start()
        for service in self.assets.values():
            await service.start()
            await autostart(service)
        await self.controller.start()  # the baseline starts it too (so telemetry has a reader) but never cycles it

    async def close(self) -> None:
        for service in (*self.assets.values(), self.controller, self.telemetry):
            await service.stop()

    async def step(self) -> None:
        self.clock.advance(STEP_S)
        for service in self.assets.values():
            await service.run_cycle()
        if self.policy is not None:
            await self.controller.run_cycle()

    def asset_states(self) -> dict[str, str]:
        return {kind: str(service.asset.state) for kind, service in self.assets.items()}


@contextlib.asynccontextmanager
async def site_factory(spec: Any) -> AsyncIterator[SteppedEmbeddedSite]:
    site = SteppedEmbeddedSite(spec)
    await site.start()
    try:
        yield site
    finally:
        await site.close()


@contextlib.contextmanager
def progress_bar(label: str, days: float) -> Iterator[Callable[[int], Any]]:
    """A tqdm bar on stderr in simulated hours; silent when stderr is not a terminal."""
    from tqdm import tqdm

    with tqdm(total=days * 24, desc=label, unit="h", file=sys.stderr, disable=not sys.stderr.isatty(),
              leave=False) as bar:
        yield lambda seconds: bar.update(seconds / 3600)


@contextlib.contextmanager
def policy_progress(days: float) -> Iterator[Callable[[str, str], Callable[[int], Any]]]:
    """One bar per scenario and policy, for `energy-edge quality`; each closes when the next opens."""
    with contextlib.ExitStack() as stack:

        def for_run(scenario: str, policy: str) -> Callable[[int], Any]:
            stack.close()
            return stack.enter_context(progress_bar(f"{scenario}/{policy}", days))

        yield for_run
