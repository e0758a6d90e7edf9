"""The telemetry module's web app (Starlette): /metrics, /healthz, and the operator's live page.

/metrics (prometheus-client's ASGI app), /healthz (the site: 503 until every
module reports) and /livez (this process serves) are open, for Prometheus and
the container runtime. Everything else is the operator's (HTTP Basic,
`auth.py`): the page (static files shipped in the package, no build step, no
CDN), its data (`/api/snapshot`, `/api/history`), a Server-Sent Events stream
that pushes a snapshot every second, and the commands (`/api/method`,
`/api/limit`), which go through the same operator path as the CLI
(`commands.py`). A refused command comes back with the module's own answer
and is logged among the page's events. A body is read only after the login,
and no further than 64 KiB: past it, 413 (Starlette's `max_body_size`).

Every answer forbids framing (a page on another origin cannot overlay the
operator's logged-in page to trick a click on Stop and Send), allows only this
server's own script and style (no inline script: a value from telemetry can
never run), forbids content sniffing and referrers; the operator's answers are
never cached (`Cache-Control: no-store`). Over HTTPS every answer also carries
`Strict-Transport-Security` (a year), so a browser that has once reached the page
over TLS never sends the password to it as plain HTTP; over plain HTTP the
header would be ignored (RFC 6797), so it is not sent.

Bound to loopback, the server answers only requests naming a loopback host
(`localhost`, 127.0.0.0/8, ::1): a web page whose name an attacker re-points
at 127.0.0.1 (DNS rebinding) is same-origin with itself, so without this it
could read /metrics or guess the operator's password, and lock the operator
out, from the operator's own browser; its requests name its own host, and get
400. On any other bind the names the site is reached by are not known here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from importlib import resources
from typing import Any, AsyncIterator, Callable

from prometheus_client import CollectorRegistry, make_asgi_app
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ...domain import bounded_json
from ...domain.bounds import MAX_JSON_BYTES
from ...domain.messages import MethodResponse
from ...domain.services.operator_view import OperatorView
from ...domain.shown import cut
from .auth import OperatorAuth, cross_site
from .commands import SiteCommands
from .command_requests import LIMIT_MODULE, BadCommand, parse_limit, parse_method

log = logging.getLogger(__name__)

HealthProbe = Callable[[], tuple[bool, dict[str, Any]]]
PUSH_INTERVAL_S = 1.0  # the page updates at least this often (the issue asks for 2 s at most)
COMMAND_TIMEOUT_S = 5.0
SECURITY_HEADERS = (
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                 b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")  # a year: only ever sent over HTTPS


class OperatorPage:
    """The page's state: the view, the commands, the credentials and the SSE streams' stop signal."""

    def __init__(self, view: OperatorView | None, commands: SiteCommands | None, auth: OperatorAuth,
                 push_interval_s: float = PUSH_INTERVAL_S) -> None:
        self.view = view
        self.commands = commands
        self.auth = auth
        self.push_interval_s = push_interval_s
        self.stopping = asyncio.Event()

    async def run_observer(self) -> None:
        """Events and the hour of history are noted once per push, whether or not a page is open."""
        while self.view is not None and not self.stopping.is_set():
            try:
                self.view.observe()
            except Exception:  # the page must outlive a bad report
                log.exception("operator view observation failed")
            try:
                await asyncio.wait_for(self.stopping.wait(), self.push_interval_s)
            except asyncio.TimeoutError:
                pass


def build_app(registry: CollectorRegistry, health: HealthProbe, page: OperatorPage,
              loopback_only: bool = False) -> "_SecurityHeaders":
    index_html = resources.files(__package__).joinpath("static/index.html").read_text(encoding="utf-8")

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            refusal = page.auth.refusal(request)
            if refusal is not None:
                return refusal
            if page.view is None:
                return JSONResponse({"error": "view", "reason": "this module keeps no site view"}, 404)
            response = await handler(request)
            response.headers["Cache-Control"] = "no-store"  # the operator's data, never kept by a cache
            return response
        return endpoint

    async def healthz(request: Request) -> Response:
        healthy, body = health()
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def livez(request: Request) -> Response:  # liveness for depends_on; the site's health is /healthz
        return JSONResponse({"status": "alive"})

    async def index(request: Request) -> Response:
        return HTMLResponse(index_html, headers={"Cache-Control": "no-store"})

    async def snapshot(request: Request) -> Response:
        return JSONResponse(page.view.snapshot())

    async def history(request: Request) -> Response:
        return JSONResponse(page.view.history_points())

    async def stream(request: Request) -> Response:
        async def snapshots() -> AsyncIterator[dict[str, str]]:
            while not page.stopping.is_set():
                yield {"event": "snapshot", "data": json.dumps(page.view.snapshot())}
                try:
                    await asyncio.wait_for(page.stopping.wait(), page.push_interval_s)
                except asyncio.TimeoutError:
                    pass
        return EventSourceResponse(snapshots(), ping=15, headers={"Cache-Control": "no-store"})

    async def method(request: Request) -> Response:
        return await _command(request, lambda body: _invoke(page, parse_method(body, page.view.known_modules())))

    async def limit(request: Request) -> Response:
        return await _command(request, lambda body: _set_limit(page, parse_limit(body)))

    async def _command(request: Request, run) -> Response:
        refusal = cross_site(request)
        if refusal is not None:
            return refusal
        if page.commands is None:
            return JSONResponse({"error": "commands", "reason": "this site takes no commands from the page"}, 503)
        try:
            body = bounded_json.loads(await request.body())  # as at every port: a key twice, NaN, 64 KiB refused
        except bounded_json.JsonLimitExceeded as exc:
            return JSONResponse({"error": "body", "reason": f"body: {exc.reason}"}, 400)
        except ValueError as exc:
            return JSONResponse({"error": "body", "reason": f"body is not JSON: {cut(str(exc))}"}, 400)
        try:
            module, action, response = await run(body)
        except BadCommand as exc:
            return JSONResponse({"status": 400, "payload": {"error": "request", "reason": str(exc)}}, 400)
        if not response.ok:
            page.view.record("refusal", module, f"{action} answered {response.status}: {_reason(response)}")
        log.info("operator page: %s.%s answered %d", module, action, response.status)
        return JSONResponse({"status": response.status, "payload": response.payload})

    app = Starlette(routes=[
        Route("/healthz", healthz),
        Route("/livez", livez),
        Route("/metrics", _AsgiEndpoint(make_asgi_app(registry))),
        Route("/", guarded(index)),
        Route("/api/snapshot", guarded(snapshot)),
        Route("/api/history", guarded(history)),
        Route("/api/stream", guarded(stream)),
        Route("/api/method", guarded(method), methods=["POST"]),
        Route("/api/limit", guarded(limit), methods=["POST"]),
        Mount("/static", StaticFiles(packages=[(__package__, "static")]), name="static"),
    ], max_body_size=MAX_JSON_BYTES)  # read no further: 413 at the limit (at once for a Content-Length past it)
    return _SecurityHeaders(_LoopbackHost(app) if loopback_only else app)


class _LoopbackHost:
    """Refuses (400, one sentence) an HTTP request whose Host header names anything but a loopback host."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            host = dict(scope.get("headers", [])).get(b"host")
            name = _host_name(host.decode("latin-1")) if host is not None else "localhost"
            if not _is_loopback_name(name):
                port = (scope.get("server") or ("", 0))[1]
                scheme = scope.get("scheme", "http")
                await PlainTextResponse(f"host {cut(name, 64)!r} is not this server's: it listens on loopback only; "
                                        f"open {scheme}://127.0.0.1:{port}/ or {scheme}://localhost:{port}/\n",
                                        status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _host_name(host: str) -> str:
    """The name in a Host header, without its port: `[::1]:9090` is `::1`, `Localhost.:9090` is `localhost`."""
    host = host.strip()
    if host.startswith("["):
        return host[1:].partition("]")[0].lower()
    return host.rpartition(":")[0].lower().rstrip(".") if ":" in host else host.lower().rstrip(".")


def _is_loopback_name(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every HTTP answer: the page, its data, the static files, /metrics, a 401 or 404;
    `HSTS` too when the request came over HTTPS."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        added = (*SECURITY_HEADERS, HSTS) if scope.get("scheme") == "https" else SECURITY_HEADERS

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in added if h[0] not in names)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _AsgiEndpoint:
    """An ASGI app as a route's endpoint at an exact path (a Mount would redirect /metrics to /metrics/)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


async def _invoke(page: OperatorPage, command) -> tuple[str, str, MethodResponse]:
    response = await page.commands.invoke(command.module, command.method, command.payload, COMMAND_TIMEOUT_S)
    return command.module, command.method, response


async def _set_limit(page: OperatorPage, command) -> tuple[str, str, MethodResponse]:
    response = await page.commands.set_desired(LIMIT_MODULE, {command.name: command.value}, COMMAND_TIMEOUT_S)
    return LIMIT_MODULE, f"{command.name}={command.value:g}", response


def _reason(response: MethodResponse) -> str:
    payload = response.payload
    if isinstance(payload, dict):
        if isinstance(payload.get("reason"), str):
            return payload["reason"]
        for ack in payload.values():  # twin acknowledgements: the first refusal's description
            if isinstance(ack, dict) and ack.get("ac") != 200 and ack.get("ad"):
                return str(ack["ad"])
    return json.dumps(payload)[:200]
