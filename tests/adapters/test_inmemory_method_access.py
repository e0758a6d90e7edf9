"""Issue 11, item 3 on the in-memory hub: only the controller and the operator may call an asset."""

from __future__ import annotations

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import MethodResponse
from energy_edge.domain.method_access import OPERATOR, controlled_assets, may_invoke
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import ASSET_MODULES, DEFAULT_ROUTES

ROUTES = RouteTable.parse(DEFAULT_ROUTES)


def test_the_assets_are_derived_from_the_routes():
    assert controlled_assets(ROUTES) == set(ASSET_MODULES)
    assert may_invoke("controller", "battery", ROUTES) and may_invoke(OPERATOR, "solar", ROUTES)
    assert not may_invoke("boiler", "battery", ROUTES) and not may_invoke("telemetry", "boiler", ROUTES)
    assert not may_invoke("battery", "battery", ROUTES)


async def test_the_hub_answers_403_to_a_module_calling_an_asset_and_serves_the_controller():
    hub = InMemoryHub(ROUTES)
    calls: list[str] = []

    async def serve(request):
        calls.append(request.name)
        return MethodResponse(200, {"state": "DISCHARGING"})

    battery = hub.client("battery")
    battery.on_method(serve)
    boiler, controller, operator = hub.client("boiler"), hub.client("controller"), hub.client(OPERATOR)
    for client in (battery, boiler, controller, operator):
        await client.connect()
    refused = await boiler.invoke_method("battery", "start_discharging", {"power_w": 3000}, timeout_s=1)
    assert refused.status == 403 and refused.payload["error"] == "caller" and "'boiler'" in refused.payload["reason"]
    assert calls == []  # the battery never saw it
    assert (await controller.invoke_method("battery", "stop", {}, timeout_s=1)).status == 200
    assert (await operator.invoke_method("battery", "stop", {}, timeout_s=1)).status == 200
    assert calls == ["stop", "stop"]
