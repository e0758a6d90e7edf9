"""What travels between modules: messages, method calls and the module twin.

These value types are the vocabulary of the messaging ports. Bodies stay bytes
so every transport carries exactly what a real wire would, and decoding (with
its failure modes) happens in one place: the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from . import bounded_json
from .quick_init import quick_init
from .status import Status


@quick_init
@dataclass(frozen=True, slots=True)
class Message:
    """One device-to-cloud or module-to-module message (an IoT Edge message)."""

    body: bytes
    properties: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    content_encoding: str = "utf-8"
    source_module: str = ""  # filled in by the transport on delivery ($.cmid)

    @classmethod
    def from_json(cls, payload: Any, **properties: str) -> "Message":
        return cls(body=bounded_json.encode(payload), properties=dict(properties))


@quick_init
@dataclass(frozen=True, slots=True)
class MethodRequest:
    """A direct method call as the target module sees it; payload is decoded JSON."""

    name: str
    payload: Any
    request_id: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class MethodResponse:
    """The answer to a direct method: an HTTP-like status and a JSON payload."""

    status: int
    payload: Any = None

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    @classmethod
    def error(cls, status: Status, error: str, reason: str) -> "MethodResponse":
        return cls(int(status), {"error": error, "reason": reason})


@dataclass(slots=True)
class Twin:
    """A module twin: desired (carries "$version") and reported properties."""

    desired: dict[str, Any] = field(default_factory=lambda: {"$version": 0})
    reported: dict[str, Any] = field(default_factory=lambda: {"$version": 0})

    @property
    def desired_version(self) -> int:
        return int(self.desired.get("$version", 0))


def pnp_ack(value: Any, status: int, version: int, description: str) -> dict[str, Any]:
    """The IoT Plug and Play acknowledgement of one writable property.

    Always with `ad` ("applied" on success): reported properties merge, so an ack
    without one would keep the text of an earlier refusal beside a 200.
    """
    return {"value": value, "ac": int(status), "av": int(version), "ad": description}
