"""A site's typical load by hour of day: the installer's word as the prior, the meters' as the lesson.

Households and businesses repeat their days: the evening meal, the process that starts at
two. The profile keeps one figure per UTC hour (mean W over the hour), starting from the
twin's `load_w_by_hour` when the installer stated one. At the end of each hour the meters
saw for at least `MIN_COVERAGE` of it, that hour's measured mean moves its figure by
`LEARN_RATE` (the first sighting of an hour nobody stated sets it outright), so after one
day a site without a stated profile has one, and a stated one follows a changed habit within
a week or so without one odd day rewriting it. Between the hourly figures the load is a smooth
curve that keeps each hour's mean (`at`), so a peak is as high in the forecast as in the hour.
"""

from __future__ import annotations

from typing import Sequence

HOUR_S = 3600.0
LEARN_RATE = 0.3  # the share of a day's measured hour that moves its figure
MIN_COVERAGE = 0.5  # an hour seen for less than this share teaches nothing (a restart, a gap)


class LoadProfile:
    """24 hourly figures (W, None: not known yet), learned from what is measured."""

    def __init__(self, prior: Sequence[float] | None = None) -> None:
        self.prior = self.prior_of(prior)
        self.values: list[float | None] = list(self.prior) if self.prior else [None] * 24
        self._hour: int | None = None  # the epoch hour being measured
        self._sum_w = 0.0
        self._count = 0
        self._first_s = self._last_s = 0.0

    @staticmethod
    def prior_of(values: Sequence[float] | None) -> tuple[float, ...] | None:
        """A stated profile as 24 figures; None for none at all, or all 0 (the twin's default: unknown)."""
        if values is None or not any(values):
            return None
        if len(values) != 24:
            raise ValueError(f"a load profile has 24 hourly values, got {len(values)}")
        return tuple(max(0.0, float(v)) for v in values)

    def at(self, t: float) -> float | None:
        """The typical load (W) at `t`; None while its UTC hour is unknown.

        Within an hour the load follows a parabola that keeps the hour's mean and meets the
        neighbouring hours halfway at the hour's edges (an hour next to an unknown one is flat
        towards it): an hourly mean hides its peak, and 15-minute slots at the limit need it.
        """
        hour, x = divmod(t / HOUR_S, 1.0)
        index = int(hour) % 24
        mean = self.values[index]
        if mean is None:
            return None
        before, after = self.values[index - 1], self.values[(index + 1) % 24]
        left = mean if before is None else (before + mean) / 2
        right = mean if after is None else (mean + after) / 2
        return max(0.0, left + (right - left) * x + 6.0 * (mean - (left + right) / 2) * x * (1.0 - x))

    def observe(self, now: float, load_w: float) -> None:
        hour = int(now // HOUR_S)
        if hour != self._hour:
            self._learn()
            self._hour, self._sum_w, self._count, self._first_s = hour, 0.0, 0, now
        self._sum_w += load_w
        self._count += 1
        self._last_s = now

    def _learn(self) -> None:
        """Fold the hour just measured into its figure."""
        if self._hour is None or self._count == 0 or self._last_s - self._first_s < MIN_COVERAGE * HOUR_S:
            return
        mean = self._sum_w / self._count
        index = self._hour % 24
        known = self.values[index]
        self.values[index] = mean if known is None else known + LEARN_RATE * (mean - known)
