"""Between our domain messages and the SDK's.

edgeHub stamps every routed message with `$.cmid` (the sending module) and
`$.cdid` (its device); the SDK leaves them among the custom properties, so
this is where they become `Message.source_module` and leave the property bag.
"""

from __future__ import annotations

from typing import Any

from azure.iot.device import Message as SdkMessage

from ....domain import bounded_json
from ....domain.messages import Message

MAX_MESSAGE_BYTES = 256 * 1024  # IoT Hub's limit for one message, properties included
_SYSTEM_PROPERTIES = ("$.cmid", "$.cdid", "$.on")


class MessageTooLarge(ValueError):
    """A message edgeHub would refuse; telemetry is far smaller, so this is a bug to fix, not retry."""


def to_sdk(message: Message) -> SdkMessage:
    stamped = [key for key in message.properties if key in _SYSTEM_PROPERTIES]
    if stamped:
        raise ValueError(f"property {stamped[0]!r} is stamped by edgeHub (the sender's identity), never by a module")
    size = len(message.body) + sum(len(k) + len(v) for k, v in message.properties.items())
    if size >= MAX_MESSAGE_BYTES:
        raise MessageTooLarge(f"message of {size} bytes exceeds edgeHub's {MAX_MESSAGE_BYTES} byte limit")
    sdk = SdkMessage(message.body, content_encoding=message.content_encoding, content_type=message.content_type)
    sdk.custom_properties = dict(message.properties)
    return sdk


def from_sdk(sdk: SdkMessage) -> Message:
    properties = {str(k): "" if v is None else str(v) for k, v in (sdk.custom_properties or {}).items()}
    source = properties.get("$.cmid", "")
    for key in _SYSTEM_PROPERTIES:
        properties.pop(key, None)
    body = sdk.data if isinstance(sdk.data, bytes) else str(sdk.data).encode()
    return Message(
        body=body,
        properties=properties,
        content_type=sdk.content_type or "application/json",
        content_encoding=sdk.content_encoding or "utf-8",
        source_module=source,
    )


def method_payload(raw: Any) -> Any:
    """The SDK hands method payloads over already decoded, or as a JSON string from some hubs.

    Either way the ports' size and depth limits apply: `JsonLimitExceeded` beyond one (answered 400).
    """
    if isinstance(raw, (bytes, str)):
        try:
            return bounded_json.loads(raw)
        except bounded_json.JsonLimitExceeded:
            raise
        except ValueError:
            return raw
    bounded_json.dumps(raw)  # raises beyond a limit
    return raw
