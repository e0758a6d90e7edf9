"""Where an on/off heater can run at all on a site without batteries: the grid's room and the cautious sun.

A boiler's heater is on or off; running, it draws all of its power at once. The import limit is a
contract, so the balancer starts a heater only where the grid up to its limit and the sun carry it
beside the rest of the site (`balancer._fit_limit`). At a tight limit a heater that cannot fit through
the evening (no sun, the house's load beside it) cannot meet the evening's draws however much the
hot-water recursion (hot_water.py) counts on it: a 2 kW heater under a 2.3 kW limit beside a 0.7 kW
load never runs after sunset, and a tank not preheated for its 19-21 o'clock draws went 2.5 K short
of them and 40 minutes below its minimum, where the optimum had heated it before the sun went.

So on a site without batteries the recursion counts a heater only in the forecast slots where it fits
on the cautious figures (limit_margin.py: the sun one standard deviation darker, the load higher by its
recent error): there it has its full power, elsewhere none (`Span.heater_share`), and a tank whose
heater cannot run through a draw must be warm before it. Beyond the forecast, and at a limit the heater
fits under beside the load alone, nothing changes.

Not where batteries can carry the heater: whether they can depends on their energy through the draw,
which the recursion does not see and the LP plan does (problem.py, the draws' reserve). Counted at
their full discharge as if it never ran out, the recursion asked a 6 kW heater under a 2.1 kW limit to
preheat for two hours of draws on the batteries' energy the draws themselves then lacked: 14 cold
minutes became 95. Each boiler is weighed alone against the whole room: with several, it is shared and
this is optimistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..balancing.balancer import EXPORT_MARGIN_W
from ..balancing.policy import Policy
from ..balancing.snapshot import AssetView
from .forecast import ForecastSlot
from .limit_margin import cautious_load_w, cautious_pv_w


@dataclass(frozen=True, slots=True)
class HeaterRoom:
    """What the grid and the cautious sun leave a heater beside the cautious load in each forecast slot (W)."""

    slots: tuple[tuple[float, float, float], ...] = ()  # (start, end) in seconds from now, and the room

    @classmethod
    def of(cls, now: float, forecast: Sequence[ForecastSlot], policy: Policy, assets: Sequence[AssetView]
           ) -> "HeaterRoom":
        """The room in each slot of `forecast` not yet over; none known (every heater whole) on a site with
        batteries the balancer counts on."""
        if any(a.kind == "battery" and a.enabled for a in assets):
            return cls()
        return cls(tuple((max(0.0, slot.start_s - now), slot.start_s + slot.duration_s - now,
                          policy.import_limit_w + cautious_pv_w(slot) - cautious_load_w(slot))
                         for slot in forecast if slot.start_s + slot.duration_s > now))

    @property
    def edges_s(self) -> list[float]:
        """Every slot's start and end, in seconds from now: spans cut there lie within one slot."""
        return sorted({edge for start, end, _ in self.slots for edge in (start, end)})

    def share(self, heater_w: float, start_s: float, end_s: float) -> float:
        """The share of [start_s, end_s) (seconds from now) in which a heater of `heater_w` fits (with the
        margin a start needs); 1 outside the forecast, where nothing is known against it."""
        span_s = end_s - start_s
        if span_s <= 0:
            return 1.0
        covered = fits = 0.0
        for start, end, room_w in self.slots:
            overlap = min(end, end_s) - max(start, start_s)
            if overlap > 0:
                covered += overlap
                fits += overlap if room_w >= heater_w + EXPORT_MARGIN_W else 0.0
        return min(1.0, max(0.0, (fits + (span_s - covered)) / span_s))  # the spans' sums round either way
