"""A started fuzz site on each transport (used by every port's test)."""

from __future__ import annotations

from typing import AsyncIterator

from .site import FuzzSite
from .transports import InMemoryTransport, MqttTransport, make_transport

TRANSPORTS = ("inmemory", "mqtt")


async def started_site(name: str) -> AsyncIterator[tuple[InMemoryTransport | MqttTransport, FuzzSite]]:
    transport = await make_transport(name)
    site = FuzzSite(transport.client)
    try:
        await site.start()
        await site.step(3)
        yield transport, site
        await site.stop()
    finally:
        await transport.close()
