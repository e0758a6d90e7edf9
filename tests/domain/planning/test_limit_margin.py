"""A margin at the import limit: where the forecast's cautious figures would import above it, the planning
problem counts on them, so the plan stores the energy for the worse case before the peak."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import AssetView, Policy
from energy_edge.domain.balancing.hourly_profile import HourlyProfile
from energy_edge.domain.planning import ForecastSlot
from energy_edge.domain.planning.limit_margin import (
    MIN_LOAD_MARGIN_RATIO,
    draw_room_w,
    limit_reserve_w,
    planned_pv_and_load,
)
from energy_edge.domain.planning.problem import build_problem
from energy_edge.domain.prices import PriceSchedule

LIMIT_W = 4_000.0
POLICY = Policy(import_limit_w=LIMIT_W, soc_reserve_min=0.1, soc_reserve_max=0.9)
BATTERY = AssetView("battery", "battery", 0.0, soc=0.5, capacity_wh=10_000.0, max_charge_w=5_000.0,
                    max_discharge_w=5_000.0, soc_min=0.05, soc_max=0.95)
MARGIN = 1.0 + MIN_LOAD_MARGIN_RATIO


@pytest.mark.parametrize(("slot", "planned"), [
    (ForecastSlot(0.0, 900.0, 0.0, 3_800.0, 0.0, 4_500.0), (0.0, 4_500.0)),  # the error may cross the limit
    (ForecastSlot(0.0, 900.0, 0.0, 3_700.0, 0.0, 3_710.0), (0.0, 3_700.0 * MARGIN)),  # at least the ratio
    (ForecastSlot(0.0, 900.0, 1_000.0, 4_500.0, 400.0, 5_000.0), (400.0, 5_000.0)),  # and a darker sky
    (ForecastSlot(0.0, 900.0, 0.0, 3_000.0, 0.0, 3_500.0), (0.0, 3_000.0)),  # the limit is far: as expected
    (ForecastSlot(0.0, 900.0, 3_000.0, 5_000.0, 2_000.0, 5_200.0), (3_000.0, 5_000.0)),  # the sun keeps it far
    (ForecastSlot(0.0, 900.0, 0.0, 4_500.0), (0.0, 4_500.0 * MARGIN)),  # no cautious figures: the ratio
])
def test_the_cautious_pair_is_planned_only_where_it_would_import_above_the_limit(slot, planned) -> None:
    assert planned_pv_and_load(slot, LIMIT_W) == pytest.approx(planned)


def test_the_problem_carries_the_cautious_peak_and_the_expected_night() -> None:
    night = [ForecastSlot(k * 900.0, 900.0, 0.0, 1_000.0, 0.0, 1_200.0) for k in range(8)]
    peak = [ForecastSlot((8 + k) * 900.0, 900.0, 0.0, 4_200.0, 0.0, 4_800.0) for k in range(4)]
    problem = build_problem(0.0, POLICY, [BATTERY], night + peak, PriceSchedule())
    assert [s.load_w for s in problem.slots] == [1_000.0] * 8 + [4_800.0] * 4


@pytest.mark.parametrize(("slot", "reserve_w"), [
    (ForecastSlot(0.0, 900.0, 3_000.0, 4_000.0, 2_500.0, 4_600.0), 600.0),  # the sun could cover it: kept anyway
    (ForecastSlot(0.0, 900.0, 0.0, 3_800.0, 0.0, 3_900.0), 3_800.0 * MARGIN - LIMIT_W),  # at least the ratio
    (ForecastSlot(0.0, 900.0, 5_000.0, 3_000.0, 4_000.0, 3_500.0), 0.0),  # the load alone stays under it
])
def test_a_slot_whose_load_alone_may_exceed_the_limit_asks_for_its_excess_in_reserve(slot, reserve_w) -> None:
    assert limit_reserve_w(slot, LIMIT_W) == pytest.approx(reserve_w)


def test_the_problem_carries_each_slots_reserve() -> None:
    night = [ForecastSlot(k * 900.0, 900.0, 0.0, 1_000.0, 0.0, 1_200.0) for k in range(4)]
    dawn = [ForecastSlot((4 + k) * 900.0, 900.0, 3_000.0, 4_000.0, 2_000.0, 4_500.0) for k in range(2)]
    problem = build_problem(0.0, POLICY, [BATTERY], night + dawn, PriceSchedule())
    assert [s.limit_reserve_w for s in problem.slots] == pytest.approx([0.0] * 4 + [500.0] * 2)


def test_where_hot_water_is_drawn_the_heaters_count_towards_the_limits_reserve() -> None:
    """A 6 kW heater under a 4 kW limit must run while hot water is drawn: the batteries enter those slots
    holding what the load and heater above the limit would take with no sun (planned on the expected sun
    alone, an overcast morning emptied them half-way through the draw). The slots keep their expected sky
    and load, and slots without a draw no reserve."""
    boiler = AssetView("boiler", "boiler", 0.0, temperature_c=50.0, min_temperature_c=45.0, max_temperature_c=80.0,
                       heater_power_w=6_000.0)
    morning = [ForecastSlot(k * 900.0, 900.0, 2_000.0, 1_500.0, 500.0, 1_800.0) for k in range(8)]  # 00:00-02:00
    drawing = Policy(import_limit_w=LIMIT_W, boiler_heat_capacity_j_per_k=837_200.0,
                     hot_water_litres_per_hour=HourlyProfile((0.0, 100.0) + (0.0,) * 22))
    problem = build_problem(0.0, drawing, [BATTERY, boiler], morning, PriceSchedule())
    assert [s.pv_w for s in problem.slots] == pytest.approx([2_000.0] * 8)
    assert [s.load_w for s in problem.slots] == pytest.approx([1_500.0] * 8)
    assert [s.limit_reserve_w for s in problem.slots] == pytest.approx(
        [0.0] * 4 + [1_800.0 + 6_000.0 - LIMIT_W] * 4)  # the draw: 01:00 UTC
    # ... and what the grid up to the limit and the cautious sun leave the heaters beside the cautious load
    rooms = [s.draw_room_w for s in problem.slots]
    assert rooms[:4] == [None] * 4 and rooms[4:] == pytest.approx([LIMIT_W + 500.0 - 1_800.0] * 4)


@pytest.mark.parametrize(("slot", "heaters_w", "room_w"), [
    (ForecastSlot(0.0, 900.0, 2_000.0, 1_500.0, 500.0, 1_800.0), 6_000.0, LIMIT_W + 500.0 - 1_800.0),
    (ForecastSlot(0.0, 900.0, 0.0, 4_500.0, 0.0, 4_600.0), 3_000.0, LIMIT_W - 4_500.0 * MARGIN),  # the load alone exceeds it
    (ForecastSlot(0.0, 900.0, 0.0, 1_000.0, 0.0, 1_000.0), 2_000.0, None),  # the heater fits under the limit
    (ForecastSlot(0.0, 900.0, 0.0, 1_000.0, 0.0, 1_000.0), 0.0, None),  # no heaters
])
def test_a_draw_the_heaters_cannot_meet_from_the_grid_alone_has_the_room_the_cautious_sky_leaves(
        slot, heaters_w, room_w) -> None:
    assert draw_room_w(slot, LIMIT_W, heaters_w) == (None if room_w is None else pytest.approx(room_w))
