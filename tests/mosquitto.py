"""A real Mosquitto broker for tests: a free loopback port, a generated config in a temp dir.

Reusable by every transport's tests (MQTT, edgeHub): import the fixtures in
your folder's conftest.py (`from ..mosquitto import mosquitto, mosquitto_factory`).
`broker.restart()` keeps the persistence database, so sessions and queued
QoS 1 messages survive it. Under CI=true a missing mosquitto fails the test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from energy_edge.adapters.transports.mosquitto_broker import INSTALL_HINT, MosquittoBroker
from energy_edge.adapters.transports.mqtt_session import MqttConfig

from .helpers import require_binary


def start_broker(workdir: Path, **options: Any) -> MosquittoBroker:
    """Start a broker (skips, or fails under CI=true, when mosquitto is not installed)."""
    require_binary("mosquitto", INSTALL_HINT)
    return MosquittoBroker(workdir, **options).start()


def client_config(broker: MosquittoBroker, **overrides: Any) -> MqttConfig:
    """An MqttConfig for this broker with fast reconnects (tests restart brokers)."""
    options: dict[str, Any] = {"host": broker.host, "port": broker.port, "reconnect_min_s": 0.05,
                               "reconnect_max_s": 0.5, "connect_timeout_s": 10.0}
    return MqttConfig(**{**options, **overrides})


@pytest.fixture
def mosquitto_factory(tmp_path: Path) -> Iterator[Callable[..., MosquittoBroker]]:
    """Start brokers with options (password_file, acl_file, tls...); all are stopped afterwards."""
    started: list[MosquittoBroker] = []

    def make(**options: Any) -> MosquittoBroker:
        broker = start_broker(tmp_path / f"broker{len(started)}", **options)
        started.append(broker)
        return broker

    yield make
    for broker in started:
        broker.discard()


@pytest.fixture
def mosquitto(mosquitto_factory: Callable[..., MosquittoBroker]) -> MosquittoBroker:
    """One anonymous broker on a free loopback port."""
    return mosquitto_factory()


class TempBroker:
    """A broker in its own temporary directory, for code that has no tmp_path (harness factories)."""

    def __init__(self, **options: Any) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="ee-mosquitto-")
        self.broker = start_broker(Path(self._dir.name), **options)

    def close(self) -> None:
        self.broker.discard()
        self._dir.cleanup()
