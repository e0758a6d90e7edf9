"""A value for each hour of the day, as a twin object keyed "0".."23" (twin properties are never arrays).

The operator's knowledge of a site's daily rhythm, such as its typical hot-water
use, reaches the controller as one of these. Hours are UTC, like the policy's
price peak (`peak_start_h`); an hour the object leaves out is 0. Every value is a
finite number within the property's bound, or the whole object is refused in one
sentence naming the hour, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..bounds import finite
from ..errors import InvalidPayload
from ..shown import shown

HOURS = tuple(str(hour) for hour in range(24))


@dataclass(frozen=True, slots=True)
class HourlyProfile:
    """24 values, index = UTC hour of day."""

    values: tuple[float, ...] = (0.0,) * 24

    def __post_init__(self) -> None:
        if len(self.values) != 24:
            raise ValueError(f"an hourly profile has 24 values, got {len(self.values)}")

    @classmethod
    def from_json(cls, name: str, value: Any, low: float, high: float) -> "HourlyProfile":
        """The profile a desired value states; `InvalidPayload` naming `name` for anything else."""
        if isinstance(value, HourlyProfile):
            value = value.as_json()
        allowed = f'an object of UTC hours "0".."23" to numbers {low:g}..{high:g}'
        if not isinstance(value, Mapping):
            raise InvalidPayload(name, f"expected {allowed}, got {shown(value)}")
        values = [0.0] * 24
        for key, number in value.items():
            if key not in HOURS:
                raise InvalidPayload(name, f"{shown(key, 64)} is not an hour: expected {allowed}")
            if number is None:  # an hour deleted from the document (JSON merge patch): none then
                continue
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not finite(number):
                raise InvalidPayload(name, f'hour "{key}" must be a finite number {low:g}..{high:g}, '
                                           f"got {shown(number, 64)}")
            if not low <= number <= high:
                raise InvalidPayload(name, f'hour "{key}": {number:g} must be >= {low:g} and <= {high:g}')
            values[int(key)] = float(number)
        return cls(tuple(values))

    def at(self, hour: int) -> float:
        return self.values[hour % 24]

    def as_json(self) -> dict[str, float]:
        """The twin object: every hour, so an operator sees the whole day."""
        return dict(zip(HOURS, self.values))

    def daily_total(self) -> float:
        return sum(self.values)
