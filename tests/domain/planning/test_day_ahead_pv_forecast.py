"""The online forecaster takes a day-ahead PV forecast as its prior and corrects it by the arrays."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from energy_edge.domain.planning import OnlineForecaster
from energy_edge.domain.planning.forecast import DAY_AHEAD_PRIOR_SPREAD
from energy_edge.domain.pv_forecast import PvForecastSlot

MIDNIGHT = datetime(2026, 6, 21, 0, tzinfo=timezone.utc).timestamp()
RATED_W = 45_000.0
CLEARNESS = 0.8  # the day's true sky


def _true_pv_w(forecaster: OnlineForecaster, t: float) -> float:
    return CLEARNESS * RATED_W * forecaster.clear_sky_ratio(t)


def _day_ahead(forecaster: OnlineForecaster, scale: float, hours: range = range(48)) -> list[PvForecastSlot]:
    """Hourly means of the true PV, times `scale` (1: a forecast that is right)."""
    slots = []
    for h in hours:
        start = MIDNIGHT + h * 3600.0
        mean = sum(_true_pv_w(forecaster, start + m * 60 + 30) for m in range(60)) / 60
        slots.append(PvForecastSlot(start, start + 3600.0, scale * mean))
    return slots


def _live_until(forecaster: OnlineForecaster, hour: float, since_hour: float = 0.0) -> None:
    """The arrays give the true PV, seen every 10 s from `since_hour` to `hour`."""
    for step in range(int(since_hour * 360), int(hour * 360)):
        t = MIDNIGHT + step * 10.0
        forecaster.observe(t, _true_pv_w(forecaster, t), RATED_W, 500.0)


def test_a_forecast_that_is_right_stays_right() -> None:
    forecaster = OnlineForecaster(52.37, 4.90)
    forecaster.use_day_ahead(_day_ahead(forecaster, 1.0))
    _live_until(forecaster, 11.0)
    assert forecaster.pv_ratio == pytest.approx(1.0, abs=0.03)
    for slot in forecaster.forecast(MIDNIGHT + 11 * 3600, 6 * 3600):
        assert slot.pv_w == pytest.approx(_true_pv_w(forecaster, slot.start_s + 450), rel=0.05)
        assert slot.pv_low_w > 0.85 * slot.pv_w  # seen right all morning: little spread left


def test_a_forecast_30_percent_low_is_corrected_after_sunrise() -> None:
    forecaster = OnlineForecaster(52.37, 4.90)
    forecaster.use_day_ahead(_day_ahead(forecaster, 0.7))
    _live_until(forecaster, 3.0)  # before sunrise (about 03:45 UTC here): the day-ahead as it is
    early, = forecaster.forecast(MIDNIGHT + 12 * 3600, 900)
    assert early.pv_w == pytest.approx(0.7 * _true_pv_w(forecaster, early.start_s + 450), rel=0.02)
    assert early.pv_low_w <= early.pv_w * (1 - DAY_AHEAD_PRIOR_SPREAD) + 1e-6
    _live_until(forecaster, 10.0, since_hour=3.0)
    assert forecaster.pv_ratio == pytest.approx(1 / 0.7, rel=0.03)
    near, = forecaster.forecast(MIDNIGHT + 10 * 3600, 900)
    assert near.pv_w == pytest.approx(_true_pv_w(forecaster, near.start_s + 450), rel=0.04)
    far, = forecaster.forecast(MIDNIGHT + 34 * 3600, 900)  # tomorrow's noon: the correction has faded
    assert far.pv_w == pytest.approx(0.7 * _true_pv_w(forecaster, far.start_s + 450), rel=0.02)


def test_the_stated_spread_stands_in_only_until_the_arrays_are_first_seen_against_the_forecast() -> None:
    right, low = OnlineForecaster(52.37, 4.90), OnlineForecaster(52.37, 4.90)
    right.use_day_ahead(_day_ahead(right, 1.0))
    low.use_day_ahead(_day_ahead(low, 0.5))
    for forecaster in (right, low):
        forecaster.observe(MIDNIGHT + 8 * 3600, _true_pv_w(forecaster, MIDNIGHT + 8 * 3600), RATED_W, 500.0)
    sure, = right.forecast(MIDNIGHT + 12 * 3600, 900)
    unsure, = low.forecast(MIDNIGHT + 12 * 3600, 900)
    # as forecast at the first sighting: no spread of its own (the clear-sky model's caution still caps it)
    assert sure.pv_low_w > 0.8 * sure.pv_w
    assert unsure.pv_low_w < 0.3 * unsure.pv_w  # off by half: the ratio (2) may be as far off again
    assert sure.pv_high_w < 1.05 * sure.pv_w and unsure.pv_high_w > 1.4 * unsure.pv_w  # ... either way


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
def test_a_day_ahead_never_lowers_the_caution_the_clear_sky_model_has(scale) -> None:
    """Its hourly means know nothing of the next minute's cloud: the import limit's reserve and the boilers'
    sure sun rest on the cautious figure, which stays at or below the one without a day-ahead."""
    with_it, without = OnlineForecaster(52.37, 4.90), OnlineForecaster(52.37, 4.90)
    with_it.use_day_ahead(_day_ahead(with_it, scale))
    for forecaster in (with_it, without):
        _live_until(forecaster, 9.0)
    for a, b in zip(with_it.forecast(MIDNIGHT + 9 * 3600, 24 * 3600), without.forecast(MIDNIGHT + 9 * 3600, 24 * 3600)):
        assert a.pv_low_w <= b.pv_low_w + 1e-6 and a.pv_low_w <= a.pv_w + 1e-6


def test_the_correction_is_clamped_to_the_arrays_rating() -> None:
    forecaster = OnlineForecaster(52.37, 4.90)
    forecaster.use_day_ahead([PvForecastSlot(MIDNIGHT + 11 * 3600, MIDNIGHT + 14 * 3600, 2 * RATED_W)])
    forecaster.observe(MIDNIGHT + 11 * 3600, 30_000.0, RATED_W, 500.0)
    slot, = forecaster.forecast(MIDNIGHT + 12 * 3600, 900)
    assert slot.pv_w == RATED_W and slot.pv_low_w <= RATED_W and slot.pv_high_w == RATED_W


@pytest.mark.parametrize("hours", [range(0), range(0, 6)], ids=["absent", "stale"])
def test_an_absent_or_stale_day_ahead_falls_back_to_the_clear_sky(hours: range) -> None:
    plain, fed = OnlineForecaster(52.37, 4.90), OnlineForecaster(52.37, 4.90)
    fed.use_day_ahead(_day_ahead(fed, 0.5, hours))  # a stale one ended at 06:00
    for forecaster in (plain, fed):
        forecaster.observe(MIDNIGHT + 9 * 3600, 20_000.0, RATED_W, 500.0)
    assert fed.forecast(MIDNIGHT + 9 * 3600, 6 * 3600) == plain.forecast(MIDNIGHT + 9 * 3600, 6 * 3600)


def test_beyond_the_day_aheads_end_the_clear_sky_model_takes_over() -> None:
    plain, fed = OnlineForecaster(52.37, 4.90), OnlineForecaster(52.37, 4.90)
    fed.use_day_ahead(_day_ahead(fed, 0.5, range(0, 12)))
    for forecaster in (plain, fed):
        forecaster.observe(MIDNIGHT + 9 * 3600, 20_000.0, RATED_W, 500.0)
    covered, beyond = fed.forecast(MIDNIGHT + 11.5 * 3600, 3600)[::2]
    assert covered.pv_w < plain.forecast(MIDNIGHT + 11.5 * 3600, 900)[0].pv_w
    assert beyond == plain.forecast(MIDNIGHT + 11.5 * 3600, 3600)[2]


@pytest.mark.parametrize("start, end, power_w, words", [
    (0.0, 3600.0, -1.0, "power_w -1.0 is outside 0..1e+08 W"),
    (0.0, 3600.0, 2e8, "power_w"),
    (0.0, 3600.0, float("nan"), "power_w"),
    (3600.0, 0.0, 100.0, "a slot must last"),
])
def test_a_day_ahead_slot_out_of_bounds_is_refused_in_one_sentence(start, end, power_w, words) -> None:
    with pytest.raises(ValueError, match=words.replace("+", r"\+").replace(".", r"\.")):
        PvForecastSlot(start, end, power_w)


@settings(max_examples=60, deadline=None)
@given(powers=st.lists(st.floats(0.0, 1e8), min_size=1, max_size=30),
       seen=st.lists(st.tuples(st.floats(0.0, 30 * 3600.0), st.floats(0.0, 1e6)), max_size=20),
       rated_w=st.floats(0.0, 1e6))
@example(powers=[0.0], seen=[(0.0, 0.0)], rated_w=5e-324)  # found by hypothesis: the rating times the sky is 0.0
@example(powers=[0.0], seen=[(101_185.0, 0.0)], rated_w=5e-324)
def test_the_forecast_stays_within_the_arrays_rating_whatever_the_day_ahead_says(powers, seen, rated_w) -> None:
    forecaster = OnlineForecaster(52.37, 4.90)
    forecaster.use_day_ahead([PvForecastSlot(MIDNIGHT + h * 3600.0, MIDNIGHT + (h + 1) * 3600.0, p)
                              for h, p in enumerate(powers)])
    for offset, available_w in sorted(seen):
        forecaster.observe(MIDNIGHT + offset, available_w, rated_w, 500.0)
    for slot in forecaster.forecast(MIDNIGHT + 6 * 3600.0, 30 * 3600.0):
        assert 0.0 <= slot.pv_low_w <= slot.pv_w <= rated_w
