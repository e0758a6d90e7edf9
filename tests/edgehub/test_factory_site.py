"""The factory site's generated manifest deployed to the edgeHub stand-in, every module on the real SDK.

The stand-in gets the manifest's routes and each module twin its desired
properties, as edgeAgent and edgeHub would; the site's container then runs
every asset module (four of them over the Modbus site simulator), the
controller and the telemetry module on the edgeHub transport. Under test:
what `edge genconfig --site` makes runs: every asset's telemetry reaches the
controller and the telemetry module by the manifest's routes, the
controller's site report goes upstream, and each module acknowledges its
desired properties (the site file's ratings).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from dependency_injector import providers

from energy_edge.adapters.site_file import load_site
from energy_edge.entrypoints.containers import site_container
from energy_edge.entrypoints.edge_manifest import generate_manifest
from energy_edge.entrypoints.settings import SiteSettings
from energy_edge.entrypoints.site_manifest import site_template

from ..edgehub_standin import EdgeHubStandIn
from ..edgehub_standin.harness import require_privileged_ports
from ..helpers import eventually
from .deployment_files import REPO, TEMPLATE, TEST_VARIABLES, load_json

FACTORY = REPO / "examples" / "sites" / "factory.toml"


@pytest.fixture
def manifest() -> dict:
    return generate_manifest(site_template(load_json(TEMPLATE), load_site(FACTORY)), TEST_VARIABLES)


async def test_the_factory_manifest_runs_on_edgehub(tmp_path: Path, manifest: dict) -> None:
    require_privileged_ports()
    content = manifest["modulesContent"]
    standin = EdgeHubStandIn(tmp_path, routes=content["$edgeHub"]["properties.desired"]["routes"]).start()
    site = load_site(FACTORY)
    container = site_container(SiteSettings(transport="edgehub", metrics_port=0), site)
    container.client.override(providers.Factory(standin.client))
    servers = container.modbus_servers()
    assets, telemetry, controller = container.assets(), container.telemetry(), container.controller()
    modules = content["$edgeAgent"]["properties.desired"]["modules"]
    try:
        for module, twin in content.items():
            if not module.startswith("$"):
                await standin.set_desired(module, twin["properties.desired"])
        for server in servers:
            await server.start()
        assert set(modules) == {*assets, "controller", "telemetry"}
        await telemetry.start()
        await asyncio.gather(*(service.start() for service in assets.values()))
        await controller.start()
        for service in assets.values():
            await service.run_cycle()
        await eventually(lambda: set(controller.latest) == set(assets), timeout_s=20)
        await eventually(lambda: set(telemetry.view.assets) == set(assets), timeout_s=20)
        await controller.run_cycle()
        await eventually(lambda: standin.upstream(), timeout_s=20)
        report = json.loads(standin.upstream()[-1].body)
        assert {entry["module"] for entry in report["assets"]} == set(assets)
        reported = (await standin.twin("battery-2")).reported
        assert reported["soc_min"]["value"] == 0.15 and reported["soc_min"]["ac"] == 200
        assert assets["battery-2"].asset.config.soc_min == 0.15
    finally:
        for service in (controller, *assets.values(), telemetry):
            await service.stop()
        for server in servers:
            await server.stop()
        standin.stop()
