"""The one cycle scheduler of every loop: asset modules, the controller, the simulated site's devices.

Fixed rate, not sleep-after-work: cycle k starts at `start + k * period`, so a
cycle that takes 30 ms of a 1 s period does not push every later cycle 30 ms
back (with N assets and a controller that drift would accumulate differently
in each process). A cycle that overruns its slot is not followed by a burst of
catch-up cycles: the slots it covered are skipped and counted, and the next
cycle starts on the next slot boundary. A failing cycle is logged and the next
one runs on time. A clock that steps back (an NTP correction on a device's wall
clock) never makes the loop sleep the step off: no wait is longer than one
period, and a next slot more than a period ahead is moved to one period from
now (counted in `clock_steps_total`), so an asset keeps checking its lease and
its limits every cycle.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any, Awaitable, Callable

from .ports import Clock

log = logging.getLogger(__name__)


class CycleScheduler:
    """Runs `cycle()` every `period_s()` clock seconds, measured from each cycle's planned start."""

    def __init__(self, clock: Clock, period_s: Callable[[], float], cycle: Callable[[], Awaitable[Any]],
                 *, name: str, keep_running: Callable[[], bool] = lambda: True) -> None:
        """`keep_running`: the owner's own flag, checked before each cycle and after it."""
        self.clock = clock
        self.period_s = period_s
        self.cycle = cycle
        self.name = name
        self.keep_running = keep_running
        self.cycles_total = 0
        self.skipped_slots_total = 0  # slots an overrunning cycle covered, not run
        self.failures_total = 0
        self.clock_steps_total = 0  # times the clock stepped back and the next slot was moved to a period from now
        self._running = False
        self._sleeper: asyncio.Future[None] | None = None
        self._woken = False

    @property
    def running(self) -> bool:
        return self._running

    async def run(self) -> None:
        """Cycle until `stop()` (the current cycle finishes) or the task is cancelled."""
        self._running = True
        start = self.clock.now()
        while self._live():
            try:
                await self.cycle()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._live():  # stopped mid-cycle (its connection closed under it): not a failure
                    log.debug("%s: cycle cut short by stop: %r", self.name, exc)
                    break
                self.failures_total += 1
                log.exception("%s: cycle failed; the next one runs on time", self.name)
            self.cycles_total += 1
            start = await self._next_slot(start)

    def reschedule(self) -> None:
        """The period changed: the next cycle starts one new period after the last one started (now, if
        that has passed), not after the old period's sleep ends."""
        self._wake_up()

    def stop(self) -> None:
        self._running = False
        self._wake_up()

    def _wake_up(self) -> None:
        if self._sleeper is not None and not self._sleeper.done():
            self._woken = True
            self._sleeper.cancel()

    def _live(self) -> bool:
        return self._running and self.keep_running()

    async def _next_slot(self, start: float) -> float:
        """Sleep until the next slot after the cycle that started at `start`; returns that slot's time."""
        period = self.period_s()
        planned = start + period
        now = self.clock.now()
        if now >= planned:  # overran: skip the covered slots, start on the next boundary
            missed = math.floor((now - planned) / period) + 1
            self.skipped_slots_total += missed
            planned += missed * period
        while self._live():
            now = self.clock.now()
            if now >= planned:
                break
            if planned - now > period:  # the clock stepped back: count the period from now, never the step
                self.clock_steps_total += 1
                log.warning("%s: the clock stepped back (the next cycle lay %.6g s ahead, the period is %g s); "
                            "it runs one period from now", self.name, planned - now, period)
                planned = now + period
            if await self._sleep_or_wake(planned - now):
                period = self.period_s()
                planned = max(start + period, self.clock.now()) if self._live() else planned
        return planned

    async def _sleep_or_wake(self, seconds: float) -> bool:
        """Sleep `seconds` of clock time; True when `reschedule()` or `stop()` cut it short (they cancel the
        one sleeping future: no second waiter per cycle, which at 1,000 assets would cost)."""
        self._woken = False
        self._sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        try:
            await self._sleeper
        except asyncio.CancelledError:
            if not self._woken:
                raise  # our own task was cancelled (which cancelled the sleeper with it)
        finally:
            self._sleeper = None
        return self._woken
