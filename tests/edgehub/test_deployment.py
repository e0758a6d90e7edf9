"""The deployment template and the manifest `energy-edge edge genconfig` makes from it.

Validated against the official schemas (../shared/schemas) and cross-checked
against the code: the routes are DEFAULT_ROUTES and name outputs and inputs the
modules really have, every module runs a console script the package installs,
and every desired property is accepted by that module's own validation.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

from energy_edge.domain.balancing.policy import Policy
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import ALL_MODULES, ASSET_MODULES, CONTROLLER, DEFAULT_ROUTES, INPUTS, OUTPUTS
from energy_edge.adapters.site_file import load_site
from energy_edge.domain.site import home_site, routes_for
from energy_edge.entrypoints.cli import main
from energy_edge.entrypoints.factories import build_asset, served_assets
from energy_edge.entrypoints.site_manifest import site_template
from energy_edge.entrypoints.edge_manifest import (
    CHUNK_CHARS, ManifestError, generate_manifest, join_create_options, split_create_options,
)

from .deployment_files import REPO, TEMPLATE, TEST_VARIABLES, errors, load_json


@pytest.fixture(scope="module")
def template():
    return load_json(TEMPLATE)


@pytest.fixture(scope="module")
def manifest(template):
    return generate_manifest(template, TEST_VARIABLES)


def _agent(document):
    return document["modulesContent"]["$edgeAgent"]["properties.desired"]


def test_the_template_is_valid_for_the_official_template_schema(template):
    assert errors("azure-iot-edge-deployment-template-4.0.json", template) == []


def test_the_generated_manifest_is_valid_for_the_official_schemas(manifest):
    assert errors("azure-iot-edge-deployment-2.0.json", manifest) == []
    content = manifest["modulesContent"]
    assert errors("azure-iot-edgeagent-deployment-1.1.json", {"$edgeAgent": content["$edgeAgent"]}) == []
    assert errors("azure-iot-edgehub-deployment-1.2.json", {"$edgeHub": content["$edgeHub"]}) == []


def test_routes_are_the_ones_every_transport_uses(template):
    routes = template["modulesContent"]["$edgeHub"]["properties.desired"]["routes"]
    assert routes == DEFAULT_ROUTES
    for route in RouteTable.parse(routes).routes:
        assert route.source_module in ALL_MODULES and route.source_output in OUTPUTS[route.source_module], route.name
        if not route.sink.is_upstream:
            assert route.sink.input in INPUTS[route.sink.module], route.name  # type: ignore[index]


def test_five_modules_from_one_image_each_running_its_own_console_script(manifest):
    modules = _agent(manifest)["modules"]
    assert set(modules) == set(ALL_MODULES)
    scripts = {ep.name for ep in entry_points(group="console_scripts")}
    assert {m["settings"]["image"] for m in modules.values()} == {"example.azurecr.io/energy-edge:1.2.3"}
    for name, module in modules.items():
        options = join_create_options(module["settings"])
        assert options["Cmd"] == [f"energy-edge-{name}"] and options["Cmd"][0] in scripts
        assert "EE_TRANSPORT=edgehub" in options["Env"]
        assert module["restartPolicy"] == "always"


def test_the_controller_starts_after_every_asset(manifest):
    modules = _agent(manifest)["modules"]
    assert all(modules[CONTROLLER]["startupOrder"] > modules[a]["startupOrder"] for a in ASSET_MODULES)


def test_store_and_forward_keeps_messages_for_a_while(template):
    hub = template["modulesContent"]["$edgeHub"]["properties.desired"]
    assert hub["storeAndForwardConfiguration"]["timeToLiveSecs"] > 0


@pytest.mark.parametrize("module, validate", [
    # each asset as its module builds it: the home site's nameplate ratings are the twin's ceiling
    ("solar", lambda desired: build_asset(home_site().asset("solar"), home_site()).configure(desired)),
    ("battery", lambda desired: build_asset(home_site().asset("battery"), home_site()).configure(desired)),
    ("boiler", lambda desired: build_asset(home_site().asset("boiler"), home_site()).configure(desired)),
    ("controller", lambda desired: Policy.from_desired(desired).as_dict()),
])
def test_every_desired_property_is_accepted_by_the_modules_validation(template, module, validate):
    desired = template["modulesContent"][module]["properties.desired"]
    applied = validate(desired)
    assert {k: applied[k] for k in desired} == desired


def test_create_options_are_split_into_512_character_chunks_and_join_back():
    options = {"Env": [f"EE_VAR_{i}=" + "x" * 40 for i in range(30)]}
    chunks = split_create_options("solar", options)
    assert list(chunks)[:3] == ["createOptions", "createOptions01", "createOptions02"]
    assert all(len(chunk) <= CHUNK_CHARS for chunk in chunks.values())
    assert join_create_options(chunks) == options


def test_create_options_too_long_for_edge_agent_are_refused():
    with pytest.raises(ManifestError, match="createOptions"):
        split_create_options("solar", {"Env": ["x" * 5000]})


def test_an_unfilled_placeholder_is_named(template):
    with pytest.raises(ManifestError, match=r"\$\{ACR_PULL_PASSWORD\}"):
        generate_manifest(template, {k: v for k, v in TEST_VARIABLES.items() if k != "ACR_PULL_PASSWORD"})


def test_genconfig_writes_the_manifest_for_a_registry_and_tag(tmp_path, monkeypatch):
    monkeypatch.setenv("ACR_PULL_USERNAME", "pull")
    monkeypatch.setenv("ACR_PULL_PASSWORD", "secret")
    output = tmp_path / "deployment.json"
    code = main(["edge", "genconfig", "--template", str(TEMPLATE), "--registry", "reg.example.io",
                 "--tag", "77", "--output", str(output)])
    assert code == 0
    written = json.loads(output.read_text())
    assert "$schema-template" not in written
    images = {m["settings"]["image"] for m in _agent(written)["modules"].values()}
    assert images == {"reg.example.io/energy-edge:77"}
    assert all(isinstance(m["settings"]["createOptions"], str) for m in _agent(written)["modules"].values())


def test_genconfig_fails_clearly_without_credentials(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ACR_PULL_USERNAME", raising=False)
    monkeypatch.delenv("ACR_PULL_PASSWORD", raising=False)
    code = main(["edge", "genconfig", "--template", str(TEMPLATE), "--registry", "r", "--tag", "1",
                 "--output", str(tmp_path / "m.json")])
    assert code == 2 and "ACR_PULL_USERNAME" in capsys.readouterr().err


FACTORY = REPO / "examples" / "sites" / "factory.toml"


@pytest.fixture(scope="module")
def factory_manifest(template):
    return generate_manifest(site_template(template, load_site(FACTORY)), TEST_VARIABLES)


def test_a_site_manifest_is_valid_for_the_official_schemas(factory_manifest):
    assert errors("azure-iot-edge-deployment-2.0.json", factory_manifest) == []
    content = factory_manifest["modulesContent"]
    assert errors("azure-iot-edgeagent-deployment-1.1.json", {"$edgeAgent": content["$edgeAgent"]}) == []
    assert errors("azure-iot-edgehub-deployment-1.2.json", {"$edgeHub": content["$edgeHub"]}) == []


def test_a_site_manifest_runs_one_module_per_asset_from_one_image(factory_manifest):
    site = load_site(FACTORY)
    modules = _agent(factory_manifest)["modules"]
    assert set(modules) == {*served_assets_ids(site), CONTROLLER, "telemetry"}
    assert {m["settings"]["image"] for m in modules.values()} == {"example.azurecr.io/energy-edge:1.2.3"}
    scripts = {ep.name for ep in entry_points(group="console_scripts")}
    for name, module in modules.items():
        options = join_create_options(module["settings"])
        assert options["Cmd"][0] in scripts and "EE_TRANSPORT=edgehub" in options["Env"]
        assert "EE_SITE_FILE=/etc/energy-edge/site.toml" in options["Env"]
        assert "/etc/energy-edge/site.toml:/etc/energy-edge/site.toml:ro" in options["HostConfig"]["Binds"]
        if name not in (CONTROLLER, "telemetry"):
            assert options["Cmd"] == ["energy-edge-module"] and f"EE_ASSET_ID={name}" in options["Env"]
    assert all(modules[CONTROLLER]["startupOrder"] > modules[a]["startupOrder"] for a in served_assets_ids(site))


def test_a_site_manifest_carries_the_sites_routes_and_ratings(factory_manifest):
    site = load_site(FACTORY)
    content = factory_manifest["modulesContent"]
    assert content["$edgeHub"]["properties.desired"]["routes"] == routes_for(site)
    assert content["battery-2"]["properties.desired"]["soc_min"] == 0.15
    assert content["solar-facade"]["properties.desired"]["rated_power_w"] == 5000.0
    assert content["boiler-hall-2"]["properties.desired"]["max_temperature_c"] == 80.0
    controller = content[CONTROLLER]["properties.desired"]
    assert (controller["import_limit_w"], controller["export_limit_w"]) == (150000.0, 50000.0)
    assert (controller["pv_tilt_deg"], controller["pv_azimuth_deg"]) == (15.0, 90.0)  # the first simulated array
    assert Policy.from_desired(controller).as_dict()["latitude_deg"] == 51.44
    for spec in site.assets:
        if spec.id in content and spec.kind in ("solar", "battery", "boiler"):
            validate = build_asset(spec, site).configure  # the module's own asset, nameplate from the file
            desired = content[spec.id]["properties.desired"]
            assert {k: validate(desired)[k] for k in desired} == desired
    assert not {"solar", "battery", "boiler"} & set(content)


def test_genconfig_for_a_site_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ACR_PULL_USERNAME", "pull")
    monkeypatch.setenv("ACR_PULL_PASSWORD", "secret")
    output = tmp_path / "deployment.json"
    assert main(["edge", "genconfig", "--template", str(TEMPLATE), "--registry", "r.io", "--tag", "5",
                 "--site", str(FACTORY), "--output", str(output)]) == 0
    assert f"{len(served_assets(load_site(FACTORY))) + 2} modules" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(FACTORY.read_text().replace('id = "battery-2"', 'id = "battery-1"'))
    assert main(["edge", "genconfig", "--registry", "r.io", "--tag", "5", "--site", str(bad),
                 "--output", str(tmp_path / "m.json")]) == 2
    assert "battery-1" in capsys.readouterr().err


def served_assets_ids(site):
    return [spec.id for spec in served_assets(site)]
