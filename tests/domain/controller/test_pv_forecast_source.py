"""A day-ahead PV forecast reaches the controller through its PvForecastSource port, refreshed as prices
are: its online forecaster takes it as the PV prior; a failing source keeps the last forecast."""

from __future__ import annotations

from energy_edge.domain.balancing import Policy
from energy_edge.domain.planning import OnlineForecaster
from energy_edge.domain.pv_forecast import PvForecastSlot
from energy_edge.domain.services.controller_service import PRICE_REFRESH_S

from .fakes import Site


class PvForecasts:
    def __init__(self, *slots: PvForecastSlot) -> None:
        self.slots, self.fail, self.fetches = list(slots), False, 0

    async def fetch(self) -> list[PvForecastSlot]:
        self.fetches += 1
        if self.fail:
            raise ConnectionError("weather service down")
        return self.slots


async def _site(source: PvForecasts) -> Site:
    site = Site(Policy(plan_interval_s=900.0))
    site.controller.pv_forecast_source = source
    return await site.start("solar", "battery")


async def test_the_sources_day_ahead_pv_becomes_the_online_forecasters_prior() -> None:
    source = PvForecasts(PvForecastSlot(0.0, 86_400.0, 1_234.0))
    site = await _site(source)
    await site.cycle()
    forecaster = site.controller._forecaster
    assert isinstance(forecaster, OnlineForecaster)
    assert forecaster.day_ahead_at(3_600.0) == 1_234.0
    assert source.fetches == 1


async def test_a_failing_source_keeps_the_last_forecast_and_is_retried_on_the_price_period() -> None:
    source = PvForecasts(PvForecastSlot(0.0, 86_400.0, 1_234.0))
    site = await _site(source)
    await site.cycle()
    source.fail = True
    await site.cycle(PRICE_REFRESH_S)
    await site.cycle()
    assert source.fetches == 2 and site.controller.pv_forecast_errors_total == 1
    assert site.controller._forecaster.day_ahead_at(3_600.0) == 1_234.0
    source.fail, source.slots = False, [PvForecastSlot(0.0, 86_400.0, 2_000.0)]
    await site.cycle(PRICE_REFRESH_S)
    await site.cycle()
    assert site.controller._forecaster.day_ahead_at(3_600.0) == 2_000.0  # a new one replaces it


async def test_without_a_source_the_forecaster_has_no_day_ahead() -> None:
    site = await Site(Policy(plan_interval_s=900.0)).start("solar")
    await site.cycle()
    assert site.controller._forecaster.day_ahead_at(3_600.0) is None
