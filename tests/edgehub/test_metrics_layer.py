"""The metrics-collector layer (deployment/layers/metrics-collector.json), an optional layered deployment.

Applied over the base manifest as IoT Hub applies a layer (its dotted key sets
one module under `properties.desired.modules`), the result is still valid for
the official schemas; the collector scrapes every module the base deploys, at
the ports they serve their metrics on; and its placeholders are filled the way
`energy-edge edge genconfig --template` fills the base's.
"""

from __future__ import annotations

import copy

import pytest

from energy_edge.entrypoints.edge_manifest import ManifestError, generate_manifest
from energy_edge.entrypoints.scrape_targets import metrics_endpoints_csv
from energy_edge.entrypoints.settings import SiteSettings

from .deployment_files import REPO, TEMPLATE, TEST_VARIABLES, errors, load_json

LAYER = REPO / "deployment" / "layers" / "metrics-collector.json"
LAYER_VARIABLES = {"IOT_HUB_RESOURCE_ID": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Devices/IotHubs/h",
                   "LOG_ANALYTICS_WORKSPACE_ID": "00000000-0000-0000-0000-000000000000",
                   "LOG_ANALYTICS_SHARED_KEY": "c2VjcmV0"}
KEY = "properties.desired.modules.metricsCollector"


def _apply(base: dict, layer: dict) -> dict:
    """A layer's `$edgeAgent` dotted keys set the named path in the base's desired properties."""
    merged = copy.deepcopy(base)
    for dotted, value in layer["modulesContent"]["$edgeAgent"].items():
        assert dotted.startswith("properties.desired."), dotted
        *path, last = dotted.removeprefix("properties.desired.").split(".")
        target = merged["modulesContent"]["$edgeAgent"]["properties.desired"]
        for part in path:
            target = target.setdefault(part, {})
        target[last] = value
    return merged


@pytest.fixture(scope="module")
def layer():
    return generate_manifest(load_json(LAYER), LAYER_VARIABLES)


def test_the_layer_over_the_base_manifest_is_valid_for_the_official_schemas(layer):
    merged = _apply(generate_manifest(load_json(TEMPLATE), TEST_VARIABLES), layer)
    assert "metricsCollector" in merged["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]
    assert errors("azure-iot-edge-deployment-2.0.json", merged) == []
    assert errors("azure-iot-edgeagent-deployment-1.1.json", {"$edgeAgent": merged["modulesContent"]["$edgeAgent"]}) == []


def test_the_layer_sets_only_the_collector_and_uses_the_official_image(layer):
    assert list(layer["modulesContent"]) == ["$edgeAgent"]
    assert list(layer["modulesContent"]["$edgeAgent"]) == [KEY]
    assert layer["modulesContent"]["$edgeAgent"][KEY]["settings"]["image"].startswith(
        "mcr.microsoft.com/azureiotedge-metrics-collector:")


def test_the_collector_scrapes_every_deployed_module_where_it_serves_its_metrics(layer):
    modules = load_json(TEMPLATE)["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]
    endpoints = layer["modulesContent"]["$edgeAgent"][KEY]["env"]["MetricsEndpointsCSV"]["value"]
    assert endpoints == metrics_endpoints_csv(modules)
    defaults = SiteSettings()
    for module, spec in modules.items():
        env = dict(item.split("=", 1) for item in spec["settings"]["createOptions"].get("Env", []))
        port = env.get("EE_METRICS_PORT", defaults.metrics_port) if module == "telemetry" else \
            env.get("EE_MODULE_METRICS_PORT", defaults.module_metrics_port)
        assert f"http://{module}:{port}/metrics" in endpoints.split(","), module


def test_an_unfilled_layer_placeholder_is_named():
    with pytest.raises(ManifestError, match=r"\$\{LOG_ANALYTICS_SHARED_KEY\}"):
        generate_manifest(load_json(LAYER), {k: v for k, v in LAYER_VARIABLES.items() if "SHARED" not in k})
