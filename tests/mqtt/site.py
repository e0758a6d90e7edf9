"""Helpers for MQTT tests: module clients with the site's routes, collecting inputs."""

from __future__ import annotations

import json
from typing import Any

from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.adapters.transports.mqtt_session import MqttConfig
from energy_edge.domain.messages import Message
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import DEFAULT_ROUTES

from ..helpers import register_and_connect

ROUTES = RouteTable.parse(DEFAULT_ROUTES)


class Inbox:
    """Collects what arrives on one input, decoded."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(m.body) for m in self.messages]

    def seqs(self, source: str | None = None) -> list[int]:
        return [json.loads(m.body)["seq"] for m in self.messages if source in (None, m.source_module)]


async def connected(module_id: str, config: MqttConfig, *, inputs: dict | None = None, methods=None,
                    desired=None) -> MqttModuleClient:
    client = MqttModuleClient(module_id, ROUTES, config)
    return await register_and_connect(client, inputs=inputs, methods=methods, desired=desired)
