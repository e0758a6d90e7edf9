"""A whole simulated site: any number of PV arrays, batteries and boilers, the base load, and the
grid meter they make together.

The grid power follows from the site's balance: what the house consumes
minus everything the assets put into the bus (site sign convention, so
grid > 0 is import). Each simulator is keyed by its asset id (its module
name); `pv`, `battery` and `boiler` are the first of each kind, for the
one-of-each home site and the quality scenarios.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ....domain.ports import Clock
from .battery import SimulatedBattery
from .boiler import HotWaterDraw, SimulatedBoiler
from .load import LoadProfile
from .pv import SimulatedPV


class SimulatedSite:
    """Owns the site's simulators (pass your own to configure them) and is the site's `GridMeter`."""

    def __init__(self, clock: Clock, *, seed: int = 0, latitude_deg: float = 52.37, longitude_deg: float = 4.90,
                 utc_offset_s: float = 0.0, pv: SimulatedPV | None = None, battery: SimulatedBattery | None = None,
                 boiler: SimulatedBoiler | None = None, load: LoadProfile | None = None,
                 assets: Mapping[str, Any] | None = None) -> None:
        """`assets`: simulators by asset id. Without it, one of each (`pv`, `battery`, `boiler` or defaults built
        at this place, time zone and seed) named solar, battery, boiler."""
        self.clock = clock
        if assets is None:
            assets = {
                "solar": pv or SimulatedPV(clock, seed=seed, latitude_deg=latitude_deg, longitude_deg=longitude_deg),
                "battery": battery or SimulatedBattery(clock),
                "boiler": boiler or SimulatedBoiler(clock, draw=HotWaterDraw(utc_offset_s=utc_offset_s)),
            }
        self.assets: dict[str, Any] = dict(assets)
        self.load = load or LoadProfile(seed=seed + 1, origin=clock.now(), utc_offset_s=utc_offset_s)

    def hardware(self, asset_id: str) -> Any:
        """The simulator that plays one asset."""
        try:
            return self.assets[asset_id]
        except KeyError:
            raise KeyError(f"the simulated site has no asset {asset_id!r}; it has {', '.join(self.assets)}") from None

    def _first(self, kind: type) -> Any:
        return next((simulator for simulator in self.assets.values() if isinstance(simulator, kind)), None)

    @property
    def pv(self) -> SimulatedPV:
        return self._first(SimulatedPV)

    @property
    def battery(self) -> SimulatedBattery:
        return self._first(SimulatedBattery)

    @property
    def boiler(self) -> SimulatedBoiler:
        return self._first(SimulatedBoiler)

    @property
    def grid_meter(self) -> "SimulatedSite":
        return self

    def asset_powers_w(self) -> list[float]:
        return [simulator.power_w() for simulator in self.assets.values()]

    async def read_grid_power_w(self) -> float:
        return self.load.power_w(self.clock.now()) - sum(self.asset_powers_w())


class TelemetryBalanceMeter:
    """A `GridMeter` for a controller in another process: base load minus the assets' reported powers."""

    def __init__(self, load_profile: LoadProfile, clock: Clock, powers: Callable[[], Iterable[float]]) -> None:
        self.load_profile = load_profile
        self.clock = clock
        self.powers = powers

    async def read_grid_power_w(self) -> float:
        return self.load_profile.power_w(self.clock.now()) - sum(self.powers())
