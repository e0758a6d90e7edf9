"""A day-ahead PV forecast over HTTP in the same simple JSON as the day-ahead prices.

The document is a JSON array of slots (or an object whose `pv` is one), the expected mean power of
the site's arrays (all of them together) over each slot:

    [{"start": "2026-06-10T10:00:00+02:00", "end": "2026-06-10T11:00:00+02:00", "power_w": 5230.0}, ...]

`start`/`end` are ISO 8601 with an offset (`Z` allowed), a slot lasts at most a day, `power_w` lies
within 0..100 MW. A weather service's forecast (Solcast, Forecast.Solar, Open-Meteo via a small
converter, or what EMHASS and evcc already fetch) serves it. The body is parsed within the ports'
size and depth limits; a bad document raises `PvForecastFormatError` naming the slot and the field,
and changes nothing.
"""

from __future__ import annotations

from typing import Any

from ...domain.pv_forecast import PvForecastSlot
from ..day_ahead_http import DayAheadFormatError, HttpJsonGet, instant, number, slot_entries


class PvForecastFormatError(DayAheadFormatError):
    """A PV forecast document that cannot be used; the message names the slot and the field."""


def parse_pv_forecast(body: bytes | str) -> list[PvForecastSlot]:
    return [_slot(i, entry) for i, entry in enumerate(slot_entries(body, "pv", PvForecastFormatError))]


def _slot(i: int, entry: Any) -> PvForecastSlot:
    where = f"pv[{i}]"
    if not isinstance(entry, dict):
        raise PvForecastFormatError(f"{where}: expected an object with start, end and power_w")
    start = instant(where, entry, "start", PvForecastFormatError)
    end = instant(where, entry, "end", PvForecastFormatError)
    power_w = number(where, entry, "power_w", True, PvForecastFormatError)
    try:
        return PvForecastSlot(start, end, power_w)
    except ValueError as exc:
        raise PvForecastFormatError(f"{where}: {exc}") from None


class DayAheadJsonPvForecastSource:
    """Implements PvForecastSource: GETs `url` and parses it."""

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self._get = HttpJsonGet(url, "PV forecast", timeout_s)
        self.url = url

    async def fetch(self) -> list[PvForecastSlot]:
        return parse_pv_forecast(await self._get.body())
