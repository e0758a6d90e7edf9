"""The telemetry module's HTTP endpoint: GET /metrics, GET /healthz and GET /livez.

prometheus_client's WSGI app serves /metrics; /healthz answers 200 when every
expected module reported within the staleness window, else 503 with a JSON
body naming the stale modules: the site's health. /livez answers 200 whenever
this process serves: the container's liveness, which must not wait for the
assets (they start after this module). It runs on a daemon thread so the module's
event loop never blocks on a scrape.
"""

from __future__ import annotations

import errno
import json
import logging
import threading
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

from ..domain.errors import ConfigurationError

log = logging.getLogger(__name__)

HealthProbe = Callable[[], tuple[bool, dict[str, Any]]]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
        log.debug("http %s", format % args)


def make_app(registry: CollectorRegistry, health: HealthProbe) -> Callable[..., Iterable[bytes]]:
    metrics_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            healthy, body = health()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
        if path == "/livez":  # liveness: this process serves; the site's health is /healthz
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "alive"}']
        if path == "/metrics":
            return metrics_app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics, /healthz or /livez\n"]

    return app


class MetricsHttpServer:
    def __init__(self, registry: CollectorRegistry, health: HealthProbe, host: str = "0.0.0.0", port: int = 9090) -> None:
        try:
            self._server = make_server(host, port, make_app(registry, health), _ThreadingWSGIServer, _QuietHandler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise ConfigurationError(f"metrics port {host}:{port} is in use: choose another (--metrics-port or "
                                     "EE_METRICS_PORT; 0 = any free port), or stop what holds it") from None
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-http", daemon=True)

    def start(self) -> None:
        self._thread.start()
        log.info("serving /metrics and /healthz on port %d", self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
