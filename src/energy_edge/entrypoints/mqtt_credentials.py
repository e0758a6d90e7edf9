"""Broker credentials of a local MQTT site: generated on first run, never committed.

`energy-edge up --transport mqtt` keeps one random password per module user
(and the operator) in `<state dir>/mqtt/credentials.json` (mode 0600), writes
the hashed Mosquitto password file and the route-derived ACL next to it, and
hands each module its own password in its environment. A password set in the
environment (EE_MQTT_PASSWORD_<USER>, e.g. EE_MQTT_PASSWORD_SOLAR) wins.
The call/twin/status commands read the operator's password from the same file.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from ..adapters.transports.mosquitto_broker import write_password_file
from ..adapters.transports.mqtt_acl import OPERATOR_USER, render_acl
from ..domain.routing import RouteTable
from ..domain.topology import ALL_MODULES, DEFAULT_ROUTES

STATE_DIR_ENV = "EE_STATE_DIR"
STATE_DIR_NAME = ".energy-edge"
USERS: tuple[str, ...] = (*ALL_MODULES, OPERATOR_USER)


def state_dir() -> Path:
    """Where a local site keeps its broker data and credentials (EE_STATE_DIR, default ./.energy-edge)."""
    return Path(os.environ.get(STATE_DIR_ENV) or STATE_DIR_NAME).resolve() / "mqtt"


def credentials_file(directory: Path | None = None) -> Path:
    return (directory or state_dir()) / "credentials.json"


def broker_file(directory: Path | None = None) -> Path:
    """Where a local site records its broker's host and port for call/twin/status."""
    return (directory or state_dir()) / "broker.json"


def record_broker(directory: Path, host: str, port: int) -> None:
    broker_file(directory).write_text(json.dumps({"host": host, "port": port}) + "\n")


def load_or_create(directory: Path) -> dict[str, str]:
    """The site's passwords: the stored ones, generated on first run, the environment's wins."""
    path = credentials_file(directory)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    passwords = {user: os.environ.get(f"EE_MQTT_PASSWORD_{user.upper()}") or stored.get(user)
                 or secrets.token_urlsafe(24) for user in USERS}
    if passwords != stored:
        directory.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(json.dumps(passwords, indent=2))
    return passwords


def operator_password(directory: Path | None = None) -> str | None:
    path = credentials_file(directory)
    return json.loads(path.read_text()).get(OPERATOR_USER) if path.exists() else None


def write_broker_security(directory: Path, passwords: dict[str, str]) -> tuple[Path, Path]:
    """(password file, ACL file) for the local broker."""
    acl = directory / "acl"
    acl.write_text(render_acl(RouteTable.parse(DEFAULT_ROUTES), ALL_MODULES))
    return write_password_file(directory / "passwd", passwords), acl
