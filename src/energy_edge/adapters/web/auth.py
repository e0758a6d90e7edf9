"""HTTP Basic authentication with the operator's credentials, and a same-origin check for commands.

The page, its data and its commands are the operator's: user `operator` and
the operator's broker password (the one `energy-edge call` uses). /metrics and
/healthz stay open for Prometheus and the container runtime. Browsers resend
Basic credentials to any page of the origin, so a command must also come as
JSON from this origin: a form on another site can send neither.

Guessing is held to `MAX_FAILED_LOGINS` wrong logins per `FAILED_LOGIN_WINDOW_S`
from one address (an IPv6 client by its /64, which one machine holds whole;
behind a trusted proxy, the client it forwards):
past that, the address gets 429 with the seconds to wait, whatever it sends,
the right password included, so a guess tells nothing until then. A login
clears its address's count; a request without credentials (the browser asking
first) counts nothing; other addresses are not affected. The credentials are
compared as SHA-256 digests in one constant-time comparison, so the time taken
tells neither the password's length nor whether the user name was right.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import logging
import math
import secrets
import time
from collections import deque
from typing import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

log = logging.getLogger(__name__)

REALM = "energy-edge operator"
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW_S = 60.0
MAX_TRACKED_ADDRESSES = 4096  # the oldest-touched address is forgotten past this


class OperatorAuth:
    def __init__(self, username: str, password: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.username = username
        self.password = password
        self.clock = clock
        self._expected = _digest(username, password or "")
        self._failures: dict[str, deque[float]] = {}  # by address, oldest-touched first

    def refusal(self, request: Request) -> Response | None:
        """None when the request carries the operator's credentials, else the answer to send."""
        if not self.password:
            return PlainTextResponse("the operator page is off: no operator password is configured "
                                     "(EE_MQTT_PASSWORD_OPERATOR)\n", status_code=503)
        address = _address(request)
        now = self.clock()
        failures = self._recent(address, now)
        if len(failures) >= MAX_FAILED_LOGINS:
            wait_s = max(1, math.ceil(failures[0] + FAILED_LOGIN_WINDOW_S - now))
            return PlainTextResponse(f"too many failed logins from {address}: try again in {wait_s} s\n",
                                     status_code=429, headers={"Retry-After": str(wait_s)})
        header = request.headers.get("authorization")
        if header is not None and self.matches(header):
            self._failures.pop(address, None)
            return None
        if header is not None:
            self._failed(address, failures, now)
        return PlainTextResponse("log in as the operator\n", status_code=401,
                                 headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})

    def matches(self, header: str) -> bool:
        """True for Basic credentials that are the operator's: one comparison of equal-length digests."""
        user, password = _basic(header)
        given = _digest(user or "", password or "")
        return secrets.compare_digest(given, self._expected) and user is not None and bool(self.password)

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.get(address, deque())
        while failures and failures[0] <= now - FAILED_LOGIN_WINDOW_S:
            failures.popleft()
        if not failures:
            self._failures.pop(address, None)
        return failures

    def _failed(self, address: str, failures: deque[float], now: float) -> None:
        failures.append(now)
        self._failures.pop(address, None)
        self._failures[address] = failures  # now the last touched
        while len(self._failures) > MAX_TRACKED_ADDRESSES:
            del self._failures[next(iter(self._failures))]
        if len(failures) == MAX_FAILED_LOGINS:
            log.warning("operator page: %d failed logins from %s within %g s: refusing it for %g s",
                        MAX_FAILED_LOGINS, address, FAILED_LOGIN_WINDOW_S, FAILED_LOGIN_WINDOW_S)


def cross_site(request: Request) -> Response | None:
    """None for a JSON request from this origin, else a 403 naming what is wrong."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "content-type", "reason": "commands are sent as application/json"}, 415)
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is not None and origin != own:
        return JSONResponse({"error": "origin", "reason": f"origin {origin[:80]!r} is not this page's ({own})"}, 403)
    return None


def _address(request: Request) -> str:
    """The client's address: the connection's, or the one a trusted proxy forwards (`proxies.py`; any other
    peer's header is ignored), an IPv6 one by its /64."""
    return client_key(request.client.host if request.client else "")


def client_key(host: str) -> str:
    """One client's key: an IPv4 address, an IPv6 one's /64 (which one machine holds whole)."""
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return host[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _digest(user: str, password: str) -> bytes:
    return hashlib.sha256(f"{user}:{password}".encode("utf-8", "surrogatepass")).digest()


def _basic(header: str) -> tuple[str | None, str | None]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)
