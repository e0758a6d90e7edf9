"""An asset module in its own process on a real Mosquitto serves, on EE_MODULE_METRICS_PORT, the desired
documents it refused: the operator sees a twin the module keeps refusing (it was counted in its memory only)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from energy_edge.adapters.transports.mqtt_operator import MqttOperator

from ..helpers import free_port
from ..mosquitto import client_config

BATTERY = str(Path(sys.executable).with_name("energy-edge-battery"))


def _refusals(port: int) -> dict[tuple[str, str, str], float] | None:
    """The module's refusals by (asset, kind, reason); None while it serves no such family."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            text = response.read().decode()
    except (urllib.error.URLError, OSError):
        return None
    families = [f for f in text_string_to_metric_families(text) if f.name == "energy_edge_asset_desired_refusals"]
    if not families:
        return None
    return {(s.labels["asset"], s.labels["kind"], s.labels["reason"]): s.value for s in families[0].samples}


async def _wait_for(port: int, wanted: dict, process: subprocess.Popen, timeout_s: float = 30.0) -> dict | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    seen = None
    while loop.time() < deadline and process.poll() is None:
        seen = await asyncio.to_thread(_refusals, port)
        if seen == wanted:
            break
        await asyncio.sleep(0.1)
    return seen


def _log(tmp_path: Path) -> str:
    return (tmp_path / "battery.log").read_text()[-2000:]


async def test_a_battery_module_process_serves_its_refused_desired_documents_on_its_metrics_port(mosquitto, tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("EE_")}
    env.update({"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": mosquitto.host, "EE_MQTT_PORT": str(mosquitto.port),
                "EE_METRICS_HOST": "127.0.0.1", "EE_MODULE_METRICS_PORT": str(port), "EE_STATE_DIR": str(tmp_path),
                "EE_LOG_FORMAT": "json"})
    log_file = (tmp_path / "battery.log").open("w")
    process = subprocess.Popen([BATTERY], env=env, stdout=log_file, stderr=subprocess.STDOUT)
    operator = MqttOperator(client_config(mosquitto))
    try:
        await operator.connect()
        assert await _wait_for(port, {}, process) == {}, _log(tmp_path)  # serving, nothing refused yet
        await operator.set_desired("battery", {"soc_min": 0.95})  # above soc_max 0.9: refused, nothing applied
        wanted = {("battery", "battery", "battery.config.soc_min"): 1.0}
        assert await _wait_for(port, wanted, process) == wanted, _log(tmp_path)
        version = await operator.set_desired("battery", {"soc_min": 0.2})  # valid: applied, the count stays
        acks = await operator.acknowledged("battery", ["soc_min"], version, timeout_s=10)
        assert acks["soc_min"]["ac"] == 200
        assert await asyncio.to_thread(_refusals, port) == wanted
    finally:
        await operator.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()
