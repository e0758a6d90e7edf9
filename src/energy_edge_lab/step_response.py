"""Step-response figures of a controlled variable, cycle by cycle.

The issue's balancing target: after a 20 kW load step the grid power settles
within +-1 % (of the step) in at most 6 cycles with at most 5 % overshoot.
`values[0]` is the first cycle that sees the step; the response moves from
`initial` towards `final`.
"""

from __future__ import annotations

from dataclasses import dataclass

SETTLING_BAND = 0.01


@dataclass(frozen=True, slots=True)
class StepResponse:
    overshoot_ratio: float  # beyond `final`, as a share of the step (0.05 = 5 %)
    settling_cycles: int | None  # first cycle from which it stays in the band; None: never

    def meets(self, max_cycles: int = 6, max_overshoot: float = 0.05) -> bool:
        return self.settling_cycles is not None and self.settling_cycles <= max_cycles \
            and self.overshoot_ratio <= max_overshoot


def step_response(values: list[float], initial: float, final: float, band: float = SETTLING_BAND) -> StepResponse:
    """Overshoot and settling cycles of `values` for a step from `initial` to `final`."""
    step = final - initial
    if step == 0:
        raise ValueError("initial and final must differ: there is no step")
    progress = [(v - initial) / step for v in values]  # 0 before, 1 once settled
    overshoot = max([p - 1.0 for p in progress] + [0.0])
    settled_from: int | None = None
    for i in range(len(progress) - 1, -1, -1):
        if abs(progress[i] - 1.0) > band:
            break
        settled_from = i
    return StepResponse(overshoot_ratio=overshoot, settling_cycles=settled_from)
