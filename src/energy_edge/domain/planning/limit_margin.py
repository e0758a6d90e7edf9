"""A margin at the import limit: where the cautious forecast would import above it, plan on the cautious one.

The LP shaves a forecast peak above the import limit with exactly the energy the forecast
says it needs, and charges for it just in time: a load a little above the forecast, or a sky
darker than the prior, then meets an empty battery and the import breaches the limit. The
forecast knows how wrong it can be (each slot's cautious load, `load_high_w`: higher by the
profile's recent error, and at least `MIN_LOAD_MARGIN_RATIO` higher; cautious PV, `pv_low_w`:
one standard deviation of the sky lower, an overcast one for a sky not seen yet). In the slots where those cautious figures would import
above the limit, the plan takes them instead of the expected ones, so it stores the energy
for the worse case before the peak (from the grid below the limit, if need be). Elsewhere the
expected figures stand, so the margin costs nothing where the limit is far. The balancer
holds the grid band, not the plan's battery power: when the peak is kinder than feared, the
batteries discharge only what the limit needs and keep the rest.

The import limit holds every second, and a slot's mean sky hides its clouds: under fast
transients the PV drops by most of itself for tens of seconds to minutes, and at dawn the sky
has barely been seen. So wherever the cautious load alone exceeds the limit, the plan has the
batteries enter the slot holding what the slot's excess would take with no sun at all
(`limit_reserve_w`): a reserve the next cloud can draw on, however bright the forecast. It is
small (one slot of the excess), costs nothing where the sun fills the batteries anyway, and
turns a night that would drain them to the floor before the morning peak into one that keeps
that slot's worth.

A draw under a tight limit is the same risk over hours: where hot water is drawn and the heaters
do not fit under the limit beside the cautious load, the heat the plan puts there comes from the
grid's room, the sun and the batteries, and the plan counted on the expected sun. So the batteries
enter each slot of such a run of draws holding the heat planned for the rest of the run beyond
what the grid up to its limit and the cautious sun leave the heaters (`draw_room_w`; a soft row in
the LP, cheaper than cold water so a draw nobody can keep up with still gets a plan). Under a
2.1 kW limit with a 6 kW heater, an overcast morning's two hours of draws had been planned on
sun that came at a third, the night's room to charge was left unused, and the tank went cold for
most of the draw. A reserve, not the cautious sky: the economics stay the expected day's.
"""

from __future__ import annotations

from .forecast import ForecastSlot


MIN_LOAD_MARGIN_RATIO = 0.1  # at the limit the cautious load is at least this much above the forecast: an hourly
# profile hides a peak's sharpest minutes, and the last hour's error says little about a peak's


def planned_pv_and_load(slot: ForecastSlot, import_limit_w: float) -> tuple[float, float]:
    """(PV, load) in W the plan counts on in `slot`: the cautious pair where it would import above
    `import_limit_w`, the expected pair elsewhere."""
    pv, load = max(0.0, slot.pv_w), max(0.0, slot.load_w)
    pv_low = cautious_pv_w(slot)
    load_high = cautious_load_w(slot)
    if load_high - pv_low > import_limit_w:
        return pv_low, load_high
    return pv, load


def limit_reserve_w(slot: ForecastSlot, import_limit_w: float) -> float:
    """The load in `slot` above `import_limit_w` the batteries must be able to carry if the sun gave
    nothing (W, >= 0): the cautious load (at least `MIN_LOAD_MARGIN_RATIO` above the forecast) minus the limit."""
    return max(0.0, cautious_load_w(slot) - import_limit_w)


def cautious_load_w(slot: ForecastSlot) -> float:
    """The load the limit is planned for in `slot` (W): the forecast's cautious load, at least
    `MIN_LOAD_MARGIN_RATIO` above the expected one."""
    return max(max(0.0, slot.load_w) * (1.0 + MIN_LOAD_MARGIN_RATIO), slot.cautious_load_w)


def draw_room_w(slot: ForecastSlot, import_limit_w: float, heaters_w: float) -> float | None:
    """In a slot where hot water is drawn, what the grid up to `import_limit_w` and the cautious sun leave
    the heaters beside the cautious load (W; negative where the load alone exceeds them), or None where the
    heaters fit under the limit beside the cautious load anyway (the grid alone can meet the draw)."""
    load_high = cautious_load_w(slot)
    if heaters_w <= 0 or load_high + heaters_w <= import_limit_w:
        return None
    return import_limit_w + cautious_pv_w(slot) - load_high


def cautious_pv_w(slot: ForecastSlot) -> float:
    """The PV the limit is planned for in `slot` (W): the forecast's cautious PV, never above the expected."""
    pv = max(0.0, slot.pv_w)
    return pv if slot.pv_low_w is None else min(pv, max(0.0, slot.pv_low_w))
