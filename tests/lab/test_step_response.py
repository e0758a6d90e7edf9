"""The step-response KPI: overshoot and settling cycles, checked on hand-made responses."""

from __future__ import annotations

import pytest

from energy_edge_lab.step_response import step_response


def test_a_clean_response_settles_when_it_enters_the_band_for_good():
    # grid power after a 20 kW step, corrected back to 0: within +-200 W from cycle 3 on.
    r = step_response([20_000, 10_000, 2_000, 150, -100, 0, 0], initial=20_000, final=0)
    assert r.settling_cycles == 3
    assert r.overshoot_ratio == pytest.approx(100 / 20_000)
    assert r.meets()


def test_overshoot_beyond_the_target_counts_and_a_late_excursion_delays_settling():
    r = step_response([0, 21_500, 20_100, 20_900, 20_000, 20_000], initial=0, final=20_000)
    assert r.overshoot_ratio == pytest.approx(0.075)
    assert r.settling_cycles == 4
    assert not r.meets()  # 7.5 % overshoot is above 5 %


def test_a_response_that_never_settles_has_no_settling_cycle():
    r = step_response([0, 5_000, 10_000], initial=0, final=20_000)
    assert r.settling_cycles is None and not r.meets()


def test_no_step_is_an_error():
    with pytest.raises(ValueError):
        step_response([1.0], initial=1.0, final=1.0)
