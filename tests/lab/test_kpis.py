"""KPI arithmetic on tiny series whose figures are worked out by hand in the comments."""

from __future__ import annotations

import pytest

from energy_edge_lab.kpis import breach_episodes, compute_kpis, end_of_day_cost, limit_tolerance_w, peak_interval_mean_kw, sign_flips
from energy_edge_lab.scenario import EndOfDay, Limits, Tariff, TimeOfUse, load_scenario
from energy_edge_lab.series import Sample, SiteSeries


@pytest.fixture
def scenario():
    """A shipped scenario with round numbers for what the KPIs read."""
    base = load_scenario("clear_summer_day")
    assets = base.assets.model_copy(update={
        "battery": base.assets.battery.model_copy(update={"capacity_wh": 10_000.0, "soc_min": 0.1, "soc_max": 0.9}),
        "boiler": base.assets.boiler.model_copy(update={"min_temperature_c": 45.0, "max_temperature_c": 80.0}),
    })
    return base.model_copy(update={
        "assets": assets,
        "tariff": Tariff(import_price_per_kwh=0.30, feed_in_price_per_kwh=0.10),
        "limits": Limits(export_limit_w=5_000.0, import_limit_w=10_000.0),
    })


def _series(dt_s: float, rows: list[tuple], start_s: float = 0.0) -> SiteSeries:
    """rows: (pv_w, load_w, battery_w, boiler_w, soc, temperature_c, battery_mode)."""
    series = SiteSeries(dt_s=dt_s, start_s=start_s)
    for pv, load, battery, boiler, soc, temp, mode in rows:
        series.append(Sample(pv_w=pv, pv_available_w=pv, load_w=load, battery_w=battery, boiler_w=boiler,
                             soc=soc, boiler_temperature_c=temp, modes={"battery": mode}))
    return series


def test_energy_flows_ratios_and_cost(scenario):
    # Four half-hour samples (2 h). grid = -(pv + load + battery + boiler):
    #   1: pv 6 kW, load -2, charge -1, boiler 0   -> grid -3 kW (export 1.5 kWh)
    #   2: pv 4 kW, load -2, charge -2, boiler 0   -> grid  0
    #   3: pv 0,    load -2, discharge +1, boiler -3 -> grid +4 kW (import 2 kWh)
    #   4: pv 0,    load -4, idle,       boiler 0  -> grid +4 kW (import 2 kWh)
    series = _series(1800.0, [
        (6000, -2000, -1000, 0, 0.5, 50.0, "CHARGING"),
        (4000, -2000, -2000, 0, 0.6, 50.0, "CHARGING"),
        (0, -2000, 1000, -3000, 0.55, 50.0, "DISCHARGING"),
        (0, -4000, 0, 0, 0.55, 50.0, "IDLE"),
    ])
    k = compute_kpis(series, scenario)
    assert k.pv_kwh == pytest.approx(5.0)  # (6 + 4) kW x 0.5 h
    assert k.grid_export_kwh == pytest.approx(1.5)
    assert k.grid_import_kwh == pytest.approx(4.0)
    assert k.consumption_kwh == pytest.approx(6.5)  # load (2+2+2+4) x 0.5 + boiler 3 x 0.5
    assert k.self_consumption_ratio == pytest.approx((5.0 - 1.5) / 5.0)
    assert k.self_sufficiency == pytest.approx((6.5 - 4.0) / 6.5)
    assert k.energy_cost == pytest.approx(4.0 * 0.30 - 1.5 * 0.10)
    # stores at the end vs the scenario's start: battery 0.55 vs 0.3 of 10 kWh = +2.5 kWh;
    # boiler 50 vs 58 °C of 4.186 MJ/K = -9.3022 kWh. The default end rule (no_lower): the battery's
    # 2.5 kWh above its start make up 2.5 x sqrt(round trip) kWh of the tank's shortfall (the heater could
    # turn them into heat), and the rest is bought back at the import price when the run ends (0.30).
    heat = -8 * 4_186_000 / 3.6e6
    eta = scenario.assets.battery.round_trip_efficiency ** 0.5
    assert k.stored_energy_change_kwh == pytest.approx(2.5 + heat)
    assert k.end_of_day_cost == pytest.approx((-heat - 2.5 * eta) * 0.30)
    assert k.adjusted_cost == pytest.approx(k.energy_cost + (-heat - 2.5 * eta) * 0.30)
    # the same run valued at a stated 0.20 per stored kWh, gained or lost alike
    value = scenario.model_copy(update={"end_of_day": EndOfDay(rule="value", price_per_kwh=0.2)})
    assert compute_kpis(series, value).adjusted_cost == pytest.approx(k.energy_cost - (2.5 + heat) * 0.20)
    # throughput (1 + 2 + 1) kW x 0.5 h = 2 kWh over 2 x 10 kWh
    assert k.battery_equivalent_full_cycles == pytest.approx(0.1)
    # CHARGING -> CHARGING -> DISCHARGING -> IDLE: 2 changes in 2 h
    assert k.mode_changes_per_hour == {"battery": pytest.approx(1.0)}
    assert k.peak_15min_import_kw == pytest.approx(4.0)
    assert (k.export_limit_breaches, k.soc_violation_s, k.temperature_violation_s) == (0, 0.0, 0.0)


def test_peak_import_is_the_mean_over_clock_aligned_quarter_hours():
    # 5-minute samples starting at 00:10: blocks [00:00, 00:15) holds one sample of 9 kW,
    # [00:15, 00:30) holds 3, 6, 9 kW -> mean 6 kW; the first block's mean is 9 x 300 / 900 = 3 kW.
    assert peak_interval_mean_kw([9000, 3000, 6000, 9000], 300.0, start_s=600.0) == pytest.approx(6.0)


def test_limit_violations_are_counted_in_seconds_and_export_breaches_in_episodes(scenario):
    # export limit 5 kW (+ max(10 W, 0.5 %) = 5.025 kW): 6 kW export at samples 0, 1 and 3 -> 2 episodes, 30 s.
    rows = [
        (6000, 0, 0, 0, 0.5, 50.0, "IDLE"),
        (6000, 0, 0, 0, 0.95, 50.0, "IDLE"),  # SoC above 0.9 + epsilon
        (5020, 0, 0, 0, 0.05, 85.0, "IDLE"),  # within tolerance; SoC below 0.1; boiler above 80 °C
        (6000, 0, 0, 0, 0.5, 40.0, "IDLE"),  # below the 45 °C comfort minimum
        (0, -11000, 0, 0, 0.5, 50.0, "IDLE"),  # import 11 kW > 10.05 kW
    ]
    k = compute_kpis(_series(10.0, rows), scenario)
    assert k.export_limit_breaches == 2
    assert k.export_limit_breach_s == 30.0
    assert k.import_limit_breach_s == 10.0 and k.import_limit_breaches == 1
    assert k.import_above_limit_kwh == pytest.approx(1.0 * 10 / 3600)  # 1 kW above for 10 s
    assert k.soc_violation_s == 20.0
    assert k.temperature_violation_s == 10.0
    assert k.boiler_comfort_violation_min == pytest.approx(10.0 / 60.0)
    assert k.mode_changes_per_hour == {"battery": 0.0}


def test_time_of_use_prices_the_import_in_its_window(scenario):
    tariff = Tariff(import_price_per_kwh=0.30, feed_in_price_per_kwh=0.10,
                    time_of_use=(TimeOfUse(from_h=1.0, to_h=2.0, import_price_per_kwh=0.50),))
    # 1 kW import for one hour from 00:30 to 01:30: half at 0.30, half at 0.50.
    series = _series(1800.0, [(0, -1000, 0, 0, 0.5, 50.0, "IDLE")] * 2, start_s=1800.0)
    k = compute_kpis(series, scenario.model_copy(update={"tariff": tariff}))
    assert k.energy_cost == pytest.approx(0.5 * 0.30 + 0.5 * 0.50)


def test_ratios_are_undefined_without_pv_or_consumption(scenario):
    k = compute_kpis(_series(60.0, [(0, 0, 0, 0, 0.5, 50.0, "IDLE")]), scenario)
    assert k.self_consumption_ratio is None and k.self_sufficiency is None


def test_breach_episodes_count_runs():
    assert breach_episodes([True, True, False, True, False, False, True]) == 3
    assert breach_episodes([]) == 0


def test_a_zero_export_limit_tolerates_10_w_and_a_big_one_half_a_percent():
    assert limit_tolerance_w(0.0) == 10.0
    assert limit_tolerance_w(50_000.0) == pytest.approx(250.0)


def test_a_demand_charge_prices_the_peak_quarter_hour(scenario):
    tariff = Tariff(import_price_per_kwh=0.30, feed_in_price_per_kwh=0.10, demand_charge_per_kw=0.5)
    # 15 min at 8 kW import, then 15 min at 2 kW: the peak quarter hour is 8 kW -> 4.00
    series = _series(900.0, [(0, -8000, 0, 0, 0.3, 58.0, "IDLE"), (0, -2000, 0, 0, 0.3, 58.0, "IDLE")])
    k = compute_kpis(series, scenario.model_copy(update={"tariff": tariff}))
    assert k.demand_charge == pytest.approx(4.0)
    assert k.adjusted_cost == pytest.approx(k.energy_cost + 4.0)


def test_negative_and_hourly_prices_are_the_price_of_the_moment():
    hourly = tuple(-0.05 if 11 <= h < 14 else 0.08 for h in range(24))
    tariff = Tariff(import_price_per_kwh=0.30, feed_in_price_per_kwh=0.08, hourly_feed_in_price_per_kwh=hourly,
                    time_of_use=(TimeOfUse(from_h=10, to_h=16, import_price_per_kwh=0.1),))
    assert tariff.feed_in_price_at(12 * 3600) == -0.05 and tariff.feed_in_price_at(9 * 3600) == 0.08
    assert tariff.import_price_at(12 * 3600) == 0.1 and tariff.import_price_at(9 * 3600) == 0.30


def test_a_battery_sign_flip_counts_only_within_ten_seconds():
    # discharge, idle 3 s, charge (a flip); then charge, 20 s idle, discharge (no flip)
    assert sign_flips([500, 0, 0, 0, -500], 1.0) == 1
    assert sign_flips([-500] + [0] * 20 + [500], 1.0) == 0
    assert sign_flips([5, -5, 5], 1.0) == 0  # within +-10 W: idle


def test_a_step_that_imports_and_exports_prices_each_part_at_its_own_price(scenario):
    """The optimum's 5-minute step imports while its heater runs and exports while it rests: the KPIs price
    the import at the import price and the export at the feed-in price, not their net (which priced a kWh
    exported in one part as a kWh not imported in the other: the optimum looked cheaper than it was)."""
    series = _series(300.0, [(4_000.0, -1_000.0, 0.0, -2_000.0, 0.5, 60.0, "IDLE")] * 12)  # net export 1 kW
    netted = compute_kpis(series, scenario)
    assert netted.energy_cost == pytest.approx(-1.0 * 0.10)
    series.import_w = [500.0] * 12  # the running part's import and the resting part's export, hour means
    series.export_w = [1_500.0] * 12
    parts = compute_kpis(series, scenario)
    assert parts.energy_cost == pytest.approx(0.5 * 0.30 - 1.5 * 0.10)
    assert (parts.grid_import_kwh, parts.grid_export_kwh) == (pytest.approx(0.5), pytest.approx(1.5))


def test_no_lower_lets_spare_battery_energy_make_up_the_tank_but_never_heat_the_battery(scenario):
    # The rule's pure arithmetic (end_of_day_cost: battery kWh, heat kWh vs the start), refill 0.30:
    eta = scenario.assets.battery.round_trip_efficiency ** 0.5
    # a battery 10 kWh above its start covers a 4 kWh tank shortfall whole: nothing to buy back
    assert end_of_day_cost(scenario, 10.0, -4.0, 0.0) == pytest.approx(0.0)
    # 2 kWh above it covers 2 eta kWh of the shortfall; the rest is bought back
    assert end_of_day_cost(scenario, 2.0, -4.0, 0.0) == pytest.approx((4.0 - 2.0 * eta) * 0.30)
    # heat never becomes electricity: a tank 9 kWh above its start leaves a battery's 1 kWh shortfall
    # bought back (over the charging efficiency)
    assert end_of_day_cost(scenario, -1.0, 9.0, 0.0) == pytest.approx(1.0 * 0.30 / eta)
    # both short: each bought back
    assert end_of_day_cost(scenario, -1.0, -2.0, 0.0) == pytest.approx(0.30 / eta + 2.0 * 0.30)
