"""The transport harnesses the port contract suite runs against, on the home and the factory site.

A harness gives the tests module clients plus the operator's side of the hub
(set desired properties, read reported ones, see what went $upstream), routed
by its site's routes (`routes_for(site)`). `harness.solar`, `.battery` and
`.boiler` name the site's first asset of each kind (solar, battery, boiler on
the home site; solar-roof-east, battery-1, boiler-hall-1 on the factory). Each
transport adds its harness to `HARNESSES`; the tests in this folder never
know which one they have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator, Protocol

import pytest

from energy_edge.adapters.site_file import load_site
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import Message
from energy_edge.domain.ports import ModuleClient
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.site import BATTERY, BOILER, SOLAR, Site, home_site, routes_for

SITES: dict[str, Site] = {
    "home": home_site(),
    "factory": load_site(Path(__file__).resolve().parents[2] / "examples" / "sites" / "factory.toml"),
}


class TransportHarness(Protocol):
    name: str
    solar: str
    battery: str
    boiler: str

    def client(self, module_id: str) -> ModuleClient: ...

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int: ...

    async def reported(self, module_id: str) -> dict[str, Any]: ...

    def upstream(self) -> list[Message]: ...

    async def aclose(self) -> None: ...


class InMemoryHarness:
    name = "inmemory"

    def __init__(self, site: Site) -> None:
        self.hub = InMemoryHub(RouteTable.parse(routes_for(site)))

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


async def _inmemory(site: Site) -> TransportHarness:
    return InMemoryHarness(site)  # type: ignore[return-value]


async def _mqtt(site: Site) -> TransportHarness:
    from .mqtt_harness import MqttHarness  # a real Mosquitto on a free loopback port

    return await MqttHarness.start(site)


async def _edgehub(site: Site) -> TransportHarness:
    from ..edgehub_standin.harness import edgehub_harness  # the real azure-iot-device SDK over TLS

    return await edgehub_harness(site)


# name -> async factory of a site; other transports register theirs in their own conftest or here.
HARNESSES: dict[str, Any] = {"inmemory": _inmemory, "mqtt": _mqtt, "edgehub": _edgehub}
SITES_BY_TRANSPORT: dict[str, tuple[str, ...]] = {"edgehub": ("home",)}  # the others run every site


def _first_of_kinds(harness: Any, site: Site) -> Any:
    for kind in (SOLAR, BATTERY, BOILER):
        setattr(harness, kind, site.of_kind(kind)[0].id)
    return harness


@pytest.fixture(params=[f"{transport}-{site}" for transport in sorted(HARNESSES)
                        for site in SITES_BY_TRANSPORT.get(transport, tuple(SITES))])
async def harness(request) -> AsyncIterator[TransportHarness]:
    transport, site_name = request.param.split("-", 1)
    made = _first_of_kinds(await HARNESSES[transport](SITES[site_name]), SITES[site_name])
    try:
        yield made
    finally:
        await made.aclose()
