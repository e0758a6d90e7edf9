"""The day-ahead JSON price source against a local HTTP server serving a recorded response,
and the controller acting on it: a negative feed-in price means export nothing."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path

import pytest

from energy_edge.adapters.prices.day_ahead_json import DayAheadJsonPriceSource, PriceFormatError, parse_day_ahead
from energy_edge.domain.prices import PriceSchedule, PriceSlot, exporting_costs_money

from ..recorded_http import serving

RECORDED = (Path(__file__).parent / "day_ahead_2026-06-10.json").read_bytes()


def _epoch(text: str) -> float:
    return datetime.datetime.fromisoformat(text).timestamp()


@pytest.fixture
def server():
    """/prices answers the recording, /broken half a document."""
    with serving({"/prices": RECORDED, "/broken": RECORDED[:50]}) as url:
        yield url


async def test_the_recorded_day_ahead_prices_arrive_as_slots(server):
    slots = await DayAheadJsonPriceSource(f"{server}/prices", timeout_s=5).fetch()
    assert len(slots) == 4
    assert slots[0] == PriceSlot(_epoch("2026-06-10T10:00:00+02:00"), _epoch("2026-06-10T11:00:00+02:00"),
                                 0.1412, 0.021)
    schedule = PriceSchedule(slots)
    # the last slot (11:00 UTC = 13:00+02:00) follows the 12:00+02:00 one; overlaps: the later wins
    assert schedule.at(_epoch("2026-06-10T12:30:00+02:00")).import_price_per_kwh == -0.0107
    assert exporting_costs_money(schedule, _epoch("2026-06-10T11:30:00+02:00"))
    assert not exporting_costs_money(schedule, _epoch("2026-06-10T10:30:00+02:00"))
    assert not exporting_costs_money(schedule, _epoch("2026-06-10T13:30:00+02:00"))  # no feed-in price given
    assert schedule.at(_epoch("2026-06-10T09:00:00+02:00")) is None


async def test_a_broken_document_is_refused_naming_the_problem(server):
    with pytest.raises(PriceFormatError, match="not JSON"):
        await DayAheadJsonPriceSource(f"{server}/broken").fetch()


@pytest.mark.parametrize("body, field", [
    (b'[{"start": "2026-06-10T10:00:00", "end": "2026-06-10T11:00:00Z", "price": 0.1}]', r"prices\[0\].start"),
    (b'[{"start": "2026-06-10T10:00:00Z", "end": "2026-06-10T11:00:00Z", "price": "cheap"}]', r"prices\[0\].price"),
    (b'[{"start": "2026-06-10T10:00:00Z", "end": "2026-06-10T11:00:00Z", "price": 99}]', r"prices\[0\]: import"),
    (b'[{"start": "2026-06-10T11:00:00Z", "end": "2026-06-10T10:00:00Z", "price": 0.1}]', r"prices\[0\]: a slot"),
    (b'{"prices": 3}', "expected an array"),
])
def test_each_bad_slot_names_its_field(body, field):
    with pytest.raises(PriceFormatError, match=field):
        parse_day_ahead(body)


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError, match="http"):
        DayAheadJsonPriceSource("file:///etc/passwd")
