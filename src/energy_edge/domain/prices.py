"""Energy prices over time, as a `PriceSource` brings them (day-ahead, dynamic tariffs).

The controller asks what the next kWh costs now: a negative feed-in price means
exporting costs money, so the balancer is told to export nothing (curtail or
store instead). Every accepted price has a physical bound (`MAX_PRICE_PER_KWH`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .slot_schedule import SlotSchedule

MAX_PRICE_PER_KWH = 10.0  # |price| beyond this is no tariff (currency units per kWh)
MAX_SLOT_S = 86_400.0


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """Prices in force from `start_s` to `end_s` (epoch seconds); feed-in None: not given."""

    start_s: float
    end_s: float
    import_price_per_kwh: float
    feed_in_price_per_kwh: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s) and 0 < self.end_s - self.start_s <= MAX_SLOT_S):
            raise ValueError(f"a slot must last 0..{MAX_SLOT_S:g} s, got {self.start_s}..{self.end_s}")
        for name in ("import_price_per_kwh", "feed_in_price_per_kwh"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and abs(value) <= MAX_PRICE_PER_KWH):
                raise ValueError(f"{name} {value} is outside -{MAX_PRICE_PER_KWH:g}..{MAX_PRICE_PER_KWH:g}")


class PriceSchedule(SlotSchedule[PriceSlot]):
    """The prices in force, looked up by time."""


def exporting_costs_money(schedule: PriceSchedule, now: float) -> bool:
    slot = schedule.at(now)
    return slot is not None and slot.feed_in_price_per_kwh is not None and slot.feed_in_price_per_kwh < 0
