"""The two transports the fuzz suite drives: the in-memory hub, and MQTT on a real Mosquitto.

On MQTT the hostile side is a raw paho client: it publishes any bytes on any
topic of the scheme (as a stolen credential or a broken module would) and
collects the answers, so the modules' own parsers meet invalid UTF-8, deep
nesting and truncated JSON, which no well-behaved `invoke_method` would send.
The broker is anonymous and has no ACL: the modules' own checks are what is
tested (the ACL is tested in tests/mqtt).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any, Callable

import paho.mqtt.client as paho

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.adapters.transports.mqtt_topics import Topics
from energy_edge.domain.ports import ModuleClient
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import ALL_MODULES, DEFAULT_ROUTES

from ..mosquitto import TempBroker, client_config

ROUTES = RouteTable.parse(DEFAULT_ROUTES)


class InMemoryTransport:
    name = "inmemory"

    def __init__(self) -> None:
        self.hub = InMemoryHub(ROUTES, modules=ALL_MODULES)

    def client(self, module_id: str) -> ModuleClient:
        return self.hub.client(module_id)

    async def close(self) -> None:
        return None


class MqttTransport:
    name = "mqtt"

    def __init__(self) -> None:
        self._temp = TempBroker()
        self.broker = self._temp.broker
        self.config = client_config(self.broker)
        self.topics = Topics(self.config.topic_prefix)
        self.raw: RawMqtt | None = None

    def client(self, module_id: str) -> ModuleClient:
        return MqttModuleClient(module_id, ROUTES, self.config)

    async def start_raw(self) -> "RawMqtt":
        self.raw = RawMqtt(self.broker.host, self.broker.port, asyncio.get_running_loop())
        await self.raw.start()
        return self.raw

    async def close(self) -> None:
        if self.raw is not None:
            self.raw.stop()
        self._temp.close()


class RawMqtt:
    """A paho client that publishes raw bytes and hands every received message to the loop."""

    def __init__(self, host: str, port: int, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._client = paho.Client(f"fuzz-{uuid.uuid4().hex[:8]}", clean_session=True, protocol=paho.MQTTv311)
        self._client.on_message = self._on_message
        self._host, self._port = host, port
        self.waiting: dict[str, asyncio.Future[bytes]] = {}
        self.handlers: list[Callable[[str, bytes], None]] = []

    async def start(self) -> None:
        connected = self._loop.create_future()
        self._client.on_connect = lambda *_a: self._loop.call_soon_threadsafe(
            lambda: connected.done() or connected.set_result(True))
        self._client.connect(self._host, self._port)
        self._client.loop_start()
        await asyncio.wait_for(connected, 10)
        self._client.subscribe("ee/+/methods/+/res/+", qos=1)

    def stop(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self._client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    async def request(self, topic: str, payload: bytes, timeout_s: float) -> dict[str, Any] | None:
        """Publish a method request and wait for its answer (None: no answer within `timeout_s`)."""
        rid = topic.rsplit("/", 1)[1]
        future = self.waiting[rid] = self._loop.create_future()
        try:
            self.publish(topic, payload)
            return json.loads(await asyncio.wait_for(future, timeout_s))
        except asyncio.TimeoutError:
            return None
        finally:
            self.waiting.pop(rid, None)

    def _on_message(self, _client: Any, _userdata: Any, message: paho.MQTTMessage) -> None:
        self._loop.call_soon_threadsafe(self._deliver, message.topic, message.payload)

    def _deliver(self, topic: str, payload: bytes) -> None:
        future = self.waiting.get(topic.rsplit("/", 1)[1])
        if future is not None and not future.done():
            future.set_result(payload)


async def make_transport(name: str) -> InMemoryTransport | MqttTransport:
    return InMemoryTransport() if name == "inmemory" else MqttTransport()
