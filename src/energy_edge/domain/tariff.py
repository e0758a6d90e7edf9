"""The site's tariff as its operator states it in the controller's twin (desired property `tariff`).

A tariff the operator knows (a flat price, time-of-use hours, a day's hourly prices
that repeat, negative feed-in hours, a demand charge) reaches the controller without
any outside service; day-ahead prices from a `PriceSource` still win for the hours
they cover. Hours are UTC hours of the day, as `peak_start_h` is. The twin carries
no arrays, so hourly prices are an object keyed by the hour ("0".."23").

    "tariff": {"import_price_per_kwh": 0.30, "feed_in_price_per_kwh": 0.08,
               "import_price_by_hour": {"17": 0.45, "18": 0.45},
               "feed_in_price_by_hour": {"12": -0.02}, "demand_charge_per_kw": 9.5}

Every price lies within +-`MAX_PRICE_PER_KWH`; a wrong value is refused with one
sentence naming the field (`tariff.import_price_by_hour.25`), and the whole desired
document is refused with it (nothing changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .bounds import finite
from .errors import InvalidPayload
from .prices import MAX_PRICE_PER_KWH, PriceSlot
from .shown import cut, shown

PROPERTY = "tariff"
MAX_DEMAND_CHARGE_PER_KW = 1_000.0  # currency units per kW of the billing period's peak
HOURS_PER_DAY = 24
_SECONDS_PER_HOUR = 3_600.0
_SECONDS_PER_DAY = 86_400.0
_PRICES = ("import_price_per_kwh", "feed_in_price_per_kwh")
_BY_HOUR = ("import_price_by_hour", "feed_in_price_by_hour")
FIELDS = (*_PRICES, *_BY_HOUR, "demand_charge_per_kw")  # a desired tariff object's keys


@dataclass(frozen=True, slots=True)
class Tariff:
    """Prices per kWh by UTC hour of the day (each day alike), and a demand charge per kW of peak."""

    import_price_per_kwh: float
    feed_in_price_per_kwh: float = 0.0
    import_price_by_hour: Mapping[int, float] = field(default_factory=dict)
    feed_in_price_by_hour: Mapping[int, float] = field(default_factory=dict)
    demand_charge_per_kw: float = 0.0

    @classmethod
    def from_desired(cls, value: Any) -> "Tariff":
        """The tariff a desired `tariff` object states, or `InvalidPayload` naming the first wrong field."""
        if not isinstance(value, dict):
            raise InvalidPayload(PROPERTY, f"expected an object, got {shown(value)}")
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise InvalidPayload(f"{PROPERTY}.{cut(str(unknown[0]), 64)}",
                                 f"unknown tariff field (known: {', '.join(FIELDS)})")
        if value.get("import_price_per_kwh") is None:
            raise InvalidPayload(f"{PROPERTY}.import_price_per_kwh", "is required: the import price per kWh")
        prices = {name: _price(f"{PROPERTY}.{name}", value[name]) for name in _PRICES if value.get(name) is not None}
        by_hour = {name: _by_hour(f"{PROPERTY}.{name}", value[name]) for name in _BY_HOUR
                   if value.get(name) is not None}
        demand = value.get("demand_charge_per_kw")
        charge = 0.0 if demand is None else _bounded(f"{PROPERTY}.demand_charge_per_kw", demand, 0.0,
                                                     MAX_DEMAND_CHARGE_PER_KW)
        return cls(**prices, **by_hour, demand_charge_per_kw=charge)

    def import_price_at(self, epoch_s: float) -> float:
        return self.import_price_by_hour.get(_hour(epoch_s), self.import_price_per_kwh)

    def feed_in_price_at(self, epoch_s: float) -> float:
        return self.feed_in_price_by_hour.get(_hour(epoch_s), self.feed_in_price_per_kwh)

    def slots(self, now: float, days: int = 2) -> list[PriceSlot]:
        """Hourly slots from the start of `now`'s UTC day for `days` days: what a price source would send."""
        midnight = now - now % _SECONDS_PER_DAY
        starts = (midnight + hour * _SECONDS_PER_HOUR for hour in range(days * HOURS_PER_DAY))
        return [PriceSlot(start, start + _SECONDS_PER_HOUR, self.import_price_at(start), self.feed_in_price_at(start))
                for start in starts]


def _hour(epoch_s: float) -> int:
    return int(epoch_s % _SECONDS_PER_DAY // _SECONDS_PER_HOUR)


def _price(name: str, value: Any) -> float:
    return _bounded(name, value, -MAX_PRICE_PER_KWH, MAX_PRICE_PER_KWH)


def _bounded(name: str, value: Any, lowest: float, highest: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidPayload(name, f"expected a number, got {shown(value)}")
    if not finite(value) or not lowest <= value <= highest:
        raise InvalidPayload(name, f"{shown(value)} must lie in {lowest:g}..{highest:g}")
    return float(value)


def _by_hour(name: str, value: Any) -> dict[int, float]:
    if not isinstance(value, dict):
        raise InvalidPayload(name, f"expected an object keyed by UTC hour \"0\"..\"23\", got {shown(value)}")
    prices = {}
    for key, price in value.items():
        hour = int(key) if isinstance(key, str) and key.isdigit() and len(key) <= 2 else -1
        if not 0 <= hour < HOURS_PER_DAY:
            raise InvalidPayload(f"{name}.{cut(str(key), 64)}", "the key must be a UTC hour \"0\"..\"23\"")
        if price is not None:  # null: that hour back to the flat price (a merge patch's delete)
            prices[hour] = _price(f"{name}.{key}", price)
    return prices
