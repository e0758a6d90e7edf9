"""What the stores hold at the end of a run is worth what it spares the next day.

A controller plans a site that goes on: at a zero-export site it empties the battery in the
evening because tomorrow's sun, curtailed otherwise, refills it for nothing; it keeps a tank
warm from the afternoon's surplus because tomorrow morning's draw would be heated from the grid.
A one-day yardstick that buys any shortfall back at the import price (`no_lower`) charges the
first as a loss and gives the second nothing, and an optimum that must end where it began
never faces either choice.

The `next_day` end of day values the end state as the next day sees it, if that day repeats
this one: `V(state)` is the optimum's adjusted cost of the repeated run from `state` (judged
`no_lower` against the run's own initial state at its end), and a run's end-of-day cost is
`V(end) - V(start)`, the same function for every policy. The optimum itself is then the best
plan over both runs (`optimum_plan`), so no policy can beat it by what it leaves behind: a
shortfall costs exactly what refilling it the next day costs, and stored energy earns exactly
what it saves then.
"""

from __future__ import annotations

from .exogenous import Exogenous
from .optimum import StoredState, solve_optimum
from .scenario import SECONDS_PER_DAY, EndOfDay, Scenario
from .simulated_hardware import exogenous

STATE_DIGITS = 9  # states equal to this many digits share one solve


class NextDayValue:
    """`V(soc, temperature_c)`: the optimum's adjusted cost of the run repeated from that state (cached)."""

    def __init__(self, scenario: Scenario, exogenous: Exogenous) -> None:
        self.scenario = scenario
        self.judged = judged_no_lower(scenario)  # the repeated run ends `no_lower`
        self.exogenous = exogenous
        self._values: dict[tuple[float, float], float] = {}

    def __call__(self, soc: float, temperature_c: float) -> float:
        from .kpis import compute_kpis

        key = (round(soc, STATE_DIGITS), round(temperature_c, STATE_DIGITS))
        if key not in self._values:
            plan = solve_optimum(self.judged, self.exogenous, start=StoredState(*key))
            self._values[key] = compute_kpis(plan.series, self.judged).adjusted_cost
        return self._values[key]



def next_day_value(scenario: Scenario, days: float = 1) -> NextDayValue | None:
    """The judge of a run's end state under the `next_day` end of day (None under the other rules)."""
    if scenario.end_of_day.rule != "next_day":
        return None
    return NextDayValue(scenario, exogenous(scenario, days * SECONDS_PER_DAY))


def judged_no_lower(scenario: Scenario) -> Scenario:
    """The scenario with the `no_lower` end of day: how the run after the judged one ends."""
    return scenario.model_copy(update={"end_of_day": EndOfDay()})
