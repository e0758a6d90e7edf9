"""The contract-suite harness for the edgeHub transport: the real SDK through the stand-in."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from energy_edge.adapters.transports.edgehub import EdgeHubModuleClient
from energy_edge.domain.messages import Message
from energy_edge.domain.site import Site, home_site, routes_for

from .standin import EdgeHubStandIn, free_loopback_address


def require_privileged_ports() -> None:
    """The SDK only talks to port 8883 (and 443 for methods): root, or
    `sysctl net.ipv4.ip_unprivileged_port_start=443`, may bind them."""
    try:
        free_loopback_address()
    except PermissionError:
        message = ("the edgeHub stand-in binds ports 8883 and 443: run as root or "
                   "set sysctl net.ipv4.ip_unprivileged_port_start=443")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


class EdgeHubHarness:
    name = "edgehub"

    def __init__(self, site: Site | None = None) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="edgehub-standin-"))
        self.standin = EdgeHubStandIn(self._workdir, routes=routes_for(site or home_site())).start()

    def client(self, module_id: str) -> EdgeHubModuleClient:
        return self.standin.client(module_id)

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        return await self.standin.set_desired(module_id, patch)

    async def reported(self, module_id: str) -> dict[str, Any]:
        return dict((await self.standin.twin(module_id)).reported)

    def upstream(self) -> list[Message]:
        return self.standin.upstream()

    async def aclose(self) -> None:
        self.standin.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)


async def edgehub_harness(site: Site | None = None) -> EdgeHubHarness:
    require_privileged_ports()
    return EdgeHubHarness(site)
