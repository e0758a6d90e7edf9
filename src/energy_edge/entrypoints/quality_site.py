"""The embedded site as the quality runs need it: real services, in-memory transport,
simulated hardware, stepped one simulated second at a time; plus the progress bar.

`site_factory` is the `quality.runner.SiteFactory` the `simulate` and `quality`
commands (and benchmarks/bench_quality.py) pass to the quality layer. Each step
advances the manual clock by one second, runs every asset module's cycle
(read, state machine, setpoint, telemetry), then the controller's cycle, in a
fixed order, so a run is deterministic.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any, AsyncIterator, Callable, Iterator

from ..adapters.transports.inmemory import InMemoryHub
from ..domain.assets.battery import Battery
from ..domain.assets.boiler import Boiler
from ..domain.assets.solar import Solar
from ..domain.routing import RouteTable
from ..domain.services.asset_service import AssetModuleService
from ..domain.services.controller_service import ControllerService
from ..domain.topology import ALL_MODULES, BATTERY, BOILER, CONTROLLER, DEFAULT_ROUTES, INPUTS, SOLAR

STEP_S = 1.0
OPERATOR = "operator"  # who switches the inverter and the boiler on at the start, as on a real site
SECONDS_PER_DAY = 86_400


class SteppedEmbeddedSite:
    """Implements quality.runner.SteppedSite."""

    def __init__(self, spec: Any) -> None:
        self.clock = spec.clock
        self.hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
        hw, configs = spec.hardware, spec.configs
        self.assets = {
            SOLAR: AssetModuleService(self.hub.client(SOLAR), hw.pv, Solar(configs.solar), self.clock, STEP_S),
            BATTERY: AssetModuleService(self.hub.client(BATTERY), hw.battery, Battery(configs.battery), self.clock,
                                        STEP_S),
            BOILER: AssetModuleService(self.hub.client(BOILER), hw.boiler, Boiler(configs.boiler), self.clock,
                                       STEP_S),
        }
        self.controller = None if spec.policy is None else ControllerService(
            self.hub.client(CONTROLLER), hw.grid_meter, self.clock, spec.policy)
        running = {*self.assets, *([CONTROLLER] if self.controller else [])}
        # the modules not run here (telemetry; the controller in the baseline) take their messages and drop them
        self.sinks = [self.hub.client(module) for module in ALL_MODULES if module not in running]
        self.operator = self.hub.client(OPERATOR)

    async def start(self) -> None:
        for service in self.assets.values():
            await service.start()
        if self.controller is not None:
            await self.controller.start()

        async def ignore(_message: Any) -> None:
            return None

        for sink in self.sinks:
            for input_name in INPUTS[sink.module_id]:
                sink.on_input(input_name, ignore)
        for client in (*self.sinks, self.operator):
            await client.connect()
        for module in (SOLAR, BOILER):
            response = await self.operator.invoke_method(module, "start", {}, timeout_s=5.0)
            if not response.ok:
                raise RuntimeError(f"{module}.start answered {response.status}: {response.payload}")

    async def close(self) -> None:
        for service in self.assets.values():
            await service.stop()
        if self.controller is not None:
            await self.controller.stop()

    async def step(self) -> None:
        self.clock.advance(STEP_S)
        for service in self.assets.values():
            await service.run_cycle()
        if self.controller is not None:
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
def progress_bar(label: str, days: int) -> Iterator[Callable[[int], Any]]:
    """A tqdm bar on stderr in simulated hours; silent when stderr is not a terminal."""
    from tqdm import tqdm

    with tqdm(total=days * 24, desc=label, unit="h", file=sys.stderr, disable=not sys.stderr.isatty(),
              leave=False) as bar:
        yield lambda seconds: bar.update(seconds / 3600)


def policy_progress(days: int) -> Callable[[str, str], Callable[[int], Any] | None]:
    """One bar per scenario and policy, for `energy-edge quality`."""
    stack = contextlib.ExitStack()

    def for_run(scenario: str, policy: str) -> Callable[[int], Any]:
        stack.close()
        return stack.enter_context(progress_bar(f"{scenario}/{policy}", days))

    return for_run
