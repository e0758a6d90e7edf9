"""Heat from the sun the export limit would curtail, taken by an on/off heater in runs full batteries carry.

The planner's LP heats a tank with any power, so under an export limit it plans part of a heater from the
sun that would otherwise be curtailed (1.5 kW of a 6 kW heater, the batteries full). A free boiler starts
only on surplus that covers a share of its heater, so that heat never came: the sun was curtailed through
midday and the evening's draws were heated from the grid (seed 2026 g20, seed 777 g29). The optimum runs
the heater at full power in part of the time, the batteries carrying what the sun does not, and lets the
sun fill them again in between.

Where the plan says so (`Guidance.boilers_carried`), a free boiler does that: it starts once the batteries
rest at the top of their band with the sun covering at least `SUN_SHARE` of its heater and the batteries
(with at most `IMPORT_SHARE` from the grid) the rest, and it keeps on until they have given `RUN_S` of the
heater's shortfall; it starts again once the sun has filled them (its minimum off time between). The runs
are long enough that the heater and the batteries change mode a few times an hour, not every minute.
"""

from __future__ import annotations

from dataclasses import dataclass

SUN_SHARE = 0.25  # the sun's surplus covers at least this share of the heater (no runs on a sliver of sun) ...
IMPORT_SHARE = 0.25  # ... the grid at most this share (the rest the batteries' discharge)
RUN_S = 600.0  # a run stops once the batteries gave this long of the heater's shortfall ...
START_S = 30.0  # ... and starts with them within this long of it of their top


@dataclass(frozen=True, slots=True)
class CarriedHeat:
    """What the batteries and the sun can give a heater now."""

    room_wh: float  # the batteries' room to the top of their bands
    discharge_w: float  # their discharge power
    sun_w: float  # the sun's surplus beyond the rest of the site (available PV - load)
    charging: bool = False  # the batteries are charging still (a run starts once they rest: a battery turned
    #                         from charge to discharge within the hour holds its direction a while, and the
    #                         grid carried the heater meanwhile)

    def carries(self, heater_w: float, running: bool) -> bool:
        """Whether a heater of `heater_w` runs now (`running`: it does already, and keeps on)."""
        if heater_w <= 0 or self.sun_w < SUN_SHARE * heater_w:
            return False
        shortfall_w = heater_w - self.sun_w
        if shortfall_w <= 0:
            return False  # the sun alone carries it: the free boilers' own rule
        if self.discharge_w + self.sun_w < (1.0 - IMPORT_SHARE) * heater_w:
            return False
        if not running and self.charging:
            return False
        given_wh = shortfall_w * (RUN_S if running else START_S) / 3600.0
        return self.room_wh <= given_wh
