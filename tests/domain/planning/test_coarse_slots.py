"""The bright sky's coarser slots (coarse_slots.py): energy kept, prices never mixed, draws and targets where they fall."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.domain.planning.coarse_slots import coarsened
from energy_edge.domain.planning.problem import PlanningProblem, ProblemSlot
from energy_edge.domain.planning.store_targets import StoreTarget

QUARTER_S = 900.0


def quarter_hours(count: int, price_change_at: int | None = None) -> tuple[ProblemSlot, ...]:
    return tuple(ProblemSlot(start_s=i * QUARTER_S, duration_s=QUARTER_S, pv_w=100.0 * i, load_w=500.0 + i,
                             import_price_per_kwh=0.3 if price_change_at is None or i < price_change_at else 0.5,
                             feed_in_price_per_kwh=0.05, bright_pv_w=200.0 * i)
                 for i in range(count))


def problem(slots: tuple[ProblemSlot, ...], targets: tuple[StoreTarget, ...] = ()) -> PlanningProblem:
    return PlanningProblem(slots=slots, import_limit_w=10_000.0, export_limit_w=5_000.0, store_targets=targets)


def test_the_first_hour_stays_in_quarter_hours_and_the_rest_in_hours() -> None:
    coarse = coarsened(problem(quarter_hours(12)), 3600.0, 3600.0)
    assert [s.duration_s for s in coarse.slots] == [900.0] * 4 + [3600.0] * 2
    assert [s.start_s for s in coarse.slots][4:] == [3600.0, 7200.0]


def test_a_merged_slot_keeps_each_flows_energy() -> None:
    fine = problem(quarter_hours(12))
    coarse = coarsened(fine, 3600.0, 3600.0)
    for field in ("pv_w", "load_w", "bright_pv_w"):
        assert sum(getattr(s, field) * s.duration_s for s in coarse.slots) == pytest.approx(
            sum(getattr(s, field) * s.duration_s for s in fine.slots))
    assert coarse.slots[4].pv_w == pytest.approx(550.0)  # the mean of slots 4..7


def test_slots_with_draws_stay_quarter_hours() -> None:
    """A draw merged into an hour meets heat the hour's heater gives only after it: the tank's comfort
    looked easier, and the first slot's heat (both skies' worth) preheated less."""
    fine = quarter_hours(12)
    drawn = tuple(replace(s, hot_water_kg=20.0) if i in (6, 7) else s for i, s in enumerate(fine))
    coarse = coarsened(problem(drawn), 3600.0, 3600.0)
    assert [s.duration_s for s in coarse.slots[4:]] == [1800.0, 900.0, 900.0, 3600.0]
    assert [s.hot_water_kg for s in coarse.slots[4:]] == [0.0, 20.0, 20.0, 0.0]


def test_two_prices_are_never_merged() -> None:
    coarse = coarsened(problem(quarter_hours(12, price_change_at=6)), 3600.0, 3600.0)
    assert [(s.duration_s, s.import_price_per_kwh) for s in coarse.slots[4:]] == [
        (1800.0, 0.3), (3600.0, 0.5), (1800.0, 0.5)]


def test_a_store_target_is_checked_where_it_falls() -> None:
    target = StoreTarget(slot=5, battery_wh=1_000.0, heat_wh=0.0, price_per_kwh=0.3)  # the end of 01:30
    fine = problem(quarter_hours(12), (target,))
    coarse = coarsened(fine, 3600.0, 3600.0)
    (moved,) = coarse.store_targets
    end_s = coarse.slots[moved.slot].start_s + coarse.slots[moved.slot].duration_s
    assert end_s == fine.slots[5].start_s + fine.slots[5].duration_s
    assert (moved.battery_wh, moved.price_per_kwh) == (1_000.0, 0.3)


def test_a_short_horizon_is_left_as_it_is() -> None:
    fine = problem(quarter_hours(4))
    assert coarsened(fine, 3600.0, 3600.0) is fine


@settings(max_examples=60, deadline=None)
@given(count=st.integers(1, 200), change=st.integers(0, 200), target_slots=st.lists(st.integers(0, 199), max_size=3))
def test_coarse_slots_tile_the_horizon_and_keep_every_target_end(count: int, change: int,
                                                                    target_slots: list[int]) -> None:
    targets = tuple(StoreTarget(min(k, count - 1), 500.0, 0.0, 0.3) for k in target_slots)
    fine = problem(quarter_hours(count, price_change_at=change), targets)
    coarse = coarsened(fine, 3600.0, 3600.0)
    assert coarse.slots[0] == fine.slots[0]  # the first slot is the one both skies decide
    ends = [s.start_s + s.duration_s for s in coarse.slots]
    assert all(a.start_s + a.duration_s == b.start_s for a, b in zip(coarse.slots, coarse.slots[1:]))
    assert ends[-1] == fine.slots[-1].start_s + fine.slots[-1].duration_s
    assert all(s.duration_s <= 3600.0 for s in coarse.slots)
    for before, after in zip(fine.store_targets, coarse.store_targets):
        assert ends[after.slot] == fine.slots[before.slot].start_s + fine.slots[before.slot].duration_s
