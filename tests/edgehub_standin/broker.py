"""MQTT sessions over TLS: the transport half of the stand-in.

Persistent sessions are the point: the SDK subscribes once per client and
never again after a reconnect, relying on the hub to keep its subscriptions
and to queue QoS 1 messages while it is away. Sessions live in this object,
so they survive `close()` + `serve()` (a stand-in restart), as Mosquitto's
persistence file would. Each client only ever receives what is published to
its own session, which keeps every module's `$iothub` traffic apart.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import struct
from collections import deque
from typing import Awaitable, Callable

from . import mqtt_codec as mqtt
from .tls_listener import TlsListener

log = logging.getLogger(__name__)


class Session:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.subscriptions: dict[str, int] = {}
        self.queue: deque[tuple[str, bytes]] = deque(maxlen=10_000)
        self.inflight: dict[int, tuple[str, bytes]] = {}
        self.writer: asyncio.StreamWriter | None = None
        self.username = ""  # carries the SDK's api-version and the announced model-id
        self._next_id = 0

    @property
    def online(self) -> bool:
        return self.writer is not None

    def subscribed(self, topic: str) -> bool:
        return any(mqtt.topic_matches(pattern, topic) for pattern in self.subscriptions)

    def deliver(self, topic: str, payload: bytes, qos: int = 1) -> bool:
        """Send when subscribed; False when the session does not want it.

        QoS 1 waits in the session while the client is away; QoS 0 (IoT Hub's
        choice for method requests and twin traffic) is dropped, as Mosquitto does.
        """
        if not self.subscribed(topic):
            return False
        if qos == 0:
            if self.writer is not None:
                self.writer.write(mqtt.publish(topic, payload, None))
        elif self.writer is None:
            self.queue.append((topic, payload))
        else:
            self._send(topic, payload)
        return True

    def _send(self, topic: str, payload: bytes, dup: bool = False, packet_id: int | None = None) -> None:
        if packet_id is None:
            self._next_id = self._next_id % 65535 + 1
            packet_id = self._next_id
        self.inflight[packet_id] = (topic, payload)
        assert self.writer is not None
        self.writer.write(mqtt.publish(topic, payload, packet_id, dup))

    def resume(self, writer: asyncio.StreamWriter) -> None:
        """Back online: resend what was unacknowledged, then what queued up meanwhile."""
        self.writer = writer
        for packet_id, (topic, payload) in list(self.inflight.items()):
            self._send(topic, payload, dup=True, packet_id=packet_id)
        while self.queue:
            self._send(*self.queue.popleft())


OnPublish = Callable[[Session, str, bytes], Awaitable[None]]
OnSubscribe = Callable[[Session], None]
Authenticate = Callable[[str, str], bool]  # (client id, password)


class Broker:
    def __init__(self, on_publish: OnPublish, on_subscribe: OnSubscribe, authenticate: Authenticate) -> None:
        self.sessions: dict[str, Session] = {}
        self._on_publish = on_publish
        self._on_subscribe = on_subscribe
        self._authenticate = authenticate
        self._listener = TlsListener(self._handle)
        self.serve = self._listener.serve

    async def close(self) -> None:
        """Stop listening and drop every connection; sessions stay (a hub restart)."""
        await self._listener.close()
        for session in self.sessions.values():
            session.writer = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session: Session | None = None
        try:
            first = await asyncio.wait_for(mqtt.read_packet(reader), 10)
            if first.kind != mqtt.CONNECT:
                return
            connect = mqtt.parse_connect(first.body)
            if not self._authenticate(connect.client_id, connect.password):
                writer.write(mqtt.encode(mqtt.CONNACK, 0, b"\x00\x05"))  # not authorised
                return
            session = self._attach(connect, writer)
            idle_limit = connect.keep_alive_s * 1.5 if connect.keep_alive_s else None
            while True:
                packet = await asyncio.wait_for(mqtt.read_packet(reader), idle_limit)
                if packet.kind == mqtt.DISCONNECT:
                    break
                await self._on_packet(session, packet, writer)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            if session is not None and session.writer is writer:
                session.writer = None

    def _attach(self, connect: mqtt.Connect, writer: asyncio.StreamWriter) -> Session:
        old = self.sessions.get(connect.client_id)
        if old is not None and old.writer is not None:  # the same client id again: take over
            old.writer.transport.abort()
            old.writer = None
        present = old is not None and not connect.clean_session
        session = old if present else Session(connect.client_id)
        session.username = connect.username
        self.sessions[connect.client_id] = session
        writer.write(mqtt.encode(mqtt.CONNACK, 0, bytes([1 if present else 0, 0])))
        session.resume(writer)
        return session

    async def _on_packet(self, session: Session, packet: mqtt.Packet, writer: asyncio.StreamWriter) -> None:
        if packet.kind == mqtt.PUBLISH:
            topic, qos, packet_id, payload = mqtt.parse_publish(packet)
            if qos and packet_id is not None:
                writer.write(mqtt.encode(mqtt.PUBACK, 0, struct.pack("!H", packet_id)))
            await self._on_publish(session, topic, payload)
        elif packet.kind == mqtt.PUBACK:
            session.inflight.pop(struct.unpack("!H", packet.body[:2])[0], None)
        elif packet.kind == mqtt.SUBSCRIBE:
            packet_id, filters = mqtt.parse_subscribe(packet.body)
            for topic, qos in filters:
                session.subscriptions[topic] = min(qos, 1)
            granted = bytes(min(qos, 1) for _, qos in filters)
            writer.write(mqtt.encode(mqtt.SUBACK, 0, struct.pack("!H", packet_id) + granted))
            self._on_subscribe(session)
        elif packet.kind == mqtt.UNSUBSCRIBE:
            packet_id, topics = mqtt.parse_unsubscribe(packet.body)
            for topic in topics:
                session.subscriptions.pop(topic, None)
            writer.write(mqtt.encode(mqtt.UNSUBACK, 0, struct.pack("!H", packet_id)))
        elif packet.kind == mqtt.PINGREQ:
            writer.write(mqtt.encode(mqtt.PINGRESP, 0, b""))
        else:
            log.debug("ignoring MQTT packet type %d from %s", packet.kind, session.client_id)
