"""The controller's twin in the lab is what the site's operator would set: the hot-water schedule in UTC hours."""

from __future__ import annotations

import pytest

from energy_edge_lab.generator import generate_days
from energy_edge_lab.runner import controller_policy, hot_water_utc
from energy_edge_lab.scenario import EndOfDay, load_scenario


def test_the_hot_water_schedule_reaches_the_twin_in_utc_hours_with_every_litre() -> None:
    day = next(d for d in generate_days(40, 2026) if d.name.startswith("g02"))  # Europe/Berlin in winter: UTC+1
    boiler = day.assets.boiler
    policy = controller_policy(day)
    profile = policy.hot_water_litres_per_hour
    for hour, litres in boiler.draw_litres_per_hour.items():
        assert profile.at(hour - 1) == litres
    assert profile.daily_total() == pytest.approx(sum(boiler.draw_litres_per_hour.values()))
    assert (policy.cold_water_c, policy.boiler_loss_w_per_k) == (boiler.cold_water_c, boiler.loss_w_per_k)
    assert policy.as_dict()["hot_water_litres_per_hour"]["6"] == boiler.draw_litres_per_hour[7]


def test_a_half_hour_zone_shares_a_local_hour_between_two_utc_hours() -> None:
    day = load_scenario("clear_summer_day")
    boiler = day.assets.boiler.model_copy(update={"draw_litres_per_hour": {7: 60.0}})
    shifted = day.model_copy(update={"assets": day.assets.model_copy(update={"boiler": boiler}),
                                     "timezone": "Asia/Kolkata"})  # UTC+5:30
    assert hot_water_utc(shifted) == {"1": 30.0, "2": 30.0}


def test_the_judged_days_end_rule_reaches_the_twin_as_its_daily_store_target() -> None:
    # g02 of seed 2026: Europe/Berlin in winter, so local midnight is 23:00 UTC; under `no_lower` the stores are
    # judged there against where they began, and the controller is told so; under the other rules it is not.
    day = next(d for d in generate_days(40, 2026) if d.name.startswith("g02"))
    policy = controller_policy(day)
    assert policy.store_target_h == 23.0
    assert policy.store_target_soc == day.assets.battery.initial_soc
    assert policy.store_target_c == day.assets.boiler.initial_temperature_c
    assert policy.store_target_settles is True  # what the stores hold beyond it is worth nothing to the judge
    valued = day.model_copy(update={"end_of_day": EndOfDay(rule="value", price_per_kwh=0.1)})
    assert (controller_policy(valued).store_target_soc, controller_policy(valued).store_target_c) == (0.0, 0.0)
    assert controller_policy(valued).store_target_settles is False
