"""A bounded outbox for telemetry while edgeHub is unreachable.

The SDK raises ConnectionFailedError (and friends) for every send while
edgeHub is down. A module must keep cycling, so sends go into this deque and
one sender task retries them in order; when the outage outlasts the buffer the
oldest message is dropped (fresh telemetry is worth more than stale) and
counted, so an operator sees the loss instead of guessing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Awaitable, Callable, Generic, TypeVar

from prometheus_client import Counter

from .background import BackgroundTask

log = logging.getLogger(__name__)

DROPPED = Counter(
    "energy_edge_edgehub_outbox_dropped_total",
    "Outgoing messages dropped because the edgeHub outbox was full during an outage",
    ["module"],
)

T = TypeVar("T")


class Outbox(Generic[T]):
    """Send items in order through `send`; retry retryable failures every `retry_interval_s`."""

    def __init__(
        self,
        send: Callable[[T], Awaitable[None]],
        *,
        limit: int,
        retry_interval_s: float,
        retryable: tuple[type[BaseException], ...],
        module_id: str = "",
    ) -> None:
        if limit < 1:
            raise ValueError("outbox limit must be at least 1")
        self._send = send
        self._limit = limit
        self._retry_interval_s = retry_interval_s
        self._retryable = retryable
        self._module_id = module_id
        self._items: deque[T] = deque()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._sender = BackgroundTask(self._run, f"outbox-{module_id}")
        self.start = self._sender.start
        self.stop = self._sender.stop
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        """Queue `item`; when full, drop the oldest one and count it."""
        if len(self._items) >= self._limit:
            self._drop_oldest()
        self._items.append(item)
        self._idle.clear()
        self._wakeup.set()

    async def drain(self, timeout_s: float) -> bool:
        """Wait until everything queued has been sent; False when the time ran out first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
            return True
        except asyncio.TimeoutError:
            return False

    def _drop_oldest(self) -> None:
        self._items.popleft()
        self._count_drop()

    def _count_drop(self) -> None:
        if self.dropped == 0:
            log.warning("edgeHub outbox of %s full: dropping the oldest messages", self._module_id)
        self.dropped += 1
        DROPPED.labels(module=self._module_id).inc()

    async def _run(self) -> None:
        while True:
            if not self._items:
                self._idle.set()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            # Take the item out before sending: puts during the send may drop the oldest,
            # and that must never be the item in flight.
            item = self._items.popleft()
            try:
                await self._send(item)
            except self._retryable as exc:
                log.info("edgeHub unreachable (%s); %d message(s) waiting", type(exc).__name__, len(self._items) + 1)
                self._requeue(item)
                await asyncio.sleep(self._retry_interval_s)
            except Exception:  # a message the hub refuses for good: log it, never block the rest
                log.exception("edgeHub refused a message; dropped")

    def _requeue(self, item: T) -> None:
        if len(self._items) >= self._limit:  # the failed item is the oldest: it is the one to go
            self._count_drop()
            return
        self._items.appendleft(item)
