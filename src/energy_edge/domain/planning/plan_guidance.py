"""From the solver's plan to the balancer's guidance: the first slot, as a grid band.

The balancer does not replay the plan's battery power: the forecast is wrong every
second, so it holds the grid inside the band the first slot implies and the batteries
absorb the difference (band.py has the semantics):

    charging,    importing g > 0   [g, import limit]     fill from the grid at g
    charging,    exporting x >= 0  [-x, 0]               export first, store the rest
    discharging, importing g > 0   [0, g]                peak shaving at g
    discharging, exporting x >= 0  [-x, -x]              sell at a dear hour
    at rest,     importing         [0, import limit]     hold the energy for a dearer hour
    at rest,     exporting         [-headroom, 0]        keep the room for later (a fuller export
                                                         is worth more than storing it now)
    at rest,     grid about 0      [0, 0]                self-consumption

A band never reaches the export limit itself: it stays `EXPORT_HEADROOM_RATIO` short
of it, so a load dip between two cycles does not push the export over. "Storing" counts the
tanks' heat as well as the batteries' charge, so a plan that heats from surplus lets the
boilers take it. Boilers: when the plan heats from the grid now at a price of zero or less,
they are preheated to the temperature the plan reaches by the end of that heating run; at a
positive price the plan's word is not enough, since it does not know the hot-water draws (a
hotter tank loses more with every litre drawn). The time-of-use preheat of the heuristic
planner stays.
"""

from __future__ import annotations

from typing import Sequence

from ..balancing.guidance import Guidance
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from .problem import PlannedSlot, PlanningProblem

ACTIVE_RATIO = 0.02  # a battery flow below this share of its power limit counts as at rest ...
ACTIVE_MIN_W = 50.0  # ... or below this
HEATING_RATIO = 0.5  # the plan heats from the grid when it draws this share of the heaters' power from it
EXPORT_HEADROOM_RATIO = 0.07  # a band stays this share of the export limit short of it


def guidance_from_plan(problem: PlanningProblem, planned: Sequence[PlannedSlot], policy: Policy,
                       assets: Sequence[AssetView], heuristic: Guidance = Guidance()) -> Guidance:
    """The band for the plan's first slot; boiler preheat from the plan or `heuristic` (the hotter)."""
    if not planned:
        raise ValueError("a plan needs at least one slot")
    first = planned[0]
    low, high = grid_band(first, problem, policy)
    preheat_c = max(heuristic.boiler_preheat_c, _plan_preheat_c(problem, planned, policy, assets))
    return Guidance(boiler_preheat_c=preheat_c, boiler_preheat_by_module=heuristic.boiler_preheat_by_module,
                    grid_low_w=low, grid_high_w=high)  # the hot-water preheat: the LP does not know the draws


def grid_band(first: PlannedSlot, problem: PlanningProblem, policy: Policy) -> tuple[float, float]:
    """(low, high) of the grid (W, + import) for a slot planned as `first`."""
    battery, heat = problem.battery, problem.heat
    scale = max(0.0 if battery is None else max(battery.max_charge_w, battery.max_discharge_w),
                0.0 if heat is None else heat.heater_w)
    active = max(ACTIVE_MIN_W, ACTIVE_RATIO * scale)
    grid = first.grid_w
    limit = policy.import_limit_w
    room = (1.0 - EXPORT_HEADROOM_RATIO) * policy.export_limit_w
    if first.charge_w + first.heat_w - first.discharge_w > active:  # storing (the tanks' heat too)
        low, high = (grid, limit) if grid > 0 else (grid, 0.0)
    elif first.discharge_w - first.charge_w > active:
        low, high = (0.0, grid) if grid > 0 else (grid, grid)
    else:
        low, high = (0.0, limit) if grid > active else (-room, 0.0) if grid < -active else (0.0, 0.0)
    low, high = max(low, -room), min(high, limit)
    return min(low, high), high


def _plan_preheat_c(problem: PlanningProblem, planned: Sequence[PlannedSlot], policy: Policy,
                    assets: Sequence[AssetView]) -> float:
    """The temperature to preheat the boilers to now (0: none): the plan's at the end of its heating run,
    when the first slot heats them from the grid."""
    heat = problem.heat
    boilers = [a for a in assets if a.kind == "boiler" and a.enabled and a.heater_power_w > 0]
    first = planned[0]
    if heat is None or not boilers or policy.boiler_heat_capacity_j_per_k <= 0:
        return 0.0
    from_grid = min(first.heat_w, first.import_w)
    if first.heat_w < HEATING_RATIO * heat.heater_w or from_grid < HEATING_RATIO * heat.heater_w:
        return 0.0
    if problem.slots[0].import_price_per_kwh > 0:  # the plan does not know the hot-water draws: only heat
        return 0.0  # that costs nothing is worth storing in them on its word (negative and zero prices)
    reached_wh = first.heat_wh
    for slot in planned[1:]:
        if slot.heat_w < HEATING_RATIO * heat.heater_w:
            break
        reached_wh = slot.heat_wh
    per_boiler_k = reached_wh / len(boilers) * 3600.0 / policy.boiler_heat_capacity_j_per_k
    return max(min(b.min_temperature_c + per_boiler_k, b.max_temperature_c) for b in boilers)
