"""Physical-range checks: an impossible reading becomes a fault, never a number.

A register that reads 6 MW from a 10 kW inverter, a negative state of charge
or 900 °C water is a broken device, a wrong map or a wrong scale factor. The
balancing must never see it: the driver raises HardwareFault with a reason an
operator can act on, and the asset goes to FAULT.
"""

from __future__ import annotations

import math

from energy_edge.domain.errors import HardwareFault

from .codec import Value

POWER_HEADROOM = 1.1  # devices may briefly exceed their rating by a few percent; 10 % more is not physics


def required(value: Value, what: str) -> float:
    """A number the driver cannot work without; a "not implemented" sentinel is a fault."""
    if value is None or isinstance(value, str):
        raise HardwareFault(f"{what} not implemented by the device")
    if not math.isfinite(value):
        raise HardwareFault(f"{what} reads {value}, not a finite number")
    return float(value)


def within(value: float, low: float, high: float, what: str, unit: str) -> float:
    if not low <= value <= high:
        raise HardwareFault(f"{what} {value:.10g} {unit} outside the physical range {low:.10g}..{high:.10g} {unit}")
    return value


def power_within(power_w: float, rated_w: float, what: str, *, signed: bool) -> float:
    """|power| <= rating + headroom; a one-way device (PV, heater) may not run backwards either."""
    limit = rated_w * POWER_HEADROOM
    low = -limit if signed else -0.02 * rated_w  # a PV inverter draws a few watts at night
    within(power_w, low, limit, f"{what} power of a {rated_w:g} W device:", "W")
    return power_w if signed else max(0.0, power_w)
