"""Scenarios become simulators: the same data gives the same day, and spikes add their load."""

from __future__ import annotations

from energy_edge.adapters.clocks import ManualClock
from energy_edge_lab.scenario import load_scenario, scenario_names
from energy_edge_lab.simulated_hardware import asset_configs, build_site, exogenous


def test_every_shipped_scenario_loads_and_builds():
    for name in scenario_names():
        scenario = load_scenario(name)
        site = build_site(scenario, ManualClock(scenario.start_epoch_s))
        assert site.battery.capacity_wh == scenario.assets.battery.capacity_wh
        assert asset_configs(scenario).boiler.min_temperature_c == scenario.assets.boiler.min_temperature_c
    assert {"clear_summer_day", "cloudy_variable_day", "winter_day", "peak_shaving_day"} <= set(scenario_names())


def test_the_profiles_repeat_exactly_for_a_seed():
    scenario = load_scenario("cloudy_variable_day")
    assert exogenous(scenario, dt_s=300.0) == exogenous(scenario, dt_s=300.0)


def test_a_spike_adds_its_power_for_its_duration():
    scenario = load_scenario("peak_shaving_day")
    spike = scenario.profiles.base_load.spikes[0]
    ex = exogenous(scenario, dt_s=60.0)
    minute = int(spike.start_h * 60)
    inside = ex.base_load_w[minute + 5]
    after = ex.base_load_w[minute + int(spike.duration_h * 60) + 5]
    assert inside - after > spike.power_w * 0.8  # the rest of the profile moves only a little in 10 min


def test_the_uncontrolled_inverter_is_not_curtailed():
    scenario = load_scenario("clear_summer_day")
    assert asset_configs(scenario, curtail_without_lease=False).solar.export_safe_limit_w == \
        scenario.assets.solar.rated_power_w
    assert asset_configs(scenario).solar.export_safe_limit_w == scenario.limits.export_limit_w
