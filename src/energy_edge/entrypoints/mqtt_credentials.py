"""Broker credentials of a local MQTT site: generated on first run, never committed.

`energy-edge up --transport mqtt` keeps one random password per module user
(and the operator) in `<state dir>/mqtt/credentials.json` (mode 0600), writes
the hashed Mosquitto password file and the route-derived ACL next to it, and
hands each module its own password in its environment. A password set in the
environment (EE_MQTT_PASSWORD_<USER>, upper case with '-' as '_', e.g. EE_MQTT_PASSWORD_SOLAR,
EE_MQTT_PASSWORD_BATTERY_1) wins. The users are the site's modules (`domain.site.all_modules`).
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
from ..domain.site import Site, all_modules, home_site, routes_for

STATE_DIR_ENV = "EE_STATE_DIR"
STATE_DIR_NAME = ".energy-edge"


def users(site: Site) -> tuple[str, ...]:
    """One broker user per module of the site, plus the operator."""
    return (*all_modules(site), OPERATOR_USER)


def password_variable(user: str) -> str:
    """The environment variable that sets a user's password: EE_MQTT_PASSWORD_BATTERY_1 for battery-1."""
    return "EE_MQTT_PASSWORD_" + user.upper().replace("-", "_")


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


def load_or_create(directory: Path, site: Site | None = None) -> dict[str, str]:
    """The site's passwords: the stored ones, generated on first run, the environment's wins."""
    path = credentials_file(directory)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    passwords = {user: os.environ.get(password_variable(user)) or stored.get(user)
                 or secrets.token_urlsafe(24) for user in users(site or home_site())}
    if passwords != stored:
        directory.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(json.dumps(passwords, indent=2))
    return passwords


def operator_password(directory: Path | None = None) -> str | None:
    path = credentials_file(directory)
    return json.loads(path.read_text()).get(OPERATOR_USER) if path.exists() else None


def write_broker_security(directory: Path, passwords: dict[str, str], site: Site | None = None) -> tuple[Path, Path]:
    """(password file, ACL file) for the local broker, the ACL derived from the site's routes."""
    site = site or home_site()
    acl = directory / "acl"
    acl.write_text(render_acl(RouteTable.parse(routes_for(site)), all_modules(site)))
    return write_password_file(directory / "passwd", passwords), acl
