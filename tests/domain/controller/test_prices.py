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
