"""The embedded site as the quality runs need it, stepped one simulated second at a time;
plus the progress bar.

`site_factory` is the `runner.SiteFactory` that the `simulate` and
`quality` commands (and benchmarks/bench_quality.py) pass to the quality layer.
It is the `energy-edge up` object graph (`SiteContainer` on the in-memory hub) for the
scenario's site (`domain.site.Site`: its solar, and its battery and boiler where it has
them), with the clock and the simulated site overridden by the scenario's, and everything
else configured the way an operator would: through each module's twin; the controller gets
the day's tariff through its `PriceSource` port. Each step advances the
manual clock by one second, runs every asset module's cycle, then the
controller's, in a fixed order (`ManualClockSite.step`), so a run is deterministic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from typing import Any, AsyncIterator, Callable, Iterator

from dependency_injector import providers

from energy_edge.domain.planning.solar_geometry import FLAT_ARRAY
from energy_edge.domain.site import (BATTERY, BOILER, CONTROLLER, SOLAR, AssetSpec, GridConnection, SimulatedHardware,
                                     Site)
from energy_edge.entrypoints.containers import embedded_site_container
from energy_edge.entrypoints.lifecycle import start_site
from energy_edge.entrypoints.manual_site import ManualClockSite
from energy_edge.entrypoints.settings import SiteSettings

STEP_S = 1.0


SETTINGS = SiteSettings(metrics_port=0, autostart=True, cycle_s=STEP_S)


def domain_site(spec: Any) -> Site:
    """The scenario's site as the edge describes sites: one asset module per asset it has, by its id."""
    assets = []
    for asset_id, (kind, c) in spec.configs.by_id.items():
        if kind == SOLAR:  # its plane as a site file states a simulated array's (the forecast's, with several)
            tilt_deg, azimuth_deg = spec.configs.planes.get(asset_id, FLAT_ARRAY)
            assets.append(AssetSpec(asset_id, SOLAR, rated_power_w=c.rated_power_w,
                                    hardware=SimulatedHardware(tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)))
        elif kind == BATTERY:
            assets.append(AssetSpec(asset_id, BATTERY, capacity_wh=c.capacity_wh, max_charge_w=c.max_charge_w,
                                    max_discharge_w=c.max_discharge_w, soc_min=c.soc_min, soc_max=c.soc_max))
        elif kind == BOILER:
            assets.append(AssetSpec(asset_id, BOILER, heater_power_w=c.heater_power_w,
                                    min_temperature_c=c.min_temperature_c, max_temperature_c=c.max_temperature_c))
    policy = spec.policy
    # The uncontrolled baseline's inverters never curtail: its site states no export limit below their ratings
    # (each one's share is its rating), the envelope within which its twin sets export_safe_limit_w to them.
    rated_w = sum(a.rated_power_w or 0.0 for a in assets if a.kind == SOLAR)
    grid = GridConnection(export_limit_w=max(GridConnection().export_limit_w, rated_w)) if policy is None else \
        GridConnection(import_limit_w=policy.import_limit_w, export_limit_w=policy.export_limit_w)
    return Site(name="lab", latitude_deg=0.0, longitude_deg=0.0, timezone="UTC", grid=grid, assets=tuple(assets))


def _desired(config: Any, writable: Any) -> dict[str, Any]:
    """The twin-writable part of an asset config, as desired properties."""
    return {name: value for name, value in dataclasses.asdict(config).items() if name in writable}


class SteppedEmbeddedSite:
    """Implements quality.runner.SteppedSite: a `ManualClockSite` on the scenario's clock and hardware."""

    def __init__(self, spec: Any) -> None:
        container = embedded_site_container(SETTINGS, domain_site(spec))
        container.clock.override(providers.Object(spec.clock))
        container.simulation.override(providers.Object(spec.hardware))
        if spec.prices is not None:  # the day's tariff through the controller's PriceSource port
            container.controller.add_kwargs(price_source=spec.prices)
        if spec.forecaster is not None:  # the lab's analysis: a forecaster that knows the day
            container.controller.add_kwargs(forecaster=spec.forecaster)
        if spec.pv_forecast is not None:  # the lab's analysis: a weather service's day-ahead PV
            container.controller.add_kwargs(pv_forecast_source=spec.pv_forecast)
        self.site = ManualClockSite(container, spec.clock)
        self.site.controller_alive = spec.policy is not None  # the baseline's controller never cycles
        self.policy = spec.policy
        self.configs = spec.configs

    async def start(self) -> None:
        container = self.site.container
        hub = container.hub()
        for service in self.site.assets:
            asset = service.asset
            _, config = self.configs.by_id[service.client.module_id]
            await hub.set_desired(service.client.module_id, _desired(config, asset.WRITABLE))
        if self.policy is not None:
            await hub.set_desired(CONTROLLER, self.policy.as_dict())
        await start_site(container)  # the controller too in the baseline, so the hub has a reader

    async def close(self) -> None:
        c = self.site.container
        for service in (*self.site.assets, c.controller(), c.telemetry()):
            await service.stop()

    async def step(self) -> None:
        await self.site.step(STEP_S)

    def asset_states(self) -> dict[str, str]:
        return {service.client.module_id: str(service.asset.state) for service in self.site.assets}


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
