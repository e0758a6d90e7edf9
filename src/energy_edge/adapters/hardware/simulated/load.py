"""A seeded household base load: daily peaks (morning, noon, evening) plus AR(1) noise."""

from __future__ import annotations

import math

from .series import SeededAR1

# (local hour of the peak, peak height W, width h)
DEFAULT_PEAKS: tuple[tuple[float, float, float], ...] = ((7.5, 600.0, 1.0), (12.5, 300.0, 1.5), (19.0, 1200.0, 2.0))


class LoadProfile:
    """Consumption (W, positive) at a time; the same seed gives the same profile."""

    def __init__(self, *, seed: int = 0, origin: float | None = None, base_w: float = 250.0,
                 peaks: tuple[tuple[float, float, float], ...] = DEFAULT_PEAKS, noise_ratio: float = 0.1,
                 noise_step_s: float = 60.0, utc_offset_s: float = 0.0) -> None:
        self.base_w = base_w
        self.peaks = peaks
        self.utc_offset_s = utc_offset_s
        self.noise = SeededAR1(seed, origin, noise_step_s, 0.9, noise_ratio * math.sqrt(1 - 0.81))

    def mean_w(self, epoch_s: float) -> float:
        hour = ((epoch_s + self.utc_offset_s) % 86400) / 3600
        total = 0  # summed as sum() summed it, in the peaks' order: this runs every simulated second
        for at, height, width in self.peaks:
            apart = abs(hour - at) % 24  # on the 24 h circle, so a 23:00 peak also lifts 00:30
            total += height * math.exp(-0.5 * (min(apart, 24 - apart) / width) ** 2)
        return self.base_w + total

    def power_w(self, epoch_s: float) -> float:
        return max(0.0, self.mean_w(epoch_s) * (1.0 + self.noise.value(epoch_s)))

