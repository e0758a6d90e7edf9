"""Plausibility over time: a reading may only move as fast as physics lets it.

A register can hold a value inside its physical range and still be garbage:
a state of charge that jumps from 40 % to 100 % in one second, a tank that
cools from 48 °C to -0.1 °C between two polls. `RateLimit` accepts a new
reading only within `step + max_rate_per_s x elapsed` of the last accepted
one; anything further is a HardwareFault (the asset goes to FAULT, which
only an operator's reset leaves), and the rejected value does not become
the reference. After a long gap the allowance grows with the elapsed time.
A jump that then holds steady for `confirm` polls in a row (a sensor
replaced, a BMS recalibrated, or a first reading that was itself the
garbage) becomes the new reference, so the driver cannot lock itself out.

`step` covers the device's resolution and noise (an integer SoC moves in
1 % steps); the rates are documented where each driver builds its limit.
`Counter` does the same for lifetime energy counters, which may also never
decrease.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from energy_edge.domain.errors import HardwareFault

logger = logging.getLogger(__name__)

CONFIRM_POLLS = 3


class RateLimit:
    def __init__(self, what: str, unit: str, *, max_rate_per_s: float, step: float,
                 monotonic: Callable[[], float] = time.monotonic, confirm: int = CONFIRM_POLLS) -> None:
        if max_rate_per_s < 0 or step < 0:
            raise ValueError("max_rate_per_s and step must be >= 0")
        self.what, self.unit = what, unit
        self.max_rate_per_s, self.step = max_rate_per_s, step
        self.monotonic = monotonic
        self.confirm = confirm
        self._last: float | None = None
        self._at = 0.0
        self._candidate: tuple[float, int] | None = None  # a refused level and how many polls in a row read it

    def _accept(self, value: float, now: float) -> float:
        self._last, self._at, self._candidate = value, now, None
        return value

    def _steady(self, value: float) -> bool:
        """Whether a refused `value` has now been read `confirm` times in a row (within `step`)."""
        level, count = self._candidate if self._candidate else (value, 0)
        count = count + 1 if abs(value - level) <= self.step else 1
        self._candidate = (value, count)
        return count >= self.confirm

    def allowance(self, now: float) -> float:
        return self.step + self.max_rate_per_s * max(0.0, now - self._at)

    def check(self, value: float) -> float:
        now = self.monotonic()
        if self._last is None or abs(value - self._last) <= self.allowance(now):
            return self._accept(value, now)
        if self._steady(value):
            logger.warning("%s steady at %.6g %s for %d polls after a jump from %.6g: new reference",
                           self.what, value, self.unit, self.confirm, self._last)
            return self._accept(value, now)
        raise HardwareFault(f"{self.what} moved from {self._last:.6g} to {value:.6g} {self.unit} in "
                            f"{now - self._at:.3g} s; at most {self.allowance(now):.3g} {self.unit} is physical")


class Counter(RateLimit):
    """A lifetime energy counter (Wh): >= 0, never decreasing, rising at most as fast as `max_power_w` allows."""

    def __init__(self, what: str, *, max_power_w: float, step_wh: float = 100.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(what, "Wh", max_rate_per_s=max_power_w / 3600, step=step_wh, monotonic=monotonic)

    def check(self, value: float) -> float:
        if value < 0:
            raise HardwareFault(f"{self.what} {value:.10g} Wh is negative; a lifetime counter is >= 0")
        if self._last is not None and value < self._last - 1.0:  # 1 Wh: float32 rounding of a large counter
            if not self._steady(value):
                raise HardwareFault(f"{self.what} went back from {self._last:.10g} to {value:.10g} Wh; "
                                    "a lifetime counter never decreases")
            return self._accept(value, self.monotonic())
        return super().check(max(value, self._last or 0.0))
