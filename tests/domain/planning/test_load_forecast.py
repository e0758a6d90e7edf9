"""The load forecast: a typical profile by UTC hour (the installer's prior, then learned from the meters),
corrected by how today's load compares with it, so evening peaks and scheduled blocks are in the plan."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.domain.planning import OnlineForecaster
from energy_edge.domain.planning.forecast import LOAD_RATIO_BOUNDS
from energy_edge.domain.planning.load_profile import LEARN_RATE, LoadProfile

MIDNIGHT = datetime(2026, 3, 10, 0, tzinfo=timezone.utc).timestamp()
HOUR = 3600.0
EVENING = [300.0] * 18 + [2_000.0] * 3 + [300.0] * 3  # a 2 kW evening peak 18:00-21:00 UTC


def _forecaster(profile=None) -> OnlineForecaster:
    return OnlineForecaster(52.37, 4.90, load_w_by_hour=profile)


def _measure(forecaster: OnlineForecaster, start: float, hours: float, load_w, step_s: float = 10.0) -> None:
    """Feed the meters every `step_s`; `load_w(t)` the measured load (no sun: night-time figures)."""
    for k in range(int(hours * HOUR / step_s)):
        t = start + k * step_s
        forecaster.observe(t, 0.0, 0.0, load_w(t))


def _slot_load(forecaster: OnlineForecaster, now: float, at: float) -> float:
    return next(s.load_w for s in forecaster.forecast(now, 86_400.0) if s.start_s <= at < s.start_s + s.duration_s)


def test_the_stated_profile_puts_the_evening_peak_in_the_forecast_before_any_measurement() -> None:
    forecaster = _forecaster(EVENING)
    now = MIDNIGHT + 12 * HOUR
    assert _slot_load(forecaster, now, MIDNIGHT + 19.5 * HOUR) == pytest.approx(2_000.0)
    assert _slot_load(forecaster, now, MIDNIGHT + 14.5 * HOUR) == pytest.approx(300.0)


def test_without_a_profile_the_load_is_the_recent_mean_held_flat() -> None:
    forecaster = _forecaster()
    _measure(forecaster, MIDNIGHT + 10 * HOUR, 0.3, lambda t: 800.0)
    slots = forecaster.forecast(MIDNIGHT + 10.3 * HOUR, 86_400.0)
    assert {round(s.load_w) for s in slots} == {800}
    assert _forecaster([0.0] * 24).load_profile.prior is None  # all 0, the twin's default: unknown


def test_after_a_day_a_site_without_a_profile_has_learned_one() -> None:
    forecaster = _forecaster()
    _measure(forecaster, MIDNIGHT, 24, lambda t: EVENING[int(t // HOUR) % 24])
    _measure(forecaster, MIDNIGHT + 24 * HOUR, 0.2, lambda t: 300.0)  # into the next day: hour 23 is folded in
    now = MIDNIGHT + 24.2 * HOUR
    assert _slot_load(forecaster, now, MIDNIGHT + (24 + 19.5) * HOUR) == pytest.approx(2_000.0, rel=0.01)
    assert _slot_load(forecaster, now, MIDNIGHT + (24 + 10.5) * HOUR) == pytest.approx(300.0, rel=0.01)


def test_the_prior_follows_what_is_measured_day_after_day_but_one_day_does_not_rewrite_it() -> None:
    forecaster = _forecaster(EVENING)
    for day in range(3):  # the peak has moved an hour later: 19:00-22:00
        _measure(forecaster, MIDNIGHT + day * 24 * HOUR, 24, lambda t: 2_000.0 if 19 <= (t // HOUR) % 24 < 22 else 300.0)
    values = forecaster.load_profile.values
    assert values[18] == pytest.approx(300.0 + 1_700.0 * (1 - LEARN_RATE) ** 3, rel=0.02)  # fading, not gone
    assert values[21] == pytest.approx(300.0 + 1_700.0 * (1 - (1 - LEARN_RATE) ** 3), rel=0.02)
    assert values[19] == pytest.approx(2_000.0, rel=0.01)


def test_an_hour_seen_for_only_a_moment_teaches_nothing() -> None:
    profile = LoadProfile()
    for k in range(60):  # ten minutes of hour 5, then a gap
        profile.observe(MIDNIGHT + 5 * HOUR + k * 10.0, 900.0)
    profile.observe(MIDNIGHT + 7 * HOUR, 100.0)
    assert profile.values[5] is None


def test_a_load_above_the_profile_raises_the_near_slots_more_than_the_far_ones() -> None:
    forecaster = _forecaster(EVENING)
    _measure(forecaster, MIDNIGHT + 12 * HOUR, 2, lambda t: 450.0)  # 1.5 times the typical 300 W
    now = MIDNIGHT + 14 * HOUR
    assert forecaster.load_ratio() == pytest.approx(1.5, rel=0.02)
    near = _slot_load(forecaster, now, now + 60.0)
    evening = _slot_load(forecaster, now, MIDNIGHT + 19.5 * HOUR)
    tomorrow = _slot_load(forecaster, now, MIDNIGHT + 34.5 * HOUR)  # an hour not measured today
    assert near == pytest.approx(450.0, rel=0.02)
    assert 2_000.0 < evening < 3_000.0  # the peak is still there, scaled less the further it lies
    assert tomorrow == pytest.approx(300.0, rel=0.01)


def test_the_correction_is_bounded_however_far_the_load_departs() -> None:
    forecaster = _forecaster(EVENING)
    _measure(forecaster, MIDNIGHT + 12 * HOUR, 2, lambda t: 30_000.0)  # a one-off process, 100 times typical
    assert forecaster.load_ratio() == LOAD_RATIO_BOUNDS[1]
    quiet = _forecaster(EVENING)
    _measure(quiet, MIDNIGHT + 12 * HOUR, 2, lambda t: 0.0)
    assert quiet.load_ratio() == LOAD_RATIO_BOUNDS[0]


def test_the_cautious_load_is_higher_by_the_forecasts_recent_error() -> None:
    steady, noisy = _forecaster(EVENING), _forecaster(EVENING)
    _measure(steady, MIDNIGHT + 12 * HOUR, 2, lambda t: 300.0)
    _measure(noisy, MIDNIGHT + 12 * HOUR, 2, lambda t: 300.0 + (200.0 if int(t // 60) % 2 else -200.0))
    calm, = steady.forecast(MIDNIGHT + 14 * HOUR, 900.0)
    gusty, = noisy.forecast(MIDNIGHT + 14 * HOUR, 900.0)
    assert calm.load_high_w == pytest.approx(calm.load_w, abs=1.0)
    assert gusty.load_high_w - gusty.load_w == pytest.approx(200.0, rel=0.15)
    assert gusty.cautious_surplus_w < gusty.surplus_w


def test_a_new_stated_profile_replaces_what_was_learned_the_same_one_keeps_it() -> None:
    forecaster = _forecaster(EVENING)
    _measure(forecaster, MIDNIGHT, 24, lambda t: 500.0)
    _measure(forecaster, MIDNIGHT + 24 * HOUR, 0.1, lambda t: 500.0)
    learned = list(forecaster.load_profile.values)
    forecaster.use_load_prior(EVENING)
    assert forecaster.load_profile.values == learned
    forecaster.use_load_prior([1_000.0] * 24)
    assert forecaster.load_profile.values == [1_000.0] * 24
    forecaster.use_load_prior(None)
    assert forecaster.load_profile.values == [None] * 24


def test_within_an_hour_the_profile_keeps_its_mean_and_shows_the_peak_the_mean_hides() -> None:
    profile = LoadProfile([500.0] * 6 + [900.0, 2_500.0, 1_000.0] + [500.0] * 15)  # a morning peak at 07 UTC
    for hour in range(24):
        samples = [profile.at(MIDNIGHT + hour * HOUR + (k + 0.5) * 36.0) for k in range(100)]
        assert sum(samples) / 100 == pytest.approx(profile.values[hour], rel=0.01)
    assert profile.at(MIDNIGHT + 7.5 * HOUR) > 2_800.0  # the peak's middle, above the hour's 2500 W mean
    assert profile.at(MIDNIGHT + 7.0 * HOUR) == pytest.approx((900.0 + 2_500.0) / 2)  # edges meet halfway
    assert profile.at(MIDNIGHT + 12.3 * HOUR) == pytest.approx(500.0)  # a flat stretch stays flat


@settings(max_examples=60, deadline=None)
@given(profile=st.one_of(st.none(), st.lists(st.floats(0.0, 1e7), min_size=24, max_size=24)),
       loads=st.lists(st.floats(0.0, 1e7), min_size=1, max_size=40),
       step_s=st.floats(1.0, 7200.0))
def test_the_load_forecast_is_finite_non_negative_and_bounded_by_what_was_stated_or_seen(profile, loads, step_s) -> None:
    forecaster = _forecaster(profile)
    for k, load in enumerate(loads):
        forecaster.observe(MIDNIGHT + k * step_s, 0.0, 0.0, load)
    now = MIDNIGHT + len(loads) * step_s
    ceiling = LOAD_RATIO_BOUNDS[1] * 1.5 * max([*(profile or []), *loads])  # the curve peaks 1.5 times its mean
    for slot in forecaster.forecast(now, 86_400.0):
        assert 0.0 <= slot.load_w <= ceiling + 1e-6 and slot.cautious_load_w >= slot.load_w
