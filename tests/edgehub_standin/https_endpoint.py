"""edgeHub's HTTPS endpoint for module-to-module direct methods (what the SDK's invoke_method calls).

POST /twins/{device}/modules/{module}/methods?api-version=...  with x-ms-edge-moduleId
and a SAS Authorization header; body {methodName, payload, responseTimeoutInSeconds, ...};
reply 200 {status, payload}, or an HTTP error (404 target not connected, 504 timeout).
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from http import HTTPStatus
from typing import Any

from .hub import Hub
from .tls_listener import TlsListener

_PATH = re.compile(r"^/twins/(?P<device>[^/]+)/modules/(?P<module>[^/?]+)/methods\?api-version=")


class MethodEndpoint:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._listener = TlsListener(self._handle)
        self.serve = self._listener.serve
        self.close = self._listener.close

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """HTTP/1.1 with keep-alive, as edgeHub serves it: the SDK's pooled connection is reused."""
        try:
            while True:
                head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)).decode("latin-1")
                request_line, *header_lines = head.split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, reply = await self._answer(request_line, headers, body)
                data = json.dumps(reply).encode()
                writer.write(
                    f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode() + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError):
            pass

    async def _answer(self, request_line: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        method, _, rest = request_line.partition(" ")
        path = rest.rpartition(" ")[0]
        match = _PATH.match(path)
        if method != "POST" or not match:
            return 404, {"message": f"no route for {method} {path}"}
        if not self.hub.authenticate(headers.get("x-ms-edge-moduleid", ""), headers.get("authorization", "")):
            return 401, {"message": "x-ms-edge-moduleId and its SAS Authorization do not match"}
        try:
            request = json.loads(body)
            name = str(request["methodName"])
            timeout_s = float(request.get("responseTimeoutInSeconds", 30))
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"message": f"bad method request: {exc}"}
        self.hub.method_calls.append((headers["x-ms-edge-moduleid"], match.group("module"), name))
        return await self.hub.invoke(match.group("module"), name, request.get("payload"), timeout_s)
