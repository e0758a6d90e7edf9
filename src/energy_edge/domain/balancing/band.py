"""The planner's grid band: where the balancer steers the grid when the guidance gives one.

The batteries (and the boilers' surplus heating) act only to keep the grid inside
[grid_low_w, grid_high_w]: the grid the site would draw without them (`natural`: load
minus the sun, plus boilers the planner preheats) is the target while it lies inside;
below the band they charge up to `low`, above it they discharge down to `high`. So:

    [0, 0]              self-consumption
    [-x, 0]             export first: store only the surplus beyond x, never discharge to export
    [g, import limit]   fill from the grid at g
    [0, g]              peak shaving at g: discharge only the import above g, charge from surplus
    [0, import limit]   hold the energy for a dearer hour
    low >= 0            no export (negative feed-in; the policy's export limit is then 0 as well)

The policy's limits are not moved by it: the band is clipped to [-export_limit_w,
import_limit_w], and the balancer's hard limits on the flexible power still win.

Against chatter: a battery at rest starts only for a need beyond the deadband (`band_battery_w`)
and, at an export-first edge, beyond `BAND_START_W` (`unless_sliver`); a moving one keeps going
until the grid is `BAND_KEEP_W` back inside an edge (`banded_target`: charging, it holds the grid
that far inside; discharging, it shaves to the edge itself and trickles at `KEEP_TRICKLE_W` inside
the keep zone); the balancer adds the
reversal dwell and, for a battery that keeps reversing, a hold in its direction (balancer.py).
"""

from __future__ import annotations

from .guidance import Guidance
from .policy import Policy

BAND_START_W = 1000.0  # a battery at rest does not start charging for less surplus below `low` than this
BAND_KEEP_W = 500.0  # a moving battery keeps going until the grid is this far back inside the band's edge ...
BAND_KEEP_RATIO = 0.1  # ... or this share of the edge, if less: a 1 kW peak edge kept 500 W inside had the
# battery cover half the night's load beyond the plan, and it was empty when the peak came
KEEP_TRICKLE_W = 20.0  # a discharging battery inside the keep zone stays in its mode at this power (above the
#                         commands' 10 W send tolerance, as the balancer's STANDBY_W)


def band_limits(guidance: Guidance, policy: Policy) -> tuple[float, float]:
    """The guidance's band inside the policy's limits (guidance.has_band must hold)."""
    assert guidance.grid_low_w is not None and guidance.grid_high_w is not None
    high = min(max(guidance.grid_high_w, -policy.export_limit_w), policy.import_limit_w)
    low = min(max(guidance.grid_low_w, -policy.export_limit_w), high)
    return low, high


def banded_target(guidance: Guidance, policy: Policy, natural_w: float, battery_w: float = 0.0) -> float:
    """The grid to steer to: `natural_w` (the grid without batteries) held inside the band.

    `battery_w` (+ discharge) is what the batteries were last told: moving, they keep going until
    the grid is `BAND_KEEP_W` (at most `BAND_KEEP_RATIO` of the edge) inside an export-first or
    peak-shaving edge, so load noise at the edge does not start and stop them every few seconds
    (self-consumption's [0, 0] keeps its edges).
    """
    low, high = band_limits(guidance, policy)
    if battery_w < 0 and low < 0:
        low = min(low + min(BAND_KEEP_W, -BAND_KEEP_RATIO * low), 0.0, high)
    elif battery_w > 0 and high > 0 and natural_w < high:
        # Inside the keep zone a discharging battery trickles on rather than stop; above the edge it shaves
        # exactly to the edge (held the keep margin below it, a battery discharged 10 % of a 4.3 kW import
        # limit for hours beyond the plan and was empty before the draw its boiler needed it for).
        if natural_w > high - min(BAND_KEEP_W, BAND_KEEP_RATIO * high):
            return max(natural_w - KEEP_TRICKLE_W, low)
    return min(max(natural_w, low), high)


def band_battery_w(guidance: Guidance, policy: Policy, grid_w: float, natural_w: float, held_w: float | None,
                   floor_w: float, ceiling_w: float) -> tuple[float, float]:
    """(the batteries' power, + discharge; the grid error) that holds the grid inside the band.

    `natural_w` is the grid without the batteries (the boilers as decided). The batteries are steered on
    their own, from `held_w` (their last decision; None: no decision yet): at rest they stay at rest while
    the grid is within the deadband of the band (holding the whole flexible power instead, as without a
    band, made them take up the sun's drift and start and stop by a few watts); moving, they follow the
    band exactly, at most `ramp_limit_w` further per cycle (a boiler switching on or off is not theirs to
    follow). `floor_w` and `ceiling_w` (their power that puts the grid at the import and the export
    limit) win over the deadband and the ramp at once.
    """
    target = banded_target(guidance, policy, natural_w, held_w or 0.0)
    error = grid_w - target
    if held_w is None:
        wanted = natural_w - target
    elif held_w == 0.0 and abs(error) < policy.deadband_w:
        wanted = 0.0
    else:
        wanted = min(max(natural_w - target, held_w - policy.ramp_limit_w), held_w + policy.ramp_limit_w)
    return min(max(wanted, floor_w), ceiling_w), error


def planned_import_w(target_w: float, natural_w: float) -> float:
    """Import the band asks for beyond the site's own deficit: it fills stores, so free boilers
    must not count it as surplus."""
    return max(0.0, target_w - max(0.0, natural_w))


def unless_sliver(battery_wanted_w: float, guidance: Guidance, policy: Policy, battery_at_rest: bool) -> float:
    """A battery at rest does not start charging for a sliver of surplus hovering at an export-first
    band's edge (it would start and stop every second), unless exporting the sliver would pass the
    export limit."""
    low, _ = band_limits(guidance, policy)
    if low >= 0 or not battery_at_rest or not -BAND_START_W < battery_wanted_w < 0:
        return battery_wanted_w
    return 0.0 if -low - battery_wanted_w <= policy.export_limit_w else battery_wanted_w
