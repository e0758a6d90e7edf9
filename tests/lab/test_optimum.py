"""The perfect-foresight LP: it holds every limit and its cost matches its own flows."""

from __future__ import annotations

import pytest

from energy_edge_lab.exogenous import Exogenous
from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.optimum import solve_optimum
from energy_edge_lab.scenario import EndOfDay, Limits, load_scenario

pytest.importorskip("scipy")

TWO_HOURS_S = 7200


def _exogenous(pv_w: float, load_w: float, draw_kg_per_s: float, dt_s: float = 60.0) -> Exogenous:
    n = int(TWO_HOURS_S / dt_s)
    return Exogenous(dt_s, [pv_w] * n, [load_w] * n, [draw_kg_per_s] * n, [20.0] * n, start_s=12 * 3600)


@pytest.fixture
def scenario():
    base = load_scenario("clear_summer_day")
    return base.model_copy(update={"limits": Limits(export_limit_w=5_000.0, import_limit_w=20_000.0)})


def test_a_big_surplus_fills_the_battery_heats_the_boiler_and_curtails_beyond_the_export_limit(scenario):
    # Stored energy valued (under `no_lower` storing the surplus or curtailing it tie, and the solver may pick either)
    scenario = scenario.model_copy(update={"end_of_day": EndOfDay(rule="value", price_per_kwh=0.05)})
    plan = solve_optimum(scenario, _exogenous(pv_w=60_000.0, load_w=5_000.0, draw_kg_per_s=0.0))
    k = compute_kpis(plan.series, scenario)
    battery, boiler, limits = scenario.assets.battery, scenario.assets.boiler, scenario.limits
    assert k.export_limit_breach_s == 0 and k.soc_violation_s == 0 and k.temperature_violation_s == 0
    assert max(-g for g in plan.series.grid_w) <= limits.export_limit_w + 1e-6
    assert all(-battery.max_charge_w - 1e-6 <= p <= battery.max_discharge_w + 1e-6 for p in plan.series.battery_w)
    assert all(-boiler.heater_power_w - 1e-6 <= p <= 1e-6 for p in plan.series.boiler_w)
    assert all(0 <= pv <= avail + 1e-6 for pv, avail in zip(plan.series.pv_w, plan.series.pv_available_w))
    assert sum(plan.series.pv_w) < sum(plan.series.pv_available_w)  # it had to curtail
    assert min(plan.series.battery_w) < 0 and min(plan.series.boiler_w) < 0  # stored what it could
    assert plan.cost == pytest.approx(k.energy_cost, abs=1e-6)


def test_a_deficit_above_the_import_limit_is_shaved_by_the_battery(scenario):
    plan = solve_optimum(scenario, _exogenous(pv_w=0.0, load_w=25_000.0, draw_kg_per_s=0.01))
    k = compute_kpis(plan.series, scenario)
    assert k.import_limit_breach_s == 0 and k.soc_violation_s == 0
    assert k.boiler_comfort_violation_min == 0
    assert max(plan.series.grid_w) <= scenario.limits.import_limit_w + 1e-6
    assert max(plan.series.battery_w) >= 5_000.0 - 1e-6  # 25 kW load - 20 kW limit


def test_the_optimum_costs_no_more_than_doing_nothing(scenario):
    # With a loss-free boiler and no draws, doing nothing (battery idle, heater off) is a feasible plan
    # that leaves every store as it was, so its adjusted cost is the plain import bill.
    boiler = scenario.assets.boiler.model_copy(update={"loss_w_per_k": 0.0})
    scenario = scenario.model_copy(update={"assets": scenario.assets.model_copy(update={"boiler": boiler})})
    plan = solve_optimum(scenario, _exogenous(pv_w=3_000.0, load_w=8_000.0, draw_kg_per_s=0.0))
    idle_cost = (8_000.0 - 3_000.0) / 1000 * TWO_HOURS_S / 3600 * scenario.tariff.import_price_per_kwh
    assert compute_kpis(plan.series, scenario).adjusted_cost <= idle_cost + 1e-9


def test_resampling_needs_a_whole_multiple():
    with pytest.raises(ValueError):
        _exogenous(1.0, 1.0, 0.0, dt_s=60.0).resample(90.0)


def test_resampling_averages_whole_blocks_and_drops_a_partial_one():
    ex = Exogenous(60.0, [0.0, 6.0, 3.0, 9.0, 100.0], [1.0] * 5, [0.0] * 5, [20.0] * 5)
    assert ex.resample(120.0).pv_available_w == [3.0, 6.0]


def test_an_import_limit_no_plan_can_hold_is_reported_with_the_smallest_holdable_one(scenario):
    # 40 kW load for two hours against a 20 kW limit: the battery (60 kWh from SoC 0.3 to 0.1 = 12 kWh stored,
    # 12 x sqrt(0.9) delivered) cannot cover 20 kW for 2 h; the smallest holdable limit is
    # 40 - 12 x sqrt(0.9) / 2 = 34.3 kW (heater off, no draws).
    plan = solve_optimum(scenario, _exogenous(pv_w=0.0, load_w=40_000.0, draw_kg_per_s=0.0))
    assert not plan.import_limit_feasible
    assert plan.holdable_import_limit_w == pytest.approx(40_000.0 - 12_000.0 * 0.9 ** 0.5 / 2, rel=0.002)
    assert max(plan.series.grid_w) <= plan.holdable_import_limit_w + 1.0


def test_both_stores_end_no_lower_than_they_began(scenario):
    # Running the stores down would save energy cost, but a shortfall is bought back at the stated refill
    # price (dearer than any import today), so the optimum keeps them.
    scenario = scenario.model_copy(update={"end_of_day": EndOfDay(rule="no_lower", price_per_kwh=1.0)})
    plan = solve_optimum(scenario, _exogenous(pv_w=0.0, load_w=5_000.0, draw_kg_per_s=0.0))
    battery, boiler = scenario.assets.battery, scenario.assets.boiler
    assert plan.series.soc[-1] >= battery.initial_soc - 1e-6
    assert plan.series.boiler_temperature_c[-1] >= boiler.initial_temperature_c - 1e-6


def test_a_demand_charge_flattens_the_peak(scenario):
    tariff = scenario.tariff.model_copy(update={"demand_charge_per_kw": 5.0})
    n = TWO_HOURS_S // 60
    load = [2_000.0] * (n // 2) + [14_000.0] * (n - n // 2)  # a step up half-way
    ex = Exogenous(60.0, [0.0] * n, load, [0.0] * n, [20.0] * n, start_s=12 * 3600)
    flat = solve_optimum(scenario.model_copy(update={"tariff": tariff}), ex)
    plain = solve_optimum(scenario, ex)
    peak = lambda plan: compute_kpis(plan.series, scenario).peak_15min_import_kw  # noqa: E731
    assert peak(flat) < peak(plain) - 1.0


def _tight_heater_day(scenario, import_limit_w: float):
    """No battery, a 2 kW on/off heater at its minimum, a 300 W load and a draw it must heat against, under
    `import_limit_w` (the generated days' g10 in small)."""
    boiler = scenario.assets.boiler.model_copy(update={
        "heater_power_w": 2_000.0, "thermal_mass_j_per_k": 200 * 4186.0, "initial_temperature_c": 46.0})
    assets = scenario.assets.model_copy(update={"battery": None, "boiler": boiler})
    return scenario.model_copy(update={"assets": assets,
                                       "limits": Limits(export_limit_w=5_000.0, import_limit_w=import_limit_w)})


def test_an_on_off_heater_that_cannot_fit_under_the_import_limit_never_runs(scenario):
    """The old relaxation heated at 0.7 kW from the 1 kW limit and held comfort; no real heater can: on,
    it draws its full 2 kW beside the 300 W load. The exact model leaves it off and the tank goes cold."""
    day = _tight_heater_day(scenario, import_limit_w=1_000.0)
    plan = solve_optimum(day, _exogenous(pv_w=0.0, load_w=300.0, draw_kg_per_s=0.005))
    k = compute_kpis(plan.series, day)
    assert all(p == pytest.approx(0.0, abs=1e-6) for p in plan.series.boiler_w)
    assert k.import_limit_breach_s == 0 and k.boiler_comfort_violation_min > 0


def test_an_on_off_heater_runs_at_full_power_for_a_share_of_the_step_where_it_fits(scenario):
    """Where the sun makes room for the whole heater it runs, and in every step it runs the step's import
    without it, plus its full power, stays within the limit (what a real on/off heater does in a step)."""
    day = _tight_heater_day(scenario, import_limit_w=1_000.0)
    n = int(TWO_HOURS_S / 60.0)
    pv = [0.0] * (n // 2) + [1_500.0] * (n - n // 2)  # the second hour: 1.5 kW of sun, room for the heater
    ex = Exogenous(60.0, pv, [300.0] * n, [0.005] * n, [20.0] * n, start_s=12 * 3600)
    plan = solve_optimum(day, ex)
    heater = day.assets.boiler.heater_power_w
    heats = [-b for b in plan.series.boiler_w]
    assert sum(heats[: len(heats) // 2]) == pytest.approx(0.0, abs=1e-6) and sum(heats) > 0
    for grid, heat in zip(plan.series.grid_w, heats):
        if heat > 1e-6:  # on for heat / heater of the step: the grid then carries the rest and the whole heater
            assert grid - heat + heater <= day.limits.import_limit_w + 1e-6


def test_a_limit_the_heater_always_fits_lets_it_run_at_any_share(scenario):
    """Where the whole heater fits under the limit, it runs for whatever share of a step the tank needs."""
    day = _tight_heater_day(scenario, import_limit_w=3_000.0)
    plan = solve_optimum(day, _exogenous(pv_w=0.0, load_w=300.0, draw_kg_per_s=0.005))
    k = compute_kpis(plan.series, day)
    assert k.boiler_comfort_violation_min == 0 and k.import_limit_breach_s == 0
    assert 0 < max(-b for b in plan.series.boiler_w) <= 2_000.0 + 1e-6


def test_where_the_limit_cannot_be_held_the_plan_passes_it_only_where_it_must(scenario):
    """A 1.5 kW load step breaks the 1 kW limit whatever any plan does (the smallest holdable limit is 1.5 kW);
    a 1 kW heater beside the 300 W load would fit that one but not the contract: it stays off, as the
    controller's does, rather than heat under the looser limit all day."""
    day = _tight_heater_day(scenario, import_limit_w=1_000.0)
    day = day.model_copy(update={"assets": day.assets.model_copy(update={
        "boiler": day.assets.boiler.model_copy(update={"heater_power_w": 1_000.0})})})
    n = int(TWO_HOURS_S / 60.0)
    load = [300.0] * n
    load[60:70] = [1_500.0] * 10
    plan = solve_optimum(day, Exogenous(60.0, [0.0] * n, load, [0.005] * n, [20.0] * n, start_s=12 * 3600))
    assert not plan.import_limit_feasible and plan.holdable_import_limit_w == pytest.approx(1_500.0, abs=1.0)
    over = [k for k, grid in enumerate(plan.series.grid_w) if grid > day.limits.import_limit_w + 1e-6]
    assert over == [12, 13]  # the 5-minute steps of the load step
    assert all(p == pytest.approx(0.0, abs=1e-6) for p in plan.series.boiler_w)


def test_a_plan_a_hair_below_the_minimum_is_not_a_cold_step(scenario):
    """HiGHS's feasibility tolerance leaves a MILP's tank 1e-9 K under its minimum where the LP's vertex sat on
    it: that is the minimum, not a cold minute the controller would be excused by."""
    from energy_edge_lab.optimum import _series

    low = scenario.assets.boiler.min_temperature_c
    ex = _exogenous(pv_w=0.0, load_w=300.0, draw_kg_per_s=0.0, dt_s=300.0)
    x = {name: [0.0] * len(ex) for name in ("ch", "dis", "heat", "pv", "imp", "exp")}
    x["e"] = [scenario.assets.battery.capacity_wh / 2] * len(ex)
    x["temp"] = [low - 1e-9] * (len(ex) - 1) + [low - 0.1]
    temperatures = _series(scenario, ex, x).boiler_temperature_c
    assert temperatures[:-1] == [low] * (len(ex) - 1) and temperatures[-1] == pytest.approx(low - 0.1)


@pytest.mark.parametrize("heat_price_per_kwh, runs", [(0.05, False), (0.09, True)])
def test_an_on_off_heater_takes_the_excess_over_the_export_limit_only_where_its_whole_power_pays(
        scenario, heat_price_per_kwh, runs):
    """10 kW of sun, 1 kW of load, a 7 kW export limit: 2 kW must go. A continuous heater would soak up just
    those 2 kW, free. A 6 kW on/off heater running takes 4 kW from the export as well (at 0.10 a kWh): it
    runs only where its 6 kW of heat are worth more than that (the heat valued at the end of the run)."""
    from energy_edge_lab.scenario import Tariff

    boiler = scenario.assets.boiler.model_copy(update={
        "heater_power_w": 6_000.0, "loss_w_per_k": 0.0, "initial_temperature_c": 50.0, "max_temperature_c": 95.0})
    day = scenario.model_copy(update={
        "assets": scenario.assets.model_copy(update={"battery": None, "boiler": boiler}),
        "limits": Limits(export_limit_w=7_000.0, import_limit_w=20_000.0),
        "tariff": Tariff(import_price_per_kwh=0.30, feed_in_price_per_kwh=0.10),
        "end_of_day": EndOfDay(rule="value", price_per_kwh=heat_price_per_kwh)})
    plan = solve_optimum(day, _exogenous(pv_w=10_000.0, load_w=1_000.0, draw_kg_per_s=0.0, dt_s=300.0))
    heats = [-b for b in plan.series.boiler_w]
    if runs:
        assert all(h == pytest.approx(6_000.0, abs=1e-3) for h in heats)
        assert all(g == pytest.approx(-3_000.0, abs=1e-3) for g in plan.series.grid_w)
    else:
        assert all(h == pytest.approx(0.0, abs=1e-3) for h in heats)
        assert all(g == pytest.approx(-7_000.0, abs=1e-3) for g in plan.series.grid_w)  # the rest curtailed


def test_a_passing_cloud_leaves_the_heater_room_only_for_the_seconds_it_fits(scenario):
    """Under a 1 kW limit the 2 kW heater fits beside the 300 W load while 2 kW of sun shines: a cloud of a
    minute in every 5-minute step leaves the step's mean sun (1.6 kW) room for the heater, but not those
    seconds. The plan heats no step longer than the heater fits in it, as a controller running every second
    must (the mean alone let it heat through the cloud, past the limit)."""
    from energy_edge_lab.optimum import heater_fit_shares

    day = _tight_heater_day(scenario, import_limit_w=1_000.0)
    n = TWO_HOURS_S
    pv = [0.0 if (t % 300) < 60 else 2_000.0 for t in range(n)]
    ex = Exogenous(1.0, pv, [300.0] * n, [0.02] * n, [20.0] * n, start_s=12 * 3600)  # a draw beyond the heater
    assert heater_fit_shares(ex, 300.0, n // 300, 2_000.0, 1_000.0) == [pytest.approx(0.8)] * (n // 300)
    heats = [-b for b in solve_optimum(day, ex).series.boiler_w]
    assert max(heats) == pytest.approx(0.8 * 2_000.0)  # the tank takes all it can: 240 of 300 seconds
    means = [-b for b in solve_optimum(day, ex.resample(300.0)).series.boiler_w]
    assert max(means) == pytest.approx(2_000.0)  # seen at 5 minutes only, it heated through the cloud


def test_without_a_battery_a_passing_clouds_deficit_is_not_netted_against_the_surplus_around_it(scenario):
    """A zero-export site without a battery or boiler: 3 kW of sun beside a 2 kW load, and a cloud of a minute
    in every 5-minute step. The step's mean sun (2.4 kW) covers the load, but every second-by-second controller
    imports the cloud's 2 kW for that minute and can store none of the surplus. The plan imports what every
    second needs (a fifth of the steps' time at 2 kW), where seen at 5 minutes only it imported nothing."""
    from energy_edge_lab.optimum import grid_bounds_per_second

    assets = scenario.assets.model_copy(update={"battery": None, "boiler": None})
    day = scenario.model_copy(update={"assets": assets,
                                      "limits": Limits(export_limit_w=0.0, import_limit_w=20_000.0)})
    n = TWO_HOURS_S
    pv = [0.0 if (t % 300) < 60 else 3_000.0 for t in range(n)]
    ex = Exogenous(1.0, pv, [2_000.0] * n, [0.0] * n, [20.0] * n, start_s=12 * 3600)
    floors, caps = grid_bounds_per_second(ex, 300.0, n // 300, 0.0, 0.0)
    assert floors == [pytest.approx(400.0)] * (n // 300) and caps == [0.0] * (n // 300)
    assert all(g == pytest.approx(400.0, abs=1e-3) for g in solve_optimum(day, ex).series.grid_w)
    means = solve_optimum(day, ex.resample(300.0)).series.grid_w
    assert all(g == pytest.approx(0.0, abs=1e-3) for g in means)  # the test can fail: the mean netted the cloud
    _, open_caps = grid_bounds_per_second(ex, 300.0, n // 300, 1_000.0, 500.0)  # a 1 kW discharge, a 500 W limit
    assert open_caps == [pytest.approx(0.2 * 0.0 + 0.8 * 500.0)] * (n // 300)


def test_spare_battery_energy_makes_up_the_tanks_shortfall_at_the_end(scenario):
    # A zero-export noon with sun to spare and heavy draws a 100 W heater cannot keep up with: the tank must end
    # below its start. Under `no_lower` the optimum stores the free sun instead of curtailing it, enough for the
    # heater to turn into the tank's shortfall (a battery kWh as sqrt(round trip) kWh of heat), so nothing is
    # bought back. Without that the stored sun was worth nothing at the end, a tie with curtailing it.
    boiler = scenario.assets.boiler.model_copy(update={"heater_power_w": 100.0})
    scenario = scenario.model_copy(update={
        "assets": scenario.assets.model_copy(update={"boiler": boiler}),
        "limits": Limits(export_limit_w=0.0, import_limit_w=20_000.0),
        "end_of_day": EndOfDay(rule="no_lower", price_per_kwh=1.0)})
    plan = solve_optimum(scenario, _exogenous(pv_w=20_000.0, load_w=2_000.0, draw_kg_per_s=0.01))
    battery = scenario.assets.battery
    heat_short_kwh = (boiler.initial_temperature_c - plan.series.boiler_temperature_c[-1]) \
        * boiler.thermal_mass_j_per_k / 3.6e6
    spare_kwh = (plan.series.soc[-1] - battery.initial_soc) * battery.capacity_wh / 1000
    assert heat_short_kwh > 1.0  # the tank did end short
    assert spare_kwh * battery.round_trip_efficiency ** 0.5 >= heat_short_kwh - 1e-3
    assert compute_kpis(plan.series, scenario).end_of_day_cost == pytest.approx(0.0, abs=1e-6)
