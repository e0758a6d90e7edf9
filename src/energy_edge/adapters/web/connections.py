"""What a client may hold of the web server before its request is in: time and connections.

uvicorn's h11 protocol (httptools is not installed, so `auto` is h11) arms its
keep-alive timeout only after an answer, and any byte received cancels it: a
connection whose request never finishes (headers trickled a byte every few
seconds, a slowloris; a body announced and never sent) is held for ever, one
file descriptor each, and opening one needs no password. uvicorn has no
timeout for a request being received and no limit per client, so
`bounded_h11` adds both to uvicorn's own `H11Protocol`, nothing else changed:

- a request must be in whole, its headers and its body, within
  `request_timeout_s` of the connection opening or of the previous answer;
  else the connection is closed (an answer being sent, e.g. the event stream,
  is not timed: its request is in);
- one client address (an IPv6 client: its /64, as for failed logins) holds at
  most `per_address` connections at once; one more is closed as it opens. A
  trusted proxy (`proxies.py`) carries every client's connections, so it is
  exempt: its clients are told apart only by a header, which comes later.

Headers longer than `header_bytes` get 400 (h11's own limit, uvicorn's
`h11_max_incomplete_event_size`); the listening socket's backlog is 128.

The total is uvicorn's `limit_concurrency` (`total`): past it a request that
arrives whole gets 503 at once, whoever sends it. A connection is counted
from its opening, so clients from `total / per_address` addresses holding
their connections idle get everyone 503, /metrics and /healthz included, for as
long as they reopen them; each is held at most `request_timeout_s`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .auth import client_key
from .proxies import TrustedProxies

log = logging.getLogger(__name__)

_RECEIVING = (h11.IDLE, h11.SEND_BODY)  # the client's side before its request is in whole
_WARN_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    request_timeout_s: float = 10.0  # a request on a LAN takes milliseconds; 64 KiB at 100 kbit/s takes 5 s
    per_address: int = 16  # a browser opens at most 6 to one server, Prometheus 1
    total: int = 128  # uvicorn's limit_concurrency: 503 past it
    header_bytes: int = 16 * 1024  # h11's max_incomplete_event_size (uvicorn's default): 400 past it


def bounded_h11(limits: ConnectionLimits, exempt: TrustedProxies = TrustedProxies()) -> type[H11Protocol]:
    """uvicorn's h11 protocol, with a deadline on each request's arrival and a cap per client address but `exempt`."""
    return type("BoundedH11Protocol", (_BoundedH11Protocol,), {"limits": limits, "exempt": exempt})


class _BoundedH11Protocol(H11Protocol):
    limits = ConnectionLimits()
    exempt = TrustedProxies()
    _warned_at = -_WARN_EVERY_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self.client_key = client_key(self.client[0]) if self.client else ""
        if self._over_cap():
            self._warn(f"%s holds {self.limits.per_address} connections to the web server: closing more as they open",
                       self.client_key)
            self.transport.close()
            return
        self._watch()

    def _over_cap(self) -> bool:
        if self.client and self.client[0] in self.exempt:
            return False
        held = sum(1 for other in self.connections if getattr(other, "client_key", None) == self.client_key)
        return held > self.limits.per_address

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """The deadline runs while the client's request is not in whole; it is not restarted by a byte."""
        if self.transport.is_closing() or self.conn.their_state not in _RECEIVING:
            self._stop_deadline()
        elif self._deadline is None:
            self._deadline = self.loop.call_later(self.limits.request_timeout_s, self._timed_out)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.debug("closing a connection from %s: no whole request within %g s", self.client_key,
                      self.limits.request_timeout_s)
            self.transport.close()

    @classmethod
    def _warn(cls, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - cls._warned_at >= _WARN_EVERY_S:  # once a minute at most: a flood must not flood the log
            cls._warned_at = now
            log.warning(message, *args)
