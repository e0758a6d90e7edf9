"""The operator's connection for the CLI (call, twin, status, up): EE_MQTT_* plus the local site's credentials.

Where the credentials come from, first that exists:
1. EE_MQTT_USERNAME / EE_MQTT_PASSWORD (any broker, e.g. a compose site: user
   `operator`, password MQTT_PASSWORD_OPERATOR from deployment/.env);
2. the site folder given with --site-dir (or EE_STATE_DIR): the folder where
   `energy-edge up --transport mqtt` ran, or its `.energy-edge` state folder;
3. `.energy-edge/mqtt/credentials.json` in the current folder or the nearest
   parent folder that has one.
A local site also records its broker's address there, so EE_MQTT_PORT need not
be repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
from pathlib import Path
from typing import AsyncIterator

from ..adapters.transports.mqtt_acl import OPERATOR_USER
from ..adapters.transports.mqtt_operator import MqttOperator
from ..adapters.transports.mqtt_session import MqttConfig
from ..domain.errors import ConfigurationError
from ..domain.site import all_modules
from .mqtt_credentials import STATE_DIR_ENV, STATE_DIR_NAME, broker_file, credentials_file, operator_password
from .mqtt_settings import MqttSettings

CREDENTIALS_HINT = ("set EE_MQTT_USERNAME/EE_MQTT_PASSWORD, or run this in (or below) the folder where "
                    "`energy-edge up --transport mqtt` runs, or give that folder with --site-dir")


def site_modules() -> tuple[str, ...]:
    """The modules of the site the environment names (EE_SITE_FILE, else the home site)."""
    from .factories import resolve_site
    from .settings import SiteSettings

    return all_modules(resolve_site(SiteSettings()))


def find_site_state(site_dir: Path | None = None, start: Path | None = None) -> Path | None:
    """The state folder (`.energy-edge`) of a local site, or None: see the module docstring for the order."""
    given = site_dir or (Path(os.environ[STATE_DIR_ENV]) if os.environ.get(STATE_DIR_ENV) else None)
    if given is not None:
        for candidate in (given, given / STATE_DIR_NAME):
            if credentials_file(candidate.resolve() / "mqtt").exists():
                return candidate.resolve()
        raise ConfigurationError(f"{given} holds no site credentials (no mqtt/credentials.json there or in "
                                 f"{STATE_DIR_NAME}/): give the folder where `energy-edge up --transport mqtt` runs, "
                                 "or set EE_MQTT_USERNAME/EE_MQTT_PASSWORD")
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if credentials_file(folder / STATE_DIR_NAME / "mqtt").exists():
            return folder / STATE_DIR_NAME
    return None


def operator_config(settings: MqttSettings | None = None, connect_timeout_s: float = 5.0,
                    site_dir: Path | None = None) -> MqttConfig:
    """EE_MQTT_* as given; without a password, the operator's (and the broker's address) from a local site."""
    config = (settings or MqttSettings()).to_config()
    if config.password is None and (state := find_site_state(site_dir)) is not None:
        directory = state / "mqtt"
        config = dataclasses.replace(config, username=config.username or OPERATOR_USER,
                                     password=operator_password(directory))
        if "EE_MQTT_PORT" not in os.environ and "EE_MQTT_HOST" not in os.environ and broker_file(directory).exists():
            broker = json.loads(broker_file(directory).read_text())
            config = dataclasses.replace(config, host=broker["host"], port=int(broker["port"]))
    return dataclasses.replace(config, connect_timeout_s=connect_timeout_s)


@contextlib.asynccontextmanager
async def connected_operator(settings: MqttSettings | None = None,
                             site_dir: Path | None = None) -> AsyncIterator[MqttOperator]:
    config = operator_config(settings, site_dir=site_dir)
    operator = MqttOperator(config)
    try:
        await operator.connect()
    except ConnectionError as exc:
        refused = "not authori" in str(exc).lower() or "bad user name" in str(exc).lower()
        if refused or config.password is None:
            raise ConfigurationError(f"{exc}: the operator's credentials were "
                                     f"{'refused' if config.password else 'not found'}; {CREDENTIALS_HINT}") from None
        raise ConfigurationError(str(exc)) from None
    try:
        yield operator
    finally:
        await operator.close()


async def unknown_module(operator: MqttOperator, module_id: str, site_modules: tuple[str, ...] = (),
                         settle_s: float = 0.5) -> str | None:
    """A sentence when the site has no such module (not in its site file, never announced), else None.

    The site's modules announce a retained status; a module that is neither in the
    site nor announced is not there, so a method or twin update to it would only time out.
    """
    deadline = asyncio.get_running_loop().time() + settle_s
    while module_id not in operator.online and module_id not in site_modules:
        if asyncio.get_running_loop().time() >= deadline:
            known = sorted({*site_modules, *operator.online})
            return f"no module {module_id!r} on this site (modules: {', '.join(known)})"
        await asyncio.sleep(0.02)
    return None
