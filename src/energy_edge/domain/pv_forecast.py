"""A day-ahead PV forecast, as a `PvForecastSource` brings it (a weather service's, as EMHASS and evcc
take one): the power the site's arrays are expected to give, slot by slot.

The controller's online forecaster (planning/forecast.py) takes it as its prior for the PV and corrects
it by what the arrays measure. Every accepted value has a physical bound (`MAX_PV_FORECAST_W`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .prices import MAX_SLOT_S
from .slot_schedule import SlotSchedule

MAX_PV_FORECAST_W = 100e6  # a site's arrays beyond 100 MW are no site this controller runs


@dataclass(frozen=True, slots=True)
class PvForecastSlot:
    """The arrays' expected mean power from `start_s` to `end_s` (epoch seconds)."""

    start_s: float
    end_s: float
    pv_w: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s) and 0 < self.end_s - self.start_s <= MAX_SLOT_S):
            raise ValueError(f"a slot must last 0..{MAX_SLOT_S:g} s, got {self.start_s}..{self.end_s}")
        if not (math.isfinite(self.pv_w) and 0 <= self.pv_w <= MAX_PV_FORECAST_W):
            raise ValueError(f"power_w {self.pv_w} is outside 0..{MAX_PV_FORECAST_W:g} W")


class PvForecast(SlotSchedule[PvForecastSlot]):
    """The day-ahead PV in force, looked up by time."""
