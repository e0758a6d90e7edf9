"""The transport harnesses the port contract suite runs against.

A harness gives the tests module clients plus the operator's side of the hub
(set desired properties, read reported ones, see what went $upstream). Each
transport adds its harness to `HARNESSES`; the tests in this folder never
know which one they have.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Protocol

import pytest

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import Message
from energy_edge.domain.ports import ModuleClient
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import DEFAULT_ROUTES


class TransportHarness(Protocol):
    name: str

    def client(self, module_id: str) -> ModuleClient: ...

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int: ...

    async def reported(self, module_id: str) -> dict[str, Any]: ...

    def upstream(self) -> list[Message]: ...

    async def aclose(self) -> None: ...


class InMemoryHarness:
    name = "inmemory"

    def __init__(self) -> None:
        self.hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))

    def client(self, module_id: str) -> ModuleClient:
        return self.hub.client(module_id)

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        return await self.hub.set_desired(module_id, patch)

    async def reported(self, module_id: str) -> dict[str, Any]:
        return dict(self.hub.twin(module_id).reported)

    def upstream(self) -> list[Message]:
        return list(self.hub.upstream)

    async def aclose(self) -> None:
        return None


async def _inmemory() -> TransportHarness:
    return InMemoryHarness()


async def _mqtt() -> TransportHarness:
    from .mqtt_harness import MqttHarness  # a real Mosquitto on a free loopback port

    return await MqttHarness.start()


async def _edgehub() -> TransportHarness:
    from ..edgehub_standin.harness import edgehub_harness  # the real azure-iot-device SDK over TLS

    return await edgehub_harness()


# name -> async factory; other transports register theirs in their own conftest or here.
HARNESSES: dict[str, Any] = {"inmemory": _inmemory, "mqtt": _mqtt, "edgehub": _edgehub}


@pytest.fixture(params=sorted(HARNESSES))
async def harness(request) -> AsyncIterator[TransportHarness]:
    made = await HARNESSES[request.param]()
    try:
        yield made
    finally:
        await made.aclose()
