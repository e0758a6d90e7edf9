"""Offline checks of infra/: the Bicep files parse, name real resource types, metrics and log categories,
wire their modules and parameters correctly, and keep secure defaults. Each check also runs on a
deliberately broken copy to prove it can fail."""

from __future__ import annotations

import copy

import pytest

from tests.infra import azure_catalog
from tests.infra.bicep_model import (
    INFRA,
    MAIN_BICEP,
    MAIN_BICEPPARAM,
    bicep_files,
    check_alerts,
    check_arguments,
    check_modules,
    check_no_secrets,
    check_resource_types,
    parse_bicep,
    parse_bicep_text,
    read_bicepparam,
    resources,
)

REQUIRED_LOG_CATEGORIES = {"Connections", "DeviceTelemetry", "D2CTwinOperations", "DirectMethods", "Routes"}


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    return {path.relative_to(INFRA).as_posix(): parse_bicep(path) for path in bicep_files()}


@pytest.fixture(scope="module")
def main_model(models) -> dict:
    return models["main.bicep"]


def _resources_of_type(models: dict[str, dict], rtype: str) -> list[tuple[dict, dict]]:
    return [(model, config) for model in models.values() for _, r, config in resources(model) if r["type"] == rtype]


def test_every_bicep_file_of_the_design_is_there(models):
    expected = {"main.bicep", "modules/iothub.bicep", "modules/acr.bicep", "modules/loganalytics.bicep", "modules/alerts.bicep"}
    assert expected <= set(models)


def test_every_resource_has_a_type_and_a_published_api_version(models):
    assert sum(1 for model in models.values() for _ in resources(model)) >= 8
    assert {f: check_resource_types(m) for f, m in models.items() if check_resource_types(m)} == {}


def test_a_resource_without_api_version_or_with_an_invented_one_is_caught():
    model = parse_bicep_text("resource hub 'Microsoft.Devices/IotHubs@2099-01-01' = {\n  name: 'x'\n}\n")
    assert check_resource_types(model) == ["resource hub: Microsoft.Devices/IotHubs@2099-01-01 is not a known API version"]
    model["resources"]["hub"]["api_version"] = None
    assert check_resource_types(model) == ["resource hub: no API version"]


def test_bicepparam_names_only_declared_parameters_and_gives_every_required_one(main_model):
    params = read_bicepparam(MAIN_BICEPPARAM.read_text())
    assert (MAIN_BICEPPARAM.parent / params.using).resolve() == MAIN_BICEP.resolve()
    assert check_arguments(set(params.values), main_model["parameters"], "main.bicepparam") == []
    assert params.values["environmentName"].startswith("readEnvironmentVariable('ENVIRONMENT'")


def test_a_bicepparam_with_an_unknown_or_a_missing_parameter_is_caught(main_model):
    params = read_bicepparam("using './main.bicep'\nparam environmnet = 'dev'\n")
    problems = check_arguments(set(params.values), main_model["parameters"], "main.bicepparam")
    assert "main.bicepparam: parameter environmnet is not declared" in problems
    assert "main.bicepparam: required parameter actionGroupId is not given" in problems


def test_every_module_path_exists_and_gets_valid_arguments(models):
    assert len(models["main.bicep"]["modules"]) == 4
    assert {f: check_modules(m, (INFRA / f).parent) for f, m in models.items() if check_modules(m, (INFRA / f).parent)} == {}


def test_a_missing_module_file_or_argument_is_caught(main_model):
    broken = copy.deepcopy(main_model)
    broken["modules"]["hub"]["detail"]["path"] = "modules/iothubb.bicep"
    del broken["modules"]["alerts"]["config"]["params"]["actionGroupId"]
    problems = check_modules(broken, INFRA)
    assert any("iothubb.bicep does not exist" in p for p in problems)
    assert "module alerts: required parameter actionGroupId is not given" in problems


def test_alerts_watch_real_iot_hub_metrics_and_log_categories(models):
    alerts = models["modules/alerts.bicep"]
    assert check_alerts(alerts) == []
    metric_names = {c["properties"]["criteria"]["allOf"][0]["metricName"] for _, c in _resources_of_type(models, "Microsoft.Insights/metricAlerts")}
    assert {"connectedDeviceCount", "d2c.telemetry.ingress.success"} <= metric_names
    assert _resources_of_type(models, "Microsoft.Insights/scheduledQueryRules"), "no log alert on the Connections category"


def test_an_alert_on_an_invented_metric_aggregation_or_category_is_caught(models):
    broken = copy.deepcopy(models["modules/alerts.bicep"])
    criteria = [config["properties"]["criteria"]["allOf"][0] for _, r, config in resources(broken) if r["type"].endswith("metricAlerts")]
    criteria[0]["metricName"] = "connectedDevices"
    criteria[1]["timeAggregation"] = "Count"
    broken["variables"]["disconnectQuery"]["value"] = 'AzureDiagnostics | where Category == "Connection"'
    problems = check_alerts(broken)
    assert any("'connectedDevices' is not an IoT Hub metric" in p for p in problems)
    assert any("has no 'Count' aggregation" in p for p in problems)
    assert any("'Connection' is not an IoT Hub log category" in p for p in problems)


def test_an_alert_on_the_modules_metrics_names_a_metric_they_export(models):
    alerts = models["modules/alerts.bicep"]
    queries = [str(v["value"]) for v in alerts["variables"].values() if "InsightsMetrics" in str(v.get("value"))]
    assert queries and "energy_edge_controller_method_errors_total" in queries[0]
    broken = copy.deepcopy(alerts)
    broken["variables"]["methodErrorsQuery"]["value"] = queries[0].replace("method_errors_total", "method_error_total")
    assert any("'energy_edge_controller_method_error_total' is not a metric the modules export" in p
               for p in check_alerts(broken))


def test_alerts_notify_the_action_group_parameter(models):
    alerts = models["modules/alerts.bicep"]
    for _, resource, config in resources(alerts):
        actions = config["properties"]["actions"]
        targets = actions["actionGroups"] if isinstance(actions, dict) else [a["actionGroupId"] for a in actions]
        assert targets == ["actionGroupId"], resource["type"]
    assert "actionGroupId" in models["main.bicep"]["parameters"]


def test_iot_hub_is_s1_tls_1_2_and_sends_the_required_logs_to_log_analytics(models):
    (hub_model, hub), = _resources_of_type(models, "Microsoft.Devices/IotHubs")
    assert hub["sku"]["name"] == "S1"
    assert hub["properties"]["minTlsVersion"] == "1.2"
    assert hub["properties"]["publicNetworkAccess"] == "publicNetworkAccess"  # a parameter, not a constant
    (_, diagnostics), = _resources_of_type(models, "Microsoft.Insights/diagnosticSettings")
    assert diagnostics["scope"] == "hub" and diagnostics["properties"]["workspaceId"] == "workspaceId"
    categories = set(hub_model["variables"][diagnostics["properties"]["logs"]["loop_type"]["detail"]["array_name"]]["value"])
    assert categories == REQUIRED_LOG_CATEGORIES
    assert categories <= azure_catalog.IOT_HUB_LOG_CATEGORIES


def test_registry_has_no_admin_user_and_grants_pull_only(models):
    (_, registry), = _resources_of_type(models, "Microsoft.ContainerRegistry/registries")
    assert registry["properties"]["adminUserEnabled"] is False
    assert registry["properties"]["publicNetworkAccess"] == "publicNetworkAccess"
    (_, assignment), = _resources_of_type(models, "Microsoft.Authorization/roleAssignments")
    acr_model = models["modules/acr.bicep"]
    assert "7f951dda-4ed3-4680-a7ca-43fe172d538d" in str(acr_model["variables"]["acrPullRoleDefinitionId"])  # AcrPull
    assert assignment["properties"]["principalId"] == "pullPrincipalId"
    (_, scope_map), = _resources_of_type(models, "Microsoft.ContainerRegistry/registries/scopeMaps")
    assert scope_map["name"] == "_repositories_pull"


def test_log_analytics_retention_is_a_parameter(models):
    (_, workspace), = _resources_of_type(models, "Microsoft.OperationalInsights/workspaces")
    assert workspace["properties"]["retentionInDays"] == "retentionInDays"
    assert "logRetentionInDays" in models["main.bicep"]["parameters"]


def test_main_outputs_hub_registry_and_workspace_and_nothing_secret(models, main_model):
    assert {"iotHubName", "registryLoginServer", "workspaceId"} <= set(main_model["outputs"])
    assert {f: check_no_secrets(m) for f, m in models.items() if check_no_secrets(m)} == {}
    assert "/subscriptions/" not in MAIN_BICEPPARAM.read_text()  # ids come from the environment, not the repo


def test_a_secret_parameter_or_output_is_caught():
    model = parse_bicep_text(
        "param adminPassword string\n"
        "resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' existing = {\n  name: 'x'\n}\n"
        "output keys string = sa.listKeys().keys[0].value\n"
    )
    problems = check_no_secrets(model)
    assert "parameter adminPassword looks secret but is not @secure()" in problems
    assert "output keys looks secret" in problems
    assert "output keys reads keys with a list*() function" in problems
