"""The 20 kW load step: how fast and how cleanly the controller takes it over.

A quiet winter night (no PV, flat 2 kW base load, no hot-water draw), then the
load jumps by 20 kW. With the controller holding the grid at its target, the
battery must take the step; the grid power, cycle by cycle from the step on,
is the response judged by `step_response` (settled within +-1 % of the step
in <= 6 cycles, <= 5 % overshoot).
"""

from __future__ import annotations

from .runner import SiteFactory, controller_policy, simulate_services
from .scenario import LoadSpike, Scenario, load_scenario
from .step_response import StepResponse, step_response

STEP_W = 20_000.0
STEP_AT_S = 120.0  # time to settle on the base load first
OBSERVED_S = 60.0  # cycles judged after the step
BASE_SCENARIO = "winter_day"


def load_step_scenario(base: Scenario | None = None) -> Scenario:
    base = base or load_scenario(BASE_SCENARIO)
    profiles = base.profiles
    load = profiles.base_load.model_copy(update={
        "base_w": 2_000.0, "peaks": (), "noise_ratio": 0.0,
        "spikes": (LoadSpike(start_h=STEP_AT_S / 3600, duration_h=1.0, power_w=STEP_W),)})
    boiler = base.assets.boiler.model_copy(update={"draw_litres_per_hour": {}})
    return base.model_copy(update={
        "name": "load_step_20kw",
        "profiles": profiles.model_copy(update={"base_load": load}),
        "assets": base.assets.model_copy(update={"boiler": boiler}),
        # The step measures the control loop: no time-of-use reserve may hold the battery back.
        "tariff": base.tariff.model_copy(update={"time_of_use": ()}),
    })


async def measure_load_step(site_factory: SiteFactory, base: Scenario | None = None) -> StepResponse:
    scenario = load_step_scenario(base)
    series = await simulate_services(scenario, "controller", STEP_AT_S + OBSERVED_S, site_factory)
    first = next(i for i, t in enumerate(series.times_s()) if t >= STEP_AT_S)  # after the first cycle to see it
    before = series.grid_w[first - 1]
    target = controller_policy(scenario).grid_target_w
    return step_response(series.grid_w[first:], initial=before + STEP_W, final=target)
