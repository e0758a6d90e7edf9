"""An online forecast of PV and load that needs nothing but the site's own meters (and what its
installer knows of its daily rhythm).

PV: the clear-sky output of the site's arrays (sun position, Haurwitz
irradiance, their rated power) times a clearness index learned from what the
inverters report they could give; a cloudy morning lowers the forecast for the
afternoon. The clearness's spread is learned too, and each slot carries a
cautious PV figure one standard deviation lower: on a variable day the planner
counts on less; before the sky is first seen (a night-time start) it may be an
overcast one (`UNSEEN_SKY_SPREAD` below the prior), and from the first sighting on the
figure is as much lower as the prior was off, until the sky has been seen a while.

PV from a day-ahead forecast (`use_day_ahead`, a weather service's through the controller's
`PvForecastSource`): where it covers a slot, it is the prior instead of the clear sky. It is
corrected by how the arrays' measured available power compares with it lately (a ratio within
`PV_RATIO_BOUNDS`, learned like the clearness), a correction that fades back to 1 the further the
slot lies from the last sighting (`PV_RATIO_FADE_S`: this morning's haze says little of tomorrow);
the cautious figure is the ratio's learned spread lower (`DAY_AHEAD_PRIOR_SPREAD` before the arrays
are first seen against it; from then on as far as the forecast was then off, until seen a while), and
never above the clear-sky model's own cautious figure: a day-ahead may raise what the plan expects,
not lower the caution the import limit's reserve rests on. Both are clamped to the arrays' rating. Slots it does not cover (none
given, a stale one, beyond its end) keep the clear-sky model.

Load: a typical profile by hour of day (`LoadProfile`, load_profile.py): the
installer's (the twin's `load_w_by_hour`) as its prior, each hour then learned
from what the meters measure in it, day after day; an hour neither stated nor
seen yet falls back to the recent mean. A slot's load is its hour's profile
scaled by how today's load has compared with the profile lately (a bounded ratio
that fades to 1 the further ahead the slot lies), so the evening peak and a
scheduled block are in the plan before they come. The profile's recent error is
learned as well, and each slot carries a cautious load figure that much higher.

Recent figures are exponentially weighted over `time_constant_s`, so one passing
cloud or one kettle does not swing the plan. Crude next to a weather service,
but honest: it sees only the past, and the planner leaves a margin for its errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..pv_forecast import PvForecast, PvForecastSlot
from ..quick_init import quick_init
from .load_profile import LoadProfile
from .solar_geometry import ArrayPlane, clear_sky_array_ratio, clear_sky_site_ratio

MIN_CLEAR_SKY_RATIO = 0.05  # below this share of the rating (dawn, dusk) clearness is not learned
UNSEEN_SKY_SPREAD = 0.5  # a sky not seen yet: the clearness prior (0.7) may be an overcast one (0.2)
LOAD_RATIO_BOUNDS = (0.5, 2.0)  # today's load against the profile: the correction believes no more than this
LOAD_RATIO_FADE_S = 3 * 3600.0  # the correction fades with distance ahead over this (e-folding)
PV_RATIO_BOUNDS = (0.2, 3.0)  # measured PV against the day-ahead forecast: the correction believes no more
PV_RATIO_FADE_S = 3 * 3600.0  # the PV correction fades with distance from its last sighting (e-folding)
DAY_AHEAD_PRIOR_SPREAD = 0.3  # a day-ahead PV forecast not yet checked against the arrays may be 30 % off


@quick_init
@dataclass(frozen=True, slots=True)
class ForecastSlot:
    """Mean expected power over [start_s, start_s + duration_s)."""

    start_s: float
    duration_s: float
    pv_w: float  # PV the arrays could give (before any curtailment), >= 0
    load_w: float  # consumption the controller does not steer, >= 0
    pv_low_w: float | None = None  # a cautious PV figure (one standard deviation of the sky lower); None: pv_w
    load_high_w: float | None = None  # a cautious load figure (the forecast's recent error higher); None: load_w
    pv_high_w: float | None = None  # a bright PV figure (one standard deviation of the sky higher); None: pv_w

    @property
    def surplus_w(self) -> float:
        return self.pv_w - self.load_w

    @property
    def cautious_surplus_w(self) -> float:
        """The surplus if the sky is as much worse, and the load as much higher, than usual as they have
        lately varied."""
        return (self.pv_w if self.pv_low_w is None else self.pv_low_w) - self.cautious_load_w

    @property
    def cautious_load_w(self) -> float:
        return self.load_w if self.load_high_w is None else self.load_high_w


class OnlineForecaster:
    """Implements the `Forecaster` port from the site's own measurements."""

    def __init__(self, latitude_deg: float, longitude_deg: float, *, clearness_prior: float = 0.7,
                 time_constant_s: float = 3600.0, slot_s: float = 900.0, tilt_deg: float = 0.0,
                 azimuth_deg: float = 180.0, load_w_by_hour: Sequence[float] | None = None,
                 planes: Sequence[ArrayPlane] = ()) -> None:
        """`tilt_deg`, `azimuth_deg`: the arrays' plane; `planes`: a site's several arrays, each its plane
        (None: `tilt_deg`, `azimuth_deg`) weighted by its rating, where the site file states them."""
        self.latitude_deg = latitude_deg
        self.longitude_deg = longitude_deg
        self.tilt_deg = tilt_deg  # the arrays' plane: a steep array's clear sky is not the horizontal one
        self.azimuth_deg = azimuth_deg
        total_w = sum(max(0.0, plane.rated_power_w) for plane in planes)
        self.planes = tuple(  # (tilt, azimuth, share of the rating)
            (tilt_deg if plane.tilt_deg is None else plane.tilt_deg,
             azimuth_deg if plane.azimuth_deg is None else plane.azimuth_deg, max(0.0, plane.rated_power_w) / total_w)
            for plane in planes) if total_w > 0 else ()
        self.clearness = clearness_prior
        self.clearness_variance = 0.0
        self._learned = False
        self.load_w: float | None = None  # the recent mean of the measured load
        self.load_profile = LoadProfile(load_w_by_hour)
        self._load_stated = None if load_w_by_hour is None else tuple(load_w_by_hour)
        self._profile_recent_w: float | None = None  # the profile's expectation over the same recent past
        self.load_error_variance = 0.0  # of the measured load against the corrected profile
        self.pv_rated_w = 0.0
        self.time_constant_s = time_constant_s
        self.slot_s = slot_s
        self._last_seen: float | None = None
        self.day_ahead = PvForecast()  # the day-ahead PV in force (empty: none)
        self.pv_ratio = 1.0  # measured available PV against the day-ahead lately (1: as forecast)
        self.pv_ratio_variance = DAY_AHEAD_PRIOR_SPREAD ** 2
        self._pv_ratio_seen_at: float | None = None

    def use_day_ahead(self, slots: Sequence[PvForecastSlot]) -> None:
        """A day-ahead PV forecast for the arrays (empty: none): the PV prior where it covers a slot.
        What was learned of its error carries over to a new one (it is the same service's)."""
        self.day_ahead = PvForecast(slots)

    def day_ahead_at(self, t: float) -> float | None:
        """The day-ahead PV at `t` (None: not covered), linear between neighbouring slots' middles, so the
        morning's ramp within an hour's slot is not read as the forecast's error."""
        slot = self.day_ahead.at(t)
        if slot is None:
            return None
        middle = (slot.start_s + slot.end_s) / 2
        other = self.day_ahead.at(slot.start_s - 1e-3 if t < middle else slot.end_s)
        if other is None:
            return slot.pv_w
        other_middle = (other.start_s + other.end_s) / 2
        share = (t - middle) / (other_middle - middle)
        return slot.pv_w + share * (other.pv_w - slot.pv_w)

    def use_load_prior(self, load_w_by_hour: Sequence[float] | None) -> None:
        """The installer's typical profile (None or all 0: unknown); a new one replaces what was learned."""
        stated = None if load_w_by_hour is None else tuple(load_w_by_hour)
        if stated != self._load_stated:
            self._load_stated = stated
            if LoadProfile.prior_of(stated) != self.load_profile.prior:
                self.load_profile = LoadProfile(stated)

    def clear_sky_ratio(self, t: float) -> float:
        """The arrays' clear-sky output as a share of their rating at `t`."""
        if self.planes:
            return clear_sky_site_ratio(self.latitude_deg, self.longitude_deg, t, self.planes)
        return clear_sky_array_ratio(self.latitude_deg, self.longitude_deg, t, self.tilt_deg, self.azimuth_deg)

    def observe(self, now: float, pv_available_w: float, pv_rated_w: float, load_w: float) -> None:
        weight = 1.0 if self._last_seen is None else min(1.0, max(0.0, now - self._last_seen) / self.time_constant_s)
        self._last_seen = now
        self.pv_rated_w = pv_rated_w
        self._observe_load(now, weight, max(0.0, load_w))
        self._observe_pv_ratio(now, weight, pv_available_w, pv_rated_w)
        clear = self.clear_sky_ratio(now)
        clear_w = pv_rated_w * clear
        if clear_w > 0 and clear >= MIN_CLEAR_SKY_RATIO:  # the product, not its factors: a rating of 5e-324 W
            seen = min(1.0, max(0.0, pv_available_w / clear_w))  # times a clear sky is 0.0
            if not self._learned:  # the prior only stands in until the sky is seen; how far off it was is the
                # first guess of the spread (one dawn reading is a poor sample), forgotten as the sky is seen
                self.clearness_variance = (seen - self.clearness) ** 2
                self.clearness, self._learned = seen, True
            deviation = seen - self.clearness
            self.clearness += weight * deviation
            self.clearness_variance += weight * (deviation * deviation - self.clearness_variance)

    def _observe_pv_ratio(self, now: float, weight: float, pv_available_w: float, pv_rated_w: float) -> None:
        """Learn how the arrays compare with the day-ahead forecast (only in daylight it covers)."""
        expected_w = self.day_ahead_at(now)
        if expected_w is None or expected_w <= 0 or pv_rated_w <= 0 or expected_w < MIN_CLEAR_SKY_RATIO * pv_rated_w:
            return
        low, high = PV_RATIO_BOUNDS
        if self._pv_ratio_seen_at is not None and now - self._pv_ratio_seen_at > self.time_constant_s:
            self.pv_ratio = self.pv_ratio_at(now)  # a new morning: from what is left of yesterday's correction
        deviation = min(high, max(low, max(0.0, pv_available_w) / expected_w)) - self.pv_ratio
        if self._pv_ratio_seen_at is None:  # the stated spread only stands in until the arrays are first seen
            # against the forecast: how far off it then is becomes the first guess (as the clearness's)
            self.pv_ratio_variance = deviation * deviation
        self.pv_ratio += weight * deviation
        self.pv_ratio_variance += weight * (deviation * deviation - self.pv_ratio_variance)
        self._pv_ratio_seen_at = now

    def pv_ratio_at(self, t: float) -> float:
        """The day-ahead's correction for `t`: the learned ratio, faded to 1 with distance from its sighting."""
        if self._pv_ratio_seen_at is None:
            return 1.0
        fade = math.exp(-max(0.0, t - self._pv_ratio_seen_at) / PV_RATIO_FADE_S)
        return 1.0 + (self.pv_ratio - 1.0) * fade

    def _observe_load(self, now: float, weight: float, load_w: float) -> None:
        expected = self.load_profile.at(now)
        if expected is not None and self.load_w is not None:  # the error of what the forecast said for now
            error = load_w - expected * self.load_ratio()
            self.load_error_variance += weight * (error * error - self.load_error_variance)
        self.load_profile.observe(now, load_w)
        expected = load_w if expected is None else expected  # an hour not known yet: no correction from it
        self.load_w = load_w if self.load_w is None else self.load_w + weight * (load_w - self.load_w)
        recent = self._profile_recent_w
        self._profile_recent_w = expected if recent is None else recent + weight * (expected - recent)

    def load_ratio(self) -> float:
        """How today's load compares with the profile lately, within `LOAD_RATIO_BOUNDS` (1: no news)."""
        if self.load_w is None or not self._profile_recent_w:
            return 1.0
        low, high = LOAD_RATIO_BOUNDS
        return min(high, max(low, self.load_w / self._profile_recent_w))

    def load_at(self, now: float, t: float) -> float:
        """The load expected at `t` seen from `now`: the profile's hour, corrected by today's ratio."""
        typical = self.load_profile.at(t)
        if typical is None:
            return self.load_w or 0.0
        fade = math.exp(-max(0.0, t - now) / LOAD_RATIO_FADE_S)
        return typical * (1.0 + (self.load_ratio() - 1.0) * fade)

    def _pv_at(self, t: float, low_clearness: float, high_clearness: float) -> tuple[float, float, float]:
        """The PV at `t`, its cautious and its bright figure: the corrected day-ahead where it covers `t`, else
        the clear sky times the clearness (and its cautious `low_clearness`, its bright `high_clearness`)."""
        day_ahead_w = self.day_ahead_at(t)
        clear_w = self.pv_rated_w * self.clear_sky_ratio(t)
        if day_ahead_w is None:
            return clear_w * self.clearness, clear_w * low_clearness, clear_w * high_clearness
        ratio = self.pv_ratio_at(t)
        spread = math.sqrt(self.pv_ratio_variance)
        pv_w = min(self.pv_rated_w, day_ahead_w * ratio)
        # The day-ahead may raise what the plan expects, never lower the caution the import limit's reserve and
        # the boilers' sure sun rest on: a forecast of hourly means knows nothing of the next minute's cloud.
        return (pv_w, min(pv_w, day_ahead_w * max(0.0, ratio - spread), clear_w * low_clearness),
                min(self.pv_rated_w, day_ahead_w * (ratio + spread)))

    def forecast(self, now: float, horizon_s: float) -> list[ForecastSlot]:
        """Slots of `slot_s` from `now`; each slot's PV and load are taken at its middle."""
        slots = []
        start = now
        spread = math.sqrt(self.clearness_variance) if self._learned else UNSEEN_SKY_SPREAD
        low, high = max(0.0, self.clearness - spread), min(1.0, self.clearness + spread)
        load_margin_w = math.sqrt(self.load_error_variance)
        while start < now + horizon_s:
            duration = min(self.slot_s, now + horizon_s - start)
            middle = start + duration / 2
            pv_w, pv_low_w, pv_high_w = self._pv_at(middle, low, high)
            load_w = self.load_at(now, middle)
            slots.append(ForecastSlot(start, duration, pv_w, load_w, pv_low_w, load_w + load_margin_w,
                                      max(pv_w, pv_high_w)))  # never below the expected figure
            start += duration
        return slots
