"""A whole simulated site: PV, battery, boiler, base load, and the grid meter they make together.

The grid power follows from the site's balance: what the house consumes
minus everything the assets put into the bus (site sign convention, so
grid > 0 is import).
"""

from __future__ import annotations

from typing import Callable, Iterable

from ....domain.ports import Clock
from .battery import SimulatedBattery
from .boiler import HotWaterDraw, SimulatedBoiler
from .load import LoadProfile
from .pv import SimulatedPV


class SimulatedSite:
    """Owns one simulator of each kind (pass your own to configure them) and is the site's `GridMeter`."""

    def __init__(self, clock: Clock, *, seed: int = 0, latitude_deg: float = 52.37, longitude_deg: float = 4.90,
                 utc_offset_s: float = 0.0, pv: SimulatedPV | None = None, battery: SimulatedBattery | None = None,
                 boiler: SimulatedBoiler | None = None, load: LoadProfile | None = None) -> None:
        """Simulators not passed in are built with defaults at this place, time zone and seed."""
        self.clock = clock
        self.pv = pv or SimulatedPV(clock, seed=seed, latitude_deg=latitude_deg, longitude_deg=longitude_deg)
        self.battery = battery or SimulatedBattery(clock)
        self.boiler = boiler or SimulatedBoiler(clock, draw=HotWaterDraw(utc_offset_s=utc_offset_s))
        self.load = load or LoadProfile(seed=seed + 1, origin=clock.now(), utc_offset_s=utc_offset_s)

    @property
    def grid_meter(self) -> "SimulatedSite":
        return self

    def asset_powers_w(self) -> list[float]:
        return [self.pv.power_w(), self.battery.power_w(), self.boiler.power_w()]

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
