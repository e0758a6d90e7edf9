"""The lab's day-ahead PV forecast (an analysis): the day's sky without its clouds, hour by hour,
reaching the controller through its PvForecastSource port while it keeps its online learning."""

from __future__ import annotations

import pytest

from energy_edge.domain.planning import OnlineForecaster
from energy_edge_lab.day_ahead_pv import SLOT_S, DayAheadPv, sky_without_clouds
from energy_edge_lab.runner import simulate
from energy_edge_lab.scenario import CloudEvent, MeasuredSeries, load_scenario
from energy_edge_lab.simulated_hardware import exogenous
from energy_edge_lab.stepped_site import site_factory

pytest.importorskip("scipy")

DAY_S = 86_400.0


@pytest.fixture(scope="module")
def cloudy():
    """The cloudy day (a random walk around 0.6) with a deep cloud over noon."""
    day = load_scenario("cloudy_variable_day")
    pv = day.profiles.pv.model_copy(update={"clouds": (CloudEvent(start_s=12 * 3600.0, duration_s=3600.0, depth=0.8),)})
    return day.model_copy(update={"profiles": day.profiles.model_copy(update={"pv": pv})})


def _hourly_means(values: list[float], per_slot: int) -> list[float]:
    return [sum(values[i:i + per_slot]) / per_slot for i in range(0, len(values) - per_slot + 1, per_slot)]


def test_it_serves_the_days_sky_without_its_clouds_as_hourly_means(cloudy):
    forecast = DayAheadPv(cloudy, DAY_S)
    calm = exogenous(sky_without_clouds(cloudy), DAY_S)
    assert [s.pv_w for s in forecast.slots] == pytest.approx(_hourly_means(calm.pv_available_w, int(SLOT_S / calm.dt_s)))
    assert [s.end_s - s.start_s for s in forecast.slots] == [SLOT_S] * 24
    true = _hourly_means(exogenous(cloudy, DAY_S).pv_available_w, int(SLOT_S / calm.dt_s))
    assert forecast.slots[12].pv_w > 2 * true[12]  # the noon cloud is not in it
    assert sum(s.pv_w for s in forecast.slots) == pytest.approx(sum(true), rel=0.35)  # the day's sky is


def test_a_measured_series_is_served_as_its_hourly_means(cloudy):
    measured = MeasuredSeries(times_s=(0.0, 12 * 3600.0, 12.5 * 3600.0, DAY_S), values=(0.0, 4_000.0, 0.0, 0.0))
    pv = cloudy.profiles.pv.model_copy(update={"measured_pv_w": measured})
    day = cloudy.model_copy(update={"profiles": cloudy.profiles.model_copy(update={"pv": pv})})
    slots = DayAheadPv(day, DAY_S).slots
    assert slots[12].pv_w == pytest.approx(1_000.0, rel=0.02)  # 4 kW falling to 0 by 12:30, then 0
    assert slots[11].pv_w == pytest.approx(measured.at(11.5 * 3600.0), rel=0.01)


async def test_the_controller_takes_it_and_keeps_learning(cloudy, mocker):
    handed = mocker.spy(OnlineForecaster, "use_day_ahead")
    learned = mocker.spy(OnlineForecaster, "observe")
    morning = cloudy.model_copy(update={"start_h": 9.0})
    series = await simulate(morning, "controller", 0.25 / 24, site_factory, forecast="day-ahead")
    assert len(series) == 15 * 60
    assert handed.call_count >= 1 and len(handed.call_args.args[1]) > 24  # the run and the planner's horizon
    assert learned.call_count >= 1
