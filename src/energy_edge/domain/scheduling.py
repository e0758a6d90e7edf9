"""The one cycle scheduler of every loop: asset modules, the controller, the simulated site's devices.

Fixed rate, not sleep-after-work: cycle k starts at `start + k * period`, so a
cycle that takes 30 ms of a 1 s period does not push every later cycle 30 ms
back (with N assets and a controller that drift would accumulate differently
in each process). A cycle that overruns its slot is not followed by a burst of
catch-up cycles: the slots it covered are skipped and counted, and the next
cycle starts on the next slot boundary. A failing cycle is logged and the next
one runs on time.
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
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    async def run(self) -> None:
        """Cycle until `stop()` (the current cycle finishes) or the task is cancelled."""
        self._running = True
        planned = self.clock.now()
        while self._running and self.keep_running():
            try:
                await self.cycle()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.failures_total += 1
                log.exception("%s: cycle failed; the next one runs on time", self.name)
            self.cycles_total += 1
            if not (self._running and self.keep_running()):
                break
            period = self.period_s()
            planned += period
            now = self.clock.now()
            if now >= planned:  # overran: skip the covered slots, start on the next boundary
                missed = math.floor((now - planned) / period) + 1
                self.skipped_slots_total += missed
                planned += missed * period
            await self.clock.sleep(planned - now)

    def stop(self) -> None:
        self._running = False
