"""The rolling-horizon planner: on every replan, the planning problem to a solver and its first slot
to the balancer; the heuristic planner (planner.py) and then unguided balancing are its fallbacks.

It remembers the plan's battery trajectory so the controller can replan early when the
stores depart from it (`off_course`): a forecast that was wrong by more than
`OFF_COURSE_RATIO` of the batteries' band should not steer for the rest of the interval. Where the
problem's first slot ends at a price change (`problem.cut_at_price_change`), it remembers that too
(`price_changed`): the first slot's decision was made at the price before it.

A plan whose tanks cannot stay at their minimum through the coming hot-water draws (the
heaters, within the import limit, are too small for them) is still a plan: the LP holds
comfort as a soft constraint. The shortfall is kept (`cold_wh`) and logged once per run
of such plans, so an operator learns the draws outrun the boilers.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from typing import Sequence

from ..balancing.guidance import Guidance
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from ..ports import PlanSolver
from ..prices import PriceSchedule
from .forecast import ForecastSlot
from .hot_water_guidance import hot_water_guidance
from .plan_guidance import guidance_from_plan
from .planner import plan as heuristic_plan
from .problem import battery_store, build_problem

log = logging.getLogger(__name__)

OFF_COURSE_RATIO = 0.05  # replan early when the stored energy is this share of the band off the plan ...
MIN_REPLAN_S = 60.0  # ... but not sooner than this after the last plan
COLD_NOTICE_WH = 50.0  # a plan's comfort shortfall below this is the solver's rounding: not an operator's concern
COLD_NOTICE_QUIET_S = 3600.0  # a shortfall is one episode until the plans have shown none for this long ...
COLD_NOTICE_GROWTH = 2.0  # ... or it has grown to this many times what was last reported
SAFETY_NET_HEATER_SHARE = 1.0  # under a plan that knows the draws, the hot-water floor is the last moment


@dataclass(frozen=True, slots=True)
class Course:
    """Where the plan expects the batteries' stored energy over its first slot."""

    start_s: float
    end_s: float
    start_wh: float
    end_wh: float
    band_wh: float

    def expected_wh(self, now: float) -> float:
        span = self.end_s - self.start_s
        share = min(1.0, max(0.0, (now - self.start_s) / span)) if span > 0 else 1.0
        return self.start_wh + share * (self.end_wh - self.start_wh)


class RollingPlanner:
    """Plans with `solver` when it can, with the heuristic planner when it cannot."""

    def __init__(self, solver: PlanSolver | None) -> None:
        self.solver = solver
        self.course: Course | None = None
        self.errors_total = 0  # solver failures (each fell back to the heuristic planner)
        self._failing = False  # logged once per run of failures
        self.cold_wh = 0.0  # the last plan's heat the tanks lack for the draws (Wh, over its horizon)
        self.decided_until_s: float | None = None  # where the plan's first slot ends at a price change
        self._cold_reported_wh = 0.0  # what the episode's warning said (0: no episode)
        self._cold_seen_at = -math.inf  # when a plan last had a shortfall worth a notice

    def plan(self, now: float, policy: Policy, assets: Sequence[AssetView], forecast: Sequence[ForecastSlot],
             prices: PriceSchedule, demand_charge_per_kw: float = 0.0) -> Guidance:
        """The guidance until the next replan; raises only if the heuristic planner itself fails."""
        heuristic = heuristic_plan(now, policy, assets, forecast)
        self.course = None
        self.decided_until_s = None
        if self.solver is None or not forecast:
            return heuristic
        try:
            problem = build_problem(now, policy, assets, forecast, prices, demand_charge_per_kw)
            planned = self.solver.solve(problem)
            hot_water = hot_water_guidance(now, policy, assets, SAFETY_NET_HEATER_SHARE, forecast)
            safety_net = replace(heuristic, boiler_preheat_by_module=hot_water.preheat_c,
                                 boiler_approach_by_module=hot_water.approach)
            guidance = guidance_from_plan(problem, planned, policy, assets, safety_net)
        except Exception as exc:  # the LP is an optimisation: the heuristic plan keeps the site going
            self.errors_total += 1
            if not self._failing:
                log.warning("LP planner failed, planning heuristically until it recovers: %s", exc)
            self._failing = True
            return heuristic
        if self._failing:
            log.warning("LP planner recovered")
        self._failing = False
        self._note_cold(now, sum(slot.cold_wh for slot in planned))
        first = problem.slots[0]
        first_end_s = first.start_s + first.duration_s
        if first_end_s < forecast[0].start_s + forecast[0].duration_s:  # cut at a price change
            self.decided_until_s = first_end_s
        if problem.battery is not None:
            self.course = Course(first.start_s, first_end_s, problem.battery.energy_wh,
                                 planned[0].battery_wh, problem.battery.max_wh - problem.battery.min_wh)
        return guidance

    def _note_cold(self, now: float, cold_wh: float) -> None:
        """Warn once per episode of plans the draws outrun: a shortfall that comes and goes from one replan to
        the next (0.1-0.3 kWh every few replans on a day of draws) is one episode until an hour has shown none,
        unless it grows to twice what was said."""
        if cold_wh > COLD_NOTICE_WH:
            if not self._cold_reported_wh or cold_wh >= COLD_NOTICE_GROWTH * self._cold_reported_wh:
                log.warning("the boilers cannot hold their minimum temperature through the coming hot-water draws: "
                            "%.1f kWh short over the plan's horizon", cold_wh / 1000.0)
                self._cold_reported_wh = cold_wh
            self._cold_seen_at = now
        elif now - self._cold_seen_at >= COLD_NOTICE_QUIET_S:
            self._cold_reported_wh = 0.0
        self.cold_wh = cold_wh

    def price_changed(self, now: float) -> bool:
        """Whether the price the plan's first slot was decided at has changed since (its slot ended at the
        change): the decision is the next slot's, so the controller replans then, not at the interval."""
        return self.decided_until_s is not None and now >= self.decided_until_s

    def off_course(self, now: float, policy: Policy, assets: Sequence[AssetView]) -> bool:
        """Whether the batteries have left the plan's trajectory (and the plan is old enough to redo)."""
        course = self.course
        if course is None or now - course.start_s < MIN_REPLAN_S or course.band_wh <= 0:
            return False
        store = battery_store(policy, assets)
        return store is not None and abs(store.energy_wh - course.expected_wh(now)) > OFF_COURSE_RATIO * course.band_wh
