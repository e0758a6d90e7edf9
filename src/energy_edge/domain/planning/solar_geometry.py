"""Where the sun is, and how much light a clear sky gives (the PV simulator and the forecaster share it).

Solar position: NOAA's "General Solar Position Calculations" (Spencer's
Fourier series for the equation of time and declination), good to a few
tenths of a degree: plenty for a PV simulator. Clear-sky global horizontal
irradiance: the Haurwitz model, which needs nothing but the zenith angle.
"""

from __future__ import annotations

import calendar
import math
import time

STC_IRRADIANCE_W_M2 = 1000.0  # PV arrays are rated at standard test conditions


def solar_elevation_deg(latitude_deg: float, longitude_deg: float, epoch_s: float) -> float:
    """Sun elevation above the horizon (degrees, negative at night) at a UTC instant."""
    moment = time.gmtime(epoch_s)  # UTC calendar fields without building a datetime: this runs every second
    day_of_year = moment.tm_yday
    hours = (epoch_s % 86_400.0) / 3600.0
    days_in_year = 366 if calendar.isleap(moment.tm_year) else 365
    g = 2 * math.pi / days_in_year * (day_of_year - 1 + (hours - 12) / 24)  # fractional year (rad)
    eqtime_min = 229.18 * (0.000075 + 0.001868 * math.cos(g) - 0.032077 * math.sin(g)
                           - 0.014615 * math.cos(2 * g) - 0.040849 * math.sin(2 * g))
    decl = (0.006918 - 0.399912 * math.cos(g) + 0.070257 * math.sin(g) - 0.006758 * math.cos(2 * g)
            + 0.000907 * math.sin(2 * g) - 0.002697 * math.cos(3 * g) + 0.00148 * math.sin(3 * g))
    true_solar_min = hours * 60 + eqtime_min + 4 * longitude_deg
    hour_angle = math.radians(true_solar_min / 4 - 180)
    lat = math.radians(latitude_deg)
    cos_zenith = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)
    return 90.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos_zenith))))


def clear_sky_ghi_w_m2(elevation_deg: float) -> float:
    """Haurwitz clear-sky global horizontal irradiance (W/m²); 0 with the sun below the horizon."""
    cos_zenith = math.sin(math.radians(elevation_deg))
    if cos_zenith <= 0:
        return 0.0
    return 1098.0 * cos_zenith * math.exp(-0.059 / cos_zenith)

