"""A seeded AR(1) process on a fixed time grid (clouds, load noise).

Values depend only on the seed and the grid step a time falls in, never on
how often anyone asks, so two runs with the same seed see the same weather.
"""

from __future__ import annotations

import math
import random


class SeededAR1:
    """x[k] = phi * x[k-1] + sigma * N(0, 1), k = floor((t - origin) / step_s); stationary from x[0].

    `origin` None anchors the grid at the first time asked (pass the clock's
    start so a run far from the epoch does not walk millions of steps).
    """

    def __init__(self, seed: int, origin: float | None, step_s: float, phi: float, sigma: float) -> None:
        if not 0 <= phi < 1:
            raise ValueError(f"phi must be in [0, 1), got {phi}")
        if step_s <= 0:
            raise ValueError(f"step_s must be > 0, got {step_s}")
        self._random = random.Random(seed)
        self.origin = origin
        self.step_s = step_s
        self.phi = phi
        self.sigma = sigma
        self._k = 0
        self._x = self._random.gauss(0.0, sigma / math.sqrt(1 - phi * phi))  # start in the stationary law

    def value(self, t: float) -> float:
        """The process at time `t`; times before the latest one asked return that latest value."""
        if self.origin is None:
            self.origin = t
        k = int((t - self.origin) // self.step_s)
        while self._k < k:
            self._x = self.phi * self._x + self._random.gauss(0.0, self.sigma)
            self._k += 1
        return self._x
