"""`share`: one total split by weight, within caps, adding up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from energy_edge.domain.balancing.sharing import share


def test_parts_follow_the_weights_when_no_cap_binds() -> None:
    assert share(6_000.0, [2.0, 1.0], [10_000.0, 10_000.0]) == pytest.approx([4_000.0, 2_000.0])


def test_what_a_capped_entry_cannot_take_goes_to_the_others() -> None:
    assert share(9_000.0, [3.0, 1.0, 0.0], [5_000.0, 10_000.0, 5_000.0]) == pytest.approx([5_000.0, 4_000.0, 0.0])


def test_a_tiny_weight_beside_a_big_one_still_gets_the_rest() -> None:
    assert share(2.0, [3.6e-21, 1.0], [1.0, 1.0]) == pytest.approx([1.0, 1.0])


def test_what_a_subnormal_weight_cannot_take_goes_to_the_unweighted_entries() -> None:
    """Hypothesis's find: a weight of 5e-324 beside one of 2 has a ratio that rounds to nothing, so the level
    share gave it nothing and returned; the unweighted entry never got the watt the others could not take."""
    assert sum(share(4.0, [0.0, 2.0, 5e-324], [1.0, 3.0, 5e-324])) == pytest.approx(4.0)


def test_unknown_sizes_share_by_their_caps_and_more_than_all_caps_gives_every_cap() -> None:
    assert share(3.0, [0.0, 0.0], [1.0, 2.0]) == pytest.approx([1.0, 2.0])
    assert share(30.0, [1.0, 1.0], [1.0, 2.0]) == pytest.approx([1.0, 2.0])
    assert share(0.0, [1.0], [1.0]) == [0.0] and share(5.0, [], []) == []


@given(st.lists(st.tuples(st.floats(0.0, 1e6), st.floats(0.0, 1e5)), max_size=30), st.floats(0.0, 3e6))
def test_parts_stay_within_caps_and_add_up(entries, total) -> None:
    weights, caps = [w for w, _ in entries], [c for _, c in entries]
    parts = share(total, weights, caps)
    assert all(0.0 <= part <= cap * (1 + 1e-12) for part, cap in zip(parts, caps))
    assert sum(parts) == pytest.approx(min(total, sum(caps)), rel=1e-9, abs=1e-6)


@given(st.floats(-1e4, 1e5), st.floats(-1e5, 1e5), st.floats(0.0, 1e5), st.floats(0.0, 1e4))
def test_one_battery_keeps_its_part_exactly_as_the_steps_for_many_do(fair, kept, cap, slack) -> None:
    """`_sticky`'s one-part path gives the bits its steps for many give (a second part of nothing to share)."""
    from energy_edge.domain.balancing.balancer import _sticky

    assert _sticky([fair], [kept], [cap], [slack]) == _sticky([fair, 0.0], [kept, 0.0], [cap, 0.0], [slack, 0.0])[:1]
