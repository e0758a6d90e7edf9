"""Validation of method payloads and twin documents against declared numeric fields.

One place decides what a bad number is (wrong type, missing, out of range,
non-finite, unknown extra field), so every asset answers the same way and the
error always names the field and the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..bounds import MAX_POWER_W, MIN_POWER_W, SETPOINT_TTL_CEILING_S
from ..errors import InvalidPayload
from ..shown import cut, shown


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric field: bounds are inclusive unless `*_open`; `required=False` makes it optional.

    `zero_below`: a positive value under it counts as 0 (a power below 1 W is under any meter's resolution).
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    required: bool = True
    zero_below: float = 0.0

    def check(self, rule: str, name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidPayload(f"{rule}.{name}", f"expected a number, got {shown(value)}")
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any float
            raise InvalidPayload(f"{rule}.{name}", "must be finite, got an integer too large for a number") from None
        if not math.isfinite(value):
            raise InvalidPayload(f"{rule}.{name}", f"must be finite, got {value!r}")
        if 0 < value < self.zero_below:
            value = 0.0
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            raise InvalidPayload(f"{rule}.{name}", f"{value:g} out of range: must be {'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            raise InvalidPayload(f"{rule}.{name}", f"{value:g} out of range: must be {'<' if self.high_open else '<='} {self.high:g}")
        return value


POSITIVE = Number(low=0.0, low_open=True)
# Twin-writable lease lengths; a method's ttl_s is bounded by the asset's max_setpoint_ttl_s (`Asset.ttl_field`).
TTL = Number(low=0.0, low_open=True, high=SETPOINT_TTL_CEILING_S, required=False)
RATING_W = Number(low=MIN_POWER_W, high=MAX_POWER_W, required=False)  # a rating: at least 1 W, at most 10 MW
POWER_LIMIT_W = Number(low=0.0, high=MAX_POWER_W, required=False, zero_below=MIN_POWER_W)  # 0 allowed


def as_object(rule: str, payload: Any) -> dict[str, Any]:
    """A method payload as a dict: None (no payload) is `{}`, anything else but an object is refused."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidPayload(f"{rule}.payload", f"expected a JSON object, got {type(payload).__name__}")
    return payload


def parse(rule: str, payload: Any, fields: Mapping[str, Number]) -> dict[str, float]:
    """Check `payload` against `fields`; return the present fields as floats, or raise `InvalidPayload`."""
    data = as_object(rule, payload)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidPayload(f"{rule}.{cut(unknown[0], 64)}",
                             f"unknown field (allowed: {', '.join(sorted(fields)) or 'none'})")
    parsed: dict[str, float] = {}
    for name, spec in fields.items():
        if name not in data:
            if spec.required:
                raise InvalidPayload(f"{rule}.{name}", "missing")
            continue
        parsed[name] = spec.check(rule, name, data[name])
    return parsed
