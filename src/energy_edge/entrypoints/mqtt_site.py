"""`energy-edge up --transport mqtt`: the site as separate processes on a Mosquitto broker.

Starts Mosquitto (when it is on PATH) with a generated configuration, the
route-derived ACL and per-module passwords generated on first run; or uses an
existing broker when EE_MQTT_HOST is set. Then runs each module of the site
as its own OS process (`energy-edge-module`, told which asset it is by
EE_ASSET_ID and what the site is by EE_SITE_FILE), controller and telemetry
first so their sessions exist before the assets publish, and the Modbus site
simulator (`energy-edge modbus-sim`) when assets are on Modbus on loopback. It
supervises them (restart on crash) until Ctrl-C/SIGTERM or `--duration`, then
stops everything cleanly.
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

from ..adapters.listen_address import unusable_host
from ..adapters.transports.mqtt_acl import OPERATOR_USER
from ..adapters.transports.mosquitto_broker import INSTALL_HINT, BrokerMissing, MosquittoBroker, find_mosquitto
from ..domain.errors import ConfigurationError
from ..domain.site import CONTROLLER, TELEMETRY, ModbusHardware, Site
from .factories import LOOPBACK, served_assets
from .mqtt_credentials import load_or_create, password_variable, record_broker, state_dir, write_broker_security
from .mqtt_settings import MqttSettings
from .operator_client import connected_operator
from .settings import SiteSettings
from .supervisor import Supervisor, child_environment

log = logging.getLogger(__name__)

FIRST = (CONTROLLER, TELEMETRY)  # their persistent sessions must exist before assets publish


def module_command(name: str = "energy-edge-module") -> list[str]:
    """A console script of this package, from this environment's scripts."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed: pip install . (it is a console script of this package)")
    return [found]


def run(args: argparse.Namespace, settings: SiteSettings, site: Site) -> int:
    mqtt = MqttSettings()
    external = "EE_MQTT_HOST" in os.environ
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    broker: MosquittoBroker | None = None
    passwords: dict[str, str] = {}
    if settings.metrics_port and not _port_free(settings.metrics_port, settings.metrics_host):
        raise ConfigurationError(f"metrics port {settings.metrics_port} is in use: choose another (--metrics-port or "
                                 "EE_METRICS_PORT; 0 = any free port), or stop what holds it")
    if not external:
        try:
            find_mosquitto()
        except BrokerMissing:
            print(f"energy-edge: up --transport mqtt needs a broker: {INSTALL_HINT}.", file=sys.stderr)
            return 2
        if not _port_free(mqtt.port):
            raise ConfigurationError(f"port {mqtt.port} (EE_MQTT_PORT) is in use: set EE_MQTT_PORT to a free port, "
                                     "or EE_MQTT_HOST to use the broker that is there")
        directory = state_dir()
        passwords = load_or_create(directory, site)
        password_file, acl_file = write_broker_security(directory, passwords, site)
        record_broker(directory, "127.0.0.1", mqtt.port)
        broker = MosquittoBroker(directory / "broker", port=mqtt.port, password_file=password_file,
                                 acl_file=acl_file).start()
        log.info("mosquitto on 127.0.0.1:%d (state in %s)", mqtt.port, directory)
    supervisor = Supervisor()
    try:
        common = _common_environment(settings, mqtt)
        common["EE_METRICS_PORT"] = str(settings.metrics_port)
        if _on_modbus_simulator(site):
            supervisor.start("modbus-sim", [*module_command("energy-edge"), "modbus-sim"], child_environment(**common))
        for module_id in FIRST:
            supervisor.start(module_id, module_command(), _module_environment(module_id, common, passwords))
        asyncio.run(_wait_online(FIRST, timeout_s=20.0))
        for spec in served_assets(site):
            supervisor.start(spec.id, module_command(), _module_environment(spec.id, common, passwords))
        log.info("site %r running over MQTT (%d assets); metrics on :%d; Ctrl-C stops it", site.name,
                 len(served_assets(site)), settings.metrics_port)
        deadline = None if args.duration is None else time.monotonic() + args.duration / settings.speed
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            supervisor.poll()
            if refused := supervisor.refused():
                raise ConfigurationError(f"{', '.join(refused)} refused the settings (the sentence is above): "
                                         "the site is stopped")
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
    if settings.speed != 1.0 or settings.start is not None:  # one simulated timeline for all processes
        now = datetime.now(timezone.utc)
        env.setdefault("EE_START", now.isoformat())
        env["EE_CLOCK_ANCHOR"] = str(now.timestamp())
    env.update({"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": mqtt.host, "EE_MQTT_PORT": str(mqtt.port)})
    return env


def _on_modbus_simulator(site: Site) -> bool:
    return any(isinstance(spec.hardware, ModbusHardware) and spec.hardware.host in LOOPBACK
               for spec in served_assets(site))


def _module_environment(module_id: str, common: dict[str, str], passwords: dict[str, str]) -> dict[str, str]:
    # Processes on one host would all want 9600 (a container's own port): here the telemetry
    # module's /metrics carries the site, and the per-module endpoints stay off.
    env = child_environment(**common, EE_ASSET_ID=module_id, EE_MODULE_METRICS_PORT="0")
    if module_id == TELEMETRY and OPERATOR_USER in passwords:  # the operator page acts and logs in as the operator
        env["EE_MQTT_PASSWORD_OPERATOR"] = passwords[OPERATOR_USER]
    if module_id in passwords:
        env.update(EE_MQTT_USERNAME=module_id, EE_MQTT_PASSWORD=passwords[module_id])
    elif password := os.environ.get(password_variable(module_id)):
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
    except (ConnectionError, ConfigurationError) as exc:
        log.warning("cannot watch module status (%s); starting the assets anyway", exc)
        await asyncio.sleep(2.0)


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a listener could bind the port now: SO_REUSEADDR, as mosquitto binds, so that the
    TIME_WAIT sockets of a site stopped a moment ago do not count as in use."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if (refusal := unusable_host(host, exc)) is not None:
                raise refusal from None
            return False
    return True
