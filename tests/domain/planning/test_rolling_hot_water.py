"""The rolling planner on boiler days: the plan's heating reaches the boilers, the just-in-time hot-water
floor stays under it as a safety net, and a plan the draws outrun is kept and reported (a fake solver)."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from energy_edge.domain.balancing import AssetView, Policy
from energy_edge.domain.planning import ForecastSlot
from energy_edge.domain.planning.hot_water import WATER_J_PER_KG_K
from energy_edge.domain.planning.hot_water_guidance import MARGIN_C, hot_water_preheat_c
from energy_edge.domain.planning.problem import PlannedSlot, PlanningProblem
from energy_edge.domain.planning.rolling import RollingPlanner
from energy_edge.domain.prices import PriceSchedule

CAPACITY_J_PER_K = 200 * WATER_J_PER_KG_K
TO_WH = CAPACITY_J_PER_K / 3600
POLICY = Policy(boiler_heat_capacity_j_per_k=CAPACITY_J_PER_K, hot_water_litres_per_hour={"7": 115.0})
BOILER = AssetView("boiler", "boiler", 0.0, temperature_c=55.0, min_temperature_c=50.0, max_temperature_c=75.0,
                   heater_power_w=2_000.0)
FORECAST = [ForecastSlot(5 * 3600.0 + k * 900.0, 900.0, 0.0, 500.0) for k in range(8)]


class PlanThat:
    """A solver that returns `heat_w` for the first `slots` slots (the store rising 4 K a slot), then rest."""

    def __init__(self, heat_w: float, slots: int, cold_wh: float = 0.0) -> None:
        self.heat_w, self.slots, self.cold_wh = heat_w, slots, cold_wh
        self.problems: list[PlanningProblem] = []

    def solve(self, problem: PlanningProblem) -> list[PlannedSlot]:
        self.problems.append(problem)
        assert problem.heat is not None
        return [PlannedSlot(import_w=self.heat_w + 500.0, export_w=0.0, heat_w=self.heat_w,
                            heat_wh=problem.heat.energy_wh + 4 * TO_WH * (k + 1), cold_wh=self.cold_wh)
                if k < self.slots else PlannedSlot(import_w=500.0, export_w=0.0, cold_wh=self.cold_wh)
                for k in range(len(problem.slots))]


def plan(solver: PlanThat, boiler: AssetView = BOILER, now: float = 5 * 3600.0) -> dict[str, float]:
    guidance = RollingPlanner(solver).plan(now, POLICY, [boiler], FORECAST, PriceSchedule())
    return dict(guidance.boiler_preheat_by_module)


def test_the_plans_heating_run_becomes_the_boilers_preheat() -> None:
    solver = PlanThat(2_000.0, 3)
    assert plan(solver) == {"boiler": pytest.approx(55.0 + 12.0)}  # three slots of 4 K on the tank now
    heat = solver.problems[0].heat
    assert heat is not None and heat.tank_kg == pytest.approx(200.0)  # the draws reach the problem
    assert sum(slot.hot_water_kg for slot in solver.problems[0].slots) == pytest.approx(0.0)  # none before 07:00


def test_the_hot_water_floor_stays_under_the_plan_at_the_heaters_full_power() -> None:
    idle = PlanThat(0.0, 0)  # a plan that does not heat now
    cold = replace(BOILER, temperature_c=51.0)
    at_full_power = hot_water_preheat_c(5.5 * 3600.0, POLICY, [cold], heater_share=1.0)["boiler"]
    derated = hot_water_preheat_c(5.5 * 3600.0, POLICY, [cold])["boiler"]
    assert plan(idle, cold, 5.5 * 3600.0) == {"boiler": pytest.approx(at_full_power)}
    assert at_full_power < derated  # the plan knows the draws: the safety net is the last moment, not a lead


def test_a_plan_the_draws_outrun_is_kept_and_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    planner = RollingPlanner(PlanThat(2_000.0, 8, cold_wh=100.0))
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            guidance = planner.plan(5 * 3600.0, POLICY, [BOILER], FORECAST, PriceSchedule())
    assert guidance.has_band and planner.cold_wh == pytest.approx(800.0)
    assert [r.getMessage() for r in caplog.records].count(
        "the boilers cannot hold their minimum temperature through the coming hot-water draws: "
        "0.8 kWh short over the plan's horizon") == 1


def test_a_shortfall_that_comes_and_goes_is_one_episode_until_an_hour_shows_none(
        caplog: pytest.LogCaptureFixture) -> None:
    """0.8 kWh short, none, short again within the hour: one warning; grown to twice that: a second; an hour
    without a shortfall ends the episode, and the next one is reported again."""
    planner = RollingPlanner(None)
    with caplog.at_level(logging.WARNING):
        for offset_s, per_slot_wh in ((0, 100.0), (300, 0.0), (600, 100.0), (900, 300.0), (1_200, 0.0),
                                      (1_200 + 3_600, 0.0), (1_200 + 3_900, 100.0)):
            planner.solver = PlanThat(2_000.0, 8, cold_wh=per_slot_wh)
            planner.plan(5 * 3600.0 + offset_s, POLICY, [BOILER], FORECAST, PriceSchedule())
    said = [r.getMessage().rsplit(": ", 1)[1] for r in caplog.records if "cannot hold" in r.getMessage()]
    assert said == ["0.8 kWh short over the plan's horizon", "2.4 kWh short over the plan's horizon",
                    "0.8 kWh short over the plan's horizon"]


def test_a_draw_that_needs_the_thermostats_band_reaches_the_balancer_under_the_plan() -> None:
    """The heavy 7 o'clock draw needs the tank in its thermostat's band: the plan's guidance hands the balancer
    the approach (the heuristic's and the LP's alike), so the tank waits below the band for its final run."""
    thermostat = replace(BOILER, hysteresis_c=5.0, temperature_c=66.0)
    heavy = replace(POLICY, hot_water_litres_per_hour=replace(POLICY.hot_water_litres_per_hour,
                                                              values=(0.0,) * 7 + (130.0,) + (0.0,) * 16))
    guidance = RollingPlanner(PlanThat(0.0, 0)).plan(5.75 * 3600.0, heavy, [thermostat], FORECAST, PriceSchedule())
    approach = guidance.boiler_approach_by_module["boiler"]
    assert approach.draw_at_s == 7 * 3600.0 and approach.band_c == 70.0 and approach.need_c == 75.0
    assert RollingPlanner(None).plan(5.75 * 3600.0, heavy, [thermostat], FORECAST,
                                     PriceSchedule()).boiler_approach_by_module == {"boiler": approach}
