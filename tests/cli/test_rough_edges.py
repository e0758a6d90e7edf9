"""The rough edges of the first hour: a quick restart, status that tells stale from online, the operator's credentials."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from energy_edge.domain.errors import ConfigurationError
from energy_edge.entrypoints.commands.status import OFFLINE, ONLINE, STALE, UNKNOWN, judge
from energy_edge.entrypoints.mqtt_credentials import STATE_DIR_ENV
from energy_edge.entrypoints.mqtt_site import _port_free
from energy_edge.entrypoints.operator_client import find_site_state, operator_config


def test_a_port_left_in_time_wait_by_a_stopped_site_counts_as_free():
    """`up --transport mqtt` stopped and started again within a minute: only TIME_WAIT sockets remain."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first: its end of the connection waits in TIME_WAIT
    time.sleep(0.1)
    client.close()
    listener.close()
    assert _port_free(port)


def test_a_port_someone_listens_on_is_not_free():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not _port_free(listener.getsockname()[1])


@pytest.mark.parametrize(("announced", "spoke", "each_cycle", "state"), [
    (True, True, True, ONLINE),
    (True, False, True, STALE),  # frozen or cut off: its last will has not fired yet
    (True, False, False, ONLINE),  # the controller reports only every reporting interval
    (False, False, True, OFFLINE),
    (None, False, True, UNKNOWN),
])
def test_status_judges_a_module_by_its_announcement_and_its_telemetry(announced, spoke, each_cycle, state):
    assert judge(announced, spoke, each_cycle) == state


def _site(folder: Path, password: str = "pw-op") -> Path:
    state = folder / ".energy-edge"
    (state / "mqtt").mkdir(parents=True)
    (state / "mqtt" / "credentials.json").write_text(json.dumps({"operator": password}))
    (state / "mqtt" / "broker.json").write_text(json.dumps({"host": "127.0.0.1", "port": 41883}))
    return state


def test_the_site_is_found_from_a_subfolder_with_its_broker(tmp_path, monkeypatch):
    state = _site(tmp_path)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    for name in ("EE_MQTT_HOST", "EE_MQTT_PORT", "EE_MQTT_PASSWORD", "EE_MQTT_USERNAME", STATE_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(deep)
    assert find_site_state() == state
    config = operator_config()
    assert (config.username, config.password, config.port) == ("operator", "pw-op", 41883)


def test_site_dir_takes_the_folder_up_ran_in_or_its_state_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(STATE_DIR_ENV, raising=False)
    state = _site(tmp_path)
    assert find_site_state(tmp_path) == state and find_site_state(state) == state
    with pytest.raises(ConfigurationError, match="holds no site credentials"):
        find_site_state(tmp_path / "elsewhere")


def test_credentials_in_the_environment_win(tmp_path, monkeypatch):
    _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EE_MQTT_USERNAME", "operator")
    monkeypatch.setenv("EE_MQTT_PASSWORD", "from-env")
    monkeypatch.setenv("EE_MQTT_PORT", "1999")
    config = operator_config()
    assert (config.password, config.port) == ("from-env", 1999)


def test_a_child_that_refuses_its_settings_is_not_restarted(tmp_path):
    import sys

    from energy_edge.entrypoints.supervisor import Supervisor, child_environment

    supervisor = Supervisor()
    supervisor.start("bad", [sys.executable, "-c", "import sys; sys.exit(2)"], child_environment())
    supervisor.start("crash", [sys.executable, "-c", "import sys; sys.exit(1)"], child_environment())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (supervisor.refused() and supervisor.children["crash"].restart_at):
        supervisor.poll()
        time.sleep(0.05)
    try:
        assert supervisor.refused() == ["bad"]
        assert supervisor.children["crash"].restart_at is not None  # a crash is restarted, a refusal is not
    finally:
        supervisor.stop_all()


SITE_WITH_MODBUS = """
[site]
name = "probe"
latitude_deg = 52.0
longitude_deg = 5.0
timezone = "UTC"

[grid]
import_limit_w = 17000.0
export_limit_w = 5000.0
main_fuse_a = 25.0
phases = 3

[[assets]]
id = "grid-meter"
kind = "meter"
[assets.hardware]
type = "modbus"
host = "127.0.0.1"
port = {meter_port}
unit_id = 1
profile = "sdm630"

[[assets]]
id = "solar"
kind = "solar"
rated_power_w = 5000.0
[assets.hardware]
type = "modbus"
host = "127.0.0.1"
port = {solar_port}
unit_id = 1
profile = "sunspec"
"""


def test_up_says_so_when_a_modbus_simulator_already_holds_the_sites_device_port(tmp_path):
    """`modbus-sim` left running, then `up` for the same site: a sentence naming the port, not a crash."""
    import subprocess
    import sys

    with socket.socket() as busy, socket.socket() as spare:
        busy.bind(("127.0.0.1", 0))
        busy.listen()  # as a running simulator would
        spare.bind(("127.0.0.1", 0))
        meter_port = spare.getsockname()[1]
        spare.close()
        site = tmp_path / "site.toml"
        solar_port = busy.getsockname()[1]
        site.write_text(SITE_WITH_MODBUS.format(meter_port=meter_port, solar_port=solar_port))
        result = subprocess.run([str(Path(sys.executable).parent / "energy-edge"), "up", "--site", str(site),
                                 "--duration", "5", "--metrics-port", "0", "--quiet"],
                                capture_output=True, text=True, timeout=60)
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"127.0.0.1:{solar_port}" in last and "in use" in last and "modbus-sim" in last
