"""`energy-edge up --transport mqtt`: the site as separate processes on a Mosquitto broker.

Starts Mosquitto (when it is on PATH) with a generated configuration, the
route-derived ACL and per-module passwords generated on first run; or uses an
existing broker when EE_MQTT_HOST is set. Then runs each module as its own OS
process with the command its compose service runs (`energy-edge-<module>`),
controller and telemetry first so their sessions exist before the assets
publish. It supervises them (restart on crash) until Ctrl-C/SIGTERM or
`--duration`, then stops everything cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from ..adapters.transports.mosquitto_broker import INSTALL_HINT, BrokerMissing, MosquittoBroker, find_mosquitto
from ..domain.topology import ASSET_MODULES, CONTROLLER, TELEMETRY
from ..adapters.transports.mqtt_acl import OPERATOR_USER
from .mqtt_credentials import load_or_create, state_dir, write_broker_security
from .mqtt_settings import MqttSettings
from .operator_client import connected_operator
from .settings import SiteSettings
from .supervisor import Supervisor, child_environment

log = logging.getLogger(__name__)

FIRST = (CONTROLLER, TELEMETRY)  # their persistent sessions must exist before assets publish
PROCESS_METRICS_ORDER = (*ASSET_MODULES, CONTROLLER)  # ports EE_METRICS_PORT + 1, + 2, ...


def module_command(module_id: str) -> list[str]:
    """The console script the compose service runs, from this environment's scripts."""
    name = f"energy-edge-{module_id}"
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed: pip install . (it is a console script of this package)")
    return [found]


def run(args: argparse.Namespace, settings: SiteSettings) -> int:
    mqtt = MqttSettings()
    external = "EE_MQTT_HOST" in os.environ
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    broker: MosquittoBroker | None = None
    passwords: dict[str, str] = {}
    if not external:
        try:
            find_mosquitto()
        except BrokerMissing:
            print(f"energy-edge up --transport mqtt needs a broker: {INSTALL_HINT}.", file=sys.stderr)
            return 2
        if not _port_free(mqtt.port):
            print(f"port {mqtt.port} is in use: set EE_MQTT_PORT to a free port, or EE_MQTT_HOST to use the "
                  "broker that is there", file=sys.stderr)
            return 2
        directory = state_dir()
        passwords = load_or_create(directory)
        password_file, acl_file = write_broker_security(directory, passwords)
        broker = MosquittoBroker(directory / "broker", port=mqtt.port, password_file=password_file,
                                 acl_file=acl_file).start()
        log.info("mosquitto on 127.0.0.1:%d (state in %s)", mqtt.port, directory)
    supervisor = Supervisor()
    try:
        common = _common_environment(settings, mqtt)
        for module_id in FIRST:
            supervisor.start(module_id, module_command(module_id), _module_environment(module_id, common, passwords))
        asyncio.run(_wait_online(FIRST, timeout_s=20.0))
        for module_id in ASSET_MODULES:
            supervisor.start(module_id, module_command(module_id), _module_environment(module_id, common, passwords))
        log.info("site running over MQTT; metrics on :%d; Ctrl-C stops it", settings.metrics_port)
        deadline = None if args.duration is None else time.monotonic() + args.duration / settings.speed
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            supervisor.poll()
            if broker is not None and not broker.running:  # its persistence brings sessions and queues back
                log.warning("mosquitto exited (%s); restarting it", broker.exit_code)
                broker.start()
            stop.wait(0.2)
    finally:
        supervisor.stop_all()
        if broker is not None:
            broker.stop()
    return 0


def _common_environment(settings: SiteSettings, mqtt: MqttSettings) -> dict[str, str]:
    """What every module gets: the transport, the broker, and the options given to `up`."""
    env = {f"EE_{name.upper()}": str(getattr(settings, name)) for name in settings.model_fields_set}
    if settings.speed != 1.0 and settings.start is None:  # one simulated timeline for all processes
        env["EE_START"] = datetime.now(timezone.utc).isoformat()
    env.update({"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": mqtt.host, "EE_MQTT_PORT": str(mqtt.port)})
    return env


def module_metrics_port(module_id: str, metrics_port: int) -> int:
    """Processes on one host cannot share a port: each module's own /metrics follows the telemetry port."""
    if metrics_port == 0 or module_id not in PROCESS_METRICS_ORDER:
        return 0
    return metrics_port + 1 + PROCESS_METRICS_ORDER.index(module_id)


def _module_environment(module_id: str, common: dict[str, str], passwords: dict[str, str]) -> dict[str, str]:
    env = child_environment(**common)
    env["EE_MODULE_METRICS_PORT"] = str(module_metrics_port(module_id, int(common.get("EE_METRICS_PORT", "9090"))))
    if module_id == TELEMETRY and OPERATOR_USER in passwords:  # the operator page acts and logs in as the operator
        env["EE_MQTT_PASSWORD_OPERATOR"] = passwords[OPERATOR_USER]
    if module_id in passwords:
        env.update(EE_MQTT_USERNAME=module_id, EE_MQTT_PASSWORD=passwords[module_id])
    elif password := os.environ.get(f"EE_MQTT_PASSWORD_{module_id.upper()}"):
        env.update(EE_MQTT_USERNAME=module_id, EE_MQTT_PASSWORD=password)
    return env


async def _wait_online(modules: tuple[str, ...], timeout_s: float) -> None:
    try:
        async with connected_operator() as operator:
            deadline = time.monotonic() + timeout_s
            while not all(operator.online.get(m) for m in modules):
                if time.monotonic() > deadline:
                    log.warning("%s not online after %.0f s; starting the assets anyway", modules, timeout_s)
                    return
                await asyncio.sleep(0.1)
    except ConnectionError as exc:
        log.warning("cannot watch module status (%s); starting the assets anyway", exc)
        await asyncio.sleep(2.0)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
