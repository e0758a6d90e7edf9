"""A forecaster that knows the day: the lab's way to tell the forecast's share of a gap from the control's.

The controller's own forecaster (domain/planning/forecast.py) sees only the past: before sunrise it
knows nothing of the day's sky but a prior. The optimum knows every second. Run with this one
(`energy-edge-lab quality --forecast perfect`), the controller plans on the day's true PV and load,
slot by slot, as the optimum does; what it still misses of the optimum's savings is the control's
(the balancer, the planner's model, the hardware's steps), the rest of its usual gap is the forecast's.
An analysis, never the controller's quality: no site has it, and its figures are not merged.
"""

from __future__ import annotations

from energy_edge.domain.planning.forecast import ForecastSlot
from .exogenous import Exogenous
from .scenario import Scenario
from .simulated_hardware import exogenous

SLOT_S = 900.0  # the online forecaster's slot: the planner gets the same shape, only truer


class PerfectForecaster:
    """Implements the edge's Forecaster port from the day's own sunshine and load (the optimum's inputs):
    each slot's mean PV the arrays could give and mean load; its cautious figures are the slot's own
    extremes (the least sun and the most load within it), which a slot's mean hides and the import
    limit must hold through every second of."""

    def __init__(self, scenario: Scenario, duration_s: float, horizon_s: float) -> None:
        self._day: Exogenous = exogenous(scenario, duration_s + horizon_s)
        self._start_epoch_s = scenario.start_epoch_s

    def observe(self, now: float, pv_available_w: float, pv_rated_w: float, load_w: float) -> None:
        """Nothing to learn: it knows."""

    def forecast(self, now: float, horizon_s: float) -> list[ForecastSlot]:
        slots, start = [], now
        while start < now + horizon_s:
            duration = min(SLOT_S, now + horizon_s - start)
            pv = self._samples(self._day.pv_available_w, start, duration)
            load = self._samples(self._day.base_load_w, start, duration)
            slots.append(ForecastSlot(start, duration, sum(pv) / len(pv), sum(load) / len(load), min(pv), max(load)))
            start += duration
        return slots

    def _samples(self, values: list[float], start: float, duration: float) -> list[float]:
        """The samples in [start, start + duration) (the last one beyond the day's end)."""
        first = max(0, int((start - self._start_epoch_s) / self._day.dt_s))
        last = max(first + 1, int((start + duration - self._start_epoch_s) / self._day.dt_s))
        return values[first:last] or values[-1:]
