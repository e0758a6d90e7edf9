"""Validation of method payloads and twin documents against declared numeric fields.

One place decides what a bad number is (wrong type, missing, out of range,
non-finite, unknown extra field), so every asset answers the same way and the
error always names the field and the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import InvalidPayload


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric field: bounds are inclusive unless `*_open`; `required=False` makes it optional."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    required: bool = True

    def check(self, rule: str, name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidPayload(f"{rule}.{name}", f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise InvalidPayload(f"{rule}.{name}", f"must be finite, got {value!r}")
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            raise InvalidPayload(f"{rule}.{name}", f"{value} out of range: must be {'>' if self.low_open else '>='} {self.low}")
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            raise InvalidPayload(f"{rule}.{name}", f"{value} out of range: must be {'<' if self.high_open else '<='} {self.high}")
        return float(value)


POSITIVE = Number(low=0.0, low_open=True)
TTL = Number(low=0.0, low_open=True, required=False)


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
        raise InvalidPayload(f"{rule}.{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(fields)) or 'none'})")
    parsed: dict[str, float] = {}
    for name, spec in fields.items():
        if name not in data:
            if spec.required:
                raise InvalidPayload(f"{rule}.{name}", "missing")
            continue
        parsed[name] = spec.check(rule, name, data[name])
    return parsed
