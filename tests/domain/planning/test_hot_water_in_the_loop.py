"""Planner and balancer in a loop with a tank that really has the draws: told them, the tank never goes cold.

No sun, so no surplus heats the tank: only the guidance can. Every 10 s the balancer decides
and the tank follows it (the heater on while leased heat below its setpoint, or while cold);
every 5 minutes the planner replans.
"""

from __future__ import annotations

from energy_edge.domain.balancing import AssetView, BalancerMemory, Policy, SiteSnapshot, balance
from energy_edge.domain.planning import plan
from energy_edge.domain.planning.hot_water import WATER_J_PER_KG_K, Span, Tank, span_end_c

STEP_S = 10.0
LOAD_W = 500.0
DAY = 19_000 * 86_400.0  # midnight UTC
DRAWS = {"7": 115.0, "10": 77.0, "13": 72.0}  # g02's morning and midday, by UTC hour
TANK = Tank(2_000.0, 200 * WATER_J_PER_KG_K, 50.0, 75.0, loss_w_per_k=2.4, ambient_c=18.0)
POLICY = Policy(boiler_heat_capacity_j_per_k=TANK.heat_capacity_j_per_k, boiler_min_on_s=60.0, boiler_min_off_s=60.0)


def run_day(policy: Policy, start_c: float = 58.0) -> tuple[float, int]:
    """(the lowest temperature, seconds below the minimum) over a day from midnight."""
    temperature, heater_on, memory = start_c, False, BalancerMemory()
    guidance, planned_at = None, None
    lowest, cold_s = temperature, 0
    for step in range(int(86_400 / STEP_S)):
        now = DAY + step * STEP_S
        view = AssetView("boiler", "boiler", -TANK.heater_power_w if heater_on else 0.0, timestamp=now,
                         temperature_c=temperature, min_temperature_c=TANK.min_temperature_c,
                         max_temperature_c=TANK.max_temperature_c, heater_power_w=TANK.heater_power_w,
                         heater_on=heater_on, setpoint_c=TANK.max_temperature_c)
        if planned_at is None or now - planned_at >= policy.plan_interval_s:
            guidance, planned_at = plan(now, policy, [view], []), now
        decision = balance(SiteSnapshot(now, LOAD_W + (TANK.heater_power_w if heater_on else 0.0), [view]), policy,
                           memory, guidance)
        memory, setpoint = decision.memory, decision.setpoints["boiler"]
        heater_on = temperature <= TANK.min_temperature_c or (setpoint.heat and temperature < setpoint.value)
        litres = DRAWS.get(str(int((now % 86_400) // 3_600)), 0.0)
        temperature = span_end_c(TANK, Span(STEP_S, litres / 3_600.0), temperature, 10.0, heating=heater_on)
        lowest = min(lowest, temperature)
        cold_s += STEP_S if temperature < TANK.min_temperature_c else 0
    return lowest, cold_s


def test_told_the_draws_the_controller_preheats_and_the_tank_never_goes_cold():
    told = Policy(**{**POLICY.as_dict(), "hot_water_litres_per_hour": DRAWS, "cold_water_c": 10.0,
                     "boiler_loss_w_per_k": 2.4})
    lowest, cold_s = run_day(told)
    # Between draws the balancer's own comfort rule heats a tank at its minimum, a step (10 s) late here.
    assert lowest > TANK.min_temperature_c - 0.01 and cold_s <= STEP_S


def test_not_told_the_tank_goes_cold_in_the_heavy_draw():
    lowest, cold_s = run_day(POLICY)
    assert lowest < TANK.min_temperature_c - 3.0 and cold_s > 1_800
