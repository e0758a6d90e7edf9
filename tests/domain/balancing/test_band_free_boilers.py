"""Free boilers under the planner's band: they take the sun's surplus the band would export, unless the
plan knows what heat is worth (`Guidance.boilers_follow_band`): then only what the band stores."""

from __future__ import annotations

from dataclasses import replace

import pytest

from energy_edge.domain.balancing import AssetView, BalancerMemory, Guidance, Policy, SiteSnapshot, balance

POLICY = Policy(export_limit_w=10_000.0, import_limit_w=20_000.0, deadband_w=0.0, hysteresis_w=0.0,
                boiler_min_on_s=0.0, boiler_min_off_s=0.0)


def boiler_w(surplus_w: float, band: Guidance) -> float:
    """The free boiler's power (<= 0) with `surplus_w` of sun beyond the house exported now."""
    snapshot = SiteSnapshot(1_000.0, -surplus_w, [
        AssetView("solar", "solar", surplus_w + 500.0, available_power_w=surplus_w + 500.0, rated_power_w=10_000.0),
        AssetView("boiler", "boiler", 0.0, temperature_c=55.0, min_temperature_c=45.0, max_temperature_c=75.0,
                  heater_power_w=2_000.0),
    ])
    return balance(snapshot, POLICY, BalancerMemory(), band).boiler_w


def test_a_plan_that_knows_the_draws_keeps_the_export_it_planned() -> None:
    export_first = Guidance(grid_low_w=-3_000.0, grid_high_w=0.0)
    assert boiler_w(3_500.0, export_first) == -2_000.0  # the surplus the band would export heats the tank
    following = Guidance(grid_low_w=-3_000.0, grid_high_w=0.0, boilers_follow_band=True)
    assert boiler_w(3_500.0, following) == 0.0  # 0.5 kW beyond the planned export: too little to start
    assert boiler_w(5_000.0, following) == -2_000.0  # 2 kW beyond it: the band stores it in the tank


def test_the_flag_stays_out_of_the_site_report() -> None:
    assert "boilers_follow_band" not in Guidance(boilers_follow_band=True).as_dict()


def test_a_free_boiler_imports_part_of_its_heater_as_far_as_the_plan_says_that_pays() -> None:
    band = Guidance(grid_low_w=0.0, grid_high_w=0.0)
    assert boiler_w(1_200.0, band) == -2_000.0  # 1.2 kW of its 2 kW: the balancer's own share starts it
    worthless = replace(band, boiler_start_surplus_ratio=1.0)  # heat worth no more than the feed-in
    assert boiler_w(1_200.0, worthless) == 0.0
    assert boiler_w(2_100.0, worthless) == -2_000.0  # the whole heater from the surplus
    assert boiler_w(700.0, band) == 0.0
    assert boiler_w(700.0, replace(band, boiler_start_surplus_ratio=0.3)) == -2_000.0  # heat worth the import
    with pytest.raises(ValueError, match="boiler_start_surplus_ratio"):
        Guidance(boiler_start_surplus_ratio=1.5)


def heater_draw_battery_w(band: Guidance) -> float:
    """The battery's power (+ discharge) while a 3 kW heater the plan preheats runs beside 1.6 kW of load and
    0.5 kW of sun under a 2.8 kW import limit: the grid reads 4.1 kW."""
    policy = replace(POLICY, import_limit_w=2_800.0)
    snapshot = SiteSnapshot(1_000.0, 4_100.0, [
        AssetView("solar", "solar", 500.0, available_power_w=500.0, rated_power_w=10_000.0),
        AssetView("battery", "battery", 0.0, soc=0.5, capacity_wh=10_000.0, max_charge_w=5_000.0,
                  max_discharge_w=5_000.0, soc_min=0.05, soc_max=0.95),
        AssetView("boiler", "boiler", -3_000.0, temperature_c=50.0, min_temperature_c=45.0, max_temperature_c=75.0,
                  heater_power_w=3_000.0, heater_on=True),
    ])
    return balance(snapshot, policy, BalancerMemory(), band).battery_w


def test_a_heater_the_plan_imports_for_is_not_carried_by_the_batteries() -> None:
    """The plan imports up to the limit for the heater and discharges only the rest: the band, with the grid
    heat left out, is self-consumption, and its high edge rises by the running heater up to that heat. Without
    it the battery covered the heater too (grid about 0) and was empty an hour before the draw was over."""
    planned = Guidance(grid_low_w=0.0, grid_high_w=0.0, heaters_grid_w=2_800.0,
                       boiler_preheat_by_module={"boiler": 60.0})
    assert heater_draw_battery_w(planned) == pytest.approx(1_300.0)  # the grid held at the 2.8 kW limit
    assert heater_draw_battery_w(replace(planned, heaters_grid_w=0.0)) == pytest.approx(4_100.0)  # can fail
    assert heater_draw_battery_w(replace(planned, heaters_grid_w=1_000.0)) == pytest.approx(3_100.0)


def test_the_heaters_rise_reaches_only_the_heaters_that_run() -> None:
    band = Guidance(grid_low_w=0.0, grid_high_w=500.0, heaters_grid_w=2_000.0)
    assert band.with_heaters_running(3_000.0).grid_high_w == 2_500.0  # at most the plan's grid heat
    assert band.with_heaters_running(1_200.0).grid_high_w == 1_700.0
    assert band.with_heaters_running(0.0) is band
    assert Guidance(heaters_grid_w=2_000.0).with_heaters_running(3_000.0).grid_high_w is None  # no band
    with pytest.raises(ValueError, match="heaters_grid_w"):
        Guidance(heaters_grid_w=-1.0)
    with pytest.raises(ValueError, match="heaters_grid_w"):
        Guidance(heaters_grid_w=float("nan"))
