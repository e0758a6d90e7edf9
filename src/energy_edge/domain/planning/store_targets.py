"""The stores' daily target: what the batteries and tanks should hold at a time of day.

An operator may want the batteries at a state of charge and the tanks at a temperature every day at
a given hour (the policy's `store_target_h`, `store_target_soc`, `store_target_c`): a battery kept
for the morning, a tank hot when the shift starts, a day's accounts closed with the stores where they
began (EMHASS's `soc_final`, evcc's minimum SoC by a time). The plan holds it softly: a shortfall at
the target's slot costs what buying it then would (the import price then, over the charging
efficiency for a battery), so the plan fills the stores from the cheapest sun or grid before it, and a
target no plan can reach still gets the plan that misses it least.

Where the day settles at the target (`store_target_settles`), the plan's horizon ends at the next one
(`settled_horizon_s`) and only the target counts there: what the stores hold beyond it is worth nothing,
so the plan neither stores the afternoon's sun for the night after it nor keeps the tanks hot past it.
A continuing site (the default) plans a day ahead and values both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from ..balancing.policy import Policy
from .hot_water_guidance import HOUR_S

DAY_S = 86_400.0
MIN_SETTLED_HORIZON_S = 60.0  # a settling plan still looks this far ahead in the target's last minute


@dataclass(frozen=True, slots=True)
class StoreTarget:
    """At the end of slot `slot` the batteries hold at least `battery_wh` (as `BatteryStore.energy_wh`; 0:
    no target) and the tanks `heat_wh` above their comfort floors (as `HeatStore.energy_wh`; 0: none); a
    shortfall costs `price_per_kwh`."""

    slot: int
    battery_wh: float
    heat_wh: float
    price_per_kwh: float


def store_targets(policy: Policy, start_s: float, slot_ends_s: Sequence[float], battery_wh: float, heat_wh: float,
                  import_price_at: Callable[[float], float]) -> tuple[StoreTarget, ...]:
    """The policy's daily targets (`battery_wh`, `heat_wh` in the stores' units, problem.py) that fall after
    `start_s` within the slots ending at `slot_ends_s`, each at the slot that ends at or after it."""
    if (battery_wh <= 0 and heat_wh <= 0) or not slot_ends_s:
        return ()
    targets = []
    at = math.floor(start_s / DAY_S) * DAY_S + policy.store_target_h * HOUR_S
    while at <= slot_ends_s[-1]:
        if at > start_s:
            slot = next(k for k, end in enumerate(slot_ends_s) if end >= at)
            targets.append(StoreTarget(slot, battery_wh, heat_wh, max(0.0, import_price_at(at - 1.0))))
        at += DAY_S
    return tuple(targets)


def one_per_slot(targets: Sequence[StoreTarget]) -> list[StoreTarget]:
    """`targets` by slot, those falling in one slot merged (the most each asks, at the dearest price): each
    slot's shortfall enters the next slot's stores once, and two there could overfill them (a plan no stores
    could follow, so no plan at all)."""
    merged: dict[int, StoreTarget] = {}
    for t in targets:
        m = merged.get(t.slot)
        merged[t.slot] = t if m is None else StoreTarget(t.slot, max(m.battery_wh, t.battery_wh),
                                                            max(m.heat_wh, t.heat_wh),
                                                            max(m.price_per_kwh, t.price_per_kwh))
    return [merged[slot] for slot in sorted(merged)]


def settles(policy: Policy) -> bool:
    """Whether the plan settles the day at a store target: the policy says so and sets one."""
    return policy.store_target_settles and (policy.store_target_soc > 0 or policy.store_target_c > 0)


def settled_horizon_s(policy: Policy, now: float, horizon_s: float) -> float:
    """How far ahead the plan looks from `now`: `horizon_s`, or to the next store target where the day settles
    there (at least `MIN_SETTLED_HORIZON_S`; at the target itself, to the next day's)."""
    if not settles(policy):
        return horizon_s
    at = math.floor(now / DAY_S) * DAY_S + policy.store_target_h * HOUR_S
    while at <= now:
        at += DAY_S
    return min(horizon_s, max(MIN_SETTLED_HORIZON_S, at - now))
