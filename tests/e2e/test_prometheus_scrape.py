"""A real Prometheus server scrapes the telemetry module (loopback only, bounded)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse

import pytest

from ..helpers import free_port, require_binary
from .site_process import http_get, poll_until, start_site

pytestmark = pytest.mark.slow


def test_prometheus_scrapes_energy_edge_metrics(tmp_path):
    prometheus = require_binary("prometheus", "apt-get install prometheus")
    metrics_port, prom_port = free_port(), free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: energy-edge\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{metrics_port}']\n"
    )
    site = start_site("--speed", "60", "--duration", "2400", "--metrics-port", str(metrics_port))
    server = subprocess.Popen(
        [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert poll_until(metrics_port, "/healthz", 200, deadline_s=20)[0] == 200
        query = urllib.parse.quote("energy_edge_battery_soc_ratio")
        deadline = time.monotonic() + 30
        result: list = []
        while time.monotonic() < deadline and not result:
            try:
                status, body = http_get(prom_port, f"/api/v1/query?query={query}")
                if status == 200:
                    result = json.loads(body)["data"]["result"]
            except OSError:
                pass
            time.sleep(0.5)
        assert result, "Prometheus never stored a sample of energy_edge_battery_soc_ratio"
        assert 0.0 <= float(result[0]["value"][1]) <= 1.0
        status, body = http_get(prom_port, "/api/v1/targets")
        health = [t["health"] for t in json.loads(body)["data"]["activeTargets"]]
        assert health == ["up"]
    finally:
        for process in (server, site):
            process.terminate()
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
