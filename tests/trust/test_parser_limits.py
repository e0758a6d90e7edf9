"""Issue 11 item 7: every JSON parser at a port has a size and a depth limit, and says which it met."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.domain.bounds import MAX_JSON_BYTES, MAX_JSON_DEPTH
from energy_edge.domain.messages import Message, MethodResponse

from ..helpers import eventually


def nested(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


async def _raw_request(caller: MqttModuleClient, target: str, body: bytes) -> MethodResponse:
    """Publish a request's bytes as they are (our own encoder would refuse them) and await the answer."""
    rid = uuid.uuid4().hex
    answer = caller._calls[rid] = asyncio.get_running_loop().create_future()
    caller._require_session().publish(caller.topics.method_request(target, caller.module_id, rid), body)
    return await asyncio.wait_for(answer, 5.0)


async def test_a_request_nested_100000_deep_is_answered_400_naming_the_limit(site):
    response = await site.call("battery", "stop", nested(100_000))
    assert response.status == 400 and "limit" in response.payload["reason"]
    if isinstance(site.operator, MqttModuleClient):  # and what the receiving module does with such bytes
        expires = time.time() + 5
        for body, limit in ((b'{"method":"stop","payload":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "bytes"),
                            (b'{"method":"stop","payload":' + b"[" * 20_000 + b"]" * 20_000
                             + f',"expires_at":{expires}}}'.encode(), f"{MAX_JSON_DEPTH} levels")):
            response = await _raw_request(site.operator, "battery", body)
            assert response.status == 400 and limit in response.payload["reason"], response
    assert str(site.battery.state) == "IDLE"


async def test_oversized_and_deep_telemetry_is_counted_malformed_by_limit(site):
    client = site.battery_service.client
    await client.send_message("telemetry", Message(json.dumps({"kind": "battery", "x": nested(100)}).encode()))
    await client.send_message("telemetry", Message(b'{"kind":"battery","x":"' + b"a" * MAX_JSON_BYTES + b'"}'))
    await eventually(lambda: site.controller.malformed_messages_total == {"telemetry.depth": 1, "telemetry.size": 1})


async def test_a_deep_twin_document_changes_nothing(site):
    try:
        await site.harness.set_desired("battery", {"soc_min": 0.3, "deep": nested(100)})
    except ValueError as refused:  # the in-memory hub refuses it as IoT Hub would
        assert "limit" in str(refused)
    else:  # elsewhere it reaches the module, which counts it as malformed and ignores it
        counted = getattr(site.battery_service.client, "malformed_total", None)  # MQTT: its parser refuses it
        if counted is None:  # edgeHub: the SDK hands the document over decoded; the service refuses it
            counted = site.battery_service.desired.malformed_total
        await eventually(lambda: sum(counted.values()) == 1)
    assert site.battery.config.soc_min == 0.1
