"""The operator's connection for the CLI (call, twin, status, up): EE_MQTT_* plus the local site's credentials."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import AsyncIterator

from ..adapters.transports.mqtt_acl import OPERATOR_USER
from ..adapters.transports.mqtt_operator import MqttOperator
from .mqtt_credentials import operator_password
from .mqtt_settings import MqttSettings


def operator_config(settings: MqttSettings | None = None, connect_timeout_s: float = 5.0):
    """EE_MQTT_* as given; without a password, the operator's from a local `up` site (if there is one)."""
    config = (settings or MqttSettings()).to_config()
    if config.password is None and (password := operator_password()):
        config = dataclasses.replace(config, username=config.username or OPERATOR_USER, password=password)
    return dataclasses.replace(config, connect_timeout_s=connect_timeout_s)


@contextlib.asynccontextmanager
async def connected_operator(settings: MqttSettings | None = None) -> AsyncIterator[MqttOperator]:
    operator = MqttOperator(operator_config(settings))
    await operator.connect()
    try:
        yield operator
    finally:
        await operator.close()
