"""What no controller can change: sunshine, base load, hot-water draws, ambient.

The optimum plans over these; the simulated runs produce them sample by sample.
Kept per second, and averaged into coarser steps for the linear programme.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Exogenous:
    """Per-sample profiles, `dt_s` apart, the first at `start_s` seconds after midnight (powers: W, >= 0)."""

    dt_s: float
    pv_available_w: list[float]
    base_load_w: list[float]
    draw_kg_per_s: list[float]  # hot water drawn from the boiler (replaced by cold water)
    ambient_c: list[float]
    start_s: float = 0.0
    more_draws_kg_per_s: tuple[list[float], ...] = ()  # the second tank's draws on, where the site has several

    def __len__(self) -> int:
        return len(self.pv_available_w)

    def repeated(self, times: int) -> "Exogenous":
        """The same profiles `times` over, back to back: the run's next periods, if they repeat this one."""
        return Exogenous(self.dt_s, self.pv_available_w * times, self.base_load_w * times, self.draw_kg_per_s * times,
                         self.ambient_c * times, self.start_s, tuple(d * times for d in self.more_draws_kg_per_s))

    def resample(self, step_s: float) -> "Exogenous":
        """Means over consecutive whole blocks of `step_s` (a multiple of `dt_s`); a trailing
        partial block is dropped, so every step the LP sees lasts exactly `step_s`."""
        per_block = round(step_s / self.dt_s)
        if per_block < 1 or abs(per_block * self.dt_s - step_s) > 1e-9:
            raise ValueError(f"step_s {step_s} must be a whole multiple of dt_s {self.dt_s}")

        def means(values: list[float]) -> list[float]:
            return [sum(values[i:i + per_block]) / per_block
                    for i in range(0, len(values) - per_block + 1, per_block)]

        return Exogenous(step_s, means(self.pv_available_w), means(self.base_load_w), means(self.draw_kg_per_s),
                         means(self.ambient_c), self.start_s, tuple(means(d) for d in self.more_draws_kg_per_s))

    def draws(self) -> tuple[list[float], ...]:
        """Each tank's draws (kg/s), in the order of `Assets.boilers()`."""
        return (self.draw_kg_per_s, *self.more_draws_kg_per_s)
