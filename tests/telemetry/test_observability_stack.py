"""Prometheus and Grafana in the compose stack, checked offline.

The Prometheus config (inline in the generated compose file) is the rendering
of the site's scrape targets and passes `promtool check config`; the Grafana dashboard is well formed and every query
names metrics the modules export (tests/telemetry/metric_names.py), on the
provisioned datasource; the provisioning and the compose services fit together.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from energy_edge.domain.topology import ALL_MODULES
from energy_edge.entrypoints.scrape_targets import prometheus_config

from ..helpers import require_binary
from .metric_names import sample_names

DEPLOYMENT = Path(__file__).resolve().parents[2] / "deployment"
COMPOSE = DEPLOYMENT / "docker-compose.yml"
GRAFANA = DEPLOYMENT / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "energy-edge.json"
PANEL_TYPES = {"timeseries", "stat", "gauge", "table", "state-timeline", "bargauge", "text"}
METRIC = re.compile(r"\benergy_edge_[a-z0-9_]+")


def _promtool_check_config(path: Path) -> subprocess.CompletedProcess[str]:
    promtool = require_binary("promtool", "apt-get install prometheus")
    return subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=30)


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _prometheus_config_text() -> str:
    compose = _compose()
    (config,) = compose["services"]["prometheus"]["configs"]
    assert config["target"] == "/etc/prometheus/prometheus.yml"
    return compose["configs"][config["source"]]["content"]


def _modules(compose: dict) -> list[str]:
    return [name for name, service in compose["services"].items()
            if service.get("environment", {}).get("EE_MQTT_USERNAME") == name]


def test_the_prometheus_config_in_compose_is_the_rendering_of_the_sites_modules():
    modules = _modules(_compose())
    assert sorted(modules) == sorted(ALL_MODULES)
    assert _prometheus_config_text() == prometheus_config(modules)


def test_prometheus_config_passes_promtool_and_a_broken_one_does_not(tmp_path):
    config = tmp_path / "prometheus.yml"
    config.write_text(_prometheus_config_text())
    result = _promtool_check_config(config)
    assert result.returncode == 0, result.stdout + result.stderr
    config.write_text(_prometheus_config_text().replace("scrape_interval: 5s", "scrape_interval: soon"))
    assert _promtool_check_config(config).returncode != 0


def test_prometheus_scrapes_every_module_once():
    config = yaml.safe_load(_prometheus_config_text())
    targets = [t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    assert sorted(t.split(":")[0] for t in targets) == sorted(ALL_MODULES)


def dashboard_problems(dashboard: dict, datasource_uid: str, known: set[str]) -> list[str]:
    """What is wrong with a dashboard: structure, datasource, and metric names no module exports."""
    problems = [f"dashboard: {key} missing" for key in ("uid", "title", "panels") if not dashboard.get(key)]
    ids = [p.get("id") for p in dashboard.get("panels", [])]
    if len(ids) != len(set(ids)):
        problems.append("panel ids repeat")
    queries = [("templating", v.get("definition", "")) for v in dashboard.get("templating", {}).get("list", [])]
    for panel in dashboard.get("panels", []):
        where = f"panel {panel.get('id')} ({panel.get('title')})"
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{where}: type {panel.get('type')!r}")
        if not {"x", "y", "w", "h"} <= set(panel.get("gridPos", {})):
            problems.append(f"{where}: gridPos incomplete")
        if not panel.get("targets"):
            problems.append(f"{where}: no query")
        for target in panel.get("targets", []):
            if target.get("datasource", {}).get("uid") != datasource_uid:
                problems.append(f"{where}: query {target.get('refId')} is not on datasource {datasource_uid!r}")
            queries.append((where, target.get("expr", "")))
    for where, expr in queries:
        problems += [f"{where}: {name} is not a metric the modules export" for name in METRIC.findall(expr)
                     if name not in known]
    return problems


@pytest.fixture(scope="module")
def provisioned_uid() -> str:
    (datasource,) = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"]
    return datasource["uid"]


def test_the_dashboard_is_well_formed_and_queries_only_metrics_that_exist(provisioned_uid):
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard_problems(dashboard, provisioned_uid, sample_names()) == []
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for shown in ("site_grid_power_watts", "battery_soc_ratio", "boiler_temperature_celsius", "export_limit_watts",
                  "method_errors_total", "cycle_duration_seconds_bucket", "joules_total"):
        assert f"energy_edge_{shown}" in exprs or shown in exprs, shown


def test_a_dashboard_naming_a_missing_metric_or_datasource_is_caught(provisioned_uid):
    dashboard = json.loads(DASHBOARD.read_text())
    dashboard["panels"][0]["targets"][0]["expr"] = "energy_edge_site_grid_power_watt"
    dashboard["panels"][1]["targets"][0]["datasource"] = {"uid": "elsewhere"}
    dashboard["panels"][2]["id"] = dashboard["panels"][3]["id"]
    problems = dashboard_problems(dashboard, provisioned_uid, sample_names())
    assert any("energy_edge_site_grid_power_watt is not a metric" in p for p in problems)
    assert any("not on datasource" in p for p in problems)
    assert "panel ids repeat" in problems


def test_grafana_provisioning_and_the_compose_services_fit_together():
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "energy-edge.yml").read_text())["providers"][0]
    services = _compose()["services"]
    assert datasource["url"] == "http://prometheus:9090" and "prometheus" in services
    grafana_volumes = services["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in grafana_volumes
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana_volumes
    assert services["telemetry"]["environment"]["EE_MQTT_PASSWORD_OPERATOR"].startswith("${MQTT_PASSWORD_OPERATOR:?")
    assert all(not port.startswith("3000") for port in services["grafana"]["ports"])  # loopback only
