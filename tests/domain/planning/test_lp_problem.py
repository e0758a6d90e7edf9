"""The planning problem built from the forecast, the prices and the assets; the plan's first slot as guidance."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import AssetView, Guidance, Policy
from energy_edge.domain.planning import ForecastSlot
from energy_edge.domain.planning.plan_guidance import grid_band, guidance_from_plan
from energy_edge.domain.planning.problem import (
    BATTERY_ROUND_TRIP_EFFICIENCY, NO_PRICE_FEED_IN_PER_KWH, NO_PRICE_IMPORT_PER_KWH, NO_PRICE_PEAK_IMPORT_PER_KWH,
    PlannedSlot, build_problem)
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
    assert heat.energy_wh == pytest.approx(10 * 837_200.0 / 3600) and heat.max_wh == pytest.approx(40 * 837_200.0 / 3600)
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


def test_boilers_are_preheated_when_the_plan_heats_them_from_the_grid_at_no_cost() -> None:
    free = PriceSchedule([PriceSlot(0.0, 7200.0, -0.01, -0.05)])
    problem = build_problem(0.0, POLICY, [*BATTERIES, BOILER], FORECAST, free)
    to_wh = 837_200.0 / 3600
    heating = [PlannedSlot(import_w=3_000.0, export_w=0.0, heat_w=3_000.0, heat_wh=(10 + 3.2 * k) * to_wh)
               for k in (1, 2)]
    rest = PlannedSlot(import_w=500.0, export_w=0.0, heat_wh=16.0 * to_wh)
    guidance = guidance_from_plan(problem, [*heating, rest], POLICY, [*BATTERIES, BOILER])
    assert guidance.boiler_preheat_c == pytest.approx(45.0 + 16.4)  # where the heating run ends
    from_sun = [PlannedSlot(import_w=0.0, export_w=0.0, heat_w=3_000.0, heat_wh=12 * to_wh), rest]
    assert guidance_from_plan(problem, from_sun, POLICY, [*BATTERIES, BOILER]).boiler_preheat_c == 0.0
    dear = build_problem(0.0, POLICY, [*BATTERIES, BOILER], FORECAST, PriceSchedule())
    assert guidance_from_plan(dear, [*heating, rest], POLICY, [*BATTERIES, BOILER]).boiler_preheat_c == 0.0
    heuristic = Guidance(boiler_preheat_c=70.0)  # the time-of-use preheat stays
    assert guidance_from_plan(problem, from_sun, POLICY, [*BATTERIES, BOILER], heuristic).boiler_preheat_c == 70.0
