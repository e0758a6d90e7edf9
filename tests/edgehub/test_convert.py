"""Messages and errors across the SDK boundary: properties, source module, size limit, status mapping."""

from __future__ import annotations

import asyncio

import pytest
from azure.iot.device import Message as SdkMessage
from azure.iot.device import exceptions as sdk_errors

from energy_edge.adapters.transports.edgehub.convert import (MAX_MESSAGE_BYTES, MessageTooLarge, from_sdk, method_payload,
                                                             to_sdk)
from energy_edge.adapters.transports.edgehub.invoke_errors import response_from_error, response_from_reply
from energy_edge.domain.messages import Message


def test_properties_travel_and_edgehub_stamps_become_the_source_module():
    sdk = to_sdk(Message.from_json({"seq": 1}, kind="solar"))
    assert sdk.custom_properties == {"kind": "solar"} and sdk.content_type == "application/json"
    sdk.custom_properties.update({"$.cmid": "solar", "$.cdid": "site-1"})
    back = from_sdk(sdk)
    assert back.source_module == "solar" and back.properties == {"kind": "solar"} and back.body == b'{"seq":1}'


def test_a_message_beyond_the_hub_limit_is_refused_before_it_is_queued():
    with pytest.raises(MessageTooLarge):
        to_sdk(Message(b"x" * MAX_MESSAGE_BYTES))


def test_a_text_body_from_the_sdk_becomes_bytes():
    assert from_sdk(SdkMessage("hello")).body == b"hello"


@pytest.mark.parametrize("raw", ['{"power_w": 1000, "power_w": 5000}', b'{"power_w": 1000, "power_w": 5000}'])
def test_a_payload_handed_over_as_text_with_a_key_twice_is_refused_naming_it(raw):
    """Answered 400 by the client, as a payload over a limit is; it was read as 5000 W."""
    with pytest.raises(ValueError, match="key 'power_w' appears more than once"):
        method_payload(raw)


def _wrapped(code: int) -> Exception:
    try:
        raise sdk_errors.ClientError("Unexpected failure") from sdk_errors.ServiceError(
            f"HTTP operation returned: {code} Error('x')")
    except sdk_errors.ClientError as exc:
        return exc


@pytest.mark.parametrize("error, status", [
    (asyncio.TimeoutError(), 504),
    (sdk_errors.OperationTimeout("slow"), 504),
    (_wrapped(404), 504),  # target module not connected
    (_wrapped(504), 504),
    (_wrapped(400), 400),
    (_wrapped(401), 500),
    (sdk_errors.ConnectionFailedError("down"), 504),
    (RuntimeError("bug"), 500),
])
def test_invoke_failures_become_method_status_codes(error, status):
    assert response_from_error(error, "battery.stop", 1.0).status == status


def test_the_hub_reply_carries_the_target_modules_own_status():
    assert response_from_reply({"status": 409, "payload": {"error": "state"}}).status == 409
    assert response_from_reply("garbage").status == 500
