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
boilers take it. Where the batteries do not charge, the tanks' heat from the grid is left out
of the band (the boilers' preheat imports it: a band counting it would have the batteries fill
from the grid whatever the on/off heaters do at the moment, and chase them at its edge); where
they charge too, it stays in, so the batteries fill beside the heating boilers, not in their place.
What is left out is handed over (`Guidance.heaters_grid_w`): while the heaters run, the band's high
edge rises by their power up to it, so the batteries do not carry the heat the plan imports.

Boilers: the plan knows the hot-water draws and the tanks' losses (problem.py), so when its
first slot heats them from the grid (at a cheap hour ahead of a draw or a peak-limited
evening), or from the sun where batteries would take the surplus first, each boiler is
preheated (`boiler_preheat_by_module`) to the temperature the plan reaches by the end of
that heating run. Where the plan knows the draws, free boilers follow the band
(`Guidance.boilers_follow_band`): they heat from the surplus the band stores, not from the
export the plan keeps because heat would be worth less (a hotter tank loses more with every
litre drawn), as long as the forecast's cautious sky still gives the heat the plan takes from
the sun later (`sun_heat_is_sure`; otherwise the surplus now is the surer heat). A free boiler
starts on part of its heater's power from the surplus (importing the rest) only where that pays
at the plan's value of heat (`paying_surplus_ratio`): not to store heat the sun will give the
tanks anyway before they need it, nor at a peak price; and sooner where the heat spares grid
heat later. The heuristic planner's just-in-time
hot-water floor stays as a safety net (the hotter wins); its time-of-use preheat (one temperature for every
tank) only where the plan does not know the draws, since one that does prices the peak itself. The import
limit stays the contract (`Guidance.preheat_within`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..balancing.balancer import BOILER_START_SURPLUS_RATIO
from ..balancing.guidance import Guidance
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from .problem import HeatStore, PlannedSlot, PlanningProblem, ProblemSlot, comfort_floor_c

ACTIVE_RATIO = 0.02  # a battery flow below this share of its power limit counts as at rest ...
ACTIVE_MIN_W = 50.0  # ... or below this
HEATING_RATIO = 0.5  # the plan heats the boilers when it gives them this share of their heaters' power
MIN_RUN_SHARE_S = 60.0  # ... or, where the import limit binds a running heater, a run of at least this long
EXPORT_HEADROOM_RATIO = 0.07  # a band stays this share of the export limit short of it
SURE_SUN_SHARE = 0.9  # the plan's later heat from the sun must come under the cautious sky this far
CARRIED_MIN_SHARE = 0.1  # the sun's heat in runs the batteries carry: at least this share of the heaters ...
FULL_RATIO = 0.01  # ... with the batteries planned within this share of their band of its top
LOWEST_START_SHARE = 0.25  # however much the plan values heat, a free boiler starts on no less surplus than this
#                            share of its heater (its keep share half of it: no chatter on a sliver of sun)


def guidance_from_plan(problem: PlanningProblem, planned: Sequence[PlannedSlot], policy: Policy,
                       assets: Sequence[AssetView], heuristic: Guidance = Guidance()) -> Guidance:
    """The band for the plan's first slot; each boiler's preheat from the plan or `heuristic` (the hotter)."""
    if not planned:
        raise ValueError("a plan needs at least one slot")
    first = planned[0]
    from_grid = 0.0
    if first.charge_w <= active_w(problem):  # the boilers' own preheat imports their heat, not the batteries
        from_grid = min(first.heat_w, first.import_w)
        first = replace(first, import_w=first.import_w - from_grid, heat_w=first.heat_w - from_grid)
    low, high = grid_band(first, problem, policy)
    by_module = dict(heuristic.boiler_preheat_by_module)
    for module, preheat_c in plan_preheat_c(problem, planned, policy, assets).items():
        by_module[module] = max(preheat_c, by_module.get(module, 0.0))
    # The heuristic's time-of-use preheat is one temperature for every tank, sized by an operator for one
    # tank's draws in the window; a plan that knows each tank's draws prices the window itself (its heat
    # before the peak is in `by_module`), and the site-wide preheat would heat a tank with no draw in it from
    # the batteries the plan keeps for the peak
    draws_known = knows_the_draws(problem)
    site_preheat_c = 0.0 if draws_known else heuristic.boiler_preheat_c
    return Guidance(boiler_preheat_c=site_preheat_c, boiler_preheat_by_module=by_module,
                    boiler_approach_by_module=heuristic.boiler_approach_by_module,
                    grid_low_w=low, grid_high_w=high,
                    boilers_follow_band=low < 0 and draws_known and sun_heat_is_sure(problem, planned),
                    boiler_start_surplus_ratio=paying_surplus_ratio(problem, planned),
                    boilers_carried=carries_the_suns_heat(problem, planned),
                    heaters_grid_w=max(0.0, from_grid))


def paying_surplus_ratio(problem: PlanningProblem, planned: Sequence[PlannedSlot]) -> float | None:
    """The share of a free boiler's heater the surplus must cover for its heat to be worth what it costs now:
    a kWh heated with a share s of surplus costs (1 - s) x import + s x feed-in, and is worth the plan's value
    of heat (`PlannedSlot.heat_value_per_kwh`: the grid heat it spares later, or only the feed-in where the sun
    covers the tanks before they need buying for), at least `LOWEST_START_SHARE`. None without tanks the plan
    knows or where a kWh imported is not dearer than one exported; and None rather than a share above the
    balancer's own where the first slot heats them (the plan's heat then comes in parts of the heaters' power,
    as much as the sun leaves, say, that an on/off heater can only take whole, so its value is no measure of
    a whole heater's import)."""
    if problem.heat is None or not knows_the_draws(problem):
        return None
    slot = problem.slots[0]
    spread = slot.import_price_per_kwh - slot.feed_in_price_per_kwh
    if spread <= 0:
        return None
    share = min(1.0, max(LOWEST_START_SHARE, (slot.import_price_per_kwh - planned[0].heat_value_per_kwh) / spread))
    if share > BOILER_START_SURPLUS_RATIO and planned[0].heat_w > active_w(problem):
        return None
    return share


def carries_the_suns_heat(problem: PlanningProblem, planned: Sequence[PlannedSlot]) -> bool:
    """Whether the first slot heats the tanks with part of a heater from the sun (at least `CARRIED_MIN_SHARE` of
    it, less than `HEATING_RATIO`, no more than that share from the grid or the batteries) while the batteries
    stay at their top, and the sun's surplus cannot run a heater alone: heat from sun the export limit would
    curtail, which an on/off heater takes only in runs the batteries carry (balancing/carried_heat.py)."""
    heat, battery, first, slot = problem.heat, problem.battery, planned[0], problem.slots[0]
    if heat is None or battery is None or heat.heater_w <= 0 or not knows_the_draws(problem):
        return False
    least_w = CARRIED_MIN_SHARE * heat.heater_w
    full = first.battery_wh >= battery.max_wh - FULL_RATIO * (battery.max_wh - battery.min_wh)
    return (least_w <= first.heat_w < HEATING_RATIO * heat.heater_w and full
            and _bought_or_stored_heat_w(slot, first) < least_w and slot.cautious_surplus_w < heat.heater_w)


def knows_the_draws(problem: PlanningProblem) -> bool:
    """Whether the plan values the tanks' heat by the hot-water draws it foresees, or by a daily target for
    their heat within its horizon: then, where its band exports on purpose (low < 0), the boilers heat from
    the sun where the plan says (its band and preheat), not from every surplus the band would export. (A day
    that settles at its target plans to it and no further: after the evening's last draw only the target
    values heat, and a tank heated from every surplus ended 15 K above it, its feed-in lost.)"""
    heat = problem.heat
    return heat is not None and heat.tank_kg > 0 and (any(slot.hot_water_kg > 0 for slot in problem.slots)
                                                       or any(t.heat_wh > 0 for t in problem.store_targets))


def sun_heat_is_sure(problem: PlanningProblem, planned: Sequence[PlannedSlot]) -> bool:
    """Whether the heat the plan takes from the sun later would come under the forecast's cautious sky too:
    only then is exporting now for it worth the risk (on a variable day the sun it waits for may not come,
    and the surplus now is sure)."""
    wanted_wh = sure_wh = 0.0
    for slot, plan in zip(problem.slots, planned):
        from_sun = plan.heat_w - min(plan.heat_w, plan.import_w)
        hours = slot.duration_s / 3600.0
        wanted_wh += from_sun * hours
        sure_wh += min(from_sun, slot.cautious_surplus_w) * hours
    return sure_wh >= SURE_SUN_SHARE * wanted_wh


def grid_band(first: PlannedSlot, problem: PlanningProblem, policy: Policy) -> tuple[float, float]:
    """(low, high) of the grid (W, + import) for a slot planned as `first`."""
    active = active_w(problem)
    grid = first.grid_w
    limit = policy.import_limit_w
    room = (1.0 - EXPORT_HEADROOM_RATIO) * policy.export_limit_w
    if first.charge_w + first.heat_w - first.discharge_w > active:  # storing (the tanks' heat too)
        low, high = (grid, limit) if grid > 0 else (grid, 0.0)
    elif first.discharge_w - first.charge_w > active:
        low, high = (0.0, grid) if grid > 0 else (grid, grid)
    else:
        # the grid's own sense, not the stores' scale: a site whose night load is below 2 % of its batteries'
        # power (1 kW beside 70 kW) imports it on a plan that holds them, not self-consumes it
        low, high = (0.0, limit) if grid > ACTIVE_MIN_W else (-room, 0.0) if grid < -ACTIVE_MIN_W else (0.0, 0.0)
    low, high = max(low, -room), min(high, limit)
    return min(low, high), high


def active_w(problem: PlanningProblem) -> float:
    """A store's flow below this counts as at rest."""
    battery, heat = problem.battery, problem.heat
    scale = max(0.0 if battery is None else max(battery.max_charge_w, battery.max_discharge_w),
                0.0 if heat is None else heat.heater_w)
    return max(ACTIVE_MIN_W, ACTIVE_RATIO * scale)


def plan_preheat_c(problem: PlanningProblem, planned: Sequence[PlannedSlot], policy: Policy,
                   assets: Sequence[AssetView]) -> dict[str, float]:
    """module -> the temperature to preheat each boiler to now: where the plan's heating run from its first
    slot takes the tanks (empty when the first slot does not heat them).

    Heat from the grid or the batteries needs the preheat (free boilers heat from surplus only, never from
    what the plan imports or discharges), and so does
    heat from the sun where batteries would take the surplus first and the forecast's cautious sky still gives
    it (a plan's battery flows can dress up a sky it over-forecasts). Heat from the sun alone is left to the
    free boilers, which take what the band stores: an on/off heater preheated at full power where the plan
    heats with part of it would import (at a dear hour, as likely as not) the part the sun does not cover.

    Where the import limit binds a running heater (`_runs_in_share`), the plan heats by running the heaters
    at full power for a share of the slot: any share worth a minimum run is a preheat, however small beside
    the heaters' power. A balancer waiting for the tank's minimum found the heater no longer fitted as the
    house's load rose (a 2 kW heater under a 1.2 kW limit, its draw's heat planned in shares the batteries
    carry: 101 cold minutes where the optimum had 70, 77 with this; a 6 kW one under 2.1 kW: 90 -> 74).
    A share's heat counts only until the next regular replan (`Policy.plan_interval_s`), which asks again:
    each replan adds it to the tanks' now, and with the slot's whole heat the tanks ran ahead of the plan
    (a 6 kW heater under 6.1 kW: 17 cold minutes beyond the optimum's, 9 this way).

    The run's hottest point counts, and at least the first slot's heat on top of the tanks' now: in a draw
    the plan heats to hold the tank, not to warm it, and the balancer must heat all the same. Every boiler
    gets the same rise above its comfort floor within a part of alike tanks (`HeatStore.tanks`: tanks that differ
    are planned one part at a time, each part's heat its own)."""
    heat = problem.heat
    boilers = [a for a in assets if a.kind == "boiler" and a.enabled and a.heater_power_w > 0
               and policy.capacity_of(a.module) > 0]
    if heat is None or not boilers:
        return {}
    if not heat.tanks:
        return _part_preheat_c(problem, heat, planned, policy, boilers)
    preheat_c: dict[str, float] = {}
    for i, part in enumerate(heat.tanks):
        held = [b for b in boilers if b.module in part.modules]
        if held:
            preheat_c.update(_part_preheat_c(replace(problem, heat=part), part, [slot.of_tank(i) for slot in planned],
                                             policy, held))
    return preheat_c


def _part_preheat_c(problem: PlanningProblem, heat: HeatStore, planned: Sequence[PlannedSlot], policy: Policy,
                    boilers: Sequence[AssetView]) -> dict[str, float]:
    """`plan_preheat_c` for the `boilers` of one store (`heat`, the problem's), the plan's slots as that store's."""
    first = planned[0]
    in_share = _runs_in_share(problem, first, policy)
    heating_w = HEATING_RATIO * heat.heater_w
    partial = first.heat_w < heating_w
    if partial and not in_share:
        return {}
    if not in_share and _bought_or_stored_heat_w(problem.slots[0], first) < heating_w and (
            problem.battery is None or problem.slots[0].cautious_surplus_w < heating_w):
        return {}  # the sun's heat: without batteries to put it before, or under a sky not sure to give it,
        #            free boilers take what the band stores (a preheat would draw the batteries into the tanks)
    slot_s = problem.slots[0].duration_s
    if in_share and partial and policy.plan_interval_s > 0:
        slot_s = min(slot_s, policy.plan_interval_s)  # a share's heat until the next replan, which asks again
    reached_wh = max(first.heat_wh, heat.energy_wh + first.heat_w * slot_s / 3600.0)
    for slot in planned[1:]:
        if slot.heat_w < heating_w:
            break
        reached_wh = max(reached_wh, slot.heat_wh)
    capacities = [policy.capacity_of(b.module) for b in boilers]
    if all(c == capacities[0] for c in capacities):  # alike tanks: the same rise as every earlier figure had
        rise_k = min(reached_wh, heat.max_wh) / len(boilers) * 3600.0 / capacities[0]
    else:  # tanks of their own sizes: the same rise takes each its own heat
        rise_k = min(reached_wh, heat.max_wh) * 3600.0 / sum(capacities)
    return {b.module: min(comfort_floor_c(b) + rise_k, b.max_temperature_c) for b in boilers}


def _bought_or_stored_heat_w(slot: ProblemSlot, first: PlannedSlot) -> float:
    """The first slot's heat the sun does not give it (W): from the grid or the batteries' discharge. Free
    boilers heat from surplus only, so without a preheat the plan's heat from a battery at night never came
    (a settling evening's tank ended 8 K below its target while the battery sold what would have heated it)."""
    bought_w = min(first.heat_w, first.import_w)
    unlit_load_w = max(0.0, slot.load_w - (slot.pv_w - first.curtailed_w))  # what the batteries carry first
    return bought_w + min(first.heat_w - bought_w, max(0.0, first.discharge_w - unlit_load_w))


def _runs_in_share(problem: PlanningProblem, first: PlannedSlot, policy: Policy) -> bool:
    """Whether the plan's first slot heats the tanks in the heaters' running share under a binding import
    limit (the LP's on/off hull: load and heaters above the limit), by at least a minimum run's heat, and
    more than the cautious sun's surplus gives (the sun's heat stays the free boilers')."""
    heat, slot = problem.heat, problem.slots[0]
    if heat is None or heat.heater_w <= 0 or slot.load_w + heat.heater_w <= problem.import_limit_w:
        return False
    # Tanks at their comfort floor take any share: the heater may fit now and no longer once the load rises
    # (a 6 kW heater under 2.1 kW, its tank idling at its minimum through the morning's rise: 50 cold minutes).
    run_wh = 0.0 if heat.energy_wh <= 0.0 else heat.heater_w * max(policy.boiler_min_on_s, MIN_RUN_SHARE_S) / 3600.0
    return first.heat_w * slot.duration_s / 3600.0 > run_wh and first.heat_w > slot.cautious_surplus_w
