"""Hot water ahead: the lowest temperature a tank must have now to get through the coming draws.

One well-mixed tank (the simulator's and the lab optimum's model):

    C dT/dt = P - UA (T - T_ambient) - m(t) c (T - T_cold)

with the heater's power P, the standing loss UA and the hot water drawn m(t) (kg/s),
replaced by cold water. A heavy draw can take several times the heater's power (115 L
in an hour out of a 75 °C tank is ~6 kW), so a tank that waits at its minimum for the
draw to begin goes cold, however hard it heats then. The question is the converse one:
how warm must the tank be *now* so that heating at full power from now on keeps it at
or above a floor through every coming draw? "Full power" is what the site can carry in each
span (`Span.heater_share`, heater_room.py): a heater the import limit and the sun cannot carry
through a draw has to have heated the tank before it.

Backward recursion over spans of constant draw. Within a span, with the heater on,
T relaxes exponentially towards its equilibrium T_eq, so it is exact to write

    T_end = a T_start + b,   a = exp(-(UA + m c) dt / C),   b = T_eq (1 - a)

(capped at the maximum, where the thermostat stops) and the lowest point of a span is
at one of its ends. So the requirement at a span's start is
R_start = max(floor, (R_end - b) / a), from R = floor after the last span back to now.
A requirement above the tank's maximum cannot be met: the tank should then be at its
maximum by then (the best there is), and the result says it is not feasible.

Pure and cheap: one step per span (hours of constant draw), no solver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

WATER_J_PER_KG_K = 4186.0
AMBIENT_C = 20.0  # the tank's surroundings when nothing better is known
_NEGLIGIBLE_CARRY = 1e-12  # a span that forgets its starting temperature this completely ends at its equilibrium


@dataclass(frozen=True, slots=True)
class Tank:
    """A boiler's tank as the recursion needs it."""

    heater_power_w: float
    heat_capacity_j_per_k: float  # water kg x 4186
    min_temperature_c: float
    max_temperature_c: float
    loss_w_per_k: float = 0.0
    ambient_c: float = AMBIENT_C


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of time with a constant hot-water draw."""

    duration_s: float
    draw_kg_per_s: float = 0.0
    # The share of the heater's power the site can carry in it: an on/off heater under a tight import limit
    # runs only where the grid's room and the sun carry all of it (heater_room.py); 0 where they cannot, so
    # the tank must be warm enough before
    heater_share: float = 1.0


@dataclass(frozen=True, slots=True)
class Requirement:
    """What the tank must hold at the start of each span (and after the last), heating at full power."""

    temperatures_c: tuple[float, ...]  # len(spans) + 1: at each span's start, then at the end
    feasible: bool  # False: some draw would take even a tank kept at its maximum below the floor

    @property
    def now_c(self) -> float:
        return self.temperatures_c[0]


def span_end_c(tank: Tank, span: Span, start_c: float, cold_water_c: float, heating: bool = True) -> float:
    """The temperature at the end of `span` from `start_c` (the thermostat stops heating at the maximum)."""
    a, b = _affine(tank, span, cold_water_c, tank.heater_power_w * span.heater_share if heating else 0.0)
    end = a * start_c + b
    return min(end, max(tank.max_temperature_c, start_c)) if heating else end


def required_temperatures(tank: Tank, spans: Sequence[Span], cold_water_c: float, floor_c: float) -> Requirement:
    """The lowest temperature at the start of each span from which full power keeps the tank >= `floor_c`."""
    floor_c = min(floor_c, tank.max_temperature_c)
    required = floor_c
    backwards = [required]
    feasible = True
    for span in reversed(spans):
        a, b = _affine(tank, span, cold_water_c, tank.heater_power_w * span.heater_share)
        if a > _NEGLIGIBLE_CARRY:
            needed = (required - b) / a
        else:  # the span forgets where it started: it ends at its equilibrium, enough or not
            needed = floor_c if b >= required else math.inf
        if needed > tank.max_temperature_c:
            feasible = False
            needed = tank.max_temperature_c
        required = max(floor_c, needed)
        backwards.append(required)
    return Requirement(tuple(reversed(backwards)), feasible)


def _affine(tank: Tank, span: Span, cold_water_c: float, heater_w: float) -> tuple[float, float]:
    """(a, b) with T_end = a T_start + b over `span`, heating at `heater_w` throughout (no cap).

    b = T_eq (1 - a) is written as the heat flow times (1 - a) / x, x = the exponent: exact, and
    finite for a conductance as small as a float allows (T_eq alone overflows there)."""
    conductance_w_per_k = tank.loss_w_per_k + span.draw_kg_per_s * WATER_J_PER_KG_K
    inflow_w = heater_w + tank.loss_w_per_k * tank.ambient_c + span.draw_kg_per_s * WATER_J_PER_KG_K * cold_water_c
    x = conductance_w_per_k * span.duration_s / tank.heat_capacity_j_per_k
    return math.exp(-x), inflow_w * span.duration_s / tank.heat_capacity_j_per_k * relaxed_share(x)


def relaxed_share(x: float) -> float:
    """(1 - exp(-x)) / x: the share of a steady inflow a store relaxing at exponent `x` over a span keeps
    (-> 1 as x -> 0, where the quotient itself loses its digits)."""
    return -math.expm1(-x) / x if x > 1e-12 else 1.0 - x / 2.0
