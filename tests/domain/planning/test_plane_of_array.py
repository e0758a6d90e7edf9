"""Tilted arrays: plane-of-array irradiance in the simulator and the forecaster alike."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import SimulatedPV
from energy_edge.domain.planning import OnlineForecaster
from energy_edge.domain.planning.solar_geometry import (
    clear_sky_array_ratio, clear_sky_ghi_w_m2, plane_of_array_w_m2, solar_elevation_deg, solar_position_deg,
)


def _utc(*fields: int) -> float:
    return datetime.datetime(*fields, tzinfo=datetime.timezone.utc).timestamp()


def test_the_sun_is_south_at_solar_noon_east_in_the_morning_and_west_in_the_evening():
    assert solar_position_deg(52.0, 0.0, _utc(2026, 6, 21, 12))[1] == pytest.approx(180.0, abs=2.0)
    assert 60 < solar_position_deg(52.0, 0.0, _utc(2026, 6, 21, 7))[1] < 110
    assert 250 < solar_position_deg(52.0, 0.0, _utc(2026, 6, 21, 17))[1] < 300


@settings(max_examples=300, deadline=None)
@given(st.floats(-89.9, 89.9), st.floats(-180.0, 180.0), st.floats(0.0, 4e9))
def test_the_elevation_alone_is_the_positions_elevation_to_the_last_bit(latitude_deg, longitude_deg, epoch_s):
    """The PV simulator asks for the elevation only (without the azimuth's arithmetic): the same number."""
    assert solar_elevation_deg(latitude_deg, longitude_deg, epoch_s) == \
        solar_position_deg(latitude_deg, longitude_deg, epoch_s)[0]
    assert solar_elevation_deg(0.0, 0.0, _utc(2026, 3, 20, 12)) == solar_position_deg(0.0, 0.0, _utc(2026, 3, 20, 12))[0]


def test_a_flat_array_sees_the_horizontal_irradiance():
    assert plane_of_array_w_m2(800.0, 40.0, 150.0, 0.0, 180.0) == 800.0


def test_a_steep_south_array_in_winter_sees_far_more_than_a_flat_one():
    noon = _utc(2026, 12, 21, 12)
    flat, steep = clear_sky_array_ratio(52.0, 0.0, noon), clear_sky_array_ratio(52.0, 0.0, noon, 60.0, 180.0)
    assert steep > 2.5 * flat


def test_an_east_array_gives_more_in_the_morning_than_in_the_afternoon():
    east = [clear_sky_array_ratio(52.0, 0.0, _utc(2026, 6, 21, h), 35.0, 90.0) for h in (9, 15)]
    assert east[0] > 2 * east[1]


def test_simulator_and_forecaster_agree_on_a_tilted_array():
    t = _utc(2026, 12, 21, 12)
    pv = SimulatedPV(ManualClock(t), rated_power_w=10_000.0, latitude_deg=52.0, longitude_deg=0.0,
                     mean_clearness=1.0, cloud_sigma=0.0, tilt_deg=60.0, azimuth_deg=180.0)
    forecaster = OnlineForecaster(52.0, 0.0, tilt_deg=60.0, azimuth_deg=180.0)
    assert pv.available_power_w() == pytest.approx(10_000.0 * forecaster.clear_sky_ratio(t))
    flat = OnlineForecaster(52.0, 0.0).clear_sky_ratio(t)
    assert flat == pytest.approx(min(1.0, clear_sky_ghi_w_m2(solar_position_deg(52.0, 0.0, t)[0]) / 1000))


def test_an_east_and_a_west_roof_are_forecast_as_the_two_planes_by_rating():
    """Two equal roofs facing east and west: the site's clear sky is the mean of theirs at every hour, so
    the morning is not read as the east roof's alone, nor the afternoon."""
    from energy_edge.domain.planning.solar_geometry import ArrayPlane

    east, west = ArrayPlane(5000.0, 30.0, 90.0), ArrayPlane(5000.0, 30.0, 270.0)
    site = OnlineForecaster(45.0, 0.0, planes=(east, west))
    for hour in (8, 12, 16):
        t = _utc(2026, 6, 21, hour)
        pair = (clear_sky_array_ratio(45.0, 0.0, t, 30.0, 90.0) + clear_sky_array_ratio(45.0, 0.0, t, 30.0, 270.0)) / 2
        assert site.clear_sky_ratio(t) == pytest.approx(pair)
    morning, afternoon = _utc(2026, 6, 21, 8), _utc(2026, 6, 21, 16)
    assert site.clear_sky_ratio(morning) == pytest.approx(site.clear_sky_ratio(afternoon), rel=0.05)
    assert clear_sky_array_ratio(45.0, 0.0, morning, 30.0, 90.0) > 1.5 * clear_sky_array_ratio(45.0, 0.0, afternoon, 30.0, 90.0)
    # a plane the site file does not state is the forecaster's own (the policy's)
    unstated = OnlineForecaster(45.0, 0.0, tilt_deg=30.0, azimuth_deg=270.0, planes=(east, ArrayPlane(5000.0)))
    assert unstated.clear_sky_ratio(morning) == pytest.approx(site.clear_sky_ratio(morning))
    assert OnlineForecaster(45.0, 0.0, planes=(ArrayPlane(0.0, 30.0, 90.0),)).clear_sky_ratio(morning) == \
        clear_sky_array_ratio(45.0, 0.0, morning)  # no rating to weigh by: the forecaster's plane
