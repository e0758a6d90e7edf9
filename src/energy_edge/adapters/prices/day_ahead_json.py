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

import asyncio
import datetime
import urllib.request
from typing import Any

from ...domain import bounded_json
from ...domain.prices import PriceSlot

MAX_SLOTS = 400  # four days of quarter hours
MAX_BODY_BYTES = 256 * 1024


class PriceFormatError(ValueError):
    """A price document that cannot be used; the message names the slot and the field."""


def parse_day_ahead(body: bytes | str) -> list[PriceSlot]:
    try:
        document = bounded_json.loads(body, max_bytes=MAX_BODY_BYTES)
    except ValueError as exc:
        raise PriceFormatError(f"prices: not JSON within the limits: {exc}") from None
    slots = document.get("prices") if isinstance(document, dict) else document
    if not isinstance(slots, list):
        raise PriceFormatError("prices: expected an array of slots (or an object with `prices`)")
    if len(slots) > MAX_SLOTS:
        raise PriceFormatError(f"prices: {len(slots)} slots, at most {MAX_SLOTS}")
    return [_slot(i, entry) for i, entry in enumerate(slots)]


def _slot(i: int, entry: Any) -> PriceSlot:
    if not isinstance(entry, dict):
        raise PriceFormatError(f"prices[{i}]: expected an object with start, end and price")
    start, end = _instant(i, entry, "start"), _instant(i, entry, "end")
    price = _price(i, entry, "price", required=True)
    try:
        return PriceSlot(start, end, price, _price(i, entry, "feed_in_price", required=False))
    except ValueError as exc:
        raise PriceFormatError(f"prices[{i}]: {exc}") from None


def _instant(i: int, entry: dict[str, Any], name: str) -> float:
    value = entry.get(name)
    if not isinstance(value, str):
        raise PriceFormatError(f"prices[{i}].{name}: expected an ISO 8601 time with an offset")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PriceFormatError(f"prices[{i}].{name}: {value[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise PriceFormatError(f"prices[{i}].{name}: {value[:40]!r} has no UTC offset")
    return moment.timestamp()


def _price(i: int, entry: dict[str, Any], name: str, required: bool) -> float | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PriceFormatError(f"prices[{i}].{name}: expected a number, got {str(value)[:40]!r}")
    return float(value)


class DayAheadJsonPriceSource:
    """Implements PriceSource: GETs `url` and parses it (in a worker thread: the loop never blocks)."""

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"price URL must be http(s), got {url[:60]!r}")
        self.url = url
        self.timeout_s = timeout_s

    async def fetch(self) -> list[PriceSlot]:
        return parse_day_ahead(await asyncio.to_thread(self._get))

    def _get(self) -> bytes:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (http(s) only)
            return response.read(MAX_BODY_BYTES + 1)
