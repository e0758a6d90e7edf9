"""The planning problem built from the forecast, the prices and the assets; the plan's first slot as guidance."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from energy_edge.domain.balancing import AssetView, Guidance, Policy
from energy_edge.domain.balancing.balancer import MIN_RUN_S, MIN_RUN_SOC
from energy_edge.domain.balancing.hourly_profile import HourlyProfile
from energy_edge.domain.errors import InvalidPayload
from energy_edge.domain.planning import ForecastSlot
from energy_edge.domain.planning.hot_water_guidance import MARGIN_C
from energy_edge.domain.planning.plan_guidance import grid_band, guidance_from_plan
from energy_edge.domain.planning.problem import (
    BATTERY_ROUND_TRIP_EFFICIENCY, HEAT_LOSS_RATIO_PER_H, NO_PRICE_FEED_IN_PER_KWH, NO_PRICE_IMPORT_PER_KWH,
    NO_PRICE_PEAK_IMPORT_PER_KWH, MAX_TANK_PARTS, START_CARRY_MARGIN, PlannedSlot, ProblemSlot, build_problem, litres_between)
from energy_edge.domain.prices import PriceSchedule, PriceSlot

POLICY = Policy(export_limit_w=8_000.0, import_limit_w=20_000.0, soc_reserve_min=0.1, soc_reserve_max=0.9,
                boiler_heat_capacity_j_per_k=837_200.0)  # a 200 l tank
BATTERIES = [AssetView(f"battery{i}", "battery", 0.0, soc=0.5, capacity_wh=10_000.0, max_charge_w=5_000.0,
                       max_discharge_w=4_000.0, soc_min=0.05, soc_max=0.95) for i in range(2)]
BOILER = AssetView("boiler", "boiler", 0.0, temperature_c=55.0, min_temperature_c=45.0, max_temperature_c=85.0,
                   heater_power_w=3_000.0)
FORECAST = [ForecastSlot(i * 900.0, 900.0, 2_000.0, 500.0) for i in range(8)]


def test_the_batteries_are_one_store_inside_the_tighter_band() -> None:
    problem = build_problem(0.0, POLICY, [*BATTERIES, BOILER], FORECAST, PriceSchedule())
    battery = problem.battery
    assert battery is not None
    assert (battery.energy_wh, battery.min_wh, battery.max_wh) == (10_000.0, 2_000.0, 18_000.0)
    assert (battery.max_charge_w, battery.max_discharge_w) == (10_000.0, 8_000.0)
    assert battery.charge_efficiency * battery.discharge_efficiency == pytest.approx(BATTERY_ROUND_TRIP_EFFICIENCY)
    heat = problem.heat
    assert heat is not None and heat.heater_w == 3_000.0
    # above the comfort floor: the minimum plus the just-in-time margin
    assert heat.energy_wh == pytest.approx((10 - MARGIN_C) * 837_200.0 / 3600)
    assert heat.max_wh == pytest.approx((40 - MARGIN_C) * 837_200.0 / 3600)
    assert (problem.import_limit_w, problem.export_limit_w) == (20_000.0, 8_000.0)


def test_prices_come_from_the_schedule_and_the_policy_window_stands_in_without_one() -> None:
    schedule = PriceSchedule([PriceSlot(0.0, 3600.0, 0.30, -0.05), PriceSlot(3600.0, 7200.0, 0.10)])
    problem = build_problem(0.0, POLICY, BATTERIES, FORECAST, schedule)
    assert [(s.import_price_per_kwh, s.feed_in_price_per_kwh) for s in problem.slots[::4]] == [
        (0.30, -0.05), (0.10, pytest.approx(0.10 * NO_PRICE_FEED_IN_PER_KWH))]
    assert problem.refill_price_per_kwh == 0.10  # the import price at the horizon's end
    windowed = Policy(peak_start_h=1.0, peak_end_h=2.0)
    slots = build_problem(0.0, windowed, BATTERIES, FORECAST, PriceSchedule()).slots
    assert [s.import_price_per_kwh for s in slots[::4]] == [NO_PRICE_IMPORT_PER_KWH, NO_PRICE_PEAK_IMPORT_PER_KWH]


def test_the_first_slot_is_cut_where_the_price_changes_within_it() -> None:
    """Priced at its middle, a first slot from 15:55 read the 16:00 peak's price for the five cheap minutes before
    it, and a heating run meant to end at 16:00 stopped at 15:55. Cut there, each part has its own price (the
    same sun and load); a change within a minute of either end leaves the slot whole, and later slots stay whole."""
    quarter = [ForecastSlot(15.9167 * 3600.0 + k * 900.0, 900.0, 1_000.0, 500.0) for k in range(3)]
    peak = replace(POLICY, peak_start_h=16.0, peak_end_h=20.0)
    slots = build_problem(quarter[0].start_s, peak, BATTERIES, quarter, PriceSchedule()).slots
    assert [s.start_s for s in slots] == pytest.approx([quarter[0].start_s, 16 * 3600.0, *(q.start_s for q in quarter[1:])])
    assert [s.import_price_per_kwh for s in slots[:2]] == [NO_PRICE_IMPORT_PER_KWH, NO_PRICE_PEAK_IMPORT_PER_KWH]
    assert sum(s.duration_s for s in slots) == pytest.approx(2_700.0)
    schedule = PriceSchedule([PriceSlot(0.0, 16.1 * 3600.0, 0.10), PriceSlot(16.1 * 3600.0, 17 * 3600.0, 0.30)])
    cut = build_problem(quarter[0].start_s, POLICY, BATTERIES, quarter, schedule).slots
    assert cut[1].start_s == pytest.approx(16.1 * 3600.0) and [s.import_price_per_kwh for s in cut[:2]] == [0.10, 0.30]
    soon = replace(POLICY, peak_start_h=15.9167 + 50 / 3600.0, peak_end_h=20.0)  # 50 s after the slot starts
    assert len(build_problem(quarter[0].start_s, soon, BATTERIES, quarter, PriceSchedule()).slots) == 3


def test_a_brighter_sky_is_weighed_where_the_plan_counts_on_the_expected_one() -> None:
    """The bright PV reaches the problem where the plan counts on the expected sky, not where the import limit
    has it count on the cautious one; the bright sky's problem keeps the first slot and drops the reserves."""
    bright = [replace(slot, pv_low_w=1_000.0, pv_high_w=3_000.0, load_high_w=600.0) for slot in FORECAST]
    problem = build_problem(0.0, POLICY, [*BATTERIES, BOILER], bright, PriceSchedule())
    assert [s.bright_pv_w for s in problem.slots] == [3_000.0] * len(FORECAST) and problem.may_be_brighter
    under = problem.under_bright_sky()
    assert under.slots[0] == problem.slots[0]
    assert all(s.pv_w == 3_000.0 and s.limit_reserve_w == 0.0 and s.draw_room_w is None for s in under.slots[1:])
    tight = replace(POLICY, import_limit_w=100.0)  # the cautious load beyond the cautious sun passes the limit
    overcast = [replace(slot, pv_low_w=0.0) for slot in bright]
    assert all(s.bright_pv_w is None for s in build_problem(0.0, tight, BATTERIES, overcast, PriceSchedule()).slots)
    assert not build_problem(0.0, POLICY, BATTERIES, FORECAST, PriceSchedule()).may_be_brighter  # no bright figure


def test_a_site_without_stores_has_none() -> None:
    problem = build_problem(0.0, POLICY, [AssetView("solar", "solar", 0.0)], FORECAST, PriceSchedule())
    assert problem.battery is None and problem.heat is None


PROBLEM = build_problem(0.0, POLICY, BATTERIES, FORECAST, PriceSchedule())
ROOM = (1 - 0.07) * POLICY.export_limit_w


@pytest.mark.parametrize(("slot", "band"), [
    (PlannedSlot(import_w=0.0, export_w=0.0, charge_w=1_500.0), (0.0, 0.0)),  # self-consumption
    (PlannedSlot(import_w=0.0, export_w=3_000.0, charge_w=1_500.0), (-3_000.0, 0.0)),  # export first
    (PlannedSlot(import_w=6_000.0, export_w=0.0, charge_w=5_500.0), (6_000.0, 20_000.0)),  # grid charging
    (PlannedSlot(import_w=7_000.0, export_w=0.0, discharge_w=3_000.0), (0.0, 7_000.0)),  # peak shaving
    (PlannedSlot(import_w=0.0, export_w=2_000.0, discharge_w=3_000.0), (-2_000.0, -2_000.0)),  # selling
    (PlannedSlot(import_w=900.0, export_w=0.0), (0.0, 20_000.0)),  # holding for a dearer hour
    (PlannedSlot(import_w=0.0, export_w=5_000.0), (-ROOM, 0.0)),  # keeping the room for later
    (PlannedSlot(import_w=0.0, export_w=10.0), (0.0, 0.0)),  # nothing to speak of
    (PlannedSlot(import_w=0.0, export_w=9_000.0, charge_w=2_000.0), (-ROOM, 0.0)),  # short of the export limit
    (PlannedSlot(import_w=0.0, export_w=2_000.0, heat_w=1_500.0), (-2_000.0, 0.0)),  # the tanks store the rest
])
def test_the_first_slot_becomes_a_grid_band(slot: PlannedSlot, band: tuple[float, float]) -> None:
    assert grid_band(slot, PROBLEM, POLICY) == band
    guidance = guidance_from_plan(PROBLEM, [slot], POLICY, BATTERIES)
    assert (guidance.grid_low_w, guidance.grid_high_w) == band
    assert guidance.export_first_w == 0.0 and guidance.grid_charge_to_soc == 0.0  # the band replaces them


def test_a_held_battery_is_held_however_small_the_load_beside_its_power() -> None:
    """The factory's night: 1 kW of load beside 70 kW of batteries the plan holds for a dearer hour. The grid
    is read in its own sense (50 W), not on the stores' scale (2 % of 70 kW): the band imports the load,
    where it read 'grid about 0' and the batteries self-consumed it all night, below their daily target."""
    big = [replace(b, max_charge_w=35_000.0, max_discharge_w=35_000.0) for b in BATTERIES]
    problem = build_problem(0.0, POLICY, big, FORECAST, PriceSchedule())
    assert grid_band(PlannedSlot(import_w=978.0, export_w=0.0), problem, POLICY) == (0.0, 20_000.0)
    assert grid_band(PlannedSlot(import_w=0.0, export_w=978.0), problem, POLICY) == (-ROOM, 0.0)
    assert grid_band(PlannedSlot(import_w=30.0, export_w=0.0), problem, POLICY) == (0.0, 0.0)


def test_each_boiler_is_preheated_to_where_the_plans_heating_run_ends() -> None:
    problem = build_problem(0.0, POLICY, [*BATTERIES, BOILER], FORECAST, PriceSchedule())
    to_wh = 837_200.0 / 3600
    heating = [PlannedSlot(import_w=3_000.0, export_w=0.0, heat_w=3_000.0, heat_wh=(10 + 3.2 * k) * to_wh)
               for k in (1, 2)]
    rest = PlannedSlot(import_w=500.0, export_w=0.0, heat_wh=16.0 * to_wh)
    guidance = guidance_from_plan(problem, [*heating, rest], POLICY, [*BATTERIES, BOILER])
    floor_c = 45.0 + MARGIN_C
    assert guidance.boiler_preheat_by_module == {"boiler": pytest.approx(floor_c + 16.4)}  # at a positive price too
    assert guidance.boiler_preheat_c == 0.0  # the site-wide preheat stays the time-of-use one
    from_sun = [PlannedSlot(import_w=0.0, export_w=2_000.0, heat_w=3_000.0, heat_wh=12 * to_wh), rest]
    sun = guidance_from_plan(problem, from_sun, POLICY, [*BATTERIES, BOILER])
    # at least the first slot's heat on top of the tank now (55 °C)
    assert sun.boiler_preheat_by_module == {"boiler": pytest.approx(55.0 + 3_000 * 0.25 / to_wh)}
    variable = [replace(slot, pv_low_w=600.0) for slot in FORECAST]  # a cautious sky gives 100 W of surplus
    unsure = build_problem(0.0, POLICY, [*BATTERIES, BOILER], variable, PriceSchedule())
    assert guidance_from_plan(unsure, from_sun, POLICY, [*BATTERIES, BOILER]).boiler_preheat_by_module == {}
    idle = [PlannedSlot(import_w=500.0, export_w=0.0, heat_w=1_000.0, heat_wh=10 * to_wh), rest]
    assert guidance_from_plan(problem, idle, POLICY, [*BATTERIES, BOILER]).boiler_preheat_by_module == {}
    hotter = Guidance(boiler_preheat_c=70.0, boiler_preheat_by_module={"boiler": 75.0})  # the heuristic's
    kept = guidance_from_plan(problem, [*heating, rest], POLICY, [*BATTERIES, BOILER], hotter)
    assert (kept.boiler_preheat_c, kept.boiler_preheat_by_module) == (70.0, {"boiler": 75.0})


def test_each_part_of_the_tanks_is_preheated_to_where_its_own_heating_run_ends() -> None:
    """Tanks planned as stores of their own: the tank whose part the plan heats from the grid gets that part's
    rise; the other, which the plan leaves be, gets no preheat (as one store, both got the same rise)."""
    policy = replace(POLICY, hot_water_litres_per_hour={"1": 40.0}, hot_water_litres_per_hour_by_boiler={"kitchen": {}})
    kitchen = replace(BOILER, module="kitchen")
    problem = build_problem(0.0, policy, [*BATTERIES, BOILER, kitchen], FORECAST, PriceSchedule())
    assert problem.heat is not None and len(problem.heat.tanks) == 2
    to_wh = 837_200.0 / 3600
    heating = [PlannedSlot(import_w=3_000.0, export_w=0.0, heat_w=3_000.0, heat_wh=(20 + 3.2 * k) * to_wh,
                           tank_heat_w=(3_000.0, 0.0), tank_heat_wh=((10 + 3.2 * k) * to_wh, 10 * to_wh))
               for k in (1, 2)]
    rest = PlannedSlot(import_w=500.0, export_w=0.0, heat_wh=26.0 * to_wh, tank_heat_w=(0.0, 0.0),
                       tank_heat_wh=(16.0 * to_wh, 10 * to_wh))
    guidance = guidance_from_plan(problem, [*heating, rest], policy, [*BATTERIES, BOILER, kitchen])
    assert guidance.boiler_preheat_by_module == {"boiler": pytest.approx(45.0 + MARGIN_C + 16.4)}


def test_a_plan_that_knows_the_draws_drops_the_site_wide_time_of_use_preheat() -> None:
    """The heuristic's time-of-use preheat is one temperature for every tank. A plan that knows each tank's draws
    prices the peak itself: where it stores the sun in the batteries for the peak, a kitchen tank with no draw in
    the window is not heated to the site's preheat from those batteries (two tanks of a winter day were, and the
    batteries met the dear hours half full). Without the draws the plan cannot value the peak's hot water, and
    the heuristic's preheat stays."""
    draws = HourlyProfile(tuple(40.0 if hour == 1 else 0.0 for hour in range(24)))
    knowing = replace(POLICY, hot_water_litres_per_hour=draws, cold_water_c=10.0)
    kitchen = replace(BOILER, module="kitchen")
    storing = [PlannedSlot(import_w=0.0, export_w=0.0, charge_w=1_500.0)] * 2
    heuristic = Guidance(boiler_preheat_c=63.0, boiler_preheat_by_module={"boiler": 58.0})
    problem = build_problem(0.0, knowing, [*BATTERIES, BOILER, kitchen], FORECAST, PriceSchedule())
    guided = guidance_from_plan(problem, storing, knowing, [*BATTERIES, BOILER, kitchen], heuristic)
    assert guided.boiler_preheat_c == 0.0
    assert guided.boiler_preheat_by_module == {"boiler": 58.0}  # each tank's own just-in-time floor stays
    blind = build_problem(0.0, POLICY, [*BATTERIES, BOILER, kitchen], FORECAST, PriceSchedule())
    assert guidance_from_plan(blind, storing, POLICY, [*BATTERIES, BOILER, kitchen], heuristic).boiler_preheat_c == 63.0


def test_the_draws_and_the_standing_loss_reach_the_heat_store() -> None:
    draws = HourlyProfile(tuple(40.0 if hour == 1 else 0.0 for hour in range(24)))
    policy = replace(POLICY, hot_water_litres_per_hour=draws, cold_water_c=10.0, boiler_loss_w_per_k=2.0)
    problem = build_problem(0.0, policy, [BOILER], FORECAST, PriceSchedule())
    # slots of 15 min from 00:00: the hour 01:00-02:00 draws 10 l a quarter
    assert [s.hot_water_kg for s in problem.slots] == pytest.approx([0.0] * 4 + [10.0] * 4)
    heat = problem.heat
    assert heat is not None
    assert heat.loss_ratio_per_h == pytest.approx(2.0 * 3600 / 837_200.0)
    floor_c = 45.0 + MARGIN_C  # the heat store's zero
    assert heat.loss_floor_w == pytest.approx(2.0 * (floor_c - 20.0))
    assert heat.tank_kg == pytest.approx(200.0) and heat.draw_wh_per_kg == pytest.approx(4186.0 * (floor_c - 10) / 3600)
    quiet, drawing = heat.step(problem.slots[0]), heat.step(problem.slots[4])
    assert quiet.keep == pytest.approx(1 - heat.loss_ratio_per_h / 4, rel=1e-4)
    # 10 of its 200 l replaced by cold water: the mixed tank keeps 95 % of its heat above the minimum
    assert drawing.keep == pytest.approx(math.exp(-heat.loss_ratio_per_h / 4 - 0.05))
    assert drawing.drain_wh == pytest.approx(10 * heat.draw_wh_per_kg + heat.loss_floor_w / 4, rel=0.03)
    assert litres_between(draws, 3_000.0, 1_200.0) == pytest.approx(40.0 / 6)  # 00:50-01:10 draws from 01:00


def test_each_tank_draws_its_own_profile_and_the_store_their_mean() -> None:
    policy = replace(POLICY, hot_water_litres_per_hour={"1": 40.0}, hot_water_litres_per_hour_by_boiler={"kitchen": {}})
    kitchen = replace(BOILER, module="kitchen")
    problem = build_problem(0.0, policy, [BOILER, kitchen], FORECAST, PriceSchedule())
    assert [s.hot_water_kg for s in problem.slots] == pytest.approx([0.0] * 4 + [5.0] * 4)  # (10 + 0) / 2 a quarter


def test_tanks_that_draw_apart_are_planned_as_stores_of_their_own() -> None:
    """The store as one summed a tank with no draw until the morning with another's evening draws: each part of
    alike tanks is a store of its own (`HeatStore.tanks`), with its boilers and its own draws per slot; the sum
    stays the store's figure."""
    policy = replace(POLICY, hot_water_litres_per_hour={"1": 40.0}, hot_water_litres_per_hour_by_boiler={"kitchen": {}})
    kitchen, bath = replace(BOILER, module="kitchen", temperature_c=70.0), replace(BOILER, module="bath")
    problem = build_problem(0.0, policy, [BOILER, kitchen, bath], FORECAST, PriceSchedule())
    heat = problem.heat
    assert heat is not None and [part.modules for part in heat.tanks] == [("boiler", "bath"), ("kitchen",)]
    drawing, kitchen_part = heat.tanks
    assert kitchen_part.energy_wh == pytest.approx((25 - MARGIN_C) * 837_200.0 / 3600)
    assert drawing.energy_wh == pytest.approx(2 * (10 - MARGIN_C) * 837_200.0 / 3600)
    assert heat.energy_wh == pytest.approx(drawing.energy_wh + kitchen_part.energy_wh)
    assert [kg for s in problem.slots for kg in s.tank_draws_kg] == pytest.approx([0.0, 0.0] * 4 + [10.0, 0.0] * 4)
    assert drawing.step(problem.slots[4], problem.slots[4].draws_kg(0)).drain_wh > drawing.step(problem.slots[0]).drain_wh
    alike = build_problem(0.0, POLICY, [BOILER, bath], FORECAST, PriceSchedule()).heat
    assert alike is not None and alike.tanks == () and alike.each_tank() == (alike,)


def test_more_unlike_tanks_than_the_plan_takes_apart_are_parted_by_their_draws_then_summed() -> None:
    """Each part adds to every slot of the plan: beyond `MAX_TANK_PARTS` the tanks are parted by their draws
    alone (what one tank's heat must not stand in for), and beyond that again planned as one store."""
    tops = [replace(BOILER, module=f"boiler{i}", max_temperature_c=70.0 + i) for i in range(MAX_TANK_PARTS + 1)]
    by_draws = replace(POLICY, hot_water_litres_per_hour_by_boiler={"boiler0": {"1": 40.0}})
    heat = build_problem(0.0, by_draws, tops, FORECAST, PriceSchedule()).heat
    assert heat is not None and [len(part.modules) for part in heat.tanks] == [1, MAX_TANK_PARTS]
    many = replace(POLICY, hot_water_litres_per_hour_by_boiler={b.module: {"1": 10.0 * i} for i, b in enumerate(tops)})
    heat = build_problem(0.0, many, tops, FORECAST, PriceSchedule()).heat
    assert heat is not None and heat.tanks == ()


def test_tanks_of_their_own_loss_lose_their_sum_from_the_store() -> None:
    """A kitchen tank losing 4 W/K beside one at the site's 2 W/K (same size): the store loses their UA over
    their heat capacity, and at its floor what each loses at its own."""
    policy = replace(POLICY, boiler_loss_w_per_k=2.0, boiler_loss_w_per_k_by_boiler={"kitchen": 4.0})
    heat = build_problem(0.0, policy, [BOILER, replace(BOILER, module="kitchen")], FORECAST, PriceSchedule()).heat
    assert heat is not None
    assert heat.loss_ratio_per_h == pytest.approx((2.0 + 4.0) * 3600 / (2 * 837_200.0))
    assert heat.loss_floor_w == pytest.approx((2.0 + 4.0) * (45.0 + MARGIN_C - 20.0))


def test_without_the_tanks_loss_the_fixed_ratio_stands_in() -> None:
    heat = build_problem(0.0, POLICY, [BOILER], FORECAST, PriceSchedule()).heat
    assert heat is not None
    assert (heat.loss_ratio_per_h, heat.loss_floor_w) == (HEAT_LOSS_RATIO_PER_H, 0.0)
    step = heat.step(ProblemSlot(0.0, 3_600.0, 0.0, 0.0, 0.3, 0.1))
    assert step.drain_wh == 0.0 and step.keep == pytest.approx(math.exp(-HEAT_LOSS_RATIO_PER_H))


def test_without_batteries_the_suns_heat_is_left_to_the_free_boilers_that_follow_the_band() -> None:
    draws = replace(POLICY, hot_water_litres_per_hour=HourlyProfile((20.0,) * 24))
    problem = build_problem(0.0, draws, [BOILER], FORECAST, PriceSchedule())
    to_wh = 837_200.0 / 3600
    from_sun = [PlannedSlot(import_w=0.0, export_w=2_000.0, heat_w=3_000.0, heat_wh=12 * to_wh)]
    assert guidance_from_plan(problem, from_sun, draws, [BOILER]).boiler_preheat_by_module == {}
    later = [PlannedSlot(import_w=0.0, export_w=1_500.0), PlannedSlot(import_w=0.0, export_w=100.0, heat_w=1_400.0)]
    assert guidance_from_plan(problem, later, draws, [BOILER]).boilers_follow_band  # exports now for sure sun later
    no_export = [replace(later[0], export_w=0.0), later[1]]
    assert not guidance_from_plan(problem, no_export, draws, [BOILER]).boilers_follow_band
    variable = [replace(slot, pv_low_w=600.0) for slot in FORECAST]  # a cautious sky gives 100 W of surplus
    unsure = build_problem(0.0, draws, [BOILER], variable, PriceSchedule())
    assert not guidance_from_plan(unsure, later, draws, [BOILER]).boilers_follow_band  # the surplus now is surer
    from_grid = [PlannedSlot(import_w=3_500.0, export_w=0.0, heat_w=3_000.0, heat_wh=12 * to_wh)]
    assert "boiler" in guidance_from_plan(problem, from_grid, draws, [BOILER]).boiler_preheat_by_module
    unknown = build_problem(0.0, POLICY, [BOILER], FORECAST, PriceSchedule())  # no profile: heat has no worth
    assert not guidance_from_plan(unknown, from_sun, POLICY, [BOILER]).boilers_follow_band


def test_a_daily_target_for_the_tanks_values_their_heat_as_the_draws_do() -> None:
    """A settling evening after its last draw: only the tanks' target values their heat, and the free boilers
    follow the band and the plan's value of heat as they do before a draw, not every surplus (a tank heated
    from whatever the band exported ended 15 K above its target, its feed-in lost)."""
    target = replace(POLICY, store_target_h=2.0, store_target_c=60.0, store_target_settles=True)
    problem = build_problem(0.0, target, [BOILER], FORECAST, PriceSchedule())
    later = [PlannedSlot(import_w=0.0, export_w=1_500.0), PlannedSlot(import_w=0.0, export_w=100.0, heat_w=1_400.0)]
    guidance = guidance_from_plan(problem, later, target, [BOILER])
    assert guidance.boilers_follow_band and guidance.boiler_start_surplus_ratio is not None
    battery_only = replace(target, store_target_c=0.0, store_target_soc=0.5)
    unvalued = build_problem(0.0, battery_only, [BOILER], FORECAST, PriceSchedule())
    assert not guidance_from_plan(unvalued, later, battery_only, [BOILER]).boilers_follow_band


def test_the_suns_heat_beyond_the_export_limit_is_carried_in_runs_by_full_batteries() -> None:
    """The plan heats with 1.5 kW of a 6 kW heater from sun the export limit would curtail, the batteries at
    their top: the free boilers take it in runs the batteries carry (balancing/carried_heat.py), where before
    it never came. Not where the heat is bought, the batteries have room, or the sun runs the heater alone."""
    draws = replace(POLICY, hot_water_litres_per_hour=HourlyProfile((20.0,) * 24))
    big = replace(BOILER, heater_power_w=6_000.0)
    sunny = [ForecastSlot(i * 900.0, 900.0, 4_600.0, 1_000.0) for i in range(8)]
    problem = build_problem(0.0, draws, [*BATTERIES, big], sunny, PriceSchedule())
    top = problem.battery.max_wh
    first = PlannedSlot(import_w=0.0, export_w=1_900.0, heat_w=1_500.0, battery_wh=top)
    assert guidance_from_plan(problem, [first], draws, [*BATTERIES, big]).boilers_carried
    assert not guidance_from_plan(problem, [replace(first, battery_wh=top - 2_000.0)], draws,
                                  [*BATTERIES, big]).boilers_carried
    assert not guidance_from_plan(problem, [replace(first, import_w=1_500.0)], draws,
                                  [*BATTERIES, big]).boilers_carried
    small = replace(BOILER, heater_power_w=3_000.0)  # the sun's 3.6 kW surplus runs it alone
    alone = build_problem(0.0, draws, [*BATTERIES, small], sunny, PriceSchedule())
    assert not guidance_from_plan(alone, [first], draws, [*BATTERIES, small]).boilers_carried


def test_heat_the_plan_draws_from_the_batteries_is_a_preheat() -> None:
    """At night the plan heats the tank from the batteries' discharge (no sun, nothing imported): free boilers
    heat from surplus only, so it must be a preheat, where before it never came (the tank ended 8 K below its
    target while the batteries sold what would have heated it)."""
    night = [ForecastSlot(i * 900.0, 900.0, 0.0, 1_000.0) for i in range(8)]
    problem = build_problem(0.0, POLICY, [*BATTERIES, BOILER], night, PriceSchedule())
    to_wh = 837_200.0 / 3600
    stored = [PlannedSlot(import_w=0.0, export_w=0.0, discharge_w=4_000.0, heat_w=3_000.0, heat_wh=12 * to_wh)]
    assert "boiler" in guidance_from_plan(problem, stored, POLICY, [*BATTERIES, BOILER]).boiler_preheat_by_module
    load_only = [replace(stored[0], discharge_w=1_500.0)]  # the batteries carry the load and 500 W of heat
    assert guidance_from_plan(problem, load_only, POLICY, [*BATTERIES, BOILER]).boiler_preheat_by_module == {}


def test_the_grid_heat_stays_out_of_the_band_unless_the_batteries_charge_beside_it() -> None:
    problem = build_problem(0.0, POLICY, [*BATTERIES, BOILER], FORECAST, PriceSchedule())
    heating = PlannedSlot(import_w=3_500.0, export_w=0.0, heat_w=3_000.0, heat_wh=12 * 837_200.0 / 3600)
    alone = guidance_from_plan(problem, [heating], POLICY, [*BATTERIES, BOILER])
    assert (alone.grid_low_w, alone.grid_high_w) == (0.0, 20_000.0)  # at rest: the boiler's preheat imports it
    beside = replace(heating, import_w=8_500.0, charge_w=5_000.0)
    charging = guidance_from_plan(problem, [beside], POLICY, [*BATTERIES, BOILER])
    assert (charging.grid_low_w, charging.grid_high_w) == (8_500.0, 20_000.0)  # the heater's share counted


def test_the_grid_heat_left_out_of_a_discharging_band_is_the_heaters_to_import_while_they_run() -> None:
    tight = replace(POLICY, import_limit_w=2_800.0)
    problem = build_problem(0.0, tight, [*BATTERIES, BOILER], FORECAST, PriceSchedule())
    draw = PlannedSlot(import_w=2_800.0, export_w=0.0, discharge_w=1_500.0, heat_w=3_000.0,
                       heat_wh=12 * 837_200.0 / 3600)
    guidance = guidance_from_plan(problem, [draw], tight, [*BATTERIES, BOILER])
    assert (guidance.grid_low_w, guidance.grid_high_w, guidance.heaters_grid_w) == (0.0, 0.0, 2_800.0)
    assert guidance.with_heaters_running(3_000.0).grid_high_w == 2_800.0  # the plan's import, heater running


def test_the_batteries_hold_a_heaters_start_as_the_balancer_asks_it_with_a_margin() -> None:
    """Each battery's start energy: its full discharge through a minimum run, at least 1 % of its capacity
    (balancer.start_carry_wh), planned `START_CARRY_MARGIN` above it."""
    store = build_problem(0.0, POLICY, [*BATTERIES, BOILER], FORECAST, PriceSchedule()).battery
    each = max(4_000.0 * max(POLICY.boiler_min_on_s, MIN_RUN_S) / 3600.0, MIN_RUN_SOC * 10_000.0)
    assert store.start_wh == pytest.approx(2 * START_CARRY_MARGIN * each)
    hour_runs = replace(POLICY, boiler_min_on_s=7_200.0)  # 8 kWh a start each: more than their band holds
    capped = build_problem(0.0, hour_runs, [*BATTERIES, BOILER], FORECAST, PriceSchedule()).battery
    assert capped.start_wh == pytest.approx(capped.max_wh - capped.min_wh)


def test_a_free_boiler_imports_part_of_its_heater_only_where_the_plan_values_the_heat_above_that_cost() -> None:
    """Without day-ahead prices: import 1.0, feed-in 0.3 (relative). Heat with a share s of surplus costs
    1.0 - 0.7 s: worth 0.65 it pays from s = 0.5; worth only the feed-in (the sun covers the tanks before they
    need buying for), only on a whole heater's worth of surplus."""
    draws = replace(POLICY, hot_water_litres_per_hour=HourlyProfile((20.0,) * 24))
    problem = build_problem(0.0, draws, [BOILER], FORECAST, PriceSchedule())
    ratio = {value: guidance_from_plan(problem, [PlannedSlot(0.0, 1_500.0, heat_value_per_kwh=value)], draws,
                                       [BOILER]).boiler_start_surplus_ratio for value in (0.65, 0.3, 0.1, 1.5)}
    assert ratio == pytest.approx({0.65: 0.5, 0.3: 1.0, 0.1: 1.0, 1.5: 0.25})  # never below a quarter
    heating = PlannedSlot(0.0, 500.0, heat_w=1_000.0, heat_value_per_kwh=0.1)  # the plan heats with part of it
    assert guidance_from_plan(problem, [heating], draws, [BOILER]).boiler_start_surplus_ratio is None
    valued = replace(heating, heat_value_per_kwh=0.8)  # worth more than half a heater's import: started sooner
    assert guidance_from_plan(problem, [valued], draws, [BOILER]).boiler_start_surplus_ratio == pytest.approx(2 / 7)
    unknown = build_problem(0.0, POLICY, [BOILER], FORECAST, PriceSchedule())  # no draws: the plan cannot say
    assert guidance_from_plan(unknown, [PlannedSlot(0.0, 1_500.0)], POLICY, [BOILER]).boiler_start_surplus_ratio is None


def test_under_a_binding_import_limit_a_minimum_runs_share_of_planned_heat_is_a_preheat() -> None:
    """A 3 kW heater under a 2 kW limit beside a 1.5 kW house runs at full power or not at all: the plan's
    400 W over a slot (a run of 2 minutes) is a preheat (on top of the tank now, the share's heat until the next
    replan, which asks again; at least where the plan has the tank at the slot's end), where at a roomy limit it
    is the free boilers' part."""
    night = [ForecastSlot(i * 900.0, 900.0, 0.0, 1_500.0) for i in range(8)]
    tight = replace(POLICY, import_limit_w=2_000.0)
    problem = build_problem(0.0, tight, [*BATTERIES, BOILER], night, PriceSchedule())
    to_wh = 837_200.0 / 3600
    now_wh = problem.heat.energy_wh
    share = [PlannedSlot(import_w=1_900.0, export_w=0.0, heat_w=400.0, heat_wh=now_wh + 90.0),
             PlannedSlot(import_w=1_500.0, export_w=0.0, heat_wh=now_wh + 80.0)]
    guidance = guidance_from_plan(problem, share, tight, [*BATTERIES, BOILER])
    assert guidance.boiler_preheat_by_module == {"boiler": pytest.approx(55.0 + 90.0 / to_wh)}  # the slot's end
    ahead = [replace(share[0], heat_wh=now_wh), share[1]]
    interval_wh = 400.0 * tight.plan_interval_s / 3600.0  # 400 W until the next replan, not the slot's 100 Wh
    assert guidance_from_plan(problem, ahead, tight, [*BATTERIES, BOILER]).boiler_preheat_by_module == {
        "boiler": pytest.approx(55.0 + interval_wh / to_wh)}
    roomy = build_problem(0.0, POLICY, [*BATTERIES, BOILER], night, PriceSchedule())
    assert guidance_from_plan(roomy, share, POLICY, [*BATTERIES, BOILER]).boiler_preheat_by_module == {}
    sliver = [replace(share[0], heat_w=100.0), share[1]]  # 25 Wh: less than a minute's run
    assert guidance_from_plan(problem, sliver, tight, [*BATTERIES, BOILER]).boiler_preheat_by_module == {}


def test_a_tank_at_its_comfort_floor_takes_any_share_the_plan_gives_it_under_a_binding_limit() -> None:
    """At its floor a tank's heater may fit now and no longer once the house's load rises: a sliver of planned
    heat (25 Wh, less than a minute's run) is a preheat there, to the floor plus the sliver's heat until the
    next replan, and still nothing for a warmer tank (the test above) or at a roomy limit."""
    night = [ForecastSlot(i * 900.0, 900.0, 0.0, 1_500.0) for i in range(8)]
    tight = replace(POLICY, import_limit_w=2_000.0)
    cold = replace(BOILER, temperature_c=45.5)  # below its comfort floor, min + MARGIN_C
    problem = build_problem(0.0, tight, [*BATTERIES, cold], night, PriceSchedule())
    assert problem.heat.energy_wh == 0.0
    sliver = [PlannedSlot(import_w=1_600.0, export_w=0.0, heat_w=100.0, heat_wh=25.0),
              PlannedSlot(import_w=1_500.0, export_w=0.0, heat_wh=20.0)]
    interval_wh = 100.0 * tight.plan_interval_s / 3600.0
    assert guidance_from_plan(problem, sliver, tight, [*BATTERIES, cold]).boiler_preheat_by_module == {
        "boiler": pytest.approx(45.0 + MARGIN_C + max(interval_wh, 25.0) * 3600 / 837_200.0)}
    roomy = build_problem(0.0, POLICY, [*BATTERIES, cold], night, PriceSchedule())
    assert guidance_from_plan(roomy, sliver, POLICY, [*BATTERIES, cold]).boiler_preheat_by_module == {}


def test_the_daily_store_target_falls_in_the_slot_ending_at_it_within_each_stores_band() -> None:
    # Slots of 15 min from 22:00 UTC for 27 h; the target every day at 00:30 UTC: SoC 0.99 (above the band's
    # 0.9: its edge), tanks at 95 °C (above the boiler's 85: its maximum). It falls at 00:30 today and tomorrow.
    day = 86_400.0
    start = 10 * day + 22 * 3600.0
    forecast = [ForecastSlot(start + i * 900.0, 900.0, 0.0, 500.0) for i in range(27 * 4)]
    schedule = PriceSchedule([PriceSlot(start + h * 3600.0, start + (h + 1) * 3600.0, 0.25) for h in range(27)])
    policy = replace(POLICY, store_target_h=0.5, store_target_soc=0.99, store_target_c=95.0)
    targets = build_problem(start, policy, [*BATTERIES, BOILER], forecast, schedule).store_targets
    assert [t.slot for t in targets] == [9, 9 + 96]  # 22:00 + 10 slots of 15 min ends at 00:30
    assert all(t.battery_wh == pytest.approx(0.9 * 20_000.0) for t in targets)
    assert all(t.heat_wh == pytest.approx((85.0 - 45.0 - MARGIN_C) * 837_200.0 / 3600) for t in targets)
    assert all(t.price_per_kwh == 0.25 for t in targets)
    # none by default, nor for a store the site lacks
    assert build_problem(start, POLICY, [*BATTERIES, BOILER], forecast, schedule).store_targets == ()
    battery_only = build_problem(start, replace(policy, store_target_soc=0.0), BATTERIES, forecast, schedule)
    assert battery_only.store_targets == ()


def test_the_horizons_end_asks_the_stores_now_or_a_lower_daily_target() -> None:
    # Batteries at 0.5 of 20 kWh (10 kWh), the tank at 55 °C (heat above its floor); a target below both
    # becomes the end's floor, one above either leaves that store's floor where it is now.
    forecast = [ForecastSlot(i * 900.0, 900.0, 0.0, 500.0) for i in range(8)]
    now = build_problem(0.0, POLICY, [*BATTERIES, BOILER], forecast, PriceSchedule([]))
    battery_now, heat_now = now.battery.energy_wh, now.heat.energy_wh
    assert now.end_floors_wh() == (battery_now, heat_now)
    low = replace(POLICY, store_target_h=1.0, store_target_soc=0.3, store_target_c=50.0)
    anchored = build_problem(0.0, low, [*BATTERIES, BOILER], forecast, PriceSchedule([]))
    assert anchored.end_floors_wh() == (pytest.approx(6_000.0), pytest.approx(anchored.store_targets[-1].heat_wh))
    assert anchored.end_floors_wh()[1] < heat_now
    high = replace(low, store_target_soc=0.8, store_target_c=80.0)
    assert build_problem(0.0, high, [*BATTERIES, BOILER], forecast, PriceSchedule([])).end_floors_wh() == (
        battery_now, heat_now)


def test_a_store_target_outside_its_range_is_refused_by_name() -> None:
    with pytest.raises(InvalidPayload, match="store_target_soc"):
        Policy.from_desired({"store_target_soc": 1.5})
    with pytest.raises(InvalidPayload, match="store_target_h"):
        Policy.from_desired({"store_target_h": 25})
    assert Policy.from_desired({"store_target_c": 60}).store_target_c == 60


def test_a_day_that_settles_at_its_target_is_planned_to_it_and_nothing_beyond() -> None:
    """With `store_target_settles` the plan looks ahead only to the next target (at least a minute; at the
    target itself, to the next day's) and ends there on the target alone: no buying back what the stores held
    at the start of the horizon. Without it, or without a target, the horizon and its end rule stand."""
    from energy_edge.domain.planning.store_targets import MIN_SETTLED_HORIZON_S, settled_horizon_s

    day = 86_400.0
    settling = replace(POLICY, store_target_h=0.0, store_target_soc=0.3, store_target_settles=True)
    assert settled_horizon_s(settling, 10 * day + 20 * 3600.0, day) == 4 * 3600.0  # to midnight UTC
    assert settled_horizon_s(settling, 11 * day, day) == day  # at the target: the next day's
    assert settled_horizon_s(settling, 11 * day - 30.0, day) == MIN_SETTLED_HORIZON_S
    assert settled_horizon_s(replace(settling, store_target_settles=False), 10 * day + 20 * 3600.0, day) == day
    assert settled_horizon_s(replace(settling, store_target_soc=0.0), 10 * day + 20 * 3600.0, day) == day
    schedule = PriceSchedule([PriceSlot(0.0, 2 * 3600.0, 0.25)])
    assert build_problem(0.0, settling, BATTERIES, FORECAST, schedule).refill_price_per_kwh == 0.0
    assert build_problem(0.0, replace(settling, store_target_settles=False), BATTERIES, FORECAST,
                         schedule).refill_price_per_kwh == 0.25


@pytest.mark.parametrize("value", [1, 0, "true", "yes", 1.0])
def test_settling_is_a_json_boolean(value) -> None:
    with pytest.raises(InvalidPayload, match="store_target_settles"):
        Policy.from_desired({"store_target_settles": value})
    assert Policy.from_desired({"store_target_settles": True}).store_target_settles is True
