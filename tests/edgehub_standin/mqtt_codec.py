"""The slice of MQTT 3.1.1 the SDK uses: CONNECT, PUBLISH (QoS 0/1), SUBSCRIBE, PING, DISCONNECT."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 8, 9, 10, 11
PINGREQ, PINGRESP, DISCONNECT = 12, 13, 14


@dataclass
class Packet:
    kind: int
    flags: int
    body: bytes


async def read_packet(reader: asyncio.StreamReader) -> Packet:
    first = (await reader.readexactly(1))[0]
    length, shift = 0, 0
    while True:
        byte = (await reader.readexactly(1))[0]
        length |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
        shift += 7
    return Packet(first >> 4, first & 0x0F, await reader.readexactly(length))


def encode(kind: int, flags: int, body: bytes) -> bytes:
    length, out = len(body), bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | (0x80 if length else 0))
        if not length:
            break
    return bytes([(kind << 4) | flags]) + bytes(out) + body


def string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def read_string(data: bytes, at: int) -> tuple[str, int]:
    (size,) = struct.unpack_from("!H", data, at)
    return data[at + 2 : at + 2 + size].decode(), at + 2 + size


@dataclass
class Connect:
    client_id: str
    clean_session: bool
    keep_alive_s: int
    username: str
    password: str


def parse_connect(body: bytes) -> Connect:
    _protocol, at = read_string(body, 0)
    _level, flags = body[at], body[at + 1]
    (keep_alive,) = struct.unpack_from("!H", body, at + 2)
    client_id, at = read_string(body, at + 4)
    if flags & 0x04:  # will topic and message: the SDK sends none, skip if present
        _, at = read_string(body, at)
        _, at = read_string(body, at)
    username = password = ""
    if flags & 0x80:
        username, at = read_string(body, at)
    if flags & 0x40:
        password, at = read_string(body, at)
    return Connect(client_id, bool(flags & 0x02), keep_alive, username, password)


def parse_publish(packet: Packet) -> tuple[str, int, int | None, bytes]:
    topic, at = read_string(packet.body, 0)
    qos = (packet.flags >> 1) & 0x03
    packet_id = None
    if qos:
        (packet_id,) = struct.unpack_from("!H", packet.body, at)
        at += 2
    return topic, qos, packet_id, packet.body[at:]


def publish(topic: str, payload: bytes, packet_id: int | None, dup: bool = False) -> bytes:
    qos = 1 if packet_id is not None else 0
    flags = (0x08 if dup else 0) | (qos << 1)
    return encode(PUBLISH, flags, string(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload)


def parse_subscribe(body: bytes) -> tuple[int, list[tuple[str, int]]]:
    (packet_id,) = struct.unpack_from("!H", body, 0)
    at, filters = 2, []
    while at < len(body):
        topic, at = read_string(body, at)
        filters.append((topic, body[at]))
        at += 1
    return packet_id, filters


def parse_unsubscribe(body: bytes) -> tuple[int, list[str]]:
    (packet_id,) = struct.unpack_from("!H", body, 0)
    at, topics = 2, []
    while at < len(body):
        topic, at = read_string(body, at)
        topics.append(topic)
    return packet_id, topics


def topic_matches(pattern: str, topic: str) -> bool:
    """MQTT wildcard match ('+' one level, '#' the rest)."""
    pattern_parts, topic_parts = pattern.split("/"), topic.split("/")
    for index, part in enumerate(pattern_parts):
        if part == "#":
            return True
        if index >= len(topic_parts) or (part != "+" and part != topic_parts[index]):
            return False
    return len(pattern_parts) == len(topic_parts)
