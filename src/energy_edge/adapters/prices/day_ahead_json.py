"""Day-ahead prices over HTTP in the simple JSON that evcc's custom tariff and EMHASS accept.

The document is a JSON array of slots (or an object whose `prices` is one):

    [{"start": "2026-06-10T00:00:00+02:00", "end": "2026-06-10T01:00:00+02:00",
      "price": 0.2143, "feed_in_price": 0.05}, ...]

`start`/`end` are ISO 8601 with an offset (`Z` allowed), `price` is the import price per
kWh, `feed_in_price` (optional) what an exported kWh earns; both may be negative and lie
within +-10 per kWh. The body is parsed within the ports' size and depth limits; a bad
document raises `PriceFormatError` naming the slot and the field, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from ...domain.prices import PriceSlot
from ..day_ahead_http import DayAheadFormatError, HttpJsonGet, instant, number, slot_entries


class PriceFormatError(DayAheadFormatError):
    """A price document that cannot be used; the message names the slot and the field."""


def parse_day_ahead(body: bytes | str) -> list[PriceSlot]:
    return [_slot(i, entry) for i, entry in enumerate(slot_entries(body, "prices", PriceFormatError))]


def _slot(i: int, entry: Any) -> PriceSlot:
    where = f"prices[{i}]"
    if not isinstance(entry, dict):
        raise PriceFormatError(f"{where}: expected an object with start, end and price")
    start, end = instant(where, entry, "start", PriceFormatError), instant(where, entry, "end", PriceFormatError)
    price = number(where, entry, "price", True, PriceFormatError)
    try:
        return PriceSlot(start, end, price, number(where, entry, "feed_in_price", False, PriceFormatError))
    except ValueError as exc:
        raise PriceFormatError(f"{where}: {exc}") from None


class DayAheadJsonPriceSource:
    """Implements PriceSource: GETs `url` and parses it."""

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self._get = HttpJsonGet(url, "price", timeout_s)
        self.url = url

    async def fetch(self) -> list[PriceSlot]:
        return parse_day_ahead(await self._get.body())
