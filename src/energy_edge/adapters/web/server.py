"""Serve the web app with uvicorn inside the module's own event loop.

The page's commands travel on the module's transport (the in-memory hub, or an
MQTT client whose callbacks land on this loop), so the app lives on that loop
too; a scrape or a snapshot renders in microseconds for tens of assets. The
socket is bound here, so the port (0 = any free one) is known at once, and
uvicorn's own signal handling is left out: the module's lifecycle owns SIGTERM.
What a client may hold before its request is in is bounded in `connections.py`;
whose X-Forwarded-For is believed, in `proxies.py` (no one's by default).

With a certificate and key (`ServerTls`) uvicorn serves HTTPS; the files are
checked where the settings are read (entrypoints/web.py). Without them the
operator's Basic credentials cross the network as plain text: on a bind other
than loopback that is logged as a warning at start, not refused, since a
container behind its own TLS proxy binds every interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
from dataclasses import dataclass

import uvicorn
from prometheus_client import CollectorRegistry

from ...domain.errors import ConfigurationError
from ..listen_address import unusable_host
from .app import HealthProbe, OperatorPage, build_app
from .connections import ConnectionLimits, bounded_h11
from .proxies import TrustedProxies

log = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):  # the module's lifecycle handles SIGINT/SIGTERM
        yield


@dataclass(frozen=True, slots=True)
class ServerTls:
    """The server's certificate (PEM, its chain after it) and its unencrypted private key, both checked readable."""

    cert_file: str
    key_file: str


class WebServer:
    """/metrics, /healthz and the operator page on `host:port`, over HTTPS when given `tls`."""

    def __init__(self, registry: CollectorRegistry, health: HealthProbe, page: OperatorPage,
                 host: str = "0.0.0.0", port: int = 9090, limits: ConnectionLimits = ConnectionLimits(),
                 tls: ServerTls | None = None, trusted_proxies: TrustedProxies = TrustedProxies()) -> None:
        self.page = page
        self.scheme = "https" if tls else "http"
        try:
            self._socket = socket.create_server((host, port), backlog=128)
        except OSError as exc:
            if (refusal := unusable_host(host, exc)) is not None:
                raise refusal from None
            if exc.errno != errno.EADDRINUSE:
                raise
            raise ConfigurationError(f"metrics port {host}:{port} is in use: choose another (--metrics-port or "
                                     "EE_METRICS_PORT; 0 = any free port), or stop what holds it") from None
        bound, self.port = self._socket.getsockname()[:2]
        loopback_only = ipaddress.ip_address(bound.split("%")[0]).is_loopback  # Host checked against rebinding
        self._warning = plain_credentials_warning(bound, loopback_only, bool(page.auth.password), tls)
        config = uvicorn.Config(build_app(registry, health, page, loopback_only), log_config=None, access_log=False,
                                lifespan="off", timeout_graceful_shutdown=2, ws="none",
                                # the client's address is the socket's, or what a trusted proxy forwards (proxies.py)
                                proxy_headers=bool(trusted_proxies), forwarded_allow_ips=trusted_proxies.allowed(),
                                http=bounded_h11(limits, trusted_proxies), limit_concurrency=limits.total,
                                h11_max_incomplete_event_size=limits.header_bytes,
                                ssl_certfile=tls and tls.cert_file, ssl_keyfile=tls and tls.key_file)
        self._server = _EmbeddedServer(config)
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._server.serve(sockets=[self._socket]), name="web"),
                       asyncio.create_task(self.page.run_observer(), name="operator-view")]
        while not self._server.started:
            if self._tasks[0].done():
                self._tasks[0].result()  # re-raise why it could not start
            await asyncio.sleep(0.01)
        log.info("serving /metrics, /healthz and the operator page over %s on port %d", self.scheme.upper(),
                 self.port)
        if self._warning:
            log.warning("%s", self._warning)  # the bound address may hold a % (an IPv6 zone)

    async def stop(self) -> None:
        self.page.stopping.set()  # ends the open event streams, so shutdown does not wait for them
        self._server.should_exit = True
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.page.commands is not None:
            await self.page.commands.close()
        self._socket.close()


def plain_credentials_warning(bound: str, loopback_only: bool, has_password: bool, tls: ServerTls | None) -> str | None:
    """The start-up warning when the operator's password would cross a network as plain text, else None."""
    if loopback_only or not has_password or tls is not None:
        return None
    return (f"the operator page is served without TLS on {bound}, not loopback: its password crosses the network "
            "as plain text; set EE_WEB_TLS_CERT_FILE and EE_WEB_TLS_KEY_FILE, or reach it only through a TLS "
            "proxy, or bind loopback (EE_METRICS_HOST=127.0.0.1)")
