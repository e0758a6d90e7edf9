"""Run a scenario under a policy and record the site second by second.

Policies:
- `none`: the baseline, no control. The asset modules run without a controller:
  battery idle, boiler on its own thermostat, inverter never curtailed;
- `controller`: the project's balancing controller, through the real services
  on the in-memory transport;
- `optimum`: the perfect-foresight linear programme (optimum.py).

The first two step a whole site through the real services in simulated time.
Building that site is the entrypoints' job (the embedded assembly), so this
layer only states what it needs (`SteppedSite`, made by a `SiteFactory`) and
the entrypoint passes its factory in.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated.boiler import WATER_J_PER_KG_K
from energy_edge.adapters.hardware.simulated import LoadProfile, SimulatedSite
from energy_edge.domain.balancing.policy import Policy
from energy_edge.domain.prices import PriceSlot
from energy_edge.domain.services.controller_service import PLAN_HORIZON_S
from .exogenous import Exogenous
from .optimum import OptimumPlan, first_half, solve_optimum
from .next_day import judged_no_lower
from .scenario import SECONDS_PER_DAY, Scenario
from .series import SiteSeries
from .simulated_hardware import AssetConfigs, SpikedLoad, asset_configs, build_site, exogenous, standing_assets

POLICIES = ("none", "controller", "optimum")
# The controller's own forecaster; one that knows the day; its own with a weather service's day-ahead PV
# (the day's sky without its clouds): the last two are analyses
FORECASTS = ("online", "perfect", "day-ahead")
STEP_S = 1.0


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """Everything an embedded site needs to run one scenario."""

    clock: ManualClock  # standing at the scenario's start; the site advances it
    hardware: SimulatedSite
    configs: AssetConfigs
    policy: Policy | None  # the controller's twin; None: run without a controller (baseline)
    prices: "TariffPrices | None" = None  # the controller's PriceSource: the day's tariff, hour by hour
    forecaster: Any = None  # the controller's Forecaster port; None: its own online forecaster
    pv_forecast: Any = None  # the controller's PvForecastSource port (a day-ahead PV); None: none


class SteppedSite(Protocol):
    """A running embedded site that moves in whole simulated seconds."""

    async def step(self) -> None:
        """Advance the clock by one second: every asset module's cycle, then the controller's."""

    def asset_states(self) -> dict[str, str]:
        """Each asset module's state-machine state by asset id."""


class TariffPrices:
    """Implements the edge's PriceSource port from the scenario's tariff: its day-ahead prices, hour by
    hour, as a dynamic tariff's API would publish them (what the optimum knows of prices, no more)."""

    def __init__(self, scenario: Scenario, days: int = 2) -> None:
        tariff, midnight = scenario.tariff, scenario.midnight_epoch_s
        self.slots = [PriceSlot(midnight + h * 3600.0, midnight + (h + 1) * 3600.0,
                                tariff.import_price_at(h * 3600.0 + 1800.0), tariff.feed_in_price_at(h * 3600.0 + 1800.0))
                      for h in range(24 * days)]

    async def fetch(self) -> list[PriceSlot]:
        return self.slots


SiteFactory = Callable[[SiteSpec], AbstractAsyncContextManager[SteppedSite]]
Progress = Callable[[int], Any]  # called with the number of seconds just simulated


def controller_policy(scenario: Scenario) -> Policy:
    """The controller's twin for this site: its grid limits, the battery's SoC band, the boiler's tank
    (heat capacity, standing loss, typical hot-water schedule), the site's typical load by hour, and the
    tariff's price peak (the dearest time-of-use window dearer than the base price) as a time-of-use
    reserve, as an installer who knows the tariff and the site's rhythm would configure it. Scenario hours
    are local; the policy's UTC."""
    assets, limits, tariff = standing_assets(scenario), scenario.limits, scenario.tariff
    batteries, boilers = [b for _, b in assets.batteries()], [b for _, b in assets.boilers()]
    peaks = [w for w in tariff.time_of_use if w.import_price_per_kwh > tariff.import_price_per_kwh]
    window = {}
    if peaks:
        peak = max(peaks, key=lambda w: w.import_price_per_kwh)
        to_utc = scenario.utc_offset_s / 3600.0
        window = {"peak_start_h": (peak.from_h - to_utc) % 24, "peak_end_h": (peak.to_h - to_utc) % 24,
                  "peak_reserve_soc": max(b.soc_max for b in batteries),
                  "peak_preheat_c": peak_preheat_c(scenario, peak.from_h, peak.to_h)}
    pv = scenario.profiles.pv
    largest = max((solar for _, solar in assets.solars()), key=lambda solar: solar.rated_power_w)
    # The policy's band and tank are the site's (each battery also keeps its own band): the widest band,
    # the tanks' mean heat capacity and loss; where there are several, each tank's own size, loss and draws
    return Policy(export_limit_w=limits.export_limit_w, import_limit_w=limits.import_limit_w,
                  soc_reserve_min=min(b.soc_min for b in batteries), soc_reserve_max=max(b.soc_max for b in batteries),
                  latitude_deg=pv.latitude, longitude_deg=pv.longitude, pv_tilt_deg=largest.tilt_deg,
                  pv_azimuth_deg=largest.azimuth_deg,
                  boiler_heat_capacity_j_per_k=_mean(b.thermal_mass_j_per_k for b in boilers),
                  hot_water_litres_per_hour=hot_water_utc(scenario),
                  hot_water_litres_per_hour_by_boiler=hot_water_by_boiler_utc(scenario),
                  boiler_heat_capacity_j_per_k_by_boiler=(
                      {module: b.thermal_mass_j_per_k for module, b in assets.boilers()} if len(boilers) > 1 else {}),
                  cold_water_c=assets.boiler.cold_water_c,
                  boiler_loss_w_per_k=_mean(b.loss_w_per_k for b in boilers),
                  boiler_loss_w_per_k_by_boiler=(
                      {module: b.loss_w_per_k for module, b in assets.boilers() if b.loss_w_per_k > 0}
                      if len(boilers) > 1 else {}),
                  load_w_by_hour=typical_load_utc(scenario),
                  **window, **end_of_day_targets(scenario))


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def end_of_day_targets(scenario: Scenario) -> dict[str, float | bool]:
    """The judged day's end rule as the controller's daily store target, as an operator closing each day's
    accounts would set it: under `no_lower` the stores are judged at midnight against where they began, and
    what they hold beyond that is worth nothing, so the controller is told to hold that then and that the day
    settles there (`store_target_*`, planning/store_targets.py); the optimum is held to the same rule. Under
    the other rules, none."""
    if scenario.end_of_day.rule != "no_lower":
        return {}
    a = scenario.assets
    targets: dict[str, float | bool] = {"store_target_h": (scenario.midnight_epoch_s % 86_400.0) / 3600.0,
                                        "store_target_settles": True}
    if a.battery is not None:  # each battery's own start where the site has one; their stored mean where several
        targets["store_target_soc"] = sum(b.initial_soc * b.capacity_wh for _, b in a.batteries()) / sum(
            b.capacity_wh for _, b in a.batteries())
    if a.boiler is not None:
        targets["store_target_c"] = sum(b.initial_temperature_c * b.thermal_mass_j_per_k for _, b in a.boilers()) / sum(
            b.thermal_mass_j_per_k for _, b in a.boilers())
    return targets if len(targets) > 2 else {}


def typical_load_utc(scenario: Scenario) -> dict[str, float]:
    """The site's typical consumption as its installer knows it: mean W per UTC hour of its base load, daily
    peaks and scheduled blocks (the scenario's spikes), without the day's noise. A day whose load is a
    measured series has no typical profile to tell (that series is the day itself): {} (unknown), and the
    controller learns it from its meters."""
    base = scenario.profiles.base_load
    if base.measured_w is not None:
        return {}
    midnight = scenario.midnight_epoch_s
    typical = SpikedLoad(LoadProfile(base_w=base.base_w, peaks=tuple((k.hour, k.height_w, k.width_h) for k in base.peaks),
                                     noise_ratio=0.0, utc_offset_s=scenario.utc_offset_s), base.spikes, midnight)
    sums, step_s = [0.0] * 24, 60.0
    for minute in range(1440):  # each minute's middle; the day's minutes fill each UTC hour 60 times
        t = midnight + (minute + 0.5) * step_s
        sums[int(t // 3600.0) % 24] += typical.power_w(t)
    return {str(hour): round(total / 60.0, 1) for hour, total in enumerate(sums)}


def hot_water_utc(scenario: Scenario) -> dict[str, float]:
    """The boiler's typical hot-water schedule as the controller's twin takes it: litres per UTC hour (each
    boiler's: the tanks' mean where the site has several).

    The operator knows the site's rhythm, not each day's: the controller gets the schedule, the
    optimum each day's draws (in the lab they are the same). A local hour that straddles two UTC
    hours (a half-hour zone) is shared between them in proportion."""
    tanks = standing_assets(scenario).boilers()
    shared = [(hour, litres / len(tanks)) for _, tank in tanks for hour, litres in tank.draw_litres_per_hour.items()]
    return _utc_litres(scenario, shared)


def hot_water_by_boiler_utc(scenario: Scenario) -> dict[str, dict[str, float]]:
    """Each boiler's own typical hot-water schedule (litres per UTC hour) by module, where the site has
    several (`Policy.hot_water_litres_per_hour_by_boiler`); none where one boiler's is the site's."""
    tanks = standing_assets(scenario).boilers()
    if len(tanks) < 2:
        return {}
    return {module: _utc_litres(scenario, list(tank.draw_litres_per_hour.items())) for module, tank in tanks}


def _utc_litres(scenario: Scenario, draws: list[tuple[int, float]]) -> dict[str, float]:
    """Local (hour, litres) draws as litres per UTC hour."""
    offset_h = scenario.utc_offset_s / 3600.0
    litres = [0.0] * 24
    for hour, volume in draws:
        start = (float(hour) - offset_h) % 24
        first, share = int(start), 1.0 - (start - int(start))
        litres[first] += volume * share
        litres[(first + 1) % 24] += volume * (1.0 - share)
    return {str(h): round(v, 6) for h, v in enumerate(litres) if v > 0}


def peak_preheat_c(scenario: Scenario, from_h: float, to_h: float) -> float:
    """The tank temperature whose heat above the boiler's minimum covers the peak's hot-water draws (as the
    site's operator, who knows the hot-water schedule, would size it), within the boiler's band."""
    boiler = standing_assets(scenario).boiler
    litres = sum(volume for hour, volume in boiler.draw_litres_per_hour.items() if from_h <= float(hour) < to_h)
    # Refill water warmer than the minimum takes no heat below it: no preheat (it read as one below the minimum,
    # under 0 °C a policy the controller refused)
    heat_j = litres * WATER_J_PER_KG_K * max(boiler.min_temperature_c - boiler.cold_water_c, 0.0)
    return min(boiler.max_temperature_c, boiler.min_temperature_c + heat_j / boiler.thermal_mass_j_per_k)


class Recorder:
    """What the meters show after each step, one sample per second into `series` (the simulators are
    looked up once: `SimulatedSite.pv` and its siblings search the site's assets on every call)."""

    def __init__(self, site: SimulatedSite, series: SiteSeries) -> None:
        self.pv, self.battery, self.boiler, self.load, self.clock = site.pv, site.battery, site.boiler, site.load, site.clock
        self.series = series

    def record(self, states: dict[str, str]) -> None:
        pv, battery, boiler = self.pv, self.battery, self.boiler
        self.series.record(pv.power_w(), pv.available_power_w(), -self.load.power_w(self.clock.now()),
                           battery.power_w(), boiler.power_w(), battery.soc, boiler.temperature_c, states)


class SiteRecorder(Recorder):
    """A site with several of a kind: the site's sums, and each battery's and boiler's own columns
    (`SiteSeries.soc_by_id` and its siblings) where it has more than one of that kind."""

    def __init__(self, site: SimulatedSite, series: SiteSeries, scenario: Scenario) -> None:
        super().__init__(site, series)
        a = scenario.assets
        self.arrays = [site.hardware(i) for i, _ in a.solars()]
        self.batteries = {i: site.hardware(i) for i, _ in a.batteries()}
        self.boilers = {i: site.hardware(i) for i, _ in a.boilers()}
        if len(self.batteries) > 1:
            series.soc_by_id.update({i: [] for i in self.batteries})
            series.battery_w_by_id.update({i: [] for i in self.batteries})
        if len(self.boilers) > 1:
            series.temperature_c_by_id.update({i: [] for i in self.boilers})

    def record(self, states: dict[str, str]) -> None:
        batteries = {i: b.power_w() for i, b in self.batteries.items()}
        s = self.series
        s.record(sum(a.power_w() for a in self.arrays), sum(a.available_power_w() for a in self.arrays),
                 -self.load.power_w(self.clock.now()), sum(batteries.values()),
                 sum(b.power_w() for b in self.boilers.values()), self.battery.soc, self.boiler.temperature_c, states)
        for i, battery in (self.batteries.items() if s.soc_by_id else ()):
            s.soc_by_id[i].append(battery.soc)
            s.battery_w_by_id[i].append(batteries[i])
        for i, boiler in (self.boilers.items() if s.temperature_c_by_id else ()):
            s.temperature_c_by_id[i].append(boiler.temperature_c)


async def simulate_services(scenario: Scenario, policy: str, duration_s: float, site_factory: SiteFactory,
                            progress: Progress | None = None, forecast: str = "online") -> SiteSeries:
    """`duration_s` at 1 s through the real services; one sample per second, after each step.
    `forecast`: what the controller plans on (`FORECASTS`)."""
    if forecast not in FORECASTS:
        raise ValueError(f"unknown forecast {forecast!r}; known: {', '.join(FORECASTS)}")
    clock = ManualClock(scenario.start_epoch_s)
    hardware = build_site(scenario, clock)
    controlled = policy == "controller"
    forecaster = pv_forecast = None
    if controlled and forecast == "perfect":
        from .perfect_forecast import PerfectForecaster

        forecaster = PerfectForecaster(scenario, duration_s, PLAN_HORIZON_S)
    if controlled and forecast == "day-ahead":
        from .day_ahead_pv import DayAheadPv

        pv_forecast = DayAheadPv(scenario, duration_s + PLAN_HORIZON_S)
    spec = SiteSpec(clock=clock, hardware=hardware,
                    configs=asset_configs(scenario, curtail_without_lease=controlled),
                    policy=controller_policy(scenario) if controlled else None,
                    prices=TariffPrices(scenario) if controlled else None, forecaster=forecaster,
                    pv_forecast=pv_forecast)
    series = SiteSeries(dt_s=STEP_S, start_s=scenario.start_h * 3600.0 + STEP_S)  # sampled after each step
    recorder = Recorder(hardware, series) if scenario.assets.single else SiteRecorder(hardware, series, scenario)
    async with site_factory(spec) as site:
        for second in range(int(duration_s / STEP_S)):
            await site.step()
            recorder.record(site.asset_states())
            if progress is not None and second % 3600 == 3599:
                progress(3600)
    return series


def optimum_plan(scenario: Scenario, days: float = 1, day: Exogenous | None = None) -> OptimumPlan:
    """The perfect-foresight plan over `days` (with its verdict on the import limit); `day`: the run's
    sunshine, load and draws where already sampled. Under the `next_day` end of day it is the first half
    of the best plan over the run and its repetition (next_day.py): the best day-plus-what-it-leaves."""
    day = exogenous(scenario, days * SECONDS_PER_DAY) if day is None else day
    if scenario.end_of_day.rule != "next_day":
        return solve_optimum(scenario, day)
    both = solve_optimum(judged_no_lower(scenario), day.repeated(2))
    return first_half(both, scenario)


async def simulate(scenario: Scenario, policy: str, days: float = 1, site_factory: SiteFactory | None = None,
                   progress: Progress | None = None, forecast: str = "online") -> SiteSeries:
    """The run's series for any policy (`optimum` needs no site)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    duration_s = days * SECONDS_PER_DAY
    if policy == "optimum":
        plan = optimum_plan(scenario, days)
        if progress is not None:
            progress(int(duration_s))
        return plan.series
    if site_factory is None:
        raise ValueError(f"policy {policy!r} runs the services: pass the embedded site's factory")
    return await simulate_services(scenario, policy, duration_s, site_factory, progress, forecast)
