"""The lab tells the controller the site's typical load as its installer knows it: the hourly means of the
base load, its daily peaks and scheduled blocks in UTC hours, without the day's noise; it reaches the load
forecast through the twin, so the plan sees the block before it comes."""

from __future__ import annotations

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge_lab.generator import generate_days
from energy_edge_lab.runner import SiteSpec, TariffPrices, controller_policy, typical_load_utc
from energy_edge_lab.scenario import MeasuredSeries, load_scenario
from energy_edge_lab.simulated_hardware import asset_configs, build_site
from energy_edge_lab.stepped_site import site_factory

HOUR = 3600.0


@pytest.fixture(scope="module")
def day():
    """g20: UTC+2, a 1430 W block from 13:28 local for 1.39 h (11:28-12:51 UTC) on a 690 W base."""
    return next(d for d in generate_days(40, 2026) if d.name.startswith("g20"))


def test_the_typical_load_is_the_simulated_days_hourly_mean_without_its_noise(day) -> None:
    typical = typical_load_utc(day)
    site = build_site(day, ManualClock(day.midnight_epoch_s))
    for hour in range(24):  # the day's simulated load, hour by UTC hour
        start = day.midnight_epoch_s + hour * HOUR
        utc_hour = str(int(start // HOUR) % 24)
        measured = sum(site.load.power_w(start + 30.0 + 60.0 * m) for m in range(60)) / 60
        assert typical[utc_hour] == pytest.approx(measured, rel=0.1)  # the noise is 5 %, lasting minutes
    block = day.profiles.base_load.spikes[0]
    assert typical["12"] - typical["13"] > 0.8 * block.power_w * 51 / 60  # the block's 51 min of 12 UTC
    assert typical["13"] < day.profiles.base_load.base_w + 100.0  # and nothing of it once it is over


def test_a_day_whose_load_is_a_measured_series_tells_no_typical_profile() -> None:
    day = load_scenario("clear_summer_day")
    measured = day.profiles.base_load.model_copy(update={"measured_w": MeasuredSeries(times_s=(0.0,), values=(500.0,))})
    measured_day = day.model_copy(update={"profiles": day.profiles.model_copy(update={"base_load": measured})})
    assert typical_load_utc(measured_day) == {} and not any(controller_policy(measured_day).load_w_by_hour.values)


async def test_the_typical_load_reaches_the_controllers_forecast_through_its_twin(day) -> None:
    clock = ManualClock(day.start_epoch_s)
    policy = controller_policy(day)
    spec = SiteSpec(clock=clock, hardware=build_site(day, clock), configs=asset_configs(day), policy=policy,
                    prices=TariffPrices(day))
    async with site_factory(spec) as site:
        for _ in range(20):
            await site.step()
        controller = site.site.container.controller()
        assert controller.policy.load_w_by_hour == policy.load_w_by_hour
        forecast = controller._forecaster.forecast(clock.now(), 86_400.0)  # the one the controller plans with
    at_block = next(s for s in forecast if s.start_s >= day.midnight_epoch_s + 14 * HOUR)  # 12 UTC
    after = next(s for s in forecast if s.start_s >= day.midnight_epoch_s + 15 * HOUR)  # 13 UTC
    assert at_block.load_w - after.load_w > 0.5 * day.profiles.base_load.spikes[0].power_w
