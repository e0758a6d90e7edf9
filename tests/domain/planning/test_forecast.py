"""The online forecaster learns clearness and load from the meters."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from energy_edge.domain.planning import OnlineForecaster
from energy_edge.domain.planning.forecast import UNSEEN_SKY_SPREAD

NOON = datetime(2026, 6, 21, 12, tzinfo=timezone.utc).timestamp()
MIDNIGHT = datetime(2026, 6, 21, 0, tzinfo=timezone.utc).timestamp()
RATED_W = 45_000.0


def test_learns_the_clearness_the_arrays_report() -> None:
    forecaster = OnlineForecaster(52.37, 4.90, clearness_prior=0.7)
    for minute in range(180):  # three hours at 40 % of the clear-sky output
        t = NOON + minute * 60
        forecaster.observe(t, 0.4 * RATED_W * forecaster.clear_sky_ratio(t), RATED_W, 8_000.0)
    assert forecaster.clearness == pytest.approx(0.4, abs=0.02)
    slot = forecaster.forecast(NOON + 3 * 3600, 900)[0]
    assert slot.pv_w == pytest.approx(0.4 * RATED_W * forecaster.clear_sky_ratio(slot.start_s + 450), rel=0.06)
    assert slot.load_w == pytest.approx(8_000.0)


def test_night_forecasts_no_pv_and_learns_no_clearness() -> None:
    forecaster = OnlineForecaster(52.37, 4.90, clearness_prior=0.7)
    forecaster.observe(MIDNIGHT, 0.0, RATED_W, 5_000.0)
    assert forecaster.clearness == 0.7
    assert forecaster.forecast(MIDNIGHT, 3600)[0].pv_w == 0.0


def test_slots_cover_the_horizon_exactly() -> None:
    forecaster = OnlineForecaster(52.37, 4.90, slot_s=900.0)
    slots = forecaster.forecast(NOON, 2_000.0)
    assert [s.duration_s for s in slots] == [900.0, 900.0, 200.0]
    assert slots[-1].start_s + slots[-1].duration_s == NOON + 2_000.0


def test_a_variable_sky_makes_the_cautious_forecast_lower_a_steady_one_does_not() -> None:
    steady, variable = OnlineForecaster(52.37, 4.90), OnlineForecaster(52.37, 4.90)
    for minute in range(120):
        t = NOON + minute * 60
        clear_w = RATED_W * steady.clear_sky_ratio(t)
        steady.observe(t, 0.6 * clear_w, RATED_W, 8_000.0)
        variable.observe(t, (0.3 if minute % 2 else 0.9) * clear_w, RATED_W, 8_000.0)  # passing clouds
    calm, = steady.forecast(NOON + 7200, 900)
    gusty, = variable.forecast(NOON + 7200, 900)
    assert calm.pv_low_w == pytest.approx(calm.pv_w)  # the first sighting replaced the prior: no variance
    assert variable.clearness == pytest.approx(0.6, abs=0.05)
    assert gusty.pv_low_w == pytest.approx(gusty.pv_w * (1 - 0.3 / 0.6), rel=0.15)  # one sigma (0.3) lower
    assert gusty.cautious_surplus_w < gusty.surplus_w


def test_a_sky_not_seen_yet_is_cautiously_an_overcast_one_until_seen() -> None:
    forecaster = OnlineForecaster(52.37, 4.90, clearness_prior=0.7)
    forecaster.observe(MIDNIGHT, 0.0, RATED_W, 500.0)  # started at night: the sky is not seen yet
    unseen, = forecaster.forecast(NOON, 900)
    assert unseen.pv_low_w == pytest.approx(unseen.pv_w * (0.7 - UNSEEN_SKY_SPREAD) / 0.7)
    for minute in range(30):  # half an hour of steady sun, as the prior said
        t = NOON + minute * 60
        forecaster.observe(t, 0.7 * RATED_W * forecaster.clear_sky_ratio(t), RATED_W, 500.0)
    seen, = forecaster.forecast(NOON + 1800, 900)
    assert seen.pv_low_w == pytest.approx(seen.pv_w)


def test_a_sky_not_seen_yet_may_be_a_clear_one_and_a_variable_sky_is_brighter_at_times() -> None:
    """The bright figure is the other side of the spread (the planner weighs a day brighter than expected
    beside the expected one): an unseen sky's is the clear sky; a steady sky's is what it gives."""
    unseen_sky = OnlineForecaster(52.37, 4.90, clearness_prior=0.7)
    unseen_sky.observe(MIDNIGHT, 0.0, RATED_W, 500.0)
    unseen, = unseen_sky.forecast(NOON, 900)
    assert unseen.pv_high_w == pytest.approx(unseen.pv_w / 0.7)  # 0.7 + 0.5, no clearer than a clear sky
    steady, variable = OnlineForecaster(52.37, 4.90), OnlineForecaster(52.37, 4.90)
    for minute in range(120):
        t = NOON + minute * 60
        clear_w = RATED_W * steady.clear_sky_ratio(t)
        steady.observe(t, 0.6 * clear_w, RATED_W, 8_000.0)
        variable.observe(t, (0.3 if minute % 2 else 0.9) * clear_w, RATED_W, 8_000.0)
    calm, = steady.forecast(NOON + 7200, 900)
    gusty, = variable.forecast(NOON + 7200, 900)
    assert calm.pv_high_w == pytest.approx(calm.pv_w)
    assert gusty.pv_high_w == pytest.approx(gusty.pv_w * (1 + 0.3 / 0.6), rel=0.15)  # one sigma (0.3) higher


def test_a_first_sighting_far_from_the_prior_stays_cautious_until_the_sky_has_been_seen_a_while() -> None:
    forecaster = OnlineForecaster(52.37, 4.90, clearness_prior=0.7)
    forecaster.observe(NOON - 600, 0.0, 0.0, 500.0)  # running before the arrays report (as at night)
    overcast = 0.2
    for minute in range(240):
        t = NOON + minute * 60
        forecaster.observe(t, overcast * RATED_W * forecaster.clear_sky_ratio(t), RATED_W, 500.0)
        if minute == 10:
            early, = forecaster.forecast(t, 900)
            assert early.pv_w > 0 and early.pv_low_w < 0.2 * early.pv_w  # 0.2 seen, 0.5 off the prior
    late, = forecaster.forecast(NOON + 4 * 3600, 900)
    assert forecaster.clearness == pytest.approx(overcast) and late.pv_low_w > 0.6 * late.pv_w  # e^-2 of the first spread
