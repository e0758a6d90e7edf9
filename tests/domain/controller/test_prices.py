"""Prices reach the controller through its PriceSource port: while feed-in costs money it exports
nothing (curtails, or stores what it can); a failing source keeps the limits and the last prices."""

from __future__ import annotations

from energy_edge.domain.balancing import Policy
from energy_edge.domain.prices import PriceSlot

from .fakes import Site


class Prices:
    def __init__(self, *slots: PriceSlot, fail: bool = False) -> None:
        self.slots, self.fail, self.fetches = list(slots), fail, 0

    async def fetch(self) -> list[PriceSlot]:
        self.fetches += 1
        if self.fail:
            raise ConnectionError("day-ahead service down")
        return self.slots


def _site(prices: Prices, grid_w: float) -> Site:
    site = Site(Policy(export_limit_w=5_000.0), grid_power_w=grid_w)
    site.controller.price_source = prices
    return site


async def test_a_negative_feed_in_price_curtails_the_export_the_limit_would_allow() -> None:
    # 3 kW export within the 5 kW limit; with feed-in at -0.02 for this hour, the inverter is limited
    site = await _site(Prices(PriceSlot(0.0, 3_600.0, 0.30, -0.02)), grid_w=-3_000.0).start("solar")
    await site.cycle()
    limits = [payload["limit_w"] for name, payload in site.calls()["solar"] if name == "set_output"]
    assert limits and limits[-1] == 0.0  # no load on site: every watt would be exported at a loss


async def test_a_positive_feed_in_price_exports_as_before() -> None:
    site = await _site(Prices(PriceSlot(0.0, 3_600.0, 0.30, 0.07)), grid_w=-3_000.0).start("solar")
    await site.cycle()
    limits = [payload["limit_w"] for name, payload in site.calls()["solar"] if name == "set_output"]
    assert limits and limits[-1] >= 3_000.0


async def test_a_failing_price_source_is_counted_and_balancing_goes_on() -> None:
    prices = Prices(fail=True)
    site = await _site(prices, grid_w=-3_000.0).start("solar")
    for _ in range(3):
        await site.cycle()
    assert prices.fetches == 1 and site.controller.price_errors_total == 1  # retried after PRICE_REFRESH_S
    assert site.controller.cycles_total == 3


async def test_the_twins_tariff_prices_the_controller_without_a_price_source() -> None:
    # hour 0 UTC has a negative feed-in price in the operator's tariff: export nothing, as from a source
    site = await Site(Policy(export_limit_w=5_000.0), grid_power_w=-3_000.0).start("solar")
    await site.hub.set_desired("controller", {"tariff": {"import_price_per_kwh": 0.3,
                                                         "feed_in_price_by_hour": {"0": -0.02}}})
    await site.cycle()
    limits = [payload["limit_w"] for name, payload in site.calls()["solar"] if name == "set_output"]
    assert limits and limits[-1] == 0.0
    assert site.controller.tariff is not None and site.controller.prices.at(0.0).feed_in_price_per_kwh == -0.02


async def test_a_wrong_tariff_is_refused_whole_and_names_its_field() -> None:
    site = await Site(Policy(export_limit_w=5_000.0), grid_power_w=-3_000.0).start("solar")
    await site.hub.set_desired("controller", {"export_limit_w": 4_000.0,
                                              "tariff": {"import_price_per_kwh": 0.3,
                                                         "import_price_by_hour": {"25": 0.4}}})
    reported = (await site.hub.client("controller").get_twin()).reported
    assert reported["tariff"]["ac"] == 400 and "tariff.import_price_by_hour.25" in reported["tariff"]["ad"]
    assert site.controller.tariff is None and site.controller.policy.export_limit_w == 5_000.0


async def test_a_source_wins_over_the_twins_tariff_where_both_price_an_hour() -> None:
    site = await _site(Prices(PriceSlot(0.0, 3_600.0, 0.30, 0.07)), grid_w=-3_000.0).start("solar")
    await site.hub.set_desired("controller", {"tariff": {"import_price_per_kwh": 0.3, "feed_in_price_per_kwh": -0.01}})
    await site.cycle()
    assert site.controller.prices.at(0.0).feed_in_price_per_kwh == 0.07  # the day-ahead price for hour 0
    assert site.controller.prices.at(3_600.0).feed_in_price_per_kwh == -0.01  # the tariff where the source is silent
