"""From the site's typical hot-water use to each boiler's preheat: heat just in time, never late.

The operator states each boiler's typical draws (`Policy.hot_water_litres_per_hour`, litres
per UTC hour of day, with `cold_water_c` and `boiler_loss_w_per_k`) and the tanks' heat
capacity, or a boiler's own where the site's boilers differ (`Policy.draws_of`,
`Policy.capacity_of`, `Policy.loss_of`). For every boiler the planner asks
`hot_water.required_temperatures` how warm the tank must be, at each moment of the next day,
for full power from then on to keep it at least `MARGIN_C` above its minimum through the
draws, and hands the balancer the highest of
those requirements over the time the guidance stands (until the next plan, plus a boiler's
minimum off time): a boiler below it heats now, whatever the surplus. A boiler already
heating keeps on until the next plan while it is below the requirement `KEEP_HEATING_S`
ahead (up to that) or through a draw that needs more than the floor (while the tank is within what
full power adds before the next plan of the draw's need: a tank well above it coasts), so a preheat
and the draw it is for are one run of the heater rather than a pulse at every plan (full power
climbs faster than the derated requirement; not a run that began as a recovery off the minimum). A draw
whose need lies in the thermostat's top band (above maximum - hysteresis, where a satisfied thermostat
cannot start again) is handed over as a `DrawApproach`: the balancer keeps the tank below the band and
times the final run so the heater is still on as the draw begins (`_draw_approach`). Where no draw needs
more than the floor, the planner says
nothing: the balancer's own comfort rule keeps the tank off its minimum. The balancer
heats such a boiler like a cold one, from whatever covers the site (the batteries too),
not as a store filled from the grid: a preheat in the evening peak must not stop the
battery covering the house.

Just in time on purpose: a tank kept hot loses more, and until the requirement rises to
the tank's temperature the balancer's free-surplus heating has the chance to warm it
first. The heater is counted at `HEATER_DERATE` of its rating, which buys the lead time a
grid voltage sag or a late cycle costs. Hours are UTC, the draws within an hour spread
evenly (the simulator's and the lab optimum's model). The controller does not learn the
draws yet: see ARCHITECTURE.md, "Planner", for estimating them from the tank's heat balance.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple, Sequence

from ..balancing.balancer import PLANNED_RECOVERY_C
from ..balancing.guidance import DrawApproach
from ..balancing.hourly_profile import HourlyProfile
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from .forecast import ForecastSlot
from .heater_room import HeaterRoom
from .hot_water import AMBIENT_C, Span, Tank, required_temperatures

MARGIN_C = 1.0  # the floor the recursion keeps: this far above each boiler's minimum
HEATER_DERATE = 0.9  # the heater is counted at this share of its power
HORIZON_S = 86_400.0  # a day ahead: the draws repeat daily
HOUR_S = 3_600.0
KEEP_HEATING_S = 3_600.0  # a heater already on for a draw this close keeps on until the next plan: one run,
#                           not a pulse each plan (full power climbs faster than the derated requirement)
LITRE_KG = 1.0  # hot water, near enough for a draw's mass
THERMOSTAT_MARGIN_C = 0.5  # heating held below the thermostat's top band stops this far below it ...
READY_WINDOW_S = 3_600.0  # ... within this long before the final approach to a draw that needs the band


class HotWater(NamedTuple):
    """What the coming draws ask of each boiler (module -> ...)."""

    preheat_c: dict[str, float]  # heat to this now, whatever the surplus
    approach: dict[str, DrawApproach]  # a heavy draw ahead its thermostat must be heating for (`_draw_approach`)


def hot_water_preheat_c(now: float, policy: Policy, assets: Sequence[AssetView],
                        heater_share: float = HEATER_DERATE) -> dict[str, float]:
    """module -> the temperature each enabled boiler must heat to now (`hot_water_guidance`'s preheat)."""
    return hot_water_guidance(now, policy, assets, heater_share).preheat_c


def hot_water_guidance(now: float, policy: Policy, assets: Sequence[AssetView],
                       heater_share: float = HEATER_DERATE, forecast: Sequence[ForecastSlot] = ()) -> HotWater:
    """For the boilers a coming draw needs preheated (above their minimum + `MARGIN_C`), the temperature
    each must heat to now, its heater counted at `heater_share` of its power, and on a site without
    batteries only in the slots of `forecast` where the grid and the sun carry it (heater_room.py); and
    for those whose thermostat must be heating when a heavy draw begins, the temperature to heat no
    further than for now. Nothing when the policy does not know the tanks' heat capacity."""
    if not policy.knows_tanks():
        return HotWater({}, {})
    stands_s = policy.plan_interval_s + policy.boiler_min_off_s
    room = HeaterRoom.of(now, forecast, policy, assets)
    preheat, approach = {}, {}
    for boiler in assets:
        capacity = policy.capacity_of(boiler.module)
        if boiler.kind != "boiler" or not boiler.enabled or boiler.heater_power_w <= 0 or capacity <= 0:
            continue
        spans, starts = draw_spans(now, policy.draws_of(boiler.module), HORIZON_S + stands_s,
                                   (stands_s, KEEP_HEATING_S, *room.edges_s))
        carried = [replace(span, heater_share=room.share(boiler.heater_power_w, start, start + span.duration_s))
                   for span, start in zip(spans, starts)]
        tank = Tank(heater_power_w=boiler.heater_power_w * heater_share, heat_capacity_j_per_k=capacity,
                    min_temperature_c=boiler.min_temperature_c, max_temperature_c=boiler.max_temperature_c,
                    loss_w_per_k=policy.loss_of(boiler.module))
        floor_c = boiler.min_temperature_c + MARGIN_C
        required = required_temperatures(tank, carried, policy.cold_water_c, floor_c)
        need_c = _highest(required.temperatures_c, starts, stands_s)
        if boiler.heater_on:  # one run rather than a pulse each plan: keep on until the next plan ...
            hour_c = _highest(required.temperatures_c, starts, KEEP_HEATING_S)
            climb_k = boiler.heater_power_w * stands_s / capacity  # what full power adds until the next plan
            # ... through a draw that outruns the heater, while the tank is within that climb of the draw's
            # need (a tank well above it coasts: heating it on would store heat nobody asked for, at any price)
            drawing = (spans[0].draw_kg_per_s > 0 and required.now_c > floor_c
                       and boiler.temperature_c < required.now_c + climb_k)
            # ... below the hour's need (not from a recovery off the minimum: chained into the hour's ramp, it
            # would buy a preheat up to an hour early, at whatever price), or through a draw
            recovering = boiler.temperature_c < boiler.min_temperature_c + PLANNED_RECOVERY_C
            if (boiler.temperature_c < hour_c and not recovering) or drawing:
                reach_c = boiler.temperature_c + climb_k
                need_c = max(need_c, min(reach_c, boiler.max_temperature_c if drawing else hour_c))
        ahead = _draw_approach(now, boiler, required.temperatures_c, starts, spans, capacity,
                               policy.loss_of(boiler.module))
        if ahead is not None:
            approach[boiler.module] = ahead
        if need_c > floor_c:  # a draw to prepare for (the balancer keeps a tank off its minimum by itself)
            preheat[boiler.module] = need_c
    return HotWater(preheat, approach)


def _draw_approach(now: float, boiler: AssetView, required_c: Sequence[float], starts_s: Sequence[float],
                   spans: Sequence[Span], capacity_j_per_k: float, loss_w_per_k: float = 0.0) -> DrawApproach | None:
    """The coming draw whose need lies in the boiler's thermostat band (above maximum - hysteresis), as a
    `DrawApproach` (the balancer keeps the tank below the band until its final approach), within
    `READY_WINDOW_S` of that final approach from below the band. None where no draw needs the band that
    soon, where one already runs, or without a thermostat band."""
    band_c = boiler.max_temperature_c - boiler.hysteresis_c
    ready_c = band_c - THERMOSTAT_MARGIN_C
    if boiler.hysteresis_c <= 0 or spans[0].draw_kg_per_s > 0:
        return None
    peak = next((i for i, t in enumerate(required_c) if t > band_c), None)
    if peak is None:
        return None
    while peak + 1 < len(required_c) and required_c[peak + 1] > required_c[peak]:
        peak += 1
    need_c = required_c[peak]
    if starts_s[peak] > capacity_j_per_k * (need_c - ready_c) / boiler.heater_power_w + READY_WINDOW_S:
        return None
    # The standing loss where the final run begins slows its climb: left out, a 2 kW heater with 135 W of loss
    # reached 79.2 of its 80 °C as the draw began, 0.8 K short through the whole draw. The loss at the start is
    # the climb's least, so the run still ends at the draw or a little after it, never early and idle.
    loss_w = max(0.0, loss_w_per_k) * max(0.0, ready_c - AMBIENT_C)
    return DrawApproach(now + starts_s[peak], need_c, ready_c, band_c, loss_w)


def _highest(temperatures_c: Sequence[float], starts_s: Sequence[float], within_s: float) -> float:
    return max(t for t, start in zip(temperatures_c, starts_s) if start <= within_s)


def draw_spans(now: float, litres_per_hour: HourlyProfile, horizon_s: float,
               breaks_s: Sequence[float] = ()) -> tuple[list[Span], list[float]]:
    """The spans of constant draw from `now` over `horizon_s` (split at each UTC hour and at `breaks_s`
    from now), and each span's start in seconds from now."""
    cuts = {0.0, horizon_s, *(b for b in breaks_s if 0.0 < b < horizon_s)}
    first_hour_s = HOUR_S - now % HOUR_S
    cuts.update(first_hour_s + k * HOUR_S for k in range(int(horizon_s // HOUR_S) + 1)
                if first_hour_s + k * HOUR_S < horizon_s)
    edges = sorted(cuts)
    spans = []
    for start, end in zip(edges, edges[1:]):
        hour = int(((now + (start + end) / 2) % 86_400.0) // HOUR_S)  # the middle: no rounding at an edge
        spans.append(Span(end - start, litres_per_hour.at(hour) * LITRE_KG / HOUR_S))
    return spans, edges
