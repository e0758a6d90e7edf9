"""A scenario's simulated hardware and asset configuration, built from its data.

One place maps the scenario's fields onto the simulators (adapters/hardware/
simulated) and the asset state machines' configs, so every policy (baseline,
controller, optimum) sees exactly the same physics, weather and load.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import (
    HotWaterDraw, LoadProfile, SimulatedBattery, SimulatedBoiler, SimulatedPV, SimulatedSite,
)
from energy_edge.domain.assets.battery import BatteryConfig
from energy_edge.domain.assets.boiler import BoilerConfig
from energy_edge.domain.assets.solar import SolarConfig
from energy_edge.domain.planning.solar_geometry import STC_IRRADIANCE_W_M2
from energy_edge.domain.ports import Clock

from .exogenous import Exogenous
from .scenario import (Assets, BatteryAsset, BoilerAsset, CloudEvent, LoadSpike, MeasuredSeries, PvProfile, Scenario,
                       SolarAsset)

SECONDS_PER_HOUR = 3600.0
BOILER_CUTOFF_MARGIN_C = 5.0  # the physical cutoff sits above the configured maximum


class SpikedLoad:
    """The base load (a profile, or a measured series) plus the scenario's rectangular spikes
    (hours after `origin_s`, the local midnight, every day). Remembered for the current instant:
    the grid meter and the recorder both ask every simulated second."""

    def __init__(self, profile: LoadProfile, spikes: tuple[LoadSpike, ...], origin_s: float,
                 measured: MeasuredSeries | None = None) -> None:
        self.profile, self.spikes, self.origin_s, self.measured = profile, spikes, origin_s, measured
        self._at, self._w = float("nan"), 0.0

    def power_w(self, epoch_s: float) -> float:
        if epoch_s != self._at:
            self._at, self._w = epoch_s, self._power_w(epoch_s)
        return self._w

    def _power_w(self, epoch_s: float) -> float:
        since_midnight = epoch_s - self.origin_s
        hour = (since_midnight % 86_400) / SECONDS_PER_HOUR
        extra = sum(s.power_w for s in self.spikes if s.start_h <= hour < s.start_h + s.duration_h)
        base = self.profile.power_w(epoch_s) if self.measured is None else max(self.measured.at(since_midnight), 0.0)
        return base + extra


class CloudIndex:
    """The day's cloud events by start, so a second looks at the few that can cover it, not all of them (a
    day of fast transients has hundreds, and the sky is asked every simulated second)."""

    MARGIN_S = 1.0  # the window reaches this much further back than the longest cloud: rounding never hides one

    def __init__(self, clouds: tuple[CloudEvent, ...]) -> None:
        order = sorted(range(len(clouds)), key=lambda i: clouds[i].start_s)
        self._starts = [clouds[i].start_s for i in order]
        self._events = [(i, clouds[i].start_s, clouds[i].start_s + clouds[i].duration_s, clouds[i].depth) for i in order]
        self._reach_s = max((c.duration_s for c in clouds), default=0.0) + self.MARGIN_S

    def depths_at(self, since_s: float) -> list[float]:
        """The depths of the clouds covering `since_s` (start <= since < start + duration), in the day's
        order of the events: multiplied in that order, the clearness is the same to the last bit."""
        if not self._events:
            return []
        first = bisect.bisect_left(self._starts, since_s - self._reach_s)
        last = bisect.bisect_right(self._starts, since_s)
        covering = [(index, depth) for index, start, end, depth in self._events[first:last] if start <= since_s < end]
        if len(covering) > 1:
            covering.sort()
        return [depth for _, depth in covering]


class ProfiledPV(SimulatedPV):
    """The simulated inverter under the day's own weather: a clear-sky fraction over the day and cloud
    events (seconds after local midnight), or a measured irradiance or PV series instead of the sky."""

    def __init__(self, clock: Clock, profile: PvProfile, midnight_epoch_s: float, measured_share: float = 1.0,
                 **kwargs: float) -> None:
        """`measured_share`: this array's share of a measured PV series (the site's arrays together, shared
        by rating where it has several)."""
        super().__init__(clock, latitude_deg=profile.latitude, longitude_deg=profile.longitude, seed=profile.seed,
                         mean_clearness=profile.mean_clearness, cloud_sigma=profile.cloud_sigma,
                         cloud_phi=profile.cloud_phi, **kwargs)
        self.profile = profile
        self.measured_share = measured_share
        self.midnight_epoch_s = midnight_epoch_s
        self._clouds = CloudIndex(profile.clouds)

    def clearness(self, t: float) -> float:
        p, since = self.profile, t - self.midnight_epoch_s
        base = super().clearness(t) if p.clear_sky_fraction is None else p.clear_sky_fraction.at(since)
        for depth in self._clouds.depths_at(since):
            base *= 1.0 - depth
        return min(1.0, max(0.0, base))

    def available_power_w(self) -> float:
        p = self.profile
        if p.measured_pv_w is None and p.measured_irradiance_w_m2 is None:
            return super().available_power_w()
        since = self.clock.now() - self.midnight_epoch_s
        if p.measured_pv_w is not None:
            watts = self.measured_share * p.measured_pv_w.at(since)
        else:
            watts = self.rated_power_w * p.measured_irradiance_w_m2.at(since) / STC_IRRADIANCE_W_M2
        return min(self.rated_power_w, max(0.0, watts))


# Stand-ins for an asset the site does not have: their modules never run (stepped_site.py), so they
# stay idle and cold; the KPIs and the optimum read the scenario's own `None` and ignore them.
STAND_IN_BATTERY = BatteryAsset(capacity_wh=1.0, max_charge_w=1.0, max_discharge_w=1.0)
STAND_IN_BOILER = BoilerAsset(heater_power_w=1.0, thermal_mass_j_per_k=1e9, loss_w_per_k=0.0,
                              min_temperature_c=0.0, max_temperature_c=100.0, setpoint_c=20.0,
                              initial_temperature_c=20.0)


def standing_assets(scenario: Scenario) -> Assets:
    """The scenario's assets with a stand-in for each one the site lacks (the embedded site has every kind)."""
    a = scenario.assets
    return a.model_copy(update={"battery": a.battery or STAND_IN_BATTERY, "boiler": a.boiler or STAND_IN_BOILER})


def _simulated_stores(scenario: Scenario) -> tuple[tuple[tuple[str, BatteryAsset], ...], tuple[tuple[str, BoilerAsset], ...]]:
    """The site's batteries and boilers by id, a stand-in for a kind it lacks under an id no asset can have
    (not a module name: a solar array called "battery" keeps its simulator)."""
    a = scenario.assets
    return (a.batteries() or (("_stand-in-battery", STAND_IN_BATTERY),),
            a.boilers() or (("_stand-in-boiler", STAND_IN_BOILER),))


def build_site(scenario: Scenario, clock: Clock) -> SimulatedSite:
    """The scenario's simulators on `clock`, which must stand at the scenario's start, by asset id (a
    stand-in battery and boiler where the site has none: `_simulated_stores`)."""
    p, (batteries, boilers) = scenario.profiles, _simulated_stores(scenario)
    start = clock.now()
    simulators: dict[str, object] = {}
    arrays_w = sum(solar.rated_power_w for _, solar in scenario.assets.solars())
    for asset_id, solar in scenario.assets.solars():
        simulators[asset_id] = ProfiledPV(clock, p.pv, scenario.midnight_epoch_s, rated_power_w=solar.rated_power_w,
                                          tilt_deg=solar.tilt_deg, azimuth_deg=solar.azimuth_deg,
                                          measured_share=solar.rated_power_w / arrays_w)
    for asset_id, battery in batteries:
        simulators[asset_id] = SimulatedBattery(clock, capacity_wh=battery.capacity_wh, max_charge_w=battery.max_charge_w,
                                                max_discharge_w=battery.max_discharge_w,
                                                round_trip_efficiency=battery.round_trip_efficiency,
                                                initial_soc=battery.initial_soc)
    for asset_id, boiler in boilers:
        simulators[asset_id] = SimulatedBoiler(
            clock, heater_power_w=boiler.heater_power_w, thermal_mass_j_per_k=boiler.thermal_mass_j_per_k,
            loss_w_per_k=boiler.loss_w_per_k, ambient_c=p.ambient_temperature_c,
            initial_temperature_c=boiler.initial_temperature_c,
            cutoff_c=boiler.max_temperature_c + BOILER_CUTOFF_MARGIN_C,
            draw=HotWaterDraw(dict(boiler.draw_litres_per_hour), boiler.cold_water_c, utc_offset_s=scenario.utc_offset_s))
    base = p.base_load
    profile = LoadProfile(seed=base.seed, origin=start, base_w=base.base_w,
                          peaks=tuple((k.hour, k.height_w, k.width_h) for k in base.peaks),
                          noise_ratio=base.noise_ratio, utc_offset_s=scenario.utc_offset_s)
    load = SpikedLoad(profile, base.spikes, scenario.midnight_epoch_s, base.measured_w)
    return SimulatedSite(clock, assets=simulators, load=load)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class AssetConfigs:
    """The state machines' configs of every asset the site has, by its id with its kind, and each array's
    plane; `solar`, `battery` and `boiler` are the first of each kind (None where the site has none)."""

    by_id: dict[str, tuple[str, SolarConfig | BatteryConfig | BoilerConfig]]
    planes: dict[str, tuple[float, float]] = field(default_factory=dict)  # each array's (tilt, azimuth)

    def _first(self, kind: str) -> Any:
        return next((config for of_kind, config in self.by_id.values() if of_kind == kind), None)

    @property
    def solar(self) -> SolarConfig:
        return self._first("solar")

    @property
    def battery(self) -> BatteryConfig | None:
        return self._first("battery")

    @property
    def boiler(self) -> BoilerConfig | None:
        return self._first("boiler")


def asset_configs(scenario: Scenario, *, curtail_without_lease: bool = True) -> AssetConfigs:
    """The state machines' configs. Without a lease each inverter holds its share of the export limit (in
    proportion to its rating, as the edge's site does), unless `curtail_without_lease` is False (the
    uncontrolled baseline never curtails)."""
    a, limits = scenario.assets, scenario.limits
    total_w = sum(solar.rated_power_w for _, solar in a.solars())

    def solar_config(solar: SolarAsset) -> SolarConfig:
        share_w = limits.export_limit_w * solar.rated_power_w / total_w
        safe_w = min(share_w, solar.rated_power_w) if curtail_without_lease else solar.rated_power_w
        return SolarConfig(rated_power_w=solar.rated_power_w, export_safe_limit_w=safe_w)

    def battery_config(battery: BatteryAsset) -> BatteryConfig:
        return BatteryConfig(capacity_wh=battery.capacity_wh, soc_min=battery.soc_min, soc_max=battery.soc_max,
                             max_charge_w=battery.max_charge_w, max_discharge_w=battery.max_discharge_w)

    def boiler_config(boiler: BoilerAsset) -> BoilerConfig:
        return BoilerConfig(heater_power_w=boiler.heater_power_w, setpoint_c=boiler.setpoint_c,
                            min_temperature_c=boiler.min_temperature_c, max_temperature_c=boiler.max_temperature_c,
                            hysteresis_c=boiler.hysteresis_c)

    by_id: dict[str, tuple[str, SolarConfig | BatteryConfig | BoilerConfig]] = {
        **{i: ("solar", solar_config(x)) for i, x in a.solars()},
        **{i: ("battery", battery_config(x)) for i, x in a.batteries()},
        **{i: ("boiler", boiler_config(x)) for i, x in a.boilers()}}
    return AssetConfigs(by_id, planes={i: (x.tilt_deg, x.azimuth_deg) for i, x in a.solars()})


def exogenous(scenario: Scenario, duration_s: float = 86_400.0, dt_s: float = 10.0) -> Exogenous:
    """Sunshine (all arrays together), load, each tank's draws and ambient sampled from the same simulators
    the runs use (every 10 s, so the optimum's 5-minute means see clouds of tens of seconds)."""
    clock = ManualClock(scenario.start_epoch_s)
    site = build_site(scenario, clock)
    arrays = [site.hardware(asset_id) for asset_id, _ in scenario.assets.solars()]
    tanks = [site.hardware(asset_id).draw for asset_id, _ in _simulated_stores(scenario)[1]]
    pv, load, draws = [], [], [[] for _ in tanks]  # type: ignore[var-annotated]
    for _ in range(int(duration_s / dt_s)):
        now = clock.now()
        pv.append(sum(array.available_power_w() for array in arrays))
        load.append(site.load.power_w(now))
        for drawn, tank in zip(draws, tanks):
            drawn.append(tank.kg_per_s(now))
        clock.advance(dt_s)
    return Exogenous(dt_s, pv, load, draws[0], [scenario.profiles.ambient_temperature_c] * len(pv),
                     start_s=scenario.start_h * SECONDS_PER_HOUR, more_draws_kg_per_s=tuple(draws[1:]))
