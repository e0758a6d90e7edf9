"""The control law: one cycle of grid balancing as a pure function.

    error          = grid - grid_target_w                 (site convention: + import)
    site load L    = grid + flexible power now            (what the assets do not steer)
    flexible power = L - grid_target_w  (= now + error)   closed loop on the meter
                     held inside the deadband, moved by at most ramp_limit_w per cycle,
                     but always inside [L - import_limit_w, L + export_limit_w] (hard limits win)

It is split by merit order. Surplus: batteries charge, then boilers heat what the
batteries cannot take, then the rest is exported and solar is curtailed only where
export would pass export_limit_w. Deficit: batteries discharge, boilers that may
stop (minimum on time served, above their minimum temperature) stop, the rest is
imported. Batteries share their part in proportion to their room inside the SoC
reserve band (band x capacity) within each one's power limit, all in one direction;
curtailed output is shared among inverters in proportion to their rating, none
above what its sun gives (`sharing.share`). A boiler is a deferrable load: whatever
heats it (comfort recovery, a preheat, a minimum on time, its own thermostat on a cold
tank) fits under the import limit with the sun and the batteries' discharge, the
coldest first, or it is held off (`_fit_limit`).

"Flexible power now" is each asset's measured power, except where its telemetry
predates the last decision: then the power that decision asked for is used, so a
meter that is newer than the telemetry cannot make the loop oscillate.

The planner's `Guidance` shifts the target: export-first lowers it by the surplus
to export before storing, filling stores from the grid raises it by their power;
a planned grid band (band.py) replaces both: the target is the grid without the
batteries, held inside the band. The hard limits above do not move.

Fast behaviours (issue 15), each so that a one-second event cannot become chatter or a breach:
- the export limit is aimed `EXPORT_MARGIN_W` inside: a battery command within its send
  tolerance, or a small load drop, acts a cycle after the inverter's limit;
- batteries reverse (charge <-> discharge) no sooner than `REVERSAL_DWELL_S` after last
  running the other way: meanwhile they idle, solar is curtailed or the grid takes it,
  unless that would break a grid limit (the limits win);
- under a planner's band (band.py) the batteries are steered on their own: the deadband keeps
  batteries at rest at rest (it held the whole flexible power, so the sun's drift started and
  stopped them by a few watts), a boiler's switching is a decision, not a ramp to follow, and
  once they have reversed or stopped `REVERSALS_PER_HOUR` times within the hour they hold their
  direction in standby through a need the other way, or none, of up to `REVERSAL_HOLD_S` (a passing
  cloud: under an export-first band each one took the surplus below the export and stopped the
  charge), never curtailing the sun or passing a grid limit for it; at rest they do not start a run their SoC
  band would end within `MIN_RUN_S` (unless the import limit needs it);
- a solar ceiling that does not curtail stays in force while it lies between what the sun
  gives and the cap, so the inverter's limit (and its RUNNING/CURTAILED state) moves rarely;
- a boiler being drawn (`_drawn`) below its comfort floor (`_comfort_floor_c`) is
  heated from the grid while the draw lasts, not only once it is below its minimum;
- a battery reporting a charge at its soc_max has stopped itself, a boiler whose heater state
  disagrees with its measured power was switched by its thermostat: each counts as it is now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, NamedTuple

from ..quick_init import quick_init
from .band import band_battery_w, band_limits, banded_target, planned_import_w, unless_sliver
from .carried_heat import CarriedHeat
from .guidance import Guidance
from .policy import Policy
from .sharing import share
from .snapshot import AssetView, SiteSnapshot

_NEVER = -math.inf
COMFORT_RECOVERY_C = 5.0  # a cold boiler is heated this far above its minimum before it is shed again ...
PLANNED_RECOVERY_C = 2.0  # ... or this far where a planner preheats for the draws the policy states (its
#                           thermostat's hysteresis still needs a margin; the draws' buffer is the planner's)
COMFORT_LEAD_S = 10.0  # a cooling boiler is recovered this long before its trend reaches its minimum: the
#                        command's way to the heater (a cycle or two) must not be spent below it
CEILING_STEP_RATIO = 0.05  # a non-binding solar ceiling moves in steps of 5 % of the inverter's rating
BATTERY_FILL_HORIZON_S = 900.0  # boilers count only on battery room that this long at full power cannot fill
BOILER_START_SURPLUS_RATIO = 0.5  # a free boiler starts when the surplus beyond the batteries covers this share
BOILER_KEEP_SURPLUS_RATIO = 0.25  # ... and a heating one stays on while it covers this share
GRID_CHARGE_MARGIN_SOC = 0.01  # grid charging stops this short of its target: no chatter with the reserve floor
EXPORT_FIRST_START_W = 1000.0  # under export-first, batteries at rest start charging only for this much
STICKY_SHARE_RATIO = 0.05  # a battery keeps its part while within this share of its power limit of its fair part
PREHEAT_REST_SURPLUS_RATIO = 0.25  # a hot-water preheat rests charging batteries only on this share of its heater
#                                   in the sun's surplus (the heat then comes from the sun they would store)
REVERSAL_DWELL_S = 15.0  # batteries reverse (charge <-> discharge) no sooner than this after last running the other way
REVERSALS_PER_HOUR = 2  # under a band, batteries that reversed or stopped this often within REVERSAL_WINDOW_S ...
REVERSAL_WINDOW_S = 3600.0
REVERSAL_HOLD_S = 120.0  # ... hold their direction this long against a need the other way (a passing cloud) ...
STANDBY_W = 20.0  # ... resting in their mode at this power (above the commands' 10 W send tolerance, which stops them)
MIN_RUN_S = 60.0  # under a band, batteries at rest do not start a run that their SoC band would end sooner than this
MIN_RUN_SOC = 0.01  # ... nor a charge with less than this share of their capacity left to their band's top
COMFORT_HORIZON_S = 1800.0  # a draw that outruns a boiler's heater is assumed to last this long ...
COMFORT_MARGIN_BAND_RATIO = 0.5  # ... the margin it needs above the minimum at most this share of the band
DRAW_WINDOW_S = 60.0  # a boiler's temperature trend is measured over this long
DRAW_HEATER_RATIO = 0.25  # a tank cooling faster than this share of its heater's heating rate is being drawn
EXPORT_MARGIN_W = 25.0  # a binding export limit is aimed this far inside (the commands' 10 W send tolerance x 2)


@quick_init
@dataclass(frozen=True, slots=True)
class Setpoint:
    """What one asset is asked to do this cycle."""

    kind: str
    value: float  # battery: power_w (signed, + discharge); solar: limit_w; boiler: temperature_c
    expected_power_w: float  # what the asset should deliver under it (site convention)
    heat: bool | None = None  # boiler: True absorbs surplus (its max temperature), False sheds (its min)
    hold_off: bool = False  # boiler: its heater stays off, even cold, while the lease runs (the import limit binds)


@quick_init
@dataclass(frozen=True, slots=True)
class BoilerTimer:
    """The heating state last decided for a boiler and since when (for minimum on/off times)."""

    heat: bool
    since: float
    recovering: bool = False  # heating a cold boiler back past its minimum (see COMFORT_RECOVERY_C)
    recover_to_c: float = math.nan  # ... up to this (nan: its minimum + COMFORT_RECOVERY_C)
    seen_c: float = math.nan  # the temperature at the start of the current trend window
    seen_at: float = _NEVER  # ... and when
    cooling_k_per_s: float = 0.0  # how fast the tank cooled over the last whole window, net of its heater


@quick_init
@dataclass(frozen=True, slots=True)
class BalancerMemory:
    """What one decision hands to the next; start with `BalancerMemory()`."""

    decided_at: float | None = None
    flex_w: float | None = None  # total flexible power the last decision expected
    battery_direction: int = 0  # -1 charging, +1 discharging, 0 never moved
    expected_w: Mapping[str, float] = field(default_factory=dict)
    boilers: Mapping[str, BoilerTimer] = field(default_factory=dict)
    battery_w: float = 0.0  # all batteries' power last decided (0: at rest)
    battery_moved_at: float = _NEVER  # when the batteries were last decided to run (either way)
    solar_limits: Mapping[str, float] = field(default_factory=dict)  # each inverter's limit last decided
    held_since: float | None = None  # since when the batteries hold their direction against the band (None: not)
    reversed_at: tuple[float, ...] = ()  # when the batteries last reversed or stopped (the latest REVERSALS_PER_HOUR)


@quick_init
@dataclass(frozen=True, slots=True)
class Decision:
    setpoints: dict[str, Setpoint]
    memory: BalancerMemory
    error_w: float = 0.0  # grid - target as measured
    predicted_grid_w: float = 0.0  # grid expected once every asset follows
    battery_w: float = 0.0  # all batteries together (the per-battery setpoints add up to it)
    solar_w: float = 0.0  # all inverters' expected output together
    boiler_w: float = 0.0  # all boilers' expected power together (<= 0)


def balance(snapshot: SiteSnapshot, policy: Policy, memory: BalancerMemory = BalancerMemory(),
            guidance: Guidance = Guidance()) -> Decision:
    """One balancing cycle: setpoints for every asset in `snapshot` and the memory for the next.

    `guidance` (from the planner) moves the grid target and the boilers' choice; the limits stay as hard.
    """
    now = snapshot.now
    guidance = guidance.for_cycle(now, snapshot.assets, policy.capacity_of)
    solars: list[AssetView] = []
    batteries: list[tuple[AssetView, float, float, float, float]] = []
    boilers: list[AssetView] = []
    flex_now = solar_avail = charge_room = discharge_room = room_soon = fill_from_grid = preheat_w = 0.0
    start_carry_w = 0.0  # the batteries' discharge that can carry a heater that starts now (`_carries_a_start`)
    charged_carry_w = 0.0  # ... and what they could carry once charged
    # Batteries that charged within the reversal dwell carry no start yet: the heater waits while they rest
    # (`needs` below), so its start is not a charge -> discharge flip within seconds.
    charged_lately = memory.battery_direction < 0 and now - memory.battery_moved_at < REVERSAL_DWELL_S
    flex_now_boilers = 0.0  # the boilers' part of flex_now
    lagging = memory.decided_at
    for asset in snapshot.assets:
        power = asset.power_w
        if lagging is not None and asset.timestamp <= lagging:
            power = memory.expected_w.get(asset.module, power)
        if asset.kind == "battery" and _stopped_at_band_edge(asset, power):
            power = 0.0
        elif asset.kind == "boiler" and asset.enabled and asset.heater_on != (power < 0):
            power = -asset.heater_power_w if asset.heater_on else 0.0  # its thermostat switched since it measured
        flex_now += power
        if asset.kind == "boiler":
            flex_now_boilers += power
        if asset.kind == "battery":
            low, high = _battery_band(asset, policy, now, time_of_use_reserve=not guidance.has_band)
            charge = asset.max_charge_w if asset.soc < high else 0.0
            discharge = asset.max_discharge_w if asset.soc > low else 0.0
            charge_room += charge
            discharge_room += discharge
            room_soon += _charge_room_soon(asset, charge)
            if asset.soc < guidance.grid_charge_to_soc - GRID_CHARGE_MARGIN_SOC:
                fill_from_grid += charge
            above_wh = max(0.0, asset.soc - low) * asset.capacity_wh
            start_carry_w += discharge if _carries_a_start(asset, discharge, above_wh, policy) else 0.0
            charged_carry_w += asset.max_discharge_w if charge > 0 else discharge  # once they hold a run's energy
            batteries.append((asset, charge, discharge, max(0.0, high - asset.soc) * asset.capacity_wh, above_wh))
        elif asset.kind == "boiler":
            boilers.append(asset)
            if asset.enabled and asset.temperature_c < min(guidance.boiler_preheat_c, asset.max_temperature_c,
                                                           guidance.ceiling_c(asset.module)):
                fill_from_grid += asset.heater_power_w
                preheat_w += asset.heater_power_w
        else:
            solars.append(asset)
            solar_avail += _solar_available(asset)

    load = snapshot.grid_power_w + flex_now
    dwell_short_w = start_carry_w if charged_lately else 0.0
    # Where the sun's surplus covers a share of the heaters, a preheat fits on batteries that charged lately too:
    # the heater waits while they rest (`needs`), where dropped here it never asked them to, and they charged on
    # from the sun it could have taken. Without that surplus the batteries' energy is the grid's and the
    # draws' to come: resting them for a preheat emptied a small battery before heavy draws under a tight limit.
    heaters_w = {b.module: b.heater_power_w for b in boilers if b.enabled}
    sunny = solar_avail - load >= PREHEAT_REST_SURPLUS_RATIO * max(heaters_w.values(), default=math.inf)
    guidance = guidance.preheat_within(policy.import_limit_w - load + solar_avail + start_carry_w
                                       - (0.0 if sunny else dwell_short_w), heaters_w)
    reference = flex_now if memory.flex_w is None else memory.flex_w
    floor, ceiling = load - policy.import_limit_w, load + policy.export_limit_w - _export_margin(policy)
    if guidance.has_band:  # the planner's band replaces export-first and grid charging (band.py)
        natural = load - solar_avail + preheat_w
        exported_first = 0.0
        base_target = banded_target(guidance.with_heaters_running(preheat_w), policy, natural, memory.battery_w)
        planned_import = planned_import_w(base_target, natural)
    else:
        exported_first = min(guidance.export_first_w, max(0.0, solar_avail - load))  # surplus kept for the grid
        base_target = _grid_target(policy, load, solar_avail, fill_from_grid)
        planned_import = max(0.0, base_target - policy.grid_target_w)
    flex, at_hard_limit, error = _steer(snapshot.grid_power_w, base_target - exported_first, load, reference,
                                        floor, ceiling, memory, policy)

    setpoints: dict[str, Setpoint] = {}
    timers: dict[str, BoilerTimer] = {}
    wanted_storage = flex - solar_avail  # what batteries and boilers should add to the bus
    # Free boilers heat from surplus, not from what the planner imports to fill stores (planned_import), nor
    # from the sun the ramp limit holds back for a cycle or two as a cloud passes (a 6 kW heater started for
    # each cloud's ramp ran its minimum on time and stopped: 6.5 boiler mode changes an hour on a cumulus day).
    settled = min(max(load - (base_target - exported_first), floor), ceiling)  # the flex without the ramp
    boiler_surplus = max(wanted_storage, settled - solar_avail) + planned_import
    if guidance.has_band and not guidance.boilers_follow_band:  # free boilers take the sun's surplus even
        boiler_surplus = min(boiler_surplus, load - solar_avail)  # where the band would export it
    boiler_room = solar_avail + discharge_room - floor  # heater power the grid, sun and batteries can carry
    needs: list[str] = []
    room_to_top_wh = sum(room_wh for _, _, _, room_wh, _ in batteries)
    carried = (CarriedHeat(room_to_top_wh, discharge_room, solar_avail - load, charging=memory.battery_w < 0)
               if guidance.boilers_carried and batteries else None)
    heating = _decide_boilers(boilers, policy, memory, now, boiler_surplus, room_soon, guidance, setpoints, timers,
                              boiler_room, sun_covers_site=solar_avail > load, carried=carried,
                              start_short_w=discharge_room - start_carry_w + dwell_short_w,
                              dwell_short_w=dwell_short_w, charged_extra_w=charged_carry_w - discharge_room,
                              needs=needs)
    battery_wanted = _under_export_first(wanted_storage - heating, exported_first, memory, policy, flex <= floor)
    holdable, band_wanted = False, 0.0
    if guidance.has_band:  # the band holds the grid with the boilers as decided; the batteries steer alone
        held = None if memory.flex_w is None else 0.0 if memory.held_since is not None else memory.battery_w
        others = solar_avail + heating
        band = guidance.with_heaters_running(-heating)  # the plan's import for the heaters that run
        band_wanted, error = band_battery_w(band, policy, snapshot.grid_power_w, load - others, held,
                                            floor - others, ceiling - others)
        battery_wanted = unless_sliver(band_wanted, guidance, policy, memory.battery_w == 0)
        if memory.battery_w == 0 and _run_too_short(battery_wanted, batteries):
            battery_wanted = 0.0  # the grid or curtailing the sun takes it (where a limit needs it, see below)
        at_hard_limit = not floor < battery_wanted + others < ceiling
        # A boiler switched on or off is a decision, not a ramp: the solar's ramp starts from it.
        reference += heating - _boilers_before(boilers, memory, flex_now_boilers)
        # A reversal may wait in standby, except a discharge that shaves a peak above a positive edge.
        holdable = battery_wanted < 0 or band_limits(band, policy)[1] <= 0
    if "rest" in needs:  # a heater waits for the charging batteries to rest through the dwell, then to carry it
        battery_wanted = max(battery_wanted, 0.0)
    elif "charge" in needs:  # a cold tank's heater waits for batteries that can carry it: fill them meanwhile
        battery_wanted = min(battery_wanted, floor + EXPORT_MARGIN_W - solar_avail - heating)
    choice = _battery_total(battery_wanted, charge_room, discharge_room, policy, memory, at_hard_limit, now,
                            dwell=True, hold=holdable and "rest" not in needs)
    if choice.held_since is not None and not floor <= choice.total_w + heating + solar_avail <= ceiling:
        # A hold never curtails the sun nor asks the grid past a limit: the batteries reverse as without it.
        choice = _battery_total(battery_wanted, charge_room, discharge_room, policy, memory, at_hard_limit, now,
                                dwell=True)
    battery_total = choice.total_w
    solar_cap = min(ceiling, max(reference + policy.ramp_limit_w, floor)) - battery_total - heating
    solar_total = min(solar_avail, max(0.0, solar_cap))
    rounding = 1e-9 * (abs(floor) + abs(ceiling) + solar_avail)  # arithmetic, not a breach
    if not floor - rounding <= battery_total + heating + solar_total <= ceiling + rounding:
        # Hysteresis or the dwell held back a reversal, but without it the grid would leave its limits
        # (curtailing solar cannot hold them): the limits win, so decide the batteries again as at a hard limit.
        short = battery_total + heating + solar_total < floor  # importing past the limit: export-first yields
        if guidance.has_band:  # the band's own request lies inside the limits
            battery_wanted = band_wanted
        else:
            battery_wanted = _under_export_first(wanted_storage - heating, exported_first, memory, policy,
                                                 flex <= floor or short)
        choice = _battery_total(battery_wanted, charge_room, discharge_room, policy, memory, True, now)
        battery_total = choice.total_w
        solar_cap = min(ceiling, max(reference + policy.ramp_limit_w, floor)) - battery_total - heating
        solar_total = min(solar_avail, max(0.0, solar_cap))
    _share_batteries(batteries, battery_total, setpoints, guidance.grid_charge_to_soc - GRID_CHARGE_MARGIN_SOC,
                     memory.expected_w)
    _share_solar(solars, solar_total, solar_avail, max(0.0, solar_cap), setpoints, memory.solar_limits)

    expected = {module: setpoint.expected_power_w for module, setpoint in setpoints.items()}
    flex_expected = battery_total + heating + solar_total
    moved_at = now if battery_total else memory.battery_moved_at
    limits = {solar.module: setpoints[solar.module].value for solar in solars}
    new_memory = BalancerMemory(now, flex_expected, choice.direction, expected, timers, battery_w=battery_total,
                                battery_moved_at=moved_at, solar_limits=limits, held_since=choice.held_since,
                                reversed_at=choice.reversed_at)
    return Decision(setpoints, new_memory, error, load - flex_expected, battery_total, solar_total, heating)


def _steer(grid: float, target: float, load: float, reference: float, floor: float, ceiling: float,
           memory: BalancerMemory, policy: Policy) -> tuple[float, bool, float]:
    """(flexible power to aim for, whether a grid limit binds, grid error) for `target`: closed loop on the
    meter, held inside the deadband, ramp-limited, but always inside the grid limits."""
    error = grid - target
    wanted = reference if abs(error) < policy.deadband_w and memory.flex_w is not None else load - target
    flex = min(max(wanted, reference - policy.ramp_limit_w), reference + policy.ramp_limit_w)
    return min(max(flex, floor), ceiling), not floor < flex < ceiling, error


def _run_too_short(wanted: float, batteries: list[tuple[AssetView, float, float, float, float]]) -> bool:
    """Whether a run at `wanted` (+ discharge) would end at the batteries' SoC band within `MIN_RUN_S`, or
    is a charge with less than `MIN_RUN_SOC` of their capacity left to fill (a BMS's recharge hysteresis): a
    battery just short of full after a cloud would otherwise charge for seconds, or top a sliver back up at a
    low power, stop, and do it again after the next cloud (four mode changes a cloud for a few watt-hours of
    sun worth at most its feed-in)."""
    room_wh = sum(b[4] if wanted > 0 else b[3] for b in batteries)
    capacity_wh = sum(b[0].capacity_wh for b in batteries)
    sliver = wanted < 0 and room_wh < MIN_RUN_SOC * capacity_wh  # a discharge's sliver still saves an import
    return wanted != 0 and (room_wh * 3600.0 < abs(wanted) * MIN_RUN_S or sliver)


def _carries_a_start(battery: AssetView, discharge_w: float, above_floor_wh: float, policy: Policy) -> bool:
    """Whether a battery can carry a heater that starts now: energy above its floor for its full discharge
    through the heater's minimum on time (at least `MIN_RUN_S`), and at least `MIN_RUN_SOC` of its capacity
    (a recharge hysteresis, as a BMS's). A battery a sliver above its floor carried a recovery under the
    import limit for a second or two, then charged from the grid for the next start: a sign flip every two
    minutes. One that started the heater carries it on while it has energy (the import limit stops it)."""
    return above_floor_wh >= start_carry_wh(battery, discharge_w, policy)


def start_carry_wh(battery: AssetView, discharge_w: float, policy: Policy) -> float:
    """What a battery discharging at `discharge_w` holds above its floor before it carries a heater's start
    (`_carries_a_start`); the planner keeps it there where the heaters may need it (problem.py)."""
    run_s = max(policy.boiler_min_on_s, MIN_RUN_S)
    return max(discharge_w * run_s / 3600.0, MIN_RUN_SOC * battery.capacity_wh)


def _boilers_before(boilers: list[AssetView], memory: BalancerMemory, measured_w: float) -> float:
    """The boilers' part of the ramp's reference: as the last decision expected them (as measured without one)."""
    if memory.flex_w is None:
        return measured_w
    return sum(memory.expected_w.get(boiler.module, 0.0) for boiler in boilers)


def _grid_target(policy: Policy, load: float, solar_avail: float, fill_from_grid: float) -> float:
    """The grid power to steer to this cycle: the policy's target, plus, while the planner asks to fill
    stores from the grid (`fill_from_grid`: charging batteries' and preheating boilers' full power), the
    site's deficit and that power: the stores fill from surplus first, from the grid for the rest."""
    if fill_from_grid <= 0:
        return policy.grid_target_w
    return policy.grid_target_w + fill_from_grid + max(0.0, load - solar_avail)


def _under_export_first(battery_wanted: float, exported_first: float, memory: BalancerMemory,
                        policy: Policy, at_import_limit: bool) -> float:
    """The batteries' request while export-first keeps `exported_first` for the grid.

    They never discharge to export: a discharge covers only what the site would import
    without export-first (a cold boiler's forced heating can turn the surplus into a
    deficit), and all that the import limit needs (it binds whatever the guidance). A battery at rest does not
    start for a sliver of surplus hovering at the threshold (it would start and stop every
    second) unless exporting that sliver would pass the export limit.
    """
    if exported_first <= 0:
        return battery_wanted
    if battery_wanted > 0:
        return battery_wanted if at_import_limit else max(0.0, battery_wanted - exported_first)
    sliver = -EXPORT_FIRST_START_W < battery_wanted < 0
    if sliver and memory.battery_w == 0 and exported_first - battery_wanted <= policy.export_limit_w:
        return 0.0
    return battery_wanted


def _stopped_at_band_edge(asset: AssetView, power: float) -> bool:
    """A battery reporting a charge at its soc_max (or a discharge at its soc_min) has stopped itself
    since it measured that power (the asset's own promise): counting the power would make the meter's
    step look like a load step, and the grid would export (or import) it for a cycle."""
    return (power < 0 and asset.soc >= asset.soc_max) or (power > 0 and asset.soc <= asset.soc_min)


def _export_margin(policy: Policy) -> float:
    """How far inside the export limit to aim: a battery command within its send tolerance (or a small load
    drop) acts a cycle after the inverter's limit, so the grid is kept this far from it (never past the import
    limit)."""
    return min(EXPORT_MARGIN_W, policy.import_limit_w)


def _comfort_floor_c(boiler: AssetView, policy: Policy, cooling_k_per_s: float) -> float:
    """The temperature below which a boiler being drawn at `cooling_k_per_s` is heated from the grid: its
    minimum plus what that draw takes beyond the heater's output in `COMFORT_HORIZON_S` (at most
    `COMFORT_MARGIN_BAND_RATIO` of its band). A draw the heater outruns needs none: the heater, started at
    the minimum, holds it; one that outruns the heater has to find the heater running and that margin left.
    Its minimum where the tank's heat capacity is unknown."""
    capacity = policy.capacity_of(boiler.module)
    if capacity <= 0:
        return boiler.min_temperature_c
    band = max(0.0, boiler.max_temperature_c - boiler.min_temperature_c)
    outrun_k_per_s = max(0.0, cooling_k_per_s - boiler.heater_power_w / capacity)
    return boiler.min_temperature_c + min(outrun_k_per_s * COMFORT_HORIZON_S, COMFORT_MARGIN_BAND_RATIO * band)


def _charge_room_soon(asset: AssetView, charge: float) -> float:
    """Charge power a battery can keep taking for `BATTERY_FILL_HORIZON_S` (all of it if its capacity is unknown)."""
    if asset.capacity_wh <= 0:
        return charge
    room_wh = max(0.0, asset.soc_max - asset.soc) * asset.capacity_wh
    return min(charge, room_wh * 3600.0 / BATTERY_FILL_HORIZON_S)


def _battery_band(asset: AssetView, policy: Policy, now: float, time_of_use_reserve: bool = True) -> tuple[float, float]:
    """(low, high): the tighter of the policy's and the battery's SoC band; it charges below high,
    discharges above low.

    Outside the time-of-use peak the floor rises to `peak_reserve_soc`: energy kept for the peak.
    Not under the LP planner's band: the LP prices the peak window and keeps what the peak is worth.
    """
    high = min(policy.soc_reserve_max, asset.soc_max)
    low = max(policy.soc_reserve_min, asset.soc_min)
    if time_of_use_reserve and policy.peak_reserve_soc > 0 and not policy.in_peak(now):
        low = max(low, min(policy.peak_reserve_soc, high))
    return low, high


def _solar_available(asset: AssetView) -> float:
    return min(asset.available_power_w, asset.rated_power_w) if asset.enabled else 0.0


def _decide_boilers(boilers: list[AssetView], policy: Policy, memory: BalancerMemory, now: float,
                    wanted_storage: float, charge_room: float, guidance: Guidance,
                    setpoints: dict[str, Setpoint], timers: dict[str, BoilerTimer],
                    room_w: float = math.inf, sun_covers_site: bool = False, start_short_w: float = 0.0,
                    dwell_short_w: float = 0.0, charged_extra_w: float = 0.0, needs: list[str] | None = None,
                    carried: CarriedHeat | None = None) -> float:
    """Decide every boiler; return their total expected power (<= 0).

    Forced boilers (switched off, below minimum temperature, at maximum, inside a
    minimum on/off time, preheating for the planner) are decided first; free ones heat
    only from surplus (beyond what export-first keeps for the grid) that the batteries
    will not take soon: one already heating stays on while that excess covers
    `BOILER_KEEP_SURPLUS_RATIO` of its heater, one that is off starts when it covers
    `BOILER_START_SURPLUS_RATIO`, or, where the plan asks it (`carried`), in runs full batteries carry
    (carried_heat.py). Heat stored from surplus displaces heating bought
    later, so a boiler is worth starting before the surplus covers all of its heater; where
    the planner says where that import pays (`Guidance.boiler_start_surplus_ratio`, from the
    plan's value of heat) both shares move in proportion.

    No heating takes a boiler above its ceiling for now (`Guidance.ceiling_c`: below its thermostat's top
    band ahead of a heavy draw, see `DrawApproach`).

    A boiler is a deferrable load and the import limit a contract: every heater fits
    `room_w` (what the grid up to its limit, the sun and the batteries' discharge can
    carry beyond the rest of the site), cold tanks first, then running heaters, then starts, the
    coldest first within each (`_fit_limit`); one that does
    not fit is held off, whatever comfort, a minimum on time or its own thermostat asks.
    A heater that is off starts only where it fits without `start_short_w` (the discharge of
    batteries too close to their floor to carry a run, `_carries_a_start`, or that charged within
    the reversal dwell: `dwell_short_w`). A forced one that would fit but for the dwell adds
    "rest" to `needs` (the batteries rest rather than charge until it can start); a cold one
    (recovering) that would fit on batteries holding a run's energy (`charged_extra_w` more
    discharge) adds "charge" (they fill from the grid's room meanwhile, as the optimum charges
    in a heater's resting share what it discharges in its running share).
    """
    heating = 0.0
    room = [room_w]
    forced: list[tuple[AssetView, BoilerTimer, float | None, float | None]] = []
    free: list[tuple[AssetView, BoilerTimer]] = []
    for boiler in boilers:
        timer = memory.boilers.get(boiler.module) or BoilerTimer(boiler.heater_on, _NEVER)
        recover_to = _recovery_target_c(boiler, timer, policy, now, sun_covers_site)
        if not boiler.enabled:
            heating -= _set_boiler(boiler, False, timer, now, setpoints, timers)
        elif recover_to is not None:
            # Cold, or drawn towards cold (`_recovery_target_c`): heat it back past its minimum by a margin.
            # Leasing it its minimum instead would leave its thermostat waiting a hysteresis band below it,
            # and a draw that outruns the heater would break the comfort floor.
            forced.append((boiler, timer, recover_to, None))
        elif boiler.temperature_c >= boiler.max_temperature_c:
            # Hot: its own thermostat stops at the maximum. Keep the override in force rather than
            # flipping it, so the boiler takes surplus again the moment it can (and draws nothing now).
            forced.append((boiler, timer, None, None))
        elif now - timer.since < (policy.boiler_min_on_s if timer.heat else policy.boiler_min_off_s):
            if timer.heat:
                forced.append((boiler, timer, None, None))
            else:
                heating -= _fit_limit(boiler, False, timer, now, setpoints, timers, room, start_short_w=start_short_w)
        elif boiler.temperature_c < guidance.preheat_c(boiler.module):
            # A draw's preheat: leased its maximum, released once past it (a thermostat leased the preheat
            # itself would wait a hysteresis band below it). A price peak's: leased the preheat.
            own = guidance.boiler_preheat_by_module.get(boiler.module, 0.0) >= guidance.boiler_preheat_c
            forced.append((boiler, timer, None, None if own else min(guidance.preheat_c(boiler.module),
                                                                      boiler.max_temperature_c)))
        else:
            free.append((boiler, timer))
    # Cold tanks first (comfort), then heaters already running, then starts, the coldest first within each: a start
    # that took the grid's and sun's room left a running heater to the batteries' discharge, so batteries that
    # had charged a moment ago reversed within a second. Last in line, a start meets the dwell (`needs`).
    forced.sort(key=lambda entry: (entry[2] is None, not entry[0].heater_on,
                                   entry[0].temperature_c - entry[0].min_temperature_c))
    for boiler, timer, recover_to, preheat_c in forced:
        drawn = _fit_limit(boiler, True, timer, now, setpoints, timers, room, recovering=recover_to is not None,
                           temperature_c=preheat_c, start_short_w=start_short_w)
        refused = not setpoints[boiler.module].heat and not boiler.heater_on  # leased its minimum or held off
        if needs is not None and refused:
            wanted = boiler.heater_power_w + EXPORT_MARGIN_W
            if dwell_short_w > 0 and wanted + start_short_w - dwell_short_w <= room[0]:
                needs.append("rest")
            elif (recover_to is not None and (start_short_w - dwell_short_w > 0 or charged_extra_w > 0)
                  and wanted <= room[0] + charged_extra_w):
                needs.append("charge")
        heating -= drawn
        if recover_to is not None and setpoints[boiler.module].heat:
            decided = timers[boiler.module]
            timers[boiler.module] = BoilerTimer(decided.heat, decided.since, decided.recovering, recover_to)
    surplus = -(wanted_storage - heating)
    excess = surplus - charge_room  # beyond what the batteries take soon
    free.sort(key=lambda entry: entry[0].temperature_c - entry[0].min_temperature_c)  # the coldest first
    start_share = (BOILER_START_SURPLUS_RATIO if guidance.boiler_start_surplus_ratio is None
                   else guidance.boiler_start_surplus_ratio)
    for keep_on in (True, False):
        for boiler, timer in free:
            if timer.heat is keep_on:
                share = start_share * (BOILER_KEEP_SURPLUS_RATIO / BOILER_START_SURPLUS_RATIO if keep_on else 1.0)
                below_ceiling = boiler.temperature_c < guidance.ceiling_c(boiler.module)
                heat = excess >= boiler.heater_power_w * share and below_ceiling
                if not heat and carried is not None and below_ceiling:  # the sun's heat in runs (carried_heat.py)
                    heat = carried.carries(boiler.heater_power_w, running=keep_on)
                drawn = _fit_limit(boiler, heat, timer, now, setpoints, timers, room, start_short_w=start_short_w)
                excess -= drawn
                heating -= drawn
    for boiler in boilers:
        _track_trend(boiler, memory.boilers.get(boiler.module), now, timers, policy)
    return heating


def _fit_limit(boiler: AssetView, heat: bool, timer: BoilerTimer, now: float, setpoints: dict[str, Setpoint],
               timers: dict[str, BoilerTimer], room: list[float], recovering: bool = False,
               temperature_c: float | None = None, start_short_w: float = 0.0) -> float:
    """`_set_boiler`, unless the heater it would run does not fit `room[0]` (the import limit's room, shared
    by the boilers as they are decided): then the boiler is leased its minimum, and held off where its own
    thermostat would heat even there (a cold tank). A heater that is off starts only with `EXPORT_MARGIN_W`
    to spare (the limit aimed inside as the export limit is: meter noise about exactly its room does not
    start it), nor on batteries too close to their floor to carry it (`start_short_w`). Returns the heater
    power it will draw; `room[0]` is left with what remains."""
    draws = _set_boiler(boiler, heat, timer, now, setpoints, timers, recovering, temperature_c)
    spare = 0.0 if boiler.heater_on else EXPORT_MARGIN_W + start_short_w
    rounding = 1e-9 * (1.0 + abs(room[0]))
    if draws > 0 and draws + spare > room[0] + rounding and heat:
        # its minimum: its thermostat may rest; but a tank at or below its minimum rests only until it cools past
        # its thermostat's band, which it may do before the next cycle sees it (a tank at 40.0 °C, 45 °C less a
        # 5 K band, started its own 6 kW heater a second later, and batteries charging under a 2.1 kW limit
        # reversed to carry it): held off
        draws = _set_boiler(boiler, False, timer, now, setpoints, timers,
                            hold_off=boiler.temperature_c <= boiler.min_temperature_c)
    if draws > 0 and draws + spare > room[0] + rounding:
        draws = _set_boiler(boiler, False, timer, now, setpoints, timers, hold_off=True)  # ... or not: held off
    room[0] -= draws
    return draws


def _recovery_target_c(boiler: AssetView, timer: BoilerTimer, policy: Policy, now: float,
                       sun_covers_site: bool = False) -> float | None:
    """The temperature to heat a boiler to from the grid now, whatever the surplus, or None.

    At or below its minimum, or cooling so fast it gets there within `COMFORT_LEAD_S`: `_recovery_margin_c`
    past it (`COMFORT_RECOVERY_C` while the sun covers the site: that heat is the sun's, not the grid's), and
    the recovery runs until it gets there.
    Being drawn (`_drawn`) below its comfort floor (`_comfort_floor_c`: above the minimum only for a draw
    that outruns the heater): `COMFORT_RECOVERY_C` past the floor, for as long as the draw lasts (and no
    longer, unless the tank went cold meanwhile), so the heater runs while hot water is drawn rather than
    once the tank is cold, and a tank nobody draws from is not kept warmer than its minimum (a hotter tank
    loses more per litre drawn; the planner preheats for the next draw).
    """
    t, full_c = boiler.temperature_c, boiler.min_temperature_c + COMFORT_RECOVERY_C
    recovered_c = full_c if sun_covers_site else boiler.min_temperature_c + _recovery_margin_c(policy)
    drawn = _drawn(boiler, timer, policy, now)
    if timer.recovering:
        target = full_c if math.isnan(timer.recover_to_c) else timer.recover_to_c
        from_cold = target <= full_c  # a draw's recovery aims past its comfort floor, above the minimum
        if from_cold:
            target = recovered_c  # the margin as it stands now: the sun's heat, or the grid's
        if t < target and (drawn or from_cold):
            return target
    if t <= boiler.min_temperature_c + max(0.0, timer.cooling_k_per_s) * COMFORT_LEAD_S:
        return recovered_c
    floor_c = _comfort_floor_c(boiler, policy, timer.cooling_k_per_s)
    if t < floor_c and drawn:
        return floor_c + COMFORT_RECOVERY_C
    return None


def _recovery_margin_c(policy: Policy) -> float:
    """How far past its minimum a cold boiler is heated: `PLANNED_RECOVERY_C` where a planner preheats the
    tanks for the draws the policy states (more would be heat the next draw mostly takes, a hotter tank
    losing more per litre drawn), `COMFORT_RECOVERY_C` where nothing prepares for them."""
    planned = policy.plan_interval_s > 0 and policy.knows_tanks() and policy.draws_anywhere()
    return PLANNED_RECOVERY_C if planned else COMFORT_RECOVERY_C


def _drawn(boiler: AssetView, timer: BoilerTimer, policy: Policy, now: float) -> bool:
    """Whether hot water is being drawn: over the last trend window the tank cooled, net of its heater's
    output while it heated, faster than `DRAW_HEATER_RATIO` of its heater's heating rate."""
    capacity = policy.capacity_of(boiler.module)
    return capacity > 0 and timer.cooling_k_per_s >= DRAW_HEATER_RATIO * boiler.heater_power_w / capacity


def _track_trend(boiler: AssetView, previous: BoilerTimer | None, now: float, timers: dict[str, BoilerTimer],
                 policy: Policy) -> None:
    """Carry the boiler's trend into its new timer: every `DRAW_WINDOW_S` (so noise is small) the cooling
    rate over the window ending now, its heater's output added back while it heats; a window spans one
    decided heating state (a switch starts a new one)."""
    timer = timers[boiler.module]  # fresh from _set_boiler: its trend fields are still the defaults
    if previous is None or previous.seen_at == _NEVER or math.isnan(previous.seen_c):
        seen_c, seen_at, cooling = boiler.temperature_c, now, timer.cooling_k_per_s
    elif timer.since > previous.seen_at:
        # Switched within the window: it starts again now. The heater's output is added back over a window it
        # heated through, so a heater started half-way through one read as a draw 1.5 times the real one: a
        # 117 l/h draw a 6 kW heater follows at its minimum held the tank 8 K above it for three hours of
        # draws (a hotter tank gives more heat to every litre drawn: 0.9 EUR of a 1.65 EUR gap on one day).
        seen_c, seen_at, cooling = boiler.temperature_c, now, previous.cooling_k_per_s
    elif now - previous.seen_at >= DRAW_WINDOW_S:
        capacity = policy.capacity_of(boiler.module)
        heater_rate = boiler.heater_power_w / capacity if capacity > 0 and boiler.heater_on else 0.0
        cooling = (previous.seen_c - boiler.temperature_c) / (now - previous.seen_at) + heater_rate
        seen_c, seen_at = boiler.temperature_c, now
    else:
        seen_c, seen_at, cooling = previous.seen_c, previous.seen_at, previous.cooling_k_per_s
    # Built field by field rather than with dataclasses.replace (several times slower): this runs every cycle.
    timers[boiler.module] = BoilerTimer(timer.heat, timer.since, timer.recovering, timer.recover_to_c, seen_c, seen_at,
                                        cooling)


def _set_boiler(boiler: AssetView, heat: bool, timer: BoilerTimer, now: float, setpoints: dict[str, Setpoint],
                timers: dict[str, BoilerTimer], recovering: bool = False, temperature_c: float | None = None,
                hold_off: bool = False) -> float:
    """Record the decision; return the heater power it will draw (a cold boiler heats regardless, unless OFF
    or held off).

    Heating means a thermostat setpoint of `temperature_c` (its maximum unless
    preheating to less). A boiler that is not heating and already runs on that
    setpoint, or is within its thermostat's hysteresis below it (the thermostat
    starts only below setpoint - hysteresis), will draw nothing: counting on it
    would let the surplus it was meant to take go out as export beyond the limit.
    """
    wanted_c = boiler.max_temperature_c if temperature_c is None else temperature_c
    temperature = wanted_c if heat else boiler.min_temperature_c
    t = boiler.temperature_c
    # A cold boiler heats by its thermostat on the setpoint it is sent: below it, less the hysteresis unless already
    # on (a tank at a 67.7 °C minimum sent 71 °C with a 3.7 K hysteresis rests, and was counted on for 549 s of export)
    cold = t <= boiler.min_temperature_c and t < temperature - (0.0 if boiler.heater_on else boiler.hysteresis_c)
    hot = t >= wanted_c
    idle = not boiler.heater_on and (boiler.setpoint_c >= wanted_c or t >= wanted_c - boiler.hysteresis_c)
    satisfied = heat and (hot or idle)
    draws = boiler.heater_power_w if boiler.enabled and not hold_off and (cold or (heat and not satisfied)) else 0.0
    setpoints[boiler.module] = Setpoint("boiler", temperature, 0.0 - draws, heat, hold_off)
    timers[boiler.module] = BoilerTimer(heat, timer.since if timer.heat is heat else now, recovering)
    return draws


class BatteryChoice(NamedTuple):
    """All batteries' power this cycle and what the next cycle needs to know of it."""

    total_w: float  # + discharge
    direction: int  # -1 charging, +1 discharging (the last way they moved)
    held_since: float | None  # since when they hold their direction against the band (None: not)
    reversed_at: tuple[float, ...]  # their latest reversals (at most REVERSALS_PER_HOUR)


def _battery_total(wanted: float, charge_room: float, discharge_room: float, policy: Policy,
                   memory: BalancerMemory, at_hard_limit: bool, now: float, dwell: bool = False,
                   hold: bool = False) -> BatteryChoice:
    """All batteries' power, inside their room, with their direction and the memory of their holds.

    A reversal (charge <-> discharge) is held back, the batteries idling, while it is smaller than
    `hysteresis_w` (meter noise; not at a hard limit) or, with `dwell`, within `REVERSAL_DWELL_S` of
    their last running the other way (a cloud edge or a load step passing: solar is curtailed or the
    grid takes it meanwhile; the caller lifts it where that cannot hold the limits).

    With `hold` (a planner's band), batteries that have already reversed or stopped `REVERSALS_PER_HOUR`
    times within the hour and are moving hold their direction for up to `REVERSAL_HOLD_S` against a need
    the other way or none, resting in their mode at `STANDBY_W`: a passing cloud or a load swinging about
    the band's edge is the grid's for that long, so they do not switch modes (stop, dwell, reverse, stop,
    dwell, reverse: four changes; or stop, start: two) for each one; a need the other way that outlasts the hold reverses them (after the dwell). Holding
    costs money (the grid takes what the batteries would have), so it waits until reversing has
    become chatter. The caller lifts a hold that would curtail the sun or pass a grid limit.
    """
    total = min(max(wanted, -charge_room), discharge_room)
    sign = (total > 0) - (total < 0)
    direction = memory.battery_direction
    moving = (memory.battery_w > 0) - (memory.battery_w < 0)
    recent = tuple(t for t in memory.reversed_at if now - t < REVERSAL_WINDOW_S)
    chattering = len(recent) >= REVERSALS_PER_HOUR
    if hold and chattering and moving == direction != 0 and sign != direction:
        since = now if memory.held_since is None else memory.held_since
        room = discharge_room if direction > 0 else charge_room
        if now - since < REVERSAL_HOLD_S and room >= STANDBY_W:
            return BatteryChoice(direction * STANDBY_W, direction, since, recent)
    if sign == 0 and moving != 0 and memory.held_since is None:  # a stop is a mode change too: counted
        recent = (*recent, now)[-max(REVERSALS_PER_HOUR, 1):]
    if sign == -direction and ((abs(total) < policy.hysteresis_w and not at_hard_limit)
                               or (dwell and now - memory.battery_moved_at < REVERSAL_DWELL_S)):
        return BatteryChoice(0.0, direction, None, recent)
    if sign == -direction:
        recent = (*recent, now)[-max(REVERSALS_PER_HOUR, 1):]
    return BatteryChoice(total, sign or direction, None, recent)


def _share_batteries(batteries: list[tuple[AssetView, float, float, float, float]], total: float,
                     setpoints: dict[str, Setpoint], grid_charge_below_soc: float = 0.0,
                     previous: Mapping[str, float] | None = None) -> None:
    """One direction for all: each battery's part in proportion to its room in that direction (SoC
    band x capacity: the emptiest charges most, the fullest discharges most), within its power limit.

    Charging, the batteries the planner asks to fill from the grid (below `grid_charge_below_soc`)
    are served first, at full power if the total allows: the guidance reaches each of them.
    With `previous` parts, each battery keeps its part while it is within `STICKY_SHARE_RATIO` of its
    power limit of its fair part (`_sticky`): a change of the total moves few batteries, not all."""
    fair = _fair_battery_parts(batteries, total, grid_charge_below_soc)
    if previous and total != 0:
        sign = 1.0 if total > 0 else -1.0
        caps = [b[2] if sign > 0 else b[1] for b in batteries]
        slacks = [0.0 if sign < 0 and b[0].soc < grid_charge_below_soc else STICKY_SHARE_RATIO * cap
                  for b, cap in zip(batteries, caps)]
        kept = [sign * previous.get(b[0].module, 0.0) for b in batteries]
        fair = [sign * part for part in _sticky([sign * f for f in fair], kept, caps, slacks)]
    for entry, power in zip(batteries, fair):
        setpoints[entry[0].module] = Setpoint("battery", power, power)


def _sticky(fair: list[float], kept: list[float], caps: list[float], slacks: list[float]) -> list[float]:
    """Parts (magnitudes) adding up to sum(fair), each within its slack of its fair part and its cap,
    staying at its `kept` part where it can: the difference goes to the parts farthest behind their fair
    part first, each as far as its slack allows, so a small change of the total moves a few batteries."""
    if len(fair) == 1:  # one battery (most sites): the steps below for one part, without the lists and the sort
        part_fair, slack = fair[0], slacks[0]
        low, high = max(part_fair - slack, 0.0), min(part_fair + slack, caps[0])
        part = min(max(kept[0], low), high)
        left = part_fair - part
        if abs(left) <= 1e-9 * (1.0 + abs(part_fair)):
            return [part]
        sign = 1.0 if left > 0 else -1.0
        return [part + sign * min(abs(left), max(0.0, (high - part) if sign > 0 else (part - low)))]
    bounds = [(max(f - slack, 0.0), min(f + slack, cap)) for f, cap, slack in zip(fair, caps, slacks)]
    parts = [min(max(k, low), high) for k, (low, high) in zip(kept, bounds)]
    left = sum(fair) - sum(parts)
    sign = 1.0 if left > 0 else -1.0
    for i in sorted(range(len(parts)), key=lambda i: -sign * (fair[i] - parts[i])):
        if abs(left) <= 1e-9 * (1.0 + abs(sum(fair))):
            break
        room = (bounds[i][1] - parts[i]) if sign > 0 else (parts[i] - bounds[i][0])
        step = sign * min(abs(left), max(0.0, room))
        parts[i] += step
        left -= step
    return parts


def _fair_battery_parts(batteries: list[tuple[AssetView, float, float, float, float]], total: float,
                        grid_charge_below_soc: float) -> list[float]:
    if total < 0:
        first = [b[0].soc < grid_charge_below_soc for b in batteries]
        caps = [b[1] for b in batteries]
        priority = share(-total, [b[3] if f else 0.0 for b, f in zip(batteries, first)],
                         [cap if f else 0.0 for cap, f in zip(caps, first)]) if any(first) else [0.0] * len(caps)
        rest = share(-total - sum(priority), [b[3] if not f else 0.0 for b, f in zip(batteries, first)],
                     [cap if not f else 0.0 for cap, f in zip(caps, first)])
        return [-(p + r) for p, r in zip(priority, rest)]
    if total > 0:
        return share(total, [b[4] for b in batteries], [b[2] for b in batteries])
    return [0.0] * len(batteries)


def _share_solar(solars: list[AssetView], total: float, available: float, cap: float,
                 setpoints: dict[str, Setpoint], previous: Mapping[str, float] | None = None) -> None:
    """Curtail where the cap binds (shared by rating); elsewhere keep a ceiling at the cap, coarsely stepped.

    A ceiling that stays in force while the cap is above what the sun gives
    means a passing cloud edge cannot push export past the limit before the
    next cycle, and the inverter does not flip between RUNNING and CURTAILED
    every time surplus touches the limit. Stepping it keeps method calls rare,
    and a ceiling in force (`previous`) stays while it still lies between what
    the sun gives and the cap: it moves only when it would curtail or export,
    not back to the rating each time the cap has room for it again (a cap that
    jitters about the rating, at night on a site whose export limit is its
    inverter's rating, flipped the inverter every few minutes).
    """
    rated = sum(solar.rated_power_w for solar in solars if solar.enabled)
    curtailed = total < available
    owns = [_solar_available(solar) for solar in solars]
    if curtailed:  # in proportion to rating; an inverter whose sun gives less than its part is not curtailed
        parts = share(total, [solar.rated_power_w for solar in solars], owns)
    for index, solar in enumerate(solars):
        own = owns[index]
        kept = (previous or {}).get(solar.module)
        portion = cap * solar.rated_power_w / rated if rated > 0 else solar.rated_power_w
        if curtailed:
            limit = parts[index]
        elif kept is not None and own <= kept <= min(portion, solar.rated_power_w):
            limit = kept  # also where the cap has room for the rating again: not every jitter of it about the rating
        elif cap >= rated or rated <= 0:
            limit = solar.rated_power_w
        elif solar.rated_power_w <= 0:
            limit = 0.0
        else:
            step = CEILING_STEP_RATIO * solar.rated_power_w
            stepped = math.floor(portion / step) * step if step > 0 else portion
            limit = min(solar.rated_power_w, max(stepped, own))
        setpoints[solar.module] = Setpoint("solar", limit, min(limit, own))
