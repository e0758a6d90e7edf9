"""The planner's decisions on hand-computed forecasts and sites."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import AssetView, Policy
from energy_edge.domain.planning import ForecastSlot, plan
from energy_edge.domain.planning.planner import EXPORT_FIRST_HEADROOM_RATIO, export_first_w

HOUR = 3600.0
POLICY = Policy(export_limit_w=15_000.0, import_limit_w=50_000.0, soc_reserve_min=0.1, soc_reserve_max=0.9)


def battery(soc: float, capacity_wh: float = 10_000.0, max_w: float = 25_000.0) -> AssetView:
    return AssetView("bat", "battery", 0.0, soc=soc, capacity_wh=capacity_wh, max_charge_w=max_w,
                     max_discharge_w=max_w, soc_min=0.1, soc_max=0.9)


def boiler(temperature_c: float, heater_w: float = 12_000.0) -> AssetView:
    return AssetView("boiler", "boiler", 0.0, temperature_c=temperature_c, min_temperature_c=45.0,
                     max_temperature_c=80.0, heater_power_w=heater_w)


def day(*surpluses_w: float, load_w: float = 5_000.0) -> list[ForecastSlot]:
    """Hourly slots with the given surplus, then night."""
    slots = [ForecastSlot(i * HOUR, HOUR, load_w + s, load_w) for i, s in enumerate(surpluses_w)]
    return slots + [ForecastSlot(len(slots) * HOUR, HOUR, 0.0, load_w)]


def test_stores_only_the_surplus_beyond_the_threshold_that_still_fills_them() -> None:
    # room 8 kWh (0.1 -> 0.9 of 10 kWh), needed with the margin: 10 kWh. Four hours of 10 kW surplus:
    # 4 h x (10 kW - X) = 10 kWh  ->  X = 7.5 kW
    assert export_first_w(POLICY, [battery(0.1)], day(10_000, 10_000, 10_000, 10_000)) == pytest.approx(7_500.0)


def test_a_forecast_that_cannot_fill_the_stores_stores_everything() -> None:
    assert export_first_w(POLICY, [battery(0.1)], day(2_000, 2_000)) == 0.0  # 4 kWh < 10 kWh


def test_full_stores_export_up_to_the_headroom_below_the_limit() -> None:
    expected = POLICY.export_limit_w * (1 - EXPORT_FIRST_HEADROOM_RATIO)
    assert export_first_w(POLICY, [battery(0.9)], day(30_000)) == pytest.approx(expected)


def test_only_todays_daylight_counts() -> None:
    tonight_then_tomorrow = day() + day(30_000, 30_000)
    assert export_first_w(POLICY, [battery(0.1)], tonight_then_tomorrow) == 0.0  # starts at night: nothing
    assert export_first_w(POLICY, [battery(0.1)], day(1_000) + day(30_000, 30_000)) == 0.0


def test_boilers_count_as_stores_only_when_their_heat_capacity_is_known() -> None:
    surplus = day(20_000, 20_000, 20_000)
    batteries_only = export_first_w(POLICY, [battery(0.1), boiler(45.0)], surplus)
    known = Policy(**{**POLICY.as_dict(), "boiler_heat_capacity_j_per_k": 4_186_000.0})  # 35 K: 40.7 kWh of room
    with_boiler = export_first_w(known, [battery(0.1), boiler(45.0)], surplus)
    assert with_boiler < batteries_only  # more room to fill: less goes out first


def test_grid_charging_starts_just_in_time_for_the_peak() -> None:
    peak = Policy(**{**POLICY.as_dict(), "peak_start_h": 16.0, "peak_end_h": 20.0, "peak_reserve_soc": 0.9})
    # 40 kWh missing at 25 kW: 1.6 h, x 1.25 + 10 min = 2.1667 h before 16:00
    big = battery(0.5, capacity_wh=100_000.0)
    assert plan(13.8 * HOUR, peak, [big], []).grid_charge_to_soc == 0.0
    assert plan(13.9 * HOUR, peak, [big], []).grid_charge_to_soc == 0.9
    assert plan(17.0 * HOUR, peak, [big], []).grid_charge_to_soc == 0.0  # in the peak: discharge, not charge
    assert plan(13.9 * HOUR, POLICY, [big], []).grid_charge_to_soc == 0.0  # no reserve configured


def test_preheat_starts_when_the_tank_needs_it() -> None:
    peak = Policy(**{**POLICY.as_dict(), "peak_start_h": 16.0, "peak_end_h": 20.0, "peak_preheat_c": 56.0,
                     "boiler_heat_capacity_j_per_k": 4_186_000.0})
    # 11 K x 4.186 MJ/K / 12 kW = 3837 s, x 1.25 + 600 s = 5396 s = 1.499 h before 16:00
    assert plan(14.45 * HOUR, peak, [boiler(45.0)], []).boiler_preheat_c == 0.0
    assert plan(14.55 * HOUR, peak, [boiler(45.0)], []).boiler_preheat_c == 56.0
    assert plan(14.55 * HOUR, peak, [boiler(57.0)], []).boiler_preheat_c == 0.0  # warm enough already


def test_export_first_plans_on_the_cautious_forecast() -> None:
    # mean 10 kW of surplus, but the sky varies: cautiously 8 kW. 4 h x (8 kW - X) = 10 kWh -> X = 5.5 kW
    slots = [ForecastSlot(i * HOUR, HOUR, 15_000.0, 5_000.0, pv_low_w=13_000.0) for i in range(4)]
    slots.append(ForecastSlot(4 * HOUR, HOUR, 0.0, 5_000.0))
    assert export_first_w(POLICY, [battery(0.1)], slots) == pytest.approx(5_500.0)


def test_many_stores_are_planned_as_their_sum() -> None:
    surplus = day(10_000, 10_000, 10_000, 10_000)
    one = export_first_w(POLICY, [battery(0.1, capacity_wh=10_000.0, max_w=20_000.0)], surplus)
    four = [battery(0.1, capacity_wh=2_500.0, max_w=5_000.0) for _ in range(4)]
    assert export_first_w(POLICY, four, surplus) == pytest.approx(one) == pytest.approx(7_500.0)
