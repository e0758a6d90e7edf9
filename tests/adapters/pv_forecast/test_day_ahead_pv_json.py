"""The day-ahead JSON PV forecast source against a local HTTP server serving a recorded response."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from energy_edge.adapters.pv_forecast.day_ahead_json import (DayAheadJsonPvForecastSource, PvForecastFormatError,
                                                              parse_pv_forecast)
from energy_edge.domain.pv_forecast import PvForecast, PvForecastSlot

from ..recorded_http import serving

RECORDED = (Path(__file__).parent / "pv_2026-06-10.json").read_bytes()


def _epoch(text: str) -> float:
    return datetime.datetime.fromisoformat(text).timestamp()


@pytest.fixture
def server():
    """/pv answers the recording, /broken half a document, /huge more than the body limit."""
    with serving({"/pv": RECORDED, "/broken": RECORDED[:50], "/huge": b"[" + b" " * 300_000 + b"]"}) as url:
        yield url


async def test_the_recorded_forecast_arrives_as_slots(server):
    slots = await DayAheadJsonPvForecastSource(f"{server}/pv", timeout_s=5).fetch()
    assert len(slots) == 4
    assert slots[0] == PvForecastSlot(_epoch("2026-06-10T06:00:00+02:00"), _epoch("2026-06-10T07:00:00+02:00"), 412.5)
    forecast = PvForecast(slots)
    # the last slot (07:00 UTC = 09:00+02:00) follows the 08:00+02:00 one
    assert forecast.at(_epoch("2026-06-10T09:30:00+02:00")).pv_w == 5120.0
    assert forecast.at(_epoch("2026-06-10T08:30:00+02:00")).pv_w == 3905.0
    assert forecast.at(_epoch("2026-06-10T05:00:00+02:00")) is None


@pytest.mark.parametrize("path, words", [("/broken", "not JSON"), ("/huge", "not JSON within the limits")])
async def test_a_broken_or_oversized_document_is_refused(server, path, words):
    with pytest.raises(PvForecastFormatError, match=words):
        await DayAheadJsonPvForecastSource(f"{server}{path}").fetch()


SLOT = '"start": "2026-06-10T10:00:00Z", "end": "2026-06-10T11:00:00Z"'


@pytest.mark.parametrize("body, words", [
    ('[{"start": "2026-06-10T10:00:00", "end": "2026-06-10T11:00:00Z", "power_w": 1}]', r"pv\[0\].start: .* no UTC"),
    ('[{"start": "2026-06-10T10:00:00Z", "end": "soon", "power_w": 1}]', r"pv\[0\].end: 'soon' is not an ISO"),
    (f'[{{{SLOT}, "power_w": 1}}, {{{SLOT}, "power_w": "sunny"}}]', r"pv\[1\].power_w: expected a number"),
    (f'[{{{SLOT}}}]', r"pv\[0\].power_w: expected a number"),
    (f'[{{{SLOT}, "power_w": -5}}]', r"pv\[0\]: power_w -5.0 is outside 0..1e\+08 W"),
    (f'[{{{SLOT}, "power_w": 2e8}}]', r"pv\[0\]: power_w 200000000.0 is outside"),
    (f'[{{{SLOT}, "power_w": true}}]', r"pv\[0\].power_w: expected a number"),
    ('[{"start": "2026-06-10T11:00:00Z", "end": "2026-06-10T10:00:00Z", "power_w": 1}]', r"pv\[0\]: a slot must last"),
    ('[3]', r"pv\[0\]: expected an object"),
    ('{"pv": 3}', "expected an array"),
    ("[" * 200 + "]" * 200, "not JSON within the limits"),
    ("[" + ",".join([f'{{{SLOT}, "power_w": 1}}'] * 401) + "]", "401 slots, at most 400"),
])
def test_each_bad_value_is_refused_naming_its_slot_and_field(body, words):
    with pytest.raises(PvForecastFormatError, match=words):
        parse_pv_forecast(body)


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError, match="PV forecast URL must be http"):
        DayAheadJsonPvForecastSource("file:///etc/passwd")


@pytest.mark.parametrize("url", ["", "http://127.0.0.1:9/pv"])
def test_the_setting_wires_the_source_into_the_controller(url):
    from energy_edge.entrypoints.containers import site_container
    from energy_edge.entrypoints.settings import SiteSettings

    controller = site_container(SiteSettings(pv_forecast_url=url)).controller()
    source = controller.pv_forecast_source
    assert (source is None) if not url else (isinstance(source, DayAheadJsonPvForecastSource) and source.url == url)
