"""A planning problem at a coarser step after its first hour: the bright sky's economics, solved beside
the expected sky's quarter hours (the planner's two skies, highs_solver.py).

The two skies share only the first slot's decisions; the bright one is there to price what a sunnier
day would do with the stores, which hourly slots show as well as quarter hours. Merged slots keep the
energy of each flow (mean powers weighted by duration), never mix two prices, and never hide a daily
store target's slot end, so a target is checked where it falls. Slots with hot-water draws stay quarter
hours: a draw merged into an hour met heat the hour's heater could give only after it, the tank's
comfort looked easier than it is, and through the first slot's heat (its worth is both skies') the
tank was preheated less (seed 4242 g38: 13 → 21 cold minutes). The rest solves in a quarter of the
columns.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from .problem import PlanningProblem, ProblemSlot
from .store_targets import StoreTarget


def coarsened(problem: PlanningProblem, fine_s: float, slot_s: float) -> PlanningProblem:
    """`problem` with the slots that start `fine_s` or more after the first merged into slots of at most
    `slot_s` (consecutive slots of the same prices without draws, a group ending at each store target's slot)."""
    slots = problem.slots
    if len(slots) < 2:
        return problem
    target_slots = {target.slot for target in problem.store_targets}
    first_s = slots[0].start_s
    groups: list[list[int]] = [[0]]
    open_group = False  # whether the last group may take the next slot
    for i in range(1, len(slots)):
        slot, fine = slots[i], slots[i].start_s - first_s < fine_s
        if open_group and not fine and _joins(slots, groups[-1], slot, slot_s):
            groups[-1].append(i)
        else:
            groups.append([i])
        open_group = not fine and i not in target_slots
    if len(groups) == len(slots):
        return problem
    index_of = {i: g for g, group in enumerate(groups) for i in group}
    targets = tuple(StoreTarget(index_of[t.slot], t.battery_wh, t.heat_wh, t.price_per_kwh)
                    for t in problem.store_targets)
    return replace(problem, slots=tuple(_merged([slots[i] for i in group]) for group in groups),
                   store_targets=targets)


def _joins(slots: Sequence[ProblemSlot], group: list[int], slot: ProblemSlot, slot_s: float) -> bool:
    head = slots[group[0]]
    return (sum(slots[i].duration_s for i in group) + slot.duration_s <= slot_s
            and slot.hot_water_kg == 0 and all(slots[i].hot_water_kg == 0 for i in group)
            and slot.import_price_per_kwh == head.import_price_per_kwh
            and slot.feed_in_price_per_kwh == head.feed_in_price_per_kwh)


def _merged(group: list[ProblemSlot]) -> ProblemSlot:
    """One slot for `group`: each flow's energy kept (means by duration); a reserve the most any part asks,
    a draw's room the least any part leaves."""
    if len(group) == 1:
        return group[0]
    duration_s = sum(s.duration_s for s in group)

    def mean(value: Callable[[ProblemSlot], float]) -> float:
        return sum(value(s) * s.duration_s for s in group) / duration_s

    def mean_or_none(value: Callable[[ProblemSlot], float | None]) -> float | None:
        values = [value(s) for s in group]
        return None if any(v is None for v in values) else mean(lambda s: value(s) or 0.0)

    rooms = [s.draw_room_w for s in group if s.draw_room_w is not None]
    return replace(group[0], duration_s=duration_s, pv_w=mean(lambda s: s.pv_w), load_w=mean(lambda s: s.load_w),
                   cautious_pv_w=mean_or_none(lambda s: s.cautious_pv_w),
                   bright_pv_w=mean_or_none(lambda s: s.bright_pv_w),
                   limit_reserve_w=max(s.limit_reserve_w for s in group),
                   draw_room_w=min(rooms) if rooms else None)
