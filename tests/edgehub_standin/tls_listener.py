"""A TLS listener that can be closed together with every connection it accepted (a crash)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from typing import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class TlsListener:
    def __init__(self, handle: Handler) -> None:
        self._handle = handle
        self._server: asyncio.base_events.Server | None = None
        self.connections: set[asyncio.StreamWriter] = set()

    async def serve(self, host: str, port: int, tls: ssl.SSLContext) -> None:
        self._server = await asyncio.start_server(self._tracked, host, port, ssl=tls)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self.connections):
            writer.transport.abort()

    async def _tracked(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:  # no Nagle delay on small replies (Mosquitto's set_tcp_nodelay)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections.add(writer)
        try:
            await self._handle(reader, writer)
        except asyncio.CancelledError:  # the stand-in shuts down; asyncio's stream callback
            pass  # would log a cancelled connection task as an error
        finally:
            self.connections.discard(writer)
            writer.transport.abort()
