"""The CLI over MQTT, end to end: `up --transport mqtt` supervising real module processes, call/twin/status."""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from energy_edge.adapters.transports.mosquitto_broker import free_port
from energy_edge.adapters.site_file import load_site
from energy_edge.domain.site import home_site
from energy_edge.domain.topology import ALL_MODULES
from energy_edge.entrypoints import mqtt_site
from energy_edge.entrypoints.factories import served_assets
from energy_edge.entrypoints.settings import SiteSettings

from ..helpers import require_binary

CLI = str(Path(sys.executable).parent / "energy-edge")


def test_up_without_mosquitto_says_how_to_install_it_or_use_a_broker(monkeypatch, capsys):
    monkeypatch.delenv("EE_MQTT_HOST", raising=False)
    monkeypatch.setattr("shutil.which", lambda *_a, **_k: None)
    args = argparse.Namespace(duration=1.0)
    assert mqtt_site.run(args, SiteSettings(), home_site()) == 2
    error = capsys.readouterr().err
    assert "apt-get install mosquitto" in error and "EE_MQTT_HOST" in error


def _cli(env: dict[str, str], *args: str, timeout_s: float = 30, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout_s, cwd=cwd)


def _children(pid: int) -> dict[str, int]:
    """module (its EE_ASSET_ID) -> pid of the supervisor's module processes."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            environ = (stat.parent / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[1]) == pid:
            for entry in environ:
                if entry.startswith(b"EE_ASSET_ID="):
                    found[entry.split(b"=", 1)[1].decode()] = int(stat.parent.name)
    return found


def _stop(up: subprocess.Popen, log_file, timeout_s: float) -> int:
    """SIGTERM `up` as a user's Ctrl-C would, wait for it (killed if it hangs) and close its log."""
    up.send_signal(signal.SIGTERM)
    try:
        return up.wait(timeout_s)
    finally:
        up.kill()
        log_file.close()


def _wait_for(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"{what} not within {timeout_s} s")


@pytest.mark.slow
def test_up_supervises_the_modules_and_call_twin_status_work(tmp_path):
    require_binary("mosquitto", "apt-get install mosquitto")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EE_")}
    env.update(EE_STATE_DIR=str(tmp_path / ".energy-edge"), EE_MQTT_PORT=str(free_port()), EE_LOG_FORMAT="text")
    # call/twin/status run in a subfolder with neither: they find the site's credentials and broker themselves
    operator_env = {k: v for k, v in env.items() if k not in ("EE_STATE_DIR", "EE_MQTT_PORT")}
    below = tmp_path / "deeper" / "folder"
    below.mkdir(parents=True)
    log_file = (tmp_path / "up.log").open("w")
    metrics_port = free_port()
    up = subprocess.Popen([CLI, "up", "--transport", "mqtt", "--speed", "10", "--metrics-port", str(metrics_port)],
                          env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        children = _wait_for(lambda: len(_children(up.pid)) == 5 and _children(up.pid), 30, "five module processes")
        assert set(children) == set(ALL_MODULES)
        assert json.loads((tmp_path / ".energy-edge" / "mqtt" / "credentials.json").read_text()).keys() >= set(ALL_MODULES)

        def every_asset_reports():
            out = _cli(operator_env, "status", "--wait", "2", cwd=below).stdout
            lines = [line for line in out.splitlines() if line.split()[:1] in (["solar"], ["battery"], ["boiler"])]
            return len(lines) == 3 and all("online" in line and "state=" in line for line in lines) and out

        every_asset_reports_out = _wait_for(every_asset_reports, 30, "telemetry of every asset in `status`")
        assert "controller" in every_asset_reports_out

        assert _cli(operator_env, "status", "--wait", "2", cwd=below).returncode == 0  # every module online

        called = _cli(operator_env, "call", "battery", "start_charging", '{"power_w": 1000}', cwd=below)
        assert called.returncode == 0 and called.stdout.startswith("200"), called.stdout + called.stderr
        assert json.loads(called.stdout.split("\n", 1)[1])["state"] == "CHARGING"
        unknown = _cli(operator_env, "call", "battery", "explode", cwd=below)
        assert unknown.returncode == 1 and unknown.stdout.startswith("404")
        started = time.monotonic()
        ghost = _cli(operator_env, "twin", "ghost", "x=1", cwd=below)  # no such module: at once, not after --timeout
        assert ghost.returncode == 1 and ghost.stdout.startswith("404") and "ghost" in ghost.stdout
        assert _cli(operator_env, "call", "ghost", "start", cwd=below).stdout.startswith("404")
        assert time.monotonic() - started < 8.0  # two CLI starts; each would otherwise wait its 5 s timeout
        refused = _cli({**operator_env, "EE_MQTT_USERNAME": "operator", "EE_MQTT_PASSWORD": "wrong",
                        "EE_MQTT_PORT": env["EE_MQTT_PORT"]}, "status", cwd=below)
        assert refused.returncode == 2 and "refused" in refused.stderr and "--site-dir" in refused.stderr

        twin = _cli(operator_env, "twin", "controller", "grid_target_w=100", cwd=below)
        assert twin.returncode == 0, twin.stdout + twin.stderr
        assert '"ac": 200' in twin.stdout and '"value": 100' in twin.stdout

        _page_commands_over_mqtt(tmp_path / ".energy-edge", metrics_port)

        os.kill(children["boiler"], signal.SIGSTOP)  # frozen: announced online, silent
        try:
            time.sleep(1.5)
            frozen = _cli(operator_env, "status", "--wait", "3", cwd=below)
        finally:
            os.kill(children["boiler"], signal.SIGCONT)
        boiler_line = next(line for line in frozen.stdout.splitlines() if line.startswith("boiler"))
        assert frozen.returncode == 1 and "STALE" in boiler_line, frozen.stdout

        os.kill(children["solar"], signal.SIGKILL)  # a crash: the supervisor starts a new one
        _wait_for(lambda: _children(up.pid).get("solar") not in (None, children["solar"]), 15, "solar restarted")
    finally:
        running = _children(up.pid)
        code = _stop(up, log_file, 30)
    assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
    assert running and not [pid for pid in running.values() if _alive(pid)], "a module outlived `up`"


def _page_commands_over_mqtt(tmp_path: Path, metrics_port: int) -> None:
    """The telemetry module's page commands as the broker's operator."""
    password = json.loads((tmp_path / "mqtt" / "credentials.json").read_text())["operator"]
    token = base64.b64encode(f"operator:{password}".encode()).decode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{metrics_port}/api/method", method="POST",
        data=json.dumps({"module": "battery", "method": "stop"}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer["status"] == 200 and answer["payload"]["state"] == "IDLE", answer


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_up_runs_the_factory_site_file_one_process_per_asset(tmp_path):
    """The factory over MQTT: a process per asset (the meter's too), the controller, telemetry and the Modbus
    site simulator."""
    require_binary("mosquitto", "apt-get install mosquitto")
    site_file = Path(__file__).resolve().parents[2] / "examples" / "sites" / "factory.toml"
    site = load_site(site_file)
    assets = {spec.id for spec in served_assets(site)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("EE_")}
    env.update(EE_STATE_DIR=str(tmp_path), EE_MQTT_PORT=str(free_port()), EE_LOG_FORMAT="text")
    log_file = (tmp_path / "up.log").open("w")
    up = subprocess.Popen([CLI, "up", "--transport", "mqtt", "--site", str(site_file), "--speed", "10",
                           "--metrics-port", str(free_port())], env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        children = _wait_for(lambda: set(_children(up.pid)) == {*assets, "controller", "telemetry"}
                             and _children(up.pid), 60, "a process per module")
        assert len(children) == len(assets) + 2
        passwords = json.loads((tmp_path / "mqtt" / "credentials.json").read_text())
        assert passwords.keys() >= {*assets, "controller", "telemetry", "operator"}

        def every_asset_reports():
            out = _cli(env, "status", "--site", str(site_file), "--wait", "3").stdout
            lines = [line for line in out.splitlines() if line.split()[:1] and line.split()[0] in assets]
            return len(lines) == len(assets) and all("online" in line and "state=" in line for line in lines) and out

        out = _wait_for(every_asset_reports, 90, "telemetry of every factory asset in `status`")
        assert "battery-2" in out and "boiler-hall-2" in out
        called = _cli(env, "call", "battery-2", "start_charging", '{"power_w": 1000}')  # over Modbus
        assert called.returncode == 0 and called.stdout.startswith("200"), called.stdout + called.stderr
    finally:
        running = _children(up.pid)
        code = _stop(up, log_file, 60)
    assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
    assert running and not [pid for pid in running.values() if _alive(pid)], "a module outlived `up`"


SIMULATED_METER_SITE = """
[site]
name = "simulated-meter"
latitude_deg = 52.0
longitude_deg = 5.0
timezone = "Europe/Amsterdam"

[grid]
import_limit_w = 17000.0
export_limit_w = 5000.0
main_fuse_a = 25.0

[[assets]]
id = "pv-1"
kind = "solar"
rated_power_w = 10000.0

[[assets]]
id = "battery-1"
kind = "battery"
capacity_wh = 10000.0
max_charge_w = 5000.0
max_discharge_w = 5000.0
[assets.hardware]
type = "simulated"
initial_soc = 0.8

[[assets]]
id = "grid-meter"
kind = "meter"
"""


def _scrape(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


@pytest.mark.slow
def test_a_simulated_meter_in_its_own_process_sees_what_the_other_asset_processes_do(tmp_path):
    """Each MQTT process has its own copy of the simulation: the meter must learn the other assets'
    powers from their telemetry, or the controller balances a reading that is not the site's. At night
    the battery covers the load, so the meter reads a balanced connection, not the bare load. The heuristic
    planner covers it (self-consumption); the LP planner's choice to cover it now or hold the battery
    depends on what it has learned of the load by its first plan, a race this test is not about."""
    require_binary("mosquitto", "apt-get install mosquitto")
    site_file = tmp_path / "site.toml"
    site_file.write_text(SIMULATED_METER_SITE)
    metrics_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EE_")}
    env.update(EE_STATE_DIR=str(tmp_path), EE_MQTT_PORT=str(free_port()), EE_LOG_FORMAT="text",
               EE_START="2026-01-15T23:00:00+00:00", EE_PLANNER="heuristic")
    log_file = (tmp_path / "up.log").open("w")
    up = subprocess.Popen([CLI, "up", "--transport", "mqtt", "--site", str(site_file),
                           "--metrics-port", str(metrics_port)], env=env, stdout=log_file, stderr=subprocess.STDOUT)
    battery, meter = ('energy_edge_asset_power_watts{asset="battery-1",kind="battery"}',
                      'energy_edge_asset_power_watts{asset="grid-meter",kind="meter"}')

    def balanced_by_the_battery():
        try:
            samples = _scrape(metrics_port)
        except OSError:
            return False
        return (samples.get(battery, 0.0) > 200.0 and abs(samples.get(meter, 1e9)) < 150.0) and samples

    try:
        samples = _wait_for(balanced_by_the_battery, 90, "a discharging battery that the meter sees")
        assert samples[battery] > 200.0 and abs(samples[meter]) < 150.0
    finally:
        _stop(up, log_file, 60)
