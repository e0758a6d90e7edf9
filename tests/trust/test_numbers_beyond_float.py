"""Numbers JSON can spell but no float holds (1e999, a 400-digit integer) are refused at the parser.

Found by the red team after issue 11: `1e999` parsed to inf without any NaN/Infinity literal, and a
400-digit integer made `float()` raise OverflowError inside the checkers. A method request whose
`expires_at` was such an integer got no answer at all (the serving task died); such a telemetry
timestamp escaped the decoder as a traceback in the controller's and the telemetry module's logs,
uncounted. Now every port's parser refuses them: 400 for a method, counted malformed for telemetry.
"""

from __future__ import annotations

import json
import time

import pytest

from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.domain.messages import Message

from ..helpers import eventually
from .test_parser_limits import _raw_request

HUGE_INT = "1" + "0" * 400


def _battery_report(timestamp: str) -> bytes:
    body = {"module": "battery", "kind": "battery", "seq": 1, "timestamp": 0, "state": "IDLE", "power_w": 0,
            "soc": 0.5, "capacity_wh": 10_000, "max_charge_w": 5_000, "max_discharge_w": 5_000,
            "soc_min": 0.1, "soc_max": 0.9}
    return json.dumps(body).replace('"timestamp": 0', f'"timestamp": {timestamp}').encode()


@pytest.mark.parametrize("number", ["1e999", "-1e999", HUGE_INT, "-" + HUGE_INT])
async def test_a_number_beyond_any_float_in_a_method_request_is_answered_400(site, number):
    if not isinstance(site.operator, MqttModuleClient):
        pytest.skip("only MQTT carries the request's bytes as sent (the others carry Python values)")
    expires = f"{time.time() + 5}"
    for body in (f'{{"method":"start_charging","payload":{{"power_w":1500}},"expires_at":{number}}}',
                 f'{{"method":"start_charging","payload":{{"power_w":{number}}},"expires_at":{expires}}}'):
        response = await _raw_request(site.operator, "battery", body.encode())
        assert response.status == 400 and "finite" in str(response.payload), response
    assert str(site.battery.state) == "IDLE"


@pytest.mark.parametrize("timestamp", ["1e999", "-1e999", HUGE_INT])
async def test_a_telemetry_timestamp_beyond_any_float_is_counted_malformed(site, timestamp):
    await site.battery_service.client.send_message("telemetry", Message(_battery_report(timestamp)))
    await eventually(lambda: site.controller.malformed_messages_total.get("telemetry.json") == 1)
