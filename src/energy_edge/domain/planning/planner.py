"""The planner: a forecast and the site's state in, guidance for the balancer out.

Two decisions the present alone cannot make:

- Export first, store the clipping. On a sunny day the surplus beyond the export
  limit would be curtailed unless a store takes it, and a store filled in the
  morning has no room left at noon. So the stores (batteries, and boilers whose
  heat capacity the policy gives) take only the surplus beyond `export_first_w`:
  the highest threshold at which the cautious forecast surplus above it, over the
  rest of today's daylight, still fills their room
  `EXPORT_FIRST_MARGIN` times over (the margin pays for forecast error). A
  forecast too poor to fill them gives 0: store everything, as without a planner.
- Fill up before the price peak. When the operator set a time-of-use reserve
  (`peak_reserve_soc`), batteries below it charge from the grid just in time to
  reach it at `peak_start_h`; boilers heat to `peak_preheat_c` just in time for
  it, so the peak's hot water is paid at the cheaper price.

Pure and cheap (a bisection over at most a day of slots), so the controller
replans every few minutes against the latest state.
"""

from __future__ import annotations

from typing import Sequence

from ..balancing.guidance import Guidance
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from .forecast import ForecastSlot
from .hot_water_guidance import hot_water_guidance

EXPORT_FIRST_MARGIN = 1.25  # the forecast clipping must fill the stores this many times over before any is held back
EXPORT_FIRST_HEADROOM_RATIO = 0.07  # export-first stays this share below the export limit: a load dip between
#                                     two cycles must not push the export over it
LEAD_MARGIN = 1.25  # start filling a store this many times the time it needs at full power ...
LEAD_EXTRA_S = 600.0  # ... plus this, so it is full before the peak
UNKNOWN_HEAT_CAPACITY_LEAD_S = 3600.0  # preheat lead when the policy does not give the tanks' heat capacity
BISECTION_STEPS = 30
SECONDS_PER_DAY = 86_400.0


def plan(now: float, policy: Policy, assets: Sequence[AssetView], forecast: Sequence[ForecastSlot]) -> Guidance:
    """The guidance for the coming `plan_interval_s`, from the assets the balancer counts on now."""
    batteries = [a for a in assets if a.kind == "battery"]
    to_peak_s = _seconds_to_peak(now, policy)
    grid_charge_to = policy.peak_reserve_soc if _grid_charge_due(batteries, policy, to_peak_s) else 0.0
    boilers = [a for a in assets if a.kind == "boiler" and a.enabled]
    preheat_c = policy.peak_preheat_c if _preheat_due(boilers, policy, to_peak_s) else 0.0
    hot_water = hot_water_guidance(now, policy, assets, forecast=forecast)
    return Guidance(export_first_w=export_first_w(policy, assets, forecast),
                    grid_charge_to_soc=grid_charge_to, boiler_preheat_c=preheat_c,
                    boiler_preheat_by_module=hot_water.preheat_c, boiler_approach_by_module=hot_water.approach)


def export_first_w(policy: Policy, assets: Sequence[AssetView], forecast: Sequence[ForecastSlot]) -> float:
    """The export-first threshold (W) for the stores' room now; 0 when the forecast would not fill it.

    The stores are the batteries and, when the policy knows their heat capacity, the boilers.
    """
    daylight = _todays_daylight(forecast)
    room_wh, store_w = _stores(policy, assets)
    if not daylight or store_w <= 0:
        return 0.0
    needed_wh = room_wh * EXPORT_FIRST_MARGIN

    def stored_wh(threshold_w: float) -> float:
        return sum(min(store_w, max(0.0, slot.cautious_surplus_w - threshold_w)) * slot.duration_s / 3600.0
                   for slot in daylight)

    if stored_wh(0.0) < needed_wh:
        return 0.0
    low, high = 0.0, policy.export_limit_w * (1.0 - EXPORT_FIRST_HEADROOM_RATIO)
    if stored_wh(high) >= needed_wh:
        return high
    for _ in range(BISECTION_STEPS):
        middle = (low + high) / 2
        low, high = (middle, high) if stored_wh(middle) >= needed_wh else (low, middle)
    return low


def _stores(policy: Policy, assets: Sequence[AssetView]) -> tuple[float, float]:
    """(room left in Wh, power they can take in W) of the batteries and the boilers the planner knows."""
    room_wh = store_w = 0.0
    for asset in assets:
        if asset.kind == "battery":
            room_wh += max(0.0, min(policy.soc_reserve_max, asset.soc_max) - asset.soc) * asset.capacity_wh
            store_w += asset.max_charge_w
        elif asset.kind == "boiler" and asset.enabled and (capacity := policy.capacity_of(asset.module)) > 0:
            room_k = max(0.0, asset.max_temperature_c - asset.temperature_c)
            room_wh += room_k * capacity / 3600.0
            store_w += asset.heater_power_w
    return room_wh, store_w


def _todays_daylight(forecast: Sequence[ForecastSlot]) -> list[ForecastSlot]:
    """The slots from now until the forecast PV next falls to zero (tonight): today's sun only."""
    daylight = []
    for slot in forecast:
        if slot.pv_w <= 0:
            break
        daylight.append(slot)
    return daylight


def _seconds_to_peak(now: float, policy: Policy) -> float | None:
    """Seconds until the next price peak starts; None without a peak or during one."""
    if policy.peak_start_h == policy.peak_end_h or policy.in_peak(now):
        return None
    return (policy.peak_start_h * 3600.0 - now % SECONDS_PER_DAY) % SECONDS_PER_DAY


def _grid_charge_due(batteries: Sequence[AssetView], policy: Policy, to_peak_s: float | None) -> bool:
    """Whether charging at full power must start now to reach the reserve by the peak."""
    if to_peak_s is None or policy.peak_reserve_soc <= 0:
        return False
    target = [(min(policy.peak_reserve_soc, b.soc_max) - b.soc) * b.capacity_wh for b in batteries]
    missing_wh = sum(max(0.0, wh) for wh in target)
    charge_w = sum(b.max_charge_w for b in batteries if b.soc < policy.peak_reserve_soc)
    if missing_wh <= 0 or charge_w <= 0:
        return False
    return to_peak_s <= missing_wh / charge_w * 3600.0 * LEAD_MARGIN + LEAD_EXTRA_S


def _preheat_due(boilers: Sequence[AssetView], policy: Policy, to_peak_s: float | None) -> bool:
    """Whether the coldest-to-fill boiler must start heating now to reach `peak_preheat_c` by the peak."""
    if to_peak_s is None or policy.peak_preheat_c <= 0:
        return False
    leads = [(policy.peak_preheat_c - b.temperature_c) * policy.capacity_of(b.module) / b.heater_power_w
             if policy.capacity_of(b.module) > 0
             else UNKNOWN_HEAT_CAPACITY_LEAD_S
             for b in boilers if b.temperature_c < policy.peak_preheat_c and b.heater_power_w > 0]
    return bool(leads) and to_peak_s <= max(leads) * LEAD_MARGIN + LEAD_EXTRA_S
