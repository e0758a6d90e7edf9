"""The operator's side of an MQTT site: what IoT Hub and the cloud do for edgeHub.

Sets desired properties (whole retained documents with a bumped $version),
reads reported properties and their acknowledgements, invokes direct
methods, and observes routed traffic (latest message per module, $upstream).
Used by the `energy-edge call/twin/status` commands and the contract harness.
It is a module client with a throw-away clean session, so it never leaves a
queue behind on the broker.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from ...domain import bounded_json
from ...domain.messages import Message
from ...domain.method_access import OPERATOR  # the identity the method ACL names
from ...domain.routing import RouteTable
from ...domain.twin_patch import merge_patch
from . import mqtt_wire as wire
from .mqtt import MqttModuleClient
from .mqtt_session import MqttConfig
from .mqtt_topics import Parsed


class MqttOperator(MqttModuleClient):
    """Twin writer, method caller and traffic observer for a whole site."""

    announces_status = False  # not a module: it must not appear among them

    def __init__(self, config: MqttConfig | None = None, operator_id: str = OPERATOR) -> None:
        super().__init__(operator_id, RouteTable(()), config,
                         client_id=f"{operator_id}-{uuid.uuid4().hex[:12]}", clean_session=True)
        self.desired_docs: dict[str, dict[str, Any]] = {}
        self.reported_docs: dict[str, dict[str, Any]] = {}
        self.upstream: list[Message] = []
        self.latest: dict[str, Message] = {}  # the last routed message of each source module

    def _subscriptions(self) -> list[str]:
        p = self.topics.prefix
        return [*super()._subscriptions(), f"{p}/+/twin/desired", f"{p}/+/twin/reported", f"{p}/upstream/#",
                f"{p}/+/inputs/#"]

    def _observed(self, parsed: Parsed, payload: bytes) -> None:
        if parsed.kind == "twin_desired":
            self.desired_docs[parsed.module] = wire.decode_twin_document(payload, "desired twin")
        elif parsed.kind == "twin_reported":
            self.reported_docs[parsed.module] = wire.decode_twin_document(payload, "reported twin")
        elif parsed.kind == "upstream":
            self.upstream.append(wire.decode_message(payload, parsed.enveloped, parsed.module))
        elif parsed.kind == "input":
            self.latest[parsed.peer] = wire.decode_message(payload, parsed.enveloped, parsed.peer)

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        """Merge `patch` into the module's desired document, bump $version, publish it retained."""
        current = self.desired_docs.get(module_id, {"$version": 0})
        document = merge_patch(current, wire.json_copy(patch))
        document["$version"] = version = self._next_desired_version(module_id, current)
        body = bounded_json.dumps(document).encode()  # NaN or over a limit: ValueError, nothing retained
        await self._require_session().publish_acked(self.topics.desired(module_id), body, retain=True)
        self.desired_docs[module_id] = document
        return version

    def _next_desired_version(self, module_id: str, current: dict[str, Any]) -> int:
        """Above the retained document's $version and every version the module acknowledged.

        A retained document the module refused unread (not JSON, a NaN) leaves no version to count from,
        and one at or below the module's last would be ignored as a replay: the twin stayed stuck.
        """
        acked = [ack["av"] for ack in self.reported_docs.get(module_id, {}).values()
                 if isinstance(ack, dict) and type(ack.get("av")) is int]
        return max([int(current.get("$version", 0)), *acked]) + 1

    async def acknowledged(self, module_id: str, keys: list[str], version: int, timeout_s: float) -> dict[str, Any]:
        """Wait until the module reported every key with `av` >= version; return those acks (maybe partial)."""
        deadline = time.monotonic() + timeout_s
        while True:
            reported = self.reported_docs.get(module_id, {})
            acks = {k: reported[k] for k in keys if isinstance(reported.get(k), dict)
                    and int(reported[k].get("av", -1)) >= version}
            if len(acks) == len(keys) or time.monotonic() > deadline:
                return acks
            await asyncio.sleep(0.02)
