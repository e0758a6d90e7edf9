"""The `next_day` end of day: what the stores hold at the end is worth what it spares the next day."""

from __future__ import annotations

import pytest

from energy_edge_lab.exogenous import Exogenous
from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.next_day import NextDayValue, next_day_value
from energy_edge_lab.optimum import solve_optimum
from energy_edge_lab.runner import optimum_plan, simulate
from energy_edge_lab.scenario import EndOfDay, load_scenario
from energy_edge_lab.stepped_site import site_factory

pytest.importorskip("scipy")

TWO_HOURS_DAYS = 2 / 24


@pytest.fixture(scope="module")
def evening():
    """Two hours of the winter day's evening peak, judged by what the next such evening needs."""
    day = load_scenario("winter_day")
    return day.model_copy(update={"start_h": 17.0, "end_of_day": EndOfDay(rule="next_day")})


@pytest.fixture(scope="module")
def judge(evening):
    found = next_day_value(evening, TWO_HOURS_DAYS)
    assert isinstance(found, NextDayValue)
    return found


def test_more_stored_energy_never_costs_the_next_day_more(evening, judge):
    battery, boiler = evening.assets.battery, evening.assets.boiler
    t = boiler.initial_temperature_c
    emptier, fuller = judge(battery.soc_min, t), judge(battery.soc_max, t)
    assert fuller < emptier  # the next evening's peak is shaved from the fuller battery
    assert judge(battery.initial_soc, boiler.max_temperature_c) <= judge(battery.initial_soc, boiler.min_temperature_c)


def test_a_run_that_ends_where_it_began_owes_the_next_day_nothing(evening, judge):
    plan = optimum_plan(evening, TWO_HOURS_DAYS, judge.exogenous)
    series = plan.series
    series.soc[-1] = evening.assets.battery.initial_soc
    series.boiler_temperature_c[-1] = evening.assets.boiler.initial_temperature_c
    assert compute_kpis(series, evening, judge).end_of_day_cost == pytest.approx(0.0, abs=1e-9)


async def test_the_optimum_is_the_best_day_plus_what_it_leaves(evening, judge):
    """No policy beats the optimum by what it leaves behind: the optimum plans the run and its repetition."""
    optimum = compute_kpis(optimum_plan(evening, TWO_HOURS_DAYS, judge.exogenous).series, evening, judge)
    for policy in ("none", "controller"):
        run = compute_kpis(await simulate(evening, policy, TWO_HOURS_DAYS, site_factory), evening, judge)
        assert optimum.adjusted_cost <= run.adjusted_cost + 1e-6


def test_the_optimum_plans_both_runs_and_keeps_the_first(evening, judge):
    both = solve_optimum(evening.model_copy(update={"end_of_day": EndOfDay()}), judge.exogenous.repeated(2))
    first = optimum_plan(evening, TWO_HOURS_DAYS, judge.exogenous)
    assert len(both.series) == 2 * len(first.series)
    assert first.series.grid_w == both.series.grid_w[:len(first.series)]
    assert first.cost == pytest.approx(compute_kpis(first.series, evening, judge).energy_cost)


def test_the_rule_needs_its_judge(evening):
    plan = optimum_plan(evening, TWO_HOURS_DAYS)
    with pytest.raises(ValueError, match="'next_day' end of day needs the next day's values"):
        compute_kpis(plan.series, evening)
    assert next_day_value(load_scenario("winter_day")) is None  # the other rules need none


def test_repeating_a_profile_puts_copies_back_to_back():
    day = Exogenous(10.0, [1.0, 2.0], [3.0, 4.0], [0.0, 0.1], [20.0, 21.0], start_s=60.0)
    twice = day.repeated(2)
    assert twice.pv_available_w == [1.0, 2.0, 1.0, 2.0] and twice.draw_kg_per_s == [0.0, 0.1, 0.0, 0.1]
    assert (twice.dt_s, twice.start_s, len(twice)) == (10.0, 60.0, 4)
