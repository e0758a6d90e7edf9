"""Properties of the LP on real HiGHS: whatever the forecast, prices, draws and limits, every problem gets a plan
(its soft rows, the import limit's, comfort's and the reserves', keep it feasible) and the plan asks no asset
for more than it can do: the batteries stay in their band, no flow exceeds its rating, the export limit holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.planning.highs_solver import HighsPlanSolver
from energy_edge.domain.planning.problem import BatteryStore, HeatStore, PlanningProblem, ProblemSlot
from energy_edge.domain.planning.store_targets import StoreTarget

SLOT_S = 900.0
TOLERANCE = 1e-6  # W or Wh: HiGHS's feasibility tolerance, scaled


@st.composite
def problems(draw) -> PlanningProblem:
    n = draw(st.integers(1, 12))
    power = st.floats(0.0, 20_000.0)
    parts = draw(st.sampled_from([0, 0, 2, 3]))  # tanks as stores of their own (`HeatStore.tanks`), or one store
    kg = st.sampled_from([0.0, 0.0, 20.0, 80.0])
    slots = []
    for k in range(n):
        pv, load = draw(power), draw(power)
        tank_draws = tuple(draw(kg) for _ in range(parts))
        slots.append(ProblemSlot(
            k * SLOT_S, SLOT_S, pv, load, draw(st.floats(-0.5, 2.0)), draw(st.floats(-0.5, 1.0)),
            hot_water_kg=sum(tank_draws) / parts if parts else draw(kg), tank_draws_kg=tank_draws,
            cautious_pv_w=draw(st.none() | st.floats(0.0, pv)),
            limit_reserve_w=draw(st.sampled_from([0.0, 0.0, 500.0, 5_000.0])),
            draw_room_w=draw(st.none() | st.floats(-10_000.0, 10_000.0)),
            bright_pv_w=draw(st.none() | st.floats(pv, 30_000.0))))  # a bright sky: a second scenario
    battery = None
    if draw(st.booleans()):
        low = draw(st.floats(0.0, 5_000.0))
        high = low + draw(st.floats(0.0, 40_000.0))
        battery = BatteryStore(draw(st.floats(low, high)), low, high, draw(power), draw(power), 0.95, 0.95,
                               draw(st.sampled_from([0.0, 0.0, 300.0, 50_000.0])))  # a heater's start, or more
    heat = None
    if draw(st.booleans()):
        tanks = []
        for j in range(max(1, parts)):
            room = draw(st.floats(0.0, 30_000.0))
            tanks.append(HeatStore(draw(st.floats(0.0, room)), room, draw(st.floats(0.0, 12_000.0)), 0.01, 50.0,
                                   200.0, 40.0, modules=(f"boiler{j}",)))
        heat = tanks[0] if not parts else HeatStore(
            sum(t.energy_wh for t in tanks), sum(t.max_wh for t in tanks), sum(t.heater_w for t in tanks), 0.01,
            50.0 * parts, 200.0, 40.0 * parts, tanks=tuple(tanks))
    targets = tuple(StoreTarget(draw(st.integers(0, n - 1)), draw(st.floats(0.0, 60_000.0)),  # beyond any band too
                                draw(st.floats(0.0, 40_000.0)), draw(st.floats(0.0, 1.0)))
                    for _ in range(draw(st.integers(0, 2))))
    return PlanningProblem(tuple(slots), draw(st.floats(0.0, 30_000.0)), draw(st.floats(0.0, 30_000.0)), battery,
                           heat, demand_charge_per_kw=draw(st.floats(0.0, 20.0)),
                           refill_price_per_kwh=draw(st.floats(0.0, 1.0)), store_targets=targets)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_every_problem_gets_a_plan_within_every_rating_and_the_export_limit(problem: PlanningProblem) -> None:
    plan = HighsPlanSolver().solve(problem)
    assert len(plan) == len(problem.slots)
    battery, heat = problem.battery, problem.heat
    for slot, planned in zip(problem.slots, plan):
        assert planned.export_w <= problem.export_limit_w + TOLERANCE
        assert 0.0 <= planned.curtailed_w <= slot.pv_w + TOLERANCE
        assert planned.heat_w <= (0.0 if heat is None else heat.heater_w) + TOLERANCE
        for tank, heat_w, heat_wh in zip(() if heat is None else heat.tanks, planned.tank_heat_w, planned.tank_heat_wh):
            assert heat_w <= tank.heater_w + TOLERANCE and -TOLERANCE * 10 <= heat_wh <= tank.max_wh + TOLERANCE * 10
        if heat is not None and heat.tanks:
            assert len(planned.tank_heat_w) == len(heat.tanks)
            assert abs(planned.heat_w - sum(planned.tank_heat_w)) <= TOLERANCE * 10 * len(heat.tanks)
        if battery is None:
            assert planned.charge_w <= TOLERANCE and planned.discharge_w <= TOLERANCE
        else:
            assert planned.charge_w <= battery.max_charge_w + TOLERANCE
            assert planned.discharge_w <= battery.max_discharge_w + TOLERANCE
            assert battery.min_wh - TOLERANCE * 10 <= planned.battery_wh <= battery.max_wh + TOLERANCE * 10
