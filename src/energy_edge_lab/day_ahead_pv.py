"""A day-ahead PV forecast as a weather service would give it: the lab's way to measure what one is
worth to the controller (`energy-edge-lab quality --forecast day-ahead`).

It serves, through the controller's `PvForecastSource` port, the day's sky without its cloud events:
the scenario's clear-sky fraction profile (or its mean clearness, without the random walk) times the
clear-sky PV of its arrays, as hourly means; a measured series (irradiance or PV) as its hourly means.
It knows what a good forecast knows (the day's overall sky) and not what none does (when a cloud
passes). The controller keeps its own online learning: it corrects the forecast by what its arrays
measure. An analysis, never the controller's quality: its figures are printed, not merged.
"""

from __future__ import annotations

import math

from energy_edge.domain.pv_forecast import PvForecastSlot
from .scenario import Scenario
from .simulated_hardware import exogenous

SLOT_S = 3600.0  # hourly, as weather services publish


def sky_without_clouds(scenario: Scenario) -> Scenario:
    """The scenario with its sky's cloud events and random walk taken away (a measured series kept)."""
    pv = scenario.profiles.pv
    if pv.measured_pv_w is None and pv.measured_irradiance_w_m2 is None:
        pv = pv.model_copy(update={"clouds": (), "cloud_sigma": 0.0})
    return scenario.model_copy(update={"profiles": scenario.profiles.model_copy(update={"pv": pv})})


class DayAheadPv:
    """Implements the edge's PvForecastSource port: hourly means of the cloudless day's available PV
    from the scenario's start over `duration_s` (the run and the planner's horizon)."""

    def __init__(self, scenario: Scenario, duration_s: float) -> None:
        hourly = exogenous(sky_without_clouds(scenario), math.ceil(duration_s / SLOT_S) * SLOT_S).resample(SLOT_S)
        start = scenario.start_epoch_s
        self.slots = [PvForecastSlot(start + i * SLOT_S, start + (i + 1) * SLOT_S, pv_w)
                      for i, pv_w in enumerate(hourly.pv_available_w)]

    async def fetch(self) -> list[PvForecastSlot]:
        return self.slots
