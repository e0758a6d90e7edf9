"""Where the sun is, and how much light a clear sky gives (the PV simulator and the forecaster share it).

Solar position: NOAA's "General Solar Position Calculations" (Spencer's
Fourier series for the equation of time and declination), good to a few
tenths of a degree: plenty for a PV simulator. Clear-sky global horizontal
irradiance: the Haurwitz model, which needs nothing but the zenith angle. A tilted
array sees the plane-of-array irradiance: the clear sky split into beam and diffuse
(a fixed clear-sky diffuse share), the beam at its angle of incidence, the diffuse
sky and the ground's reflection by the isotropic (Liu-Jordan) view factors.
"""

from __future__ import annotations

import calendar
import math
import time
from dataclasses import dataclass
from typing import Sequence

STC_IRRADIANCE_W_M2 = 1000.0  # PV arrays are rated at standard test conditions


CLEAR_SKY_DIFFUSE_SHARE = 0.15  # of the global horizontal irradiance under a clear sky
GROUND_ALBEDO = 0.2
FLAT_ARRAY = (0.0, 180.0)  # (tilt, azimuth) of a horizontal array: the plane is the horizontal


def solar_elevation_deg(latitude_deg: float, longitude_deg: float, epoch_s: float) -> float:
    """Sun elevation above the horizon (degrees, negative at night) at a UTC instant."""
    return 90.0 - math.degrees(math.acos(_sun(latitude_deg, longitude_deg, epoch_s)[0]))


def solar_position_deg(latitude_deg: float, longitude_deg: float, epoch_s: float) -> tuple[float, float]:
    """(elevation, azimuth) of the sun in degrees at a UTC instant; azimuth clockwise from north."""
    cos_zenith, decl, lat, hour_angle = _sun(latitude_deg, longitude_deg, epoch_s)
    zenith = math.acos(cos_zenith)
    sin_zenith = math.sin(zenith)
    if sin_zenith < 1e-9:  # the sun straight overhead (or under foot): any azimuth will do
        return 90.0 - math.degrees(zenith), 180.0
    cos_azimuth = (math.sin(decl) - math.sin(lat) * cos_zenith) / (math.cos(lat) * sin_zenith) \
        if abs(math.cos(lat)) > 1e-9 else 0.0
    azimuth = math.degrees(math.acos(max(-1.0, min(1.0, cos_azimuth))))
    if hour_angle > 0:  # afternoon: the sun is west of the meridian
        azimuth = 360.0 - azimuth
    return 90.0 - math.degrees(zenith), azimuth


def _sun(latitude_deg: float, longitude_deg: float, epoch_s: float) -> tuple[float, float, float, float]:
    """(cos zenith, declination, latitude, hour angle; radians) at a UTC instant: what the elevation
    needs (the PV simulator's every second), the azimuth's arithmetic left to `solar_position_deg`."""
    day_of_year, days_in_year = _calendar_day(epoch_s)
    hours = (epoch_s % 86_400.0) / 3600.0
    g = 2 * math.pi / days_in_year * (day_of_year - 1 + (hours - 12) / 24)  # fractional year (rad)
    eqtime_min = 229.18 * (0.000075 + 0.001868 * math.cos(g) - 0.032077 * math.sin(g)
                           - 0.014615 * math.cos(2 * g) - 0.040849 * math.sin(2 * g))
    decl = (0.006918 - 0.399912 * math.cos(g) + 0.070257 * math.sin(g) - 0.006758 * math.cos(2 * g)
            + 0.000907 * math.sin(2 * g) - 0.002697 * math.cos(3 * g) + 0.00148 * math.sin(3 * g))
    true_solar_min = hours * 60 + eqtime_min + 4 * longitude_deg
    hour_angle = math.radians(true_solar_min / 4 - 180)
    lat = math.radians(latitude_deg)
    cos_zenith = max(-1.0, min(1.0, math.sin(lat) * math.sin(decl)
                               + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)))
    return cos_zenith, decl, lat, hour_angle


_DAYS: dict[float, tuple[int, int]] = {}  # UTC day number -> (day of the year, days in that year)
_MAX_DAYS = 64


def _calendar_day(epoch_s: float) -> tuple[int, int]:
    """(day of the year, days in the year) of a UTC instant, remembered per day: the sun's position is
    asked every simulated second, and its calendar fields change once a day."""
    day = epoch_s // 86_400.0
    known = _DAYS.get(day)
    if known is None:
        if len(_DAYS) >= _MAX_DAYS:
            _DAYS.clear()
        moment = time.gmtime(epoch_s)  # UTC calendar fields without building a datetime
        known = _DAYS[day] = (moment.tm_yday, 366 if calendar.isleap(moment.tm_year) else 365)
    return known


def clear_sky_ghi_w_m2(elevation_deg: float) -> float:
    """Haurwitz clear-sky global horizontal irradiance (W/m²); 0 with the sun below the horizon."""
    cos_zenith = math.sin(math.radians(elevation_deg))
    if cos_zenith <= 0:
        return 0.0
    return 1098.0 * cos_zenith * math.exp(-0.059 / cos_zenith)



def plane_of_array_w_m2(ghi_w_m2: float, elevation_deg: float, sun_azimuth_deg: float, tilt_deg: float,
                        azimuth_deg: float) -> float:
    """Irradiance on an array tilted `tilt_deg` from horizontal facing `azimuth_deg` (clockwise from north),
    from the global horizontal irradiance; equal to it for a horizontal array."""
    if ghi_w_m2 <= 0 or elevation_deg <= 0:
        return 0.0
    if tilt_deg == 0:
        return ghi_w_m2
    zenith, tilt = math.radians(90.0 - elevation_deg), math.radians(tilt_deg)
    diffuse = CLEAR_SKY_DIFFUSE_SHARE * ghi_w_m2
    beam_normal = (ghi_w_m2 - diffuse) / max(math.cos(zenith), 0.05)  # bounded at grazing sun
    cos_incidence = (math.cos(zenith) * math.cos(tilt)
                     + math.sin(zenith) * math.sin(tilt) * math.cos(math.radians(sun_azimuth_deg - azimuth_deg)))
    return (beam_normal * max(cos_incidence, 0.0) + diffuse * (1 + math.cos(tilt)) / 2
            + GROUND_ALBEDO * ghi_w_m2 * (1 - math.cos(tilt)) / 2)


def clear_sky_array_ratio(latitude_deg: float, longitude_deg: float, epoch_s: float,
                          tilt_deg: float = 0.0, azimuth_deg: float = 180.0) -> float:
    """An array's clear-sky output as a share of its rating at an instant (never above 1)."""
    elevation, sun_azimuth = solar_position_deg(latitude_deg, longitude_deg, epoch_s)
    ghi = clear_sky_ghi_w_m2(elevation)
    return min(1.0, plane_of_array_w_m2(ghi, elevation, sun_azimuth, tilt_deg, azimuth_deg) / STC_IRRADIANCE_W_M2)


@dataclass(frozen=True, slots=True)
class ArrayPlane:
    """One of a site's arrays as the forecast sees it: its plane and its rating (its weight in the site's
    clear sky). A plane of None is the policy's (`pv_tilt_deg`, `pv_azimuth_deg`): a real array whose plane
    the site file does not state."""

    rated_power_w: float
    tilt_deg: float | None = None
    azimuth_deg: float | None = None


def clear_sky_site_ratio(latitude_deg: float, longitude_deg: float, epoch_s: float,
                         planes: Sequence[tuple[float, float, float]]) -> float:
    """The arrays' clear-sky output together as a share of their rating: each plane's (tilt, azimuth,
    share of the rating) weighted by its share. An east and a west roof peak at different hours, so one
    plane for all mis-shapes the day: the west roof's afternoon forecast low, the east's morning high."""
    elevation, sun_azimuth = solar_position_deg(latitude_deg, longitude_deg, epoch_s)
    ghi = clear_sky_ghi_w_m2(elevation)
    return sum(share * min(1.0, plane_of_array_w_m2(ghi, elevation, sun_azimuth, tilt, azimuth) / STC_IRRADIANCE_W_M2)
               for tilt, azimuth, share in planes)
