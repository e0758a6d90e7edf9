"""A key twice in one JSON object is refused where the body arrives, on every transport.

Found in review after issue 15: every parser at a port kept the last of two equal keys, silently.
`{"power_w": 1000, "power_w": 5000}` shows a reviewer, a log line or another parser (some keep
the first) one value and applies the other. Now such a body is malformed like any other: a method
answers 400 naming the key, a telemetry body is counted (`telemetry.duplicate_key`) and a desired
document refused unread (on MQTT, `twin_desired`), whether or not the fast codecs are in front.
"""

from __future__ import annotations

import contextlib
import time
from typing import Iterator

import pytest

from energy_edge.adapters.json_codec import OrjsonCodec
from energy_edge.adapters.telemetry_parser import MsgspecTelemetryParser
from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.adapters.transports.mqtt_operator import MqttOperator
from energy_edge.domain import bounded_json, telemetry
from energy_edge.domain.messages import Message
from energy_edge.domain.telemetry import AssetTelemetry

from ..helpers import eventually
from .test_parser_limits import _raw_request


@contextlib.contextmanager
def _codecs(fast: bool) -> Iterator[None]:
    """orjson and msgspec in front of the reference parsers (as every module process has them), or not."""
    previous = bounded_json.codec(), telemetry.parser()
    bounded_json.use_codec(OrjsonCodec() if fast else None)
    telemetry.use_parser(MsgspecTelemetryParser() if fast else None)
    try:
        yield
    finally:
        bounded_json.use_codec(previous[0])
        telemetry.use_parser(previous[1])


@pytest.fixture(params=["reference", "fast"])
def parsers(request) -> Iterator[str]:
    with _codecs(request.param == "fast"):
        yield request.param


def _report_twice(name: bytes, second: bytes) -> bytes:
    """A genuine battery report with `name` said a second time, as `second`."""
    report = AssetTelemetry("battery", "battery", 1, time.time(), "IDLE", 0.0, values={
        "soc": 0.5, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
        "soc_min": 0.1, "soc_max": 0.9})
    return report.to_json()[:-1] + b',"' + name + b'":' + second + b"}"


async def test_a_telemetry_body_with_a_key_twice_is_counted_malformed(site, parsers):
    client = site.battery_service.client
    await client.send_message("telemetry", Message(_report_twice(b"soc", b"0.01")))
    await client.send_message("telemetry", Message(_report_twice(b"kind", b'"battery"')))
    await eventually(lambda: site.controller.malformed_messages_total.get("telemetry.duplicate_key") == 2)
    assert "battery" not in site.controller.latest, "a report that said two things was kept"


async def test_a_method_request_with_a_key_twice_is_answered_400_naming_it(site, parsers):
    if not isinstance(site.operator, MqttModuleClient):
        pytest.skip("only MQTT carries the request's bytes as sent (the others carry Python values)")
    expires = time.time() + 5
    for body, key in ((b'{"method":"start_charging","payload":{"power_w":1000,"power_w":5000},"expires_at":%f}',
                       "'power_w'"),
                      (b'{"method":"stop","payload":{},"method":"start_discharging","expires_at":%f}', "'method'")):
        response = await _raw_request(site.operator, "battery", body % expires)
        assert response.status == 400 and key in response.payload["reason"], response
        assert "more than once" in response.payload["reason"]
    assert str(site.battery.state) == "IDLE"


async def test_a_desired_document_with_a_key_twice_changes_nothing(site, parsers):
    operator = getattr(site.harness, "operator", None)
    if not isinstance(operator, MqttOperator):
        pytest.skip("only MQTT carries the document's bytes as sent (edgeHub's SDK and the hub hand over values)")
    version = await site.harness.set_desired("battery", {"soc_min": 0.2})
    await eventually(lambda: site.battery.config.soc_min == 0.2)
    await site.reported_when("battery", lambda r: r.get("soc_min", {}).get("av") == version)  # acked: MQTT is async
    body = b'{"$version":%d,"soc_min":0.25,"soc_min":0.3}' % (version + 1)
    await operator._require_session().publish_acked(operator.topics.desired("battery"), body, retain=True)
    counted = site.battery_service.client.malformed_total
    await eventually(lambda: counted.get("twin_desired") == 1)
    assert site.battery.config.soc_min == 0.2
    reported = await site.reported("battery")
    assert reported["soc_min"]["av"] == version, "the document that said two things was acknowledged"
