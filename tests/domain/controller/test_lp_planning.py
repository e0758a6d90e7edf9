"""The controller plans with the LP solver when it can, heuristically when it cannot, unguided when neither can."""

from __future__ import annotations

import logging

import pytest

from energy_edge.domain.balancing import Guidance, Policy
from energy_edge.domain.errors import PlanningFailed
from energy_edge.domain.planning.problem import PlannedSlot, PlanningProblem

from .fakes import Site
from .test_planning_in_the_loop import BrokenForecaster, ScriptedForecaster


class ScriptedSolver:
    """Plans to charge the batteries from the grid at 4 kW in every slot; records each problem."""

    def __init__(self) -> None:
        self.problems: list[PlanningProblem] = []
        self.error: Exception | None = None

    def solve(self, problem: PlanningProblem) -> list[PlannedSlot]:
        self.problems.append(problem)
        if self.error is not None:
            raise self.error
        energy = problem.battery.energy_wh if problem.battery else 0.0
        return [PlannedSlot(import_w=4_000.0, export_w=0.0, charge_w=3_000.0, battery_wh=energy + 2_800.0 * (k + 1))
                for k in range(len(problem.slots))]


async def test_the_solver_plans_and_its_first_slot_guides_the_balancer() -> None:
    solver = ScriptedSolver()
    site = Site(Policy(import_limit_w=20_000.0), grid_power_w=1_000.0, forecaster=ScriptedForecaster(0.0),
                plan_solver=solver)
    await site.start("battery")
    await site.cycle()
    assert len(solver.problems) == 1 and len(solver.problems[0].slots) == 6
    guidance = site.controller.guidance
    assert (guidance.grid_low_w, guidance.grid_high_w) == (4_000.0, 20_000.0)
    assert site.calls()["battery"][-1] == ("start_charging", {"power_w": 3_000.0, "ttl_s": 30.0})
    assert site.controller.planner_errors_total == 0


async def test_a_failing_solver_falls_back_to_the_heuristic_planner_logged_once(caplog) -> None:
    solver = ScriptedSolver()
    solver.error = PlanningFailed("HiGHS: Time limit reached")
    site = Site(Policy(export_limit_w=15_000.0, plan_interval_s=300.0), grid_power_w=-5_000.0,
                forecaster=ScriptedForecaster(20_000.0), plan_solver=solver)
    await site.start("solar", "battery")
    with caplog.at_level(logging.WARNING):
        await site.cycle()
        site.clock.t += 300.0
        await site.cycle()
    assert len(solver.problems) == 2 and site.controller.planner_errors_total == 2
    guidance = site.controller.guidance
    assert not guidance.has_band and guidance.export_first_w > 0  # the heuristic planner's guidance
    assert sum("LP planner failed" in r.getMessage() for r in caplog.records) == 1
    solver.error = None
    site.clock.t += 300.0
    await site.cycle()
    assert site.controller.guidance.has_band and site.controller.planner_errors_total == 2
    assert site.reports()[-1]["counters"]["planner_errors_total"] == 2


async def test_when_no_planner_can_plan_the_balancer_runs_unguided_inside_the_limits() -> None:
    solver = ScriptedSolver()
    solver.error = RuntimeError("solver crashed")
    site = Site(Policy(setpoint_ttl_s=30.0), grid_power_w=2_000.0, forecaster=BrokenForecaster(), plan_solver=solver)
    await site.start("battery")
    await site.cycle()
    assert site.controller.guidance == Guidance() and site.controller.planner_errors_total == 1
    assert site.calls() == {"battery": [("start_discharging", {"power_w": 2_000.0, "ttl_s": 30.0})]}


async def test_the_controller_replans_early_when_the_batteries_leave_the_planned_course() -> None:
    solver = ScriptedSolver()
    site = Site(Policy(plan_interval_s=3_000.0), grid_power_w=1_000.0, forecaster=ScriptedForecaster(0.0),
                plan_solver=solver)
    await site.start("battery")
    await site.cycle()
    site.clock.t += 30.0
    await site.cycle()
    assert len(solver.problems) == 1  # too soon to tell
    site.clock.t += 870.0
    await site.cycle()
    assert len(solver.problems) == 2  # the plan stored 700 Wh by now; the battery's SoC has not moved: off course


@pytest.mark.parametrize("interval_s", [0.0])
async def test_planning_off_asks_no_solver(interval_s: float) -> None:
    solver = ScriptedSolver()
    site = Site(Policy(plan_interval_s=interval_s), grid_power_w=1_000.0, plan_solver=solver)
    await site.start("battery")
    await site.cycle()
    assert solver.problems == [] and site.controller.guidance == Guidance()


async def test_the_controller_replans_when_the_price_its_first_slot_was_decided_at_changes() -> None:
    """A plan made half an hour before a price peak decides that half hour at the cheap price (its first slot ends
    at the peak: `cut_at_price_change`), and the controller replans at the peak, not at its interval, so the cheap
    hour's decision does not run on into the dear one."""
    solver = ScriptedSolver()
    peak_h = (1_000.0 + 1_800.0) / 3600.0  # the fake clock starts at 1,000 s
    site = Site(Policy(plan_interval_s=3_000.0, peak_start_h=peak_h, peak_end_h=peak_h + 1.0), grid_power_w=1_000.0,
                forecaster=ScriptedForecaster(0.0), plan_solver=solver)
    await site.start("solar")
    await site.cycle()
    slots = solver.problems[0].slots
    assert [s.duration_s for s in slots[:3]] == [1_800.0, 1_800.0, 3_600.0]  # the first hour cut at the peak
    assert slots[0].import_price_per_kwh < slots[1].import_price_per_kwh
    site.clock.t += 1_790.0  # a cycle moves the fake clock too
    await site.cycle()
    assert len(solver.problems) == 1
    site.clock.t += 10.0
    await site.cycle()
    assert len(solver.problems) == 2
    assert solver.problems[1].slots[0].duration_s == 3_600.0  # the peak's own hour: nothing to cut
