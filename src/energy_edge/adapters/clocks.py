"""Clocks (the `Clock` port): real time, accelerated time, and hand-stepped time.

Services and simulators only ever ask a `Clock`, so the same code runs a real
site, a day compressed into minutes, or a deterministic test that advances
time by hand.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time


class RealClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class AcceleratedClock:
    """Simulated time running `speed` times faster than real time, from `start_epoch`.

    `anchor_wall_s`: the wall-clock time at which simulated time was `start_epoch`. Processes
    given the same anchor share one timeline, whenever each starts or restarts (receivers
    refuse reports stamped ahead of their own clock, so the modules' clocks must agree).
    """

    def __init__(self, speed: float, start_epoch: float | None = None, anchor_wall_s: float | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.speed = speed
        self.start_epoch = time.time() if start_epoch is None else start_epoch
        since_anchor = 0.0 if anchor_wall_s is None else max(0.0, time.time() - anchor_wall_s)
        self._origin = time.monotonic() - since_anchor

    def now(self) -> float:
        return self.start_epoch + (time.monotonic() - self._origin) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class ManualClock:
    """Time that moves only when `advance()` is called; sleepers wake once it has passed their wake time."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # ties wake in the order they went to sleep

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), future))
        await future

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"time does not go back ({seconds} s)")
        self._now += seconds
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():  # a cancelled sleeper is simply forgotten
                future.set_result(None)

    @property
    def sleepers(self) -> int:
        return sum(1 for _, _, future in self._sleepers if not future.done())
