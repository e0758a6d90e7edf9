"""The LP on real HiGHS: small problems whose best plan is known by hand."""

from __future__ import annotations

import pytest

from energy_edge.adapters.planning.highs_solver import HighsPlanSolver
from energy_edge.domain.errors import PlanningFailed
from energy_edge.domain.planning.problem import BatteryStore, HeatStore, PlanningProblem, ProblemSlot

HOUR = 3600.0
ETA = 0.9 ** 0.5


def battery(energy_wh: float = 5_000.0) -> BatteryStore:
    return BatteryStore(energy_wh, 1_000.0, 9_000.0, 3_000.0, 3_000.0, ETA, ETA)


def slots(*rows: tuple[float, float, float, float]) -> tuple[ProblemSlot, ...]:
    """(pv_w, load_w, import price, feed-in price) per hour."""
    return tuple(ProblemSlot(k * HOUR, HOUR, pv, load, imp, fin) for k, (pv, load, imp, fin) in enumerate(rows))


def test_it_charges_in_the_cheap_hour_for_the_dear_one_and_keeps_every_limit() -> None:
    problem = PlanningProblem(slots((0.0, 1_000.0, 0.05, 0.0), (0.0, 1_000.0, 0.50, 0.0), (0.0, 1_000.0, 0.10, 0.0)),
                              import_limit_w=6_000.0, export_limit_w=5_000.0, battery=battery(1_000.0),
                              refill_price_per_kwh=0.10)
    plan = HighsPlanSolver().solve(problem)
    assert len(plan) == 3
    cheap, dear, _ = plan
    # 0.05 now over the round trip's 0.9 beats 0.50 and 0.10 later: both later hours' load, no more
    assert cheap.charge_w == pytest.approx(2_000.0 / 0.9, abs=1.0)
    assert cheap.import_w == pytest.approx(1_000.0 + 2_000.0 / 0.9, abs=1.0)
    assert dear.discharge_w == pytest.approx(1_000.0, abs=1.0) and dear.import_w == pytest.approx(0.0, abs=1.0)
    for slot in plan:
        assert slot.import_w <= problem.import_limit_w + 1e-6 and slot.export_w <= problem.export_limit_w + 1e-6
        assert 1_000.0 - 1e-6 <= slot.battery_wh <= 9_000.0 + 1e-6


def test_an_indifferent_plan_covers_the_import_from_the_battery_now() -> None:
    flat = slots(*[(0.0, 800.0, 0.30, 0.05)] * 4, *[(3_000.0, 500.0, 0.30, 0.05)] * 4)
    plan = HighsPlanSolver().solve(PlanningProblem(flat, 20_000.0, 5_000.0, battery(3_000.0),
                                                   refill_price_per_kwh=0.30))
    assert plan[0].discharge_w == pytest.approx(800.0, abs=1.0) and plan[0].import_w == pytest.approx(0.0, abs=1.0)


def test_negative_feed_in_curtails_or_stores_and_the_heat_store_takes_negative_import() -> None:
    negative = slots((6_000.0, 500.0, -0.05, -0.10), (0.0, 500.0, 0.30, 0.05))
    problem = PlanningProblem(negative, 20_000.0, 5_000.0, battery(8_000.0),
                              HeatStore(0.0, 10_000.0, 3_000.0), refill_price_per_kwh=0.30)
    first = HighsPlanSolver().solve(problem)[0]
    assert first.export_w == pytest.approx(0.0, abs=1.0)  # exporting would cost money
    assert first.heat_w == pytest.approx(3_000.0, abs=1.0)  # heat is free, and paid to take
    assert first.curtailed_w > 0.0


def test_an_import_limit_no_plan_holds_is_exceeded_as_little_as_possible() -> None:
    problem = PlanningProblem(slots((0.0, 9_000.0, 0.30, 0.0)), 4_000.0, 0.0, battery(9_000.0),
                              refill_price_per_kwh=0.30)
    first = HighsPlanSolver().solve(problem)[0]
    assert first.discharge_w == pytest.approx(3_000.0, abs=1.0) and first.import_w == pytest.approx(6_000.0, abs=1.0)


def test_no_slots_is_a_planning_failure() -> None:
    with pytest.raises(PlanningFailed):
        HighsPlanSolver().solve(PlanningProblem((), 1_000.0, 1_000.0))


def test_a_demand_charge_flattens_the_peak_import() -> None:
    peaky = slots((0.0, 1_000.0, 0.20, 0.0), (0.0, 5_000.0, 0.20, 0.0))
    flat = HighsPlanSolver().solve(PlanningProblem(peaky, 20_000.0, 0.0, battery(1_000.0), demand_charge_per_kw=10.0,
                                                   refill_price_per_kwh=0.20))
    assert max(slot.import_w for slot in flat) < 5_000.0 - 1_000.0  # charged in the first hour, shaved in the second
