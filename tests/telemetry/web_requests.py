"""HTTP(S) requests to a test web server on loopback, from a chosen source address, in a worker thread."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import ssl


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _connection(port: int, source: str, tls: ssl.SSLContext | None) -> http.client.HTTPConnection:
    if tls is not None:
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=5, source_address=(source, 0), context=tls)
    return http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))


async def request(port: int, method: str, path: str, body: object = None, headers: dict | None = None,
                  raw: bytes | None = None, source: str = "127.0.0.1") -> tuple[int, object]:
    """(status, the body as JSON when it is JSON, else as text)."""
    def send() -> tuple[int, object]:
        connection = _connection(port, source, None)
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text
    return await asyncio.to_thread(send)


async def headers_of(port: int, path: str, headers: dict | None = None,
                     tls: ssl.SSLContext | None = None) -> tuple[int, dict[str, str]]:
    """(status, the answer's headers by lower-case name) of a GET, over TLS verified by `tls` when given."""
    def get() -> tuple[int, dict[str, str]]:
        connection = _connection(port, "127.0.0.1", tls)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    return await asyncio.to_thread(get)
