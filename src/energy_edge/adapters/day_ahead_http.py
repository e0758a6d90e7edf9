"""What every day-ahead JSON source shares (prices, a PV forecast): a GET over http(s) off the event
loop, the body parsed within the ports' size and depth limits, an array of slots (or an object holding
one under a key), and each slot's ISO 8601 times and numbers read or refused in one sentence naming the
slot and the field."""

from __future__ import annotations

import asyncio
import datetime
import urllib.request
from typing import Any

from ..domain import bounded_json

MAX_SLOTS = 400  # four days of quarter hours
MAX_BODY_BYTES = 256 * 1024


class DayAheadFormatError(ValueError):
    """A day-ahead document that cannot be used; the message names the slot and the field."""


def slot_entries(body: bytes | str, key: str, error: type[DayAheadFormatError]) -> list[Any]:
    """The document's slots: a JSON array, or an object's `key`."""
    try:
        document = bounded_json.loads(body, max_bytes=MAX_BODY_BYTES)
    except ValueError as exc:
        raise error(f"{key}: not JSON within the limits: {exc}") from None
    slots = document.get(key) if isinstance(document, dict) else document
    if not isinstance(slots, list):
        raise error(f"{key}: expected an array of slots (or an object with `{key}`)")
    if len(slots) > MAX_SLOTS:
        raise error(f"{key}: {len(slots)} slots, at most {MAX_SLOTS}")
    return slots


def instant(where: str, entry: dict[str, Any], name: str, error: type[DayAheadFormatError]) -> float:
    """`entry[name]` as epoch seconds: ISO 8601 with an offset (`Z` allowed)."""
    value = entry.get(name)
    if not isinstance(value, str):
        raise error(f"{where}.{name}: expected an ISO 8601 time with an offset")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise error(f"{where}.{name}: {value[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise error(f"{where}.{name}: {value[:40]!r} has no UTC offset")
    return moment.timestamp()


def number(where: str, entry: dict[str, Any], name: str, required: bool,
           error: type[DayAheadFormatError]) -> float | None:
    """`entry[name]` as a float (None: absent and not required)."""
    value = entry.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise error(f"{where}.{name}: expected a number, got {str(value)[:40]!r}")
    return float(value)


class HttpJsonGet:
    """GETs `url` (http(s) only) in a worker thread, so the loop never blocks; reads at most one byte
    more than `MAX_BODY_BYTES`, for the parser to refuse."""

    def __init__(self, url: str, what: str, timeout_s: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{what} URL must be http(s), got {url[:60]!r}")
        self.url = url
        self.timeout_s = timeout_s

    async def body(self) -> bytes:
        return await asyncio.to_thread(self._get)

    def _get(self) -> bytes:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (http(s) only)
            return response.read(MAX_BODY_BYTES + 1)
