"""An online forecast of PV and load that needs nothing but the site's own meters.

PV: the clear-sky output of the site's arrays (sun position, Haurwitz
irradiance, their rated power) times a clearness index learned from what the
inverters report they could give; a cloudy morning lowers the forecast for the
afternoon. Load: the site consumption's recent mean, held flat. Both are
exponentially weighted over `time_constant_s`, so one passing cloud or one
kettle does not swing the plan. The clearness's spread is learned too, and each
slot carries a cautious PV figure one standard deviation lower: on a variable
day the planner counts on less. Crude next to a weather service, but honest: it
sees only the past, and the planner leaves a margin for its errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .solar_geometry import clear_sky_array_ratio

MIN_CLEAR_SKY_RATIO = 0.05  # below this share of the rating (dawn, dusk) clearness is not learned


@dataclass(frozen=True, slots=True)
class ForecastSlot:
    """Mean expected power over [start_s, start_s + duration_s)."""

    start_s: float
    duration_s: float
    pv_w: float  # PV the arrays could give (before any curtailment), >= 0
    load_w: float  # consumption the controller does not steer, >= 0
    pv_low_w: float | None = None  # a cautious PV figure (one standard deviation of the sky lower); None: pv_w

    @property
    def surplus_w(self) -> float:
        return self.pv_w - self.load_w

    @property
    def cautious_surplus_w(self) -> float:
        """The surplus if the sky is as much worse than usual as it has lately varied."""
        return (self.pv_w if self.pv_low_w is None else self.pv_low_w) - self.load_w


class OnlineForecaster:
    """Implements the `Forecaster` port from the site's own measurements."""

    def __init__(self, latitude_deg: float, longitude_deg: float, *, clearness_prior: float = 0.7,
                 time_constant_s: float = 3600.0, slot_s: float = 900.0, tilt_deg: float = 0.0,
                 azimuth_deg: float = 180.0) -> None:
        self.latitude_deg = latitude_deg
        self.longitude_deg = longitude_deg
        self.tilt_deg = tilt_deg  # the arrays' plane: a steep array's clear sky is not the horizontal one
        self.azimuth_deg = azimuth_deg
        self.clearness = clearness_prior
        self.clearness_variance = 0.0
        self._learned = False
        self.load_w: float | None = None
        self.pv_rated_w = 0.0
        self.time_constant_s = time_constant_s
        self.slot_s = slot_s
        self._last_seen: float | None = None

    def clear_sky_ratio(self, t: float) -> float:
        """The arrays' clear-sky output as a share of their rating at `t`."""
        return clear_sky_array_ratio(self.latitude_deg, self.longitude_deg, t, self.tilt_deg, self.azimuth_deg)

    def observe(self, now: float, pv_available_w: float, pv_rated_w: float, load_w: float) -> None:
        weight = 1.0 if self._last_seen is None else min(1.0, max(0.0, now - self._last_seen) / self.time_constant_s)
        self._last_seen = now
        self.pv_rated_w = pv_rated_w
        load_w = max(0.0, load_w)
        self.load_w = load_w if self.load_w is None else self.load_w + weight * (load_w - self.load_w)
        clear = self.clear_sky_ratio(now)
        if pv_rated_w > 0 and clear >= MIN_CLEAR_SKY_RATIO:
            seen = min(1.0, max(0.0, pv_available_w / (pv_rated_w * clear)))
            if not self._learned:  # the prior only stands in until the sky is seen: its error is not variability
                self.clearness, self._learned = seen, True
            deviation = seen - self.clearness
            self.clearness += weight * deviation
            self.clearness_variance += weight * (deviation * deviation - self.clearness_variance)

    def forecast(self, now: float, horizon_s: float) -> list[ForecastSlot]:
        """Slots of `slot_s` from `now`; each slot's PV is taken at its middle."""
        slots = []
        start = now
        while start < now + horizon_s:
            duration = min(self.slot_s, now + horizon_s - start)
            clear_w = self.pv_rated_w * self.clear_sky_ratio(start + duration / 2)
            low = max(0.0, self.clearness - math.sqrt(self.clearness_variance))
            slots.append(ForecastSlot(start, duration, clear_w * self.clearness, self.load_w or 0.0, clear_w * low))
            start += duration
        return slots
