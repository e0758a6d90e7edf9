"""The telemetry module's service on the in-memory hub, with the site's other modules connected."""

from __future__ import annotations

import pytest

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.telemetry_service import TelemetryService
from energy_edge.domain.topology import DEFAULT_ROUTES

from .fakes import FakeClock


@pytest.fixture
async def telemetry_site():
    """(service, clients by module, clock): send as a module with `clients[module].send_message`."""
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = FakeClock()
    service = TelemetryService(hub.client("telemetry"), clock, staleness_s=10.0)
    await service.start()
    clients = {}
    for module in ("solar", "battery", "boiler", "controller"):
        clients[module] = hub.client(module)
        await clients[module].connect()
    return service, clients, clock
