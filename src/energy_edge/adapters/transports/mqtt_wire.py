"""What the MQTT payloads look like, encoded and decoded in one place.

Every decoder raises `WireError` for bytes that are not what the topic
promises; receivers count that as malformed and carry on.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ...domain import bounded_json
from ...domain.bounds import MAX_FUTURE_SKEW_S, MAX_METHOD_TIMEOUT_S, MAX_TWIN_VERSION
from ...domain.messages import Message, MethodResponse
from ...domain.shown import cut

_DEFAULT_TYPE = ("application/json", "utf-8")


class WireError(ValueError):
    """A payload that does not match its topic's format."""


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def json_copy(value: Any) -> Any:
    """A JSON round trip: what crosses the wire, so callers never share objects with the client."""
    return json.loads(json.dumps(value))


def loads_object(payload: bytes, what: str) -> dict[str, Any]:
    """A JSON object within the ports' size and depth limits (bounds.py), or `WireError` saying why not."""
    try:
        value = bounded_json.loads(payload)
    except bounded_json.JsonLimitExceeded as exc:
        raise WireError(f"{what}: {exc.reason}") from None
    except ValueError as exc:  # UnicodeDecodeError included
        raise WireError(f"{what}: not JSON ({cut(str(exc))})") from None
    if not isinstance(value, dict):
        raise WireError(f"{what}: expected a JSON object")
    return value


# -- routed messages ------------------------------------------------------------------------
def encode_message(message: Message) -> tuple[bool, bytes]:
    """(enveloped, payload): the bare body on the fast path, an envelope only when needed."""
    if not message.properties and (message.content_type, message.content_encoding) == _DEFAULT_TYPE:
        return False, message.body
    return True, dumps({
        "body": base64.b64encode(message.body).decode(),
        "properties": dict(message.properties),
        "content_type": message.content_type,
        "content_encoding": message.content_encoding,
    })


def decode_message(payload: bytes, enveloped: bool, source: str) -> Message:
    if not enveloped:
        return Message(payload, {}, source_module=source)
    data = loads_object(payload, "message envelope")
    try:
        body = base64.b64decode(data["body"], validate=True)
        properties = {str(k): str(v) for k, v in dict(data.get("properties") or {}).items()}
        return Message(body, properties, str(data.get("content_type", _DEFAULT_TYPE[0])),
                       str(data.get("content_encoding", _DEFAULT_TYPE[1])), source)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise WireError(f"message envelope: {exc!r}") from None


# -- direct methods ------------------------------------------------------------------------------
def encode_request(method: str, payload: Any, expires_at: float) -> bytes:
    """`expires_at` (wall clock) lets a module that was away drop requests nobody waits for any more.

    Within the ports' size and depth limits: beyond one, `JsonLimitExceeded` (a ValueError) here.
    """
    return bounded_json.dumps({"method": method, "payload": payload, "expires_at": expires_at}).encode()


def decode_request(payload: bytes, now: float | None = None) -> tuple[str, Any, float]:
    """`now`: the receiver's wall clock, against which `expires_at` may lie at most the longest wait ahead.

    A caller's clock ahead by more (a day) made a request the broker queued for an absent module run
    whenever that module came back within the day.
    """
    data = loads_object(payload, "method request")
    method, expires_at = data.get("method"), data.get("expires_at")
    if not isinstance(method, str) or not method:
        raise WireError("method request: 'method' must be a non-empty string")
    if isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)):
        raise WireError("method request: 'expires_at' must be a number")
    longest = MAX_METHOD_TIMEOUT_S + MAX_FUTURE_SKEW_S
    if now is not None and expires_at - now > longest:
        raise WireError(f"method request: 'expires_at' {expires_at:.0f} is {expires_at - now:.0f} s ahead of this "
                        f"module's clock, at most {longest:g} s allowed (the longest wait, {MAX_METHOD_TIMEOUT_S:g} s, "
                        f"and {MAX_FUTURE_SKEW_S:g} s of clock skew): check the caller's clock")
    return method, data.get("payload"), float(expires_at)


def encode_response(response: MethodResponse) -> bytes:
    return dumps({"status": int(response.status), "payload": response.payload})


def decode_response(payload: bytes) -> MethodResponse:
    data = loads_object(payload, "method response")
    status = data.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise WireError("method response: 'status' must be an HTTP-like integer")
    return MethodResponse(status, data.get("payload"))


def retained_refusal(kind: str) -> str:
    """Why a retained method request or input is refused unread (the broker repeats it at every subscribe)."""
    what = "method request" if kind == "method_request" else "input message"
    return (f"{what}: retain flag 1 (handed out again by the broker at every subscribe); a {what} is served "
            "only as the broker delivers it live (retain flag 0)")


# -- twin and status --------------------------------------------------------------------------------
def decode_twin_document(payload: bytes, what: str) -> dict[str, Any]:
    """A whole desired or reported document; an empty retained payload means 'none yet'."""
    if not payload:
        return {"$version": 0}
    data = loads_object(payload, what)
    version = data.get("$version")
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= MAX_TWIN_VERSION:
        raise WireError(f"{what}: '$version' must be an integer in 0..{MAX_TWIN_VERSION} (IoT Hub's int64)")
    return data


def decode_status(payload: bytes) -> bool:
    data = loads_object(payload, "status")
    online = data.get("online")
    if not isinstance(online, bool):
        raise WireError("status: 'online' must be true or false")
    return online


def status_payload(online: bool) -> bytes:
    return dumps({"online": online})


def desired_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch that turns desired document `old` into `new` (None deletes), with new's $version.

    Desired documents travel whole (retained, for late starters); handlers get a
    patch, as edgeHub gives them.
    """
    return {**_merge_diff(old, new), "$version": new.get("$version", 0)}


def _merge_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for key, value in new.items():
        if key == "$version":
            continue
        before = old.get(key)
        if isinstance(before, dict) and isinstance(value, dict):
            nested = _merge_diff(before, value)
            if nested:
                patch[key] = nested
        elif key not in old or not _same_json(before, value):
            patch[key] = value
    patch.update({key: None for key in old if key != "$version" and key not in new})
    return patch


def _same_json(a: Any, b: Any) -> bool:
    """Equal as JSON, not as Python: `true` and `1` differ (True == 1 once let a refused `true` hide a later `1`)."""
    return type(a) is type(b) and a == b if not isinstance(a, (dict, list)) else \
        json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
