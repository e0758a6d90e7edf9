"""Prometheus and Grafana for the generated compose file: what `energy-edge compose` adds beside the modules.

Prometheus's configuration is rendered for the site's own modules
(`scrape_targets.prometheus_config`) and carried inside the compose file as an
inline config, so a generated site scrapes exactly its modules; Grafana gets
the provisioned datasource and dashboard from deployment/grafana/. Both listen
on loopback only; Grafana's admin password comes from deployment/.env.
"""

from __future__ import annotations

from typing import Any, Iterable

from .scrape_targets import prometheus_config

PROMETHEUS_IMAGE = "prom/prometheus:v2.53.0"
GRAFANA_IMAGE = "grafana/grafana-oss:11.1.0"
PROMETHEUS_CONFIG = "prometheus-config"


def observability(modules: Iterable[str]) -> dict[str, Any]:
    """Keyword arguments for `compose_file.render_compose`: the two services, their volumes and the config."""
    prometheus = {
        "image": PROMETHEUS_IMAGE,
        "command": ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=30d"],
        "configs": [{"source": PROMETHEUS_CONFIG, "target": "/etc/prometheus/prometheus.yml"}],
        "volumes": ["prometheus-data:/prometheus"],
        "ports": ["127.0.0.1:9091:9090"],
        "restart": "unless-stopped",
        "healthcheck": {"test": ["CMD", "wget", "-qO-", "http://127.0.0.1:9090/-/ready"], "interval": "10s",
                        "timeout": "5s", "retries": 3},
    }
    grafana = {
        "image": GRAFANA_IMAGE,
        "environment": {"GF_SECURITY_ADMIN_PASSWORD": "${GRAFANA_ADMIN_PASSWORD:?run deployment/generate-secrets.sh}",
                        "GF_USERS_ALLOW_SIGN_UP": "false", "GF_AUTH_ANONYMOUS_ENABLED": "false"},
        "volumes": ["./grafana/provisioning:/etc/grafana/provisioning:ro",
                    "./grafana/dashboards:/var/lib/grafana/dashboards:ro", "grafana-data:/var/lib/grafana"],
        "ports": ["127.0.0.1:3000:3000"],
        "depends_on": {"prometheus": {"condition": "service_healthy"}},
        "restart": "unless-stopped",
    }
    return {
        "extra_services": {"prometheus": prometheus, "grafana": grafana},
        "extra_volumes": {"prometheus-data": None, "grafana-data": None},
        "extra_configs": {PROMETHEUS_CONFIG: {"content": prometheus_config(modules)}},
    }
