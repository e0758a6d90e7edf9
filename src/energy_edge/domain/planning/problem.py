"""The planning problem as data: what a solver (the `PlanSolver` port) needs, and the plan it returns.

The site over the next hours in slots (15 min): forecast PV and load, the import and
feed-in price of each slot, the hot water each tank is expected to give in it (the
operator's hourly profile), the stores (the batteries as one, the boilers' heat as one, in parts
of alike tanks where they differ),
the grid limits, an optional demand charge, the end-of-horizon rule the lab's
yardstick judges a day by (a store ending below its level now is bought back at the
import price over the charging efficiency; above it, worth nothing), and the policy's
daily store targets that fall within the horizon (store_targets.py).

Building it (`build_problem`) is pure: the controller calls it on every replan with the
forecaster's slots, the price schedule and the assets it counts on now. Without day-ahead
prices the policy's time-of-use window stands in (`NO_PRICE_*`: relative prices). The time-of-use
reserve (`peak_reserve_soc`) is the heuristic planner's rule for a peak it cannot price: the LP
prices the window instead, and the balancer drops the reserve floor under its band. Where the
forecast's cautious figures would import above the limit, the plan counts on them, and wherever the
cautious load alone (with the heaters where hot water is drawn: they must run then) exceeds the limit
the batteries enter the slot holding what it would take with no sun at all, and they enter a run of
draws the heaters cannot meet from the grid alone holding what the heat planned for it takes beyond
the grid's room and the cautious sun (`draw_room_w`, limit_margin.py).

The tanks' heat is the heat above their comfort floors, E = C (T - T_min), where T_min is each
boiler's minimum plus `hot_water_guidance.MARGIN_C` (the just-in-time floor's margin). A
well-mixed tank (planning/hot_water.py) loses UA (T - T_ambient) and, drawing m kg/s
replaced by cold water, m c (T - T_cold): both linear in E, so a slot of h hours with
a constant heater power P is exactly affine (`HeatStore.step`):

    E_end = keep E_start + gain_h P - drain_wh,  keep = exp(-r),  r = (UA + m c) / C x h

where drain_wh is what the standing loss and the draw take at the minimum temperatures
over the slot. E >= 0 is hot water at the minimum: the comfort the plan must hold.
Each boiler draws its own profile and has its own tank size and loss where the policy lists
them (`Policy.draws_of`, `Policy.capacity_of`, `Policy.loss_of`), else the site's: the store
adds the tanks' heat, room and losses and draws their mean, one store of the same form (exact
for alike tanks that are equally warm). Tanks that differ in size, loss, floor, top or draws are
planned in parts of alike ones (`HeatStore.tanks`), each a store of that form with its own draws
(`ProblemSlot.tank_draws_kg`); the store above them keeps their sums for the guidance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from ..balancing.balancer import start_carry_wh
from ..balancing.hourly_profile import HourlyProfile
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from ..prices import PriceSchedule
from ..quick_init import quick_init
from .forecast import ForecastSlot
from .hot_water import AMBIENT_C, WATER_J_PER_KG_K, relaxed_share
from .hot_water_guidance import HOUR_S, LITRE_KG, MARGIN_C
from .limit_margin import draw_room_w, limit_reserve_w, planned_pv_and_load
from .store_targets import StoreTarget, one_per_slot, settles, store_targets

BATTERY_ROUND_TRIP_EFFICIENCY = 0.9  # telemetry does not say; a lithium battery with its inverter
HEAT_LOSS_RATIO_PER_H = 0.01  # share of a tank's heat above its minimum lost every hour, where the policy
#                                does not give the tanks' standing loss (boiler_loss_w_per_k)
# The batteries' energy for a heater's start is planned this much above what the balancer asks: a plan that
# stops a few watt-hours short charges below the band's "active" flow, which the balancer reads as at rest.
START_CARRY_MARGIN = 1.5
NO_PRICE_IMPORT_PER_KWH = 1.0  # without day-ahead prices: relative prices, so the plan still ranks hours ...
NO_PRICE_PEAK_IMPORT_PER_KWH = 2.0  # ... the policy's time-of-use window dearer ...
NO_PRICE_FEED_IN_PER_KWH = 0.3  # ... and a kWh exported worth less than one not imported
BRIGHTER_BY_W = 1.0  # a bright sky this little above the expected one is the same sky
# Tanks planned as stores of their own at most: each part adds its heat, store and comfort to every slot of the
# plan, and ten under a binding import limit made a replan of a 20-asset site four times slower (make bench)
MAX_TANK_PARTS = 3
MIN_PRICE_CUT_S = 60.0  # the first slot is cut where the price changes, no nearer either of its ends than this


@dataclass(frozen=True, slots=True)
class ProblemSlot:
    """One slot of the horizon: mean powers (W) over [start_s, start_s + duration_s) and its prices."""

    start_s: float
    duration_s: float
    pv_w: float  # PV the arrays could give (before curtailment), >= 0
    load_w: float  # what the controller does not steer, >= 0
    import_price_per_kwh: float
    feed_in_price_per_kwh: float
    hot_water_kg: float = 0.0  # hot water each boiler's tank is expected to give over the slot
    cautious_pv_w: float | None = None  # the forecast's cautious PV (a worse sky than usual); None: pv_w
    limit_reserve_w: float = 0.0  # load above the import limit the batteries must carry if the sun failed (W)
    draw_room_w: float | None = None  # a draw the heaters cannot meet from the grid alone: what the grid up to
    #                                   its limit and the cautious sun leave them beside the cautious load (W,
    #                                   negative where even the load does not fit); None elsewhere
    bright_pv_w: float | None = None  # the forecast's bright PV (a better sky than usual); None: pv_w
    tank_draws_kg: tuple[float, ...] = ()  # where the heat store has tanks of their own (`HeatStore.tanks`): the
    #                                        hot water each tank of each gives over the slot; () : hot_water_kg

    def draws_kg(self, tank: int) -> float:
        """The hot water each tank of the heat store's `tank`-th part gives over the slot (kg)."""
        return self.tank_draws_kg[tank] if self.tank_draws_kg else self.hot_water_kg

    @property
    def sure_pv_w(self) -> float:
        """The PV the slot gives under its cautious sky (W): never above the expected."""
        return self.pv_w if self.cautious_pv_w is None else min(self.pv_w, self.cautious_pv_w)

    @property
    def cautious_surplus_w(self) -> float:
        return max(0.0, self.sure_pv_w - self.load_w)


@quick_init
@dataclass(frozen=True, slots=True)
class BatteryStore:
    """All batteries the balancer counts on, as one store (the balancer shares the plan among them)."""

    energy_wh: float  # stored now
    min_wh: float  # the SoC band's floor (policy and batteries together)
    max_wh: float
    max_charge_w: float
    max_discharge_w: float
    charge_efficiency: float  # one way: stored = charged x this; delivered = drawn x discharge_efficiency
    discharge_efficiency: float
    start_wh: float = 0.0  # what they hold above the floor before the balancer has them carry a heater's start


@dataclass(frozen=True, slots=True)
class HeatStep:
    """One slot of the heat store: E_end = keep x E_start + gain_h x heater power (W) - drain_wh."""

    keep: float
    gain_h: float
    drain_wh: float


@dataclass(frozen=True, slots=True)
class HeatStore:
    """All boilers' tanks as one store of heat above their minimum temperatures (see the module's doc)."""

    energy_wh: float  # heat above the minimum now (>= 0)
    max_wh: float  # heat above the minimum at the maximum temperature
    heater_w: float
    loss_ratio_per_h: float = HEAT_LOSS_RATIO_PER_H  # UA / C: the share of E the standing loss takes an hour
    loss_floor_w: float = 0.0  # what the standing loss takes at the minimum temperatures: sum UA (T_min - ambient)
    tank_kg: float = 0.0  # each tank's water (0: the draws are not modelled)
    draw_wh_per_kg: float = 0.0  # heat a kg drawn from every tank takes at the minimum: sum c (T_min - T_cold)
    # Tanks that are not alike (their size, loss, floor, top or draws differ) as stores of their own, each of
    # alike tanks, the one store above their sum (); `modules`: the boilers a part holds
    tanks: tuple["HeatStore", ...] = ()
    modules: tuple[str, ...] = ()

    def each_tank(self) -> tuple["HeatStore", ...]:
        """The stores the plan balances one by one: the parts (`tanks`), or this one."""
        return self.tanks or (self,)

    def step(self, slot: ProblemSlot, drawn_kg: float | None = None) -> HeatStep:
        """The slot's affine step, exact for constant powers over it (the exponential relaxation); `drawn_kg`
        each tank gives over it (None: the slot's `hot_water_kg`)."""
        hours = slot.duration_s / HOUR_S
        kg = slot.hot_water_kg if drawn_kg is None else drawn_kg
        drawn = kg / self.tank_kg if self.tank_kg > 0 else 0.0  # the share of each tank replaced
        rate = self.loss_ratio_per_h * hours + drawn
        keep = math.exp(-rate)
        spread = relaxed_share(rate)  # how much of a steady inflow the slot keeps
        drawn_wh = self.draw_wh_per_kg * kg if self.tank_kg > 0 else 0.0
        return HeatStep(keep, spread * hours, spread * (self.loss_floor_w * hours + drawn_wh))


@dataclass(frozen=True, slots=True)
class PlanningProblem:
    slots: tuple[ProblemSlot, ...]
    import_limit_w: float
    export_limit_w: float
    battery: BatteryStore | None = None
    heat: HeatStore | None = None
    demand_charge_per_kw: float = 0.0  # on the horizon's highest slot import (0: none)
    refill_price_per_kwh: float = 0.0  # a store's shortfall at the horizon's end is bought back at this
    store_targets: tuple[StoreTarget, ...] = ()  # the policy's daily targets within the horizon (store_targets.py)

    def end_floors_wh(self) -> tuple[float, float]:
        """What the batteries and the tanks should hold at the horizon's end (a shortfall is bought back at
        `refill_price_per_kwh`): what they hold now, or less where a daily target within the horizon asks
        less. Without a target the plan ends no lower than it starts; with one, the target is the stores'
        daily anchor, and holding more than it across the horizon's end earns nothing. Otherwise each
        replan's start became the next horizon's floor: charged on a sunny morning, a battery had to end
        every later horizon as full as it was then, so it stored all morning and carried the surplus past
        midnight unused (a 50 kWh battery ended its day 20 kWh above the day's start and target)."""
        battery_wh = 0.0 if self.battery is None else self.battery.energy_wh
        heat_wh = 0.0 if self.heat is None else self.heat.energy_wh
        if self.store_targets:
            anchor = one_per_slot(self.store_targets)[-1]  # the latest
            if anchor.battery_wh > 0:
                battery_wh = min(battery_wh, anchor.battery_wh)
            if anchor.heat_wh > 0:
                heat_wh = min(heat_wh, anchor.heat_wh)
        return battery_wh, heat_wh

    @property
    def may_be_brighter(self) -> bool:
        """Whether the forecast's bright sky gives a slot after the first more sun than its expected one."""
        return any(s.bright_pv_w is not None and s.bright_pv_w > s.pv_w + BRIGHTER_BY_W for s in self.slots[1:])

    def under_bright_sky(self) -> "PlanningProblem":
        """The problem on the forecast's bright sky from the second slot on: the economics of a sunnier day
        than expected, beside the expected one (the planner's two skies, highs_solver.py). The first slot is
        the expected one's, decided once for both. Without the import limit's and the draws' reserves and the
        heaters' start: they are the expected sky's to keep, and the first slot keeps them there. The tanks as one
        store: it prices the stores' use, and a store per part in both skies made a replan of a site of ten unlike
        tanks several times slower."""
        slots = (*self.slots[:1], *(replace(s, pv_w=max(s.pv_w, s.bright_pv_w), limit_reserve_w=0.0, draw_room_w=None)
                                    if s.bright_pv_w is not None else s for s in self.slots[1:]))
        battery = None if self.battery is None else replace(self.battery, start_wh=0.0)
        heat = None if self.heat is None else replace(self.heat, tanks=())
        return replace(self, slots=slots, battery=battery, heat=heat)


@quick_init
@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """What the plan does in one slot (mean W, magnitudes) and the stores' energy at its end (Wh)."""

    import_w: float
    export_w: float
    charge_w: float = 0.0
    discharge_w: float = 0.0
    curtailed_w: float = 0.0
    heat_w: float = 0.0
    battery_wh: float = 0.0
    heat_wh: float = 0.0
    cold_wh: float = 0.0  # heat the tanks lack in the slot to stay at their minimum through its draws
    # What one more kWh in the tanks at the slot's end is worth to the plan (the heat balance's shadow
    # price, per kWh in the prices' currency): the grid heat it spares later, or the feed-in it would have
    # fetched where the sun covers the tanks anyway.
    heat_value_per_kwh: float = 0.0
    tank_heat_w: tuple[float, ...] = ()  # where the heat store has parts (`HeatStore.tanks`): each part's heat_w ...
    tank_heat_wh: tuple[float, ...] = ()  # ... and heat_wh

    def of_tank(self, tank: int) -> "PlannedSlot":
        """The slot as the heat store's `tank`-th part sees it: its heat and heat stored (this slot where the
        store has no parts)."""
        if not self.tank_heat_w:
            return self
        return replace(self, heat_w=self.tank_heat_w[tank], heat_wh=self.tank_heat_wh[tank])

    @property
    def grid_w(self) -> float:
        return self.import_w - self.export_w

    @property
    def battery_w(self) -> float:
        """Site convention: + discharge."""
        return self.discharge_w - self.charge_w


def build_problem(now: float, policy: Policy, assets: Sequence[AssetView], forecast: Sequence[ForecastSlot],
                  prices: PriceSchedule, demand_charge_per_kw: float = 0.0) -> PlanningProblem:
    """The problem for the assets the balancer counts on now, over the forecast's slots (the twin's
    tariff gives the demand charge)."""
    slots = []
    heaters_w = sum(a.heater_power_w for a in assets if a.kind == "boiler" and a.enabled)
    heat = _heat_store(policy, assets)
    for slot in cut_at_price_change(policy, prices, forecast):
        import_price, feed_in_price = _prices_at(policy, prices, slot.start_s + slot.duration_s / 2)
        drawn_kg = tank_draw_kg(policy, assets, slot)
        pv_w, load_w = planned_pv_and_load(slot, policy.import_limit_w)  # cautious where the limit may bind
        cautious_pv = None if slot.pv_low_w is None else min(pv_w, max(0.0, slot.pv_low_w))
        # Where hot water is drawn the heaters must run, so they count towards the limit's reserve: the
        # batteries enter such a slot holding what the load and heaters above the limit would take with no
        # sun (under a 2.1 kW limit a 6 kW heater's draw hours were planned on the expected sun, and an
        # overcast morning emptied the batteries half-way through the draw). A reserve, not the cautious sky
        # itself: planned on that, draw hours in a cheap midday window left too little room to refill there,
        # and the batteries were held all night at the dear price instead (a 7.1 kW limit: 0.96 -> 0.80).
        reserve_w = limit_reserve_w(slot, policy.import_limit_w - (heaters_w if drawn_kg > 0 else 0.0))
        slots.append(ProblemSlot(slot.start_s, slot.duration_s, pv_w, load_w, import_price, feed_in_price,
                                 drawn_kg, cautious_pv, reserve_w,
                                 draw_room_w(slot, policy.import_limit_w, heaters_w) if drawn_kg > 0 else None,
                                 bright_pv_w(slot, pv_w), _part_draws_kg(policy, heat, slot)))
    end = slots[-1].start_s + slots[-1].duration_s if slots else now
    # The stores' end is bought back at the import price then; where the day settles at a target (the horizon's
    # end), the target alone counts there: below it costs what buying it then would, and the rest nothing.
    refill = _prices_at(policy, prices, end - 1.0)[0] if slots and not settles(policy) else 0.0
    targets = store_targets(policy, slots[0].start_s if slots else now, [s.start_s + s.duration_s for s in slots],
                            *_target_wh(policy, assets, heat is not None), lambda t: _prices_at(policy, prices, t)[0])
    return PlanningProblem(tuple(slots), policy.import_limit_w, policy.export_limit_w, battery_store(policy, assets),
                           heat, demand_charge_per_kw, max(0.0, refill), targets)


def cut_at_price_change(policy: Policy, prices: PriceSchedule, forecast: Sequence[ForecastSlot]) -> list[ForecastSlot]:
    """The forecast with its first slot cut in two where the price changes within it (the same sun and load in
    both parts). The first slot is the plan's decision, priced at its middle: starting at 15:55 it read the
    16:00 peak's price for the five cheap minutes before it too, and a heating run meant to end at 16:00
    stopped there, the tank coasting into the peak a degree and a half short and heating in it. A change
    within `MIN_PRICE_CUT_S` of either end leaves the slot whole."""
    if not forecast:
        return []
    first = forecast[0]
    end_s = first.start_s + first.duration_s
    cut_s = next_price_change_s(policy, prices, first.start_s, end_s)
    if cut_s is None or cut_s - first.start_s < MIN_PRICE_CUT_S or end_s - cut_s < MIN_PRICE_CUT_S:
        return list(forecast)
    return [replace(first, duration_s=cut_s - first.start_s), replace(first, start_s=cut_s, duration_s=end_s - cut_s),
            *forecast[1:]]


def next_price_change_s(policy: Policy, prices: PriceSchedule, after_s: float, before_s: float) -> float | None:
    """The first moment in (after_s, before_s) at which the price differs from the one at `after_s`: an edge
    of the schedule's slots or of the policy's time-of-use window (None: no change)."""
    day_s = after_s - after_s % 86_400.0
    edges = [t for slot in prices.slots for t in (slot.start_s, slot.end_s)]
    edges += [d + h * 3600.0 for d in (day_s, day_s + 86_400.0) for h in (policy.peak_start_h, policy.peak_end_h)]
    now_prices = _prices_at(policy, prices, after_s)
    changes = [t for t in edges if after_s < t < before_s and _prices_at(policy, prices, t) != now_prices]
    return min(changes, default=None)


def bright_pv_w(slot: ForecastSlot, planned_pv_w: float) -> float | None:
    """The slot's PV under a bright sky (W), or None where the plan counts on its cautious sky (the import limit
    may bind there) or the forecast gives none."""
    if slot.pv_high_w is None or planned_pv_w < max(0.0, slot.pv_w):
        return None
    return max(planned_pv_w, slot.pv_high_w)


def _prices_at(policy: Policy, prices: PriceSchedule, t: float) -> tuple[float, float]:
    """(import, feed-in) per kWh at `t`: the schedule's, or the policy's time-of-use window's relative prices."""
    slot = prices.at(t)
    if slot is not None:
        feed_in = slot.feed_in_price_per_kwh
        return slot.import_price_per_kwh, (min(slot.import_price_per_kwh, NO_PRICE_FEED_IN_PER_KWH
                                               * slot.import_price_per_kwh) if feed_in is None else feed_in)
    peak = NO_PRICE_PEAK_IMPORT_PER_KWH if policy.in_peak(t) else NO_PRICE_IMPORT_PER_KWH
    return peak, NO_PRICE_FEED_IN_PER_KWH


def battery_store(policy: Policy, assets: Sequence[AssetView]) -> BatteryStore | None:
    """The batteries the balancer counts on as one store (None: none with a known capacity)."""
    energy = low_wh = high_wh = charge = discharge = start_wh = 0.0
    found = False
    for asset in assets:
        if asset.kind != "battery" or asset.capacity_wh <= 0:
            continue
        found = True
        low, high = _battery_band(policy, asset)
        energy += min(max(asset.soc, low), high) * asset.capacity_wh  # outside the band: plan from its edge
        low_wh += low * asset.capacity_wh
        high_wh += high * asset.capacity_wh
        charge += asset.max_charge_w
        discharge += asset.max_discharge_w
        start_wh += START_CARRY_MARGIN * start_carry_wh(asset, asset.max_discharge_w, policy)
    if not found:
        return None
    one_way = BATTERY_ROUND_TRIP_EFFICIENCY ** 0.5
    return BatteryStore(energy, low_wh, high_wh, charge, discharge, one_way, one_way, min(start_wh, high_wh - low_wh))


def _battery_band(policy: Policy, battery: AssetView) -> tuple[float, float]:
    """The SoC band the plan keeps a battery in: its own and the policy's reserve, the tighter of each edge."""
    low = max(policy.soc_reserve_min, battery.soc_min)
    return low, max(low, min(policy.soc_reserve_max, battery.soc_max))


def _planned_boilers(assets: Sequence[AssetView]) -> list[AssetView]:
    """The boilers the plan counts on: enabled, with a heater."""
    return [a for a in assets if a.kind == "boiler" and a.enabled and a.heater_power_w > 0]


def _tanks(policy: Policy, assets: Sequence[AssetView]) -> list[AssetView]:
    """The boilers the heat store holds: those the plan counts on whose tank's heat capacity is known."""
    return [b for b in _planned_boilers(assets) if policy.capacity_of(b.module) > 0]


def _target_wh(policy: Policy, assets: Sequence[AssetView], tanks: bool) -> tuple[float, float]:
    """The policy's daily store target in the stores' units (`StoreTarget`): the batteries' energy at
    `store_target_soc` within their bands, the tanks' heat above their comfort floors at `store_target_c`
    within theirs (`tanks`: only where the plan has a heat store); 0 where the policy sets none."""
    battery_wh = heat_wh = 0.0
    if policy.store_target_soc > 0:
        for a in assets:
            if a.kind == "battery" and a.capacity_wh > 0:
                low, high = _battery_band(policy, a)
                battery_wh += min(max(policy.store_target_soc, low), high) * a.capacity_wh
    if policy.store_target_c > 0 and tanks:
        heat_wh = sum(max(0.0, min(policy.store_target_c, b.max_temperature_c) - comfort_floor_c(b))
                      * policy.capacity_of(b.module) / HOUR_S for b in _tanks(policy, assets))
    return battery_wh, heat_wh


def comfort_floor_c(boiler: AssetView) -> float:
    """The temperature the plan keeps a boiler's tank at or above: its minimum plus the just-in-time margin
    (within its band)."""
    return min(boiler.min_temperature_c + MARGIN_C, boiler.max_temperature_c)


def litres_between(profile: HourlyProfile, start_s: float, duration_s: float) -> float:
    """The litres `profile` (per UTC hour, spread evenly within it) draws over [start_s, start_s + duration_s)."""
    litres, t, end = 0.0, start_s, start_s + duration_s
    while t < end:
        hour_end = (math.floor(t / HOUR_S) + 1) * HOUR_S
        part_end = min(hour_end, end)
        litres += profile.at(int((t % 86_400.0) // HOUR_S)) * (part_end - t) / HOUR_S
        t = part_end
    return litres


def tank_draw_kg(policy: Policy, assets: Sequence[AssetView], slot: ForecastSlot) -> float:
    """The hot water each tank of the heat store gives over `slot` (kg): the boilers' mean, each boiler drawing
    its own profile (`Policy.draws_of`); the site's profile where no boiler is counted on."""
    boilers = _planned_boilers(assets)
    profiles = [policy.draws_of(b.module) for b in boilers] or [policy.hot_water_litres_per_hour]
    return sum(litres_between(p, slot.start_s, slot.duration_s) for p in profiles) / len(profiles) * LITRE_KG


def _part_draws_kg(policy: Policy, heat: HeatStore | None, slot: ForecastSlot) -> tuple[float, ...]:
    """The hot water each tank of each part of the heat store gives over `slot` (kg; () without parts): a part's
    tanks draw alike (`_alike_parts`)."""
    if heat is None or not heat.tanks:
        return ()
    return tuple(litres_between(policy.draws_of(part.modules[0]), slot.start_s, slot.duration_s) * LITRE_KG
                 for part in heat.tanks)


def _heat_store(policy: Policy, assets: Sequence[AssetView]) -> HeatStore | None:
    """The boilers the balancer counts on as one store above their comfort floors (`comfort_floor_c`), and
    where their tanks are not alike, each part of alike ones as a store of its own (`HeatStore.tanks`): as one,
    a tank with no draw until the morning counted its heat for another's evening draws, and the plan gave
    every tank the same rise."""
    boilers = _tanks(policy, assets)
    if not boilers:
        return None
    store = _store_of(policy, boilers)
    parts = _alike_parts(policy, boilers)
    if len(parts) == 1:
        return store
    return replace(store, tanks=tuple(replace(_store_of(policy, part), modules=tuple(b.module for b in part))
                                      for part in parts))


def _alike_parts(policy: Policy, boilers: Sequence[AssetView]) -> list[list[AssetView]]:
    """The boilers in parts of alike tanks, in their order: the same size, loss, comfort floor, top and draws
    (tanks the plan may sum without error where they are equally warm). More than `MAX_TANK_PARTS` parts: parts
    by their draws alone (what one tank's heat must not be counted for), and more than that still, one store."""
    def parts_by(key: Callable[[AssetView], tuple[object, ...]]) -> list[list[AssetView]]:
        parts: dict[tuple[object, ...], list[AssetView]] = {}
        for b in boilers:
            parts.setdefault(key(b), []).append(b)
        return list(parts.values())

    parts = parts_by(lambda b: (policy.capacity_of(b.module), policy.loss_of(b.module), comfort_floor_c(b),
                                b.max_temperature_c, policy.draws_of(b.module)))
    if len(parts) > MAX_TANK_PARTS:
        parts = parts_by(lambda b: (policy.draws_of(b.module),))
    return parts if len(parts) <= MAX_TANK_PARTS else [list(boilers)]


def _store_of(policy: Policy, boilers: Sequence[AssetView]) -> HeatStore:
    """`boilers` as one store above their comfort floors (`comfort_floor_c`), with their standing loss and the
    draws' heat where the policy gives them: each tank's own size and loss (`Policy.capacity_of`,
    `Policy.loss_of`), their mean loss ratio and draws (one store of the same form)."""
    capacities = [policy.capacity_of(b.module) for b in boilers]
    alike = all(c == capacities[0] for c in capacities)
    capacity = capacities[0] if alike else sum(capacities) / len(capacities)  # a tank's (their mean)
    floors = [comfort_floor_c(b) for b in boilers]
    if alike:  # each tank's heat counted as every earlier figure was
        to_wh = capacity / HOUR_S
        energy = sum(max(0.0, b.temperature_c - floor) for b, floor in zip(boilers, floors)) * to_wh
        room = sum(max(0.0, b.max_temperature_c - floor) for b, floor in zip(boilers, floors)) * to_wh
    else:  # tanks of their own sizes (Policy.capacity_of) as one store: their heat and room add up
        tanks = list(zip(boilers, floors, capacities))
        energy = sum(max(0.0, b.temperature_c - floor) * c / HOUR_S for b, floor, c in tanks)
        room = sum(max(0.0, b.max_temperature_c - floor) * c / HOUR_S for b, floor, c in tanks)
    losses = [policy.loss_of(b.module) for b in boilers]
    if all(loss == losses[0] for loss in losses):  # one loss for all: as every earlier figure had it
        loss_ratio = losses[0] * HOUR_S / capacity if losses[0] > 0 else HEAT_LOSS_RATIO_PER_H
    else:  # each tank its own (`Policy.loss_of`): the store loses their UA over their heat capacity
        loss_ratio = sum(losses) * HOUR_S / sum(capacities)
    # A tank kept below the assumed surroundings is planned as losing nothing at its floor, not as gaining heat:
    # a gain the plan cannot shed past a maximum below them left the LP without a plan (a 6.7..13.6 °C tank)
    loss_floor = sum(loss * max(floor - AMBIENT_C, 0.0) for loss, floor in zip(losses, floors))
    draw_wh_per_kg = sum(WATER_J_PER_KG_K * max(0.0, floor - policy.cold_water_c) for floor in floors) / HOUR_S
    return HeatStore(min(energy, room), room, sum(b.heater_power_w for b in boilers), loss_ratio,
                     loss_floor, capacity / WATER_J_PER_KG_K, draw_wh_per_kg)
