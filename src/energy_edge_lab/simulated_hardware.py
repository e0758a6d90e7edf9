"""A scenario's simulated hardware and asset configuration, built from its data.

One place maps the scenario's fields onto the simulators (adapters/hardware/
simulated) and the asset state machines' configs, so every policy (baseline,
controller, optimum) sees exactly the same physics, weather and load.
"""

from __future__ import annotations

from dataclasses import dataclass

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import (
    HotWaterDraw, LoadProfile, SimulatedBattery, SimulatedBoiler, SimulatedPV, SimulatedSite,
)
from energy_edge.domain.assets.battery import BatteryConfig
from energy_edge.domain.assets.boiler import BoilerConfig
from energy_edge.domain.assets.solar import SolarConfig
from energy_edge.domain.ports import Clock
from .exogenous import Exogenous
from .scenario import LoadSpike, Scenario

SECONDS_PER_HOUR = 3600.0
BOILER_CUTOFF_MARGIN_C = 5.0  # the physical cutoff sits above the configured maximum


@dataclass(frozen=True, slots=True)
class SpikedLoad:
    """The base-load profile plus the scenario's rectangular spikes (hours after `origin_s`, every day)."""

    profile: LoadProfile
    spikes: tuple[LoadSpike, ...]
    origin_s: float

    def power_w(self, epoch_s: float) -> float:
        hour = ((epoch_s - self.origin_s) % 86_400) / SECONDS_PER_HOUR
        extra = sum(s.power_w for s in self.spikes if s.start_h <= hour < s.start_h + s.duration_h)
        return self.profile.power_w(epoch_s) + extra


def build_site(scenario: Scenario, clock: Clock) -> SimulatedSite:
    """The scenario's simulators on `clock`, which must stand at the scenario's start."""
    p, a = scenario.profiles, scenario.assets
    start = clock.now()
    pv = SimulatedPV(clock, rated_power_w=a.solar.rated_power_w, latitude_deg=p.pv.latitude,
                     longitude_deg=p.pv.longitude, seed=p.pv.seed, mean_clearness=p.pv.mean_clearness,
                     cloud_sigma=p.pv.cloud_sigma, cloud_phi=p.pv.cloud_phi)
    battery = SimulatedBattery(clock, capacity_wh=a.battery.capacity_wh, max_charge_w=a.battery.max_charge_w,
                               max_discharge_w=a.battery.max_discharge_w,
                               round_trip_efficiency=a.battery.round_trip_efficiency,
                               initial_soc=a.battery.initial_soc)
    boiler = SimulatedBoiler(clock, heater_power_w=a.boiler.heater_power_w,
                             thermal_mass_j_per_k=a.boiler.thermal_mass_j_per_k,
                             loss_w_per_k=a.boiler.loss_w_per_k, ambient_c=p.ambient_temperature_c,
                             initial_temperature_c=a.boiler.initial_temperature_c,
                             cutoff_c=a.boiler.max_temperature_c + BOILER_CUTOFF_MARGIN_C,
                             draw=HotWaterDraw(dict(a.boiler.draw_litres_per_hour), a.boiler.cold_water_c))
    base = p.base_load
    profile = LoadProfile(seed=base.seed, origin=start, base_w=base.base_w,
                          peaks=tuple((k.hour, k.height_w, k.width_h) for k in base.peaks),
                          noise_ratio=base.noise_ratio)
    load = SpikedLoad(profile, base.spikes, scenario.midnight_epoch_s)
    return SimulatedSite(clock, pv=pv, battery=battery, boiler=boiler, load=load)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class AssetConfigs:
    solar: SolarConfig
    battery: BatteryConfig
    boiler: BoilerConfig


def asset_configs(scenario: Scenario, *, curtail_without_lease: bool = True) -> AssetConfigs:
    """The state machines' configs. Without a lease the inverter holds the export limit,
    unless `curtail_without_lease` is False (the uncontrolled baseline never curtails)."""
    a, limits = scenario.assets, scenario.limits
    safe_limit_w = min(limits.export_limit_w, a.solar.rated_power_w) if curtail_without_lease \
        else a.solar.rated_power_w
    return AssetConfigs(
        solar=SolarConfig(rated_power_w=a.solar.rated_power_w, export_safe_limit_w=safe_limit_w),
        battery=BatteryConfig(capacity_wh=a.battery.capacity_wh, soc_min=a.battery.soc_min,
                              soc_max=a.battery.soc_max, max_charge_w=a.battery.max_charge_w,
                              max_discharge_w=a.battery.max_discharge_w),
        boiler=BoilerConfig(heater_power_w=a.boiler.heater_power_w, setpoint_c=a.boiler.setpoint_c,
                            min_temperature_c=a.boiler.min_temperature_c,
                            max_temperature_c=a.boiler.max_temperature_c, hysteresis_c=a.boiler.hysteresis_c),
    )


def exogenous(scenario: Scenario, duration_s: float = 86_400.0, dt_s: float = 60.0) -> Exogenous:
    """Sunshine, load, draws and ambient sampled from the same simulators the runs use."""
    clock = ManualClock(scenario.start_epoch_s)
    site = build_site(scenario, clock)
    pv, load, draw = [], [], []
    for _ in range(int(duration_s / dt_s)):
        now = clock.now()
        pv.append(site.pv.available_power_w())
        load.append(site.load.power_w(now))
        draw.append(site.boiler.draw.kg_per_s(now))
        clock.advance(dt_s)
    return Exogenous(dt_s, pv, load, draw, [scenario.profiles.ambient_temperature_c] * len(pv),
                     start_s=scenario.start_h * SECONDS_PER_HOUR)
