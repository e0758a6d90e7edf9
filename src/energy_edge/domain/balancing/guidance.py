"""What the planner asks of the next balancing cycles, beyond the operator's policy.

The balancer alone sees only the present, so it stores every surplus the moment
it appears and tops up nothing before a price peak. The planner (see
`domain.planning`) looks ahead with a forecast and hands the balancer these few
knobs; the balancer still enforces every limit, so a wrong forecast costs money,
never a violation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Sequence

from .snapshot import AssetView


READY_RESTART_K = 1.0  # a heater stopped at a draw approach's ceiling restarts before the final approach only this
#                        far below it (what it cools meanwhile is not worth a pulse of the heater)


@dataclass(frozen=True, slots=True)
class DrawApproach:
    """A heavy hot-water draw ahead that needs a boiler's tank in its thermostat's top band as it begins.

    A thermostat satisfied at its setpoint starts again only a hysteresis band below it (and no lease goes
    above the maximum), so a tank parked in that band when a draw that outruns the heater begins waits out
    the band, heater idle, before it heats. So the tank is heated no further than `ready_c` (below the
    band, where a lease of the maximum starts the heater at once) until the final approach: from the
    moment full power reaches `need_c` no sooner than `draw_at_s` (the heater's rating less `loss_w`, the
    standing loss where the run begins, the climb's least: it arrives on time or a little late, still
    heating, rather than early and idle), it heats to `need_c` in one run. The balancer times that moment
    every cycle (`Guidance.for_cycle`): a plan's cadence would start it minutes late."""

    draw_at_s: float  # when the draw begins (s, the clock's)
    need_c: float  # what the tank should hold then (at most its maximum)
    ready_c: float  # until the final approach it is heated no further than this
    band_c: float  # the thermostat's band begins here (maximum - hysteresis): a tank above it is left as it is
    loss_w: float = 0.0  # the tank's standing loss where the final approach begins (W): the climb is that slower


@dataclass(frozen=True, slots=True)
class Guidance:
    """Neutral by default: a balancer without a planner behaves as if given `Guidance()`."""

    export_first_w: float = 0.0  # surplus up to this is exported before batteries or boilers take any
    grid_charge_to_soc: float = 0.0  # batteries below this SoC charge at full power, from the grid if need be
    boiler_preheat_c: float = 0.0  # boilers below this heat to it now, whatever the surplus (0 = none)
    # Each boiler's own preheat beyond that (module -> °C): its tank's need for the coming hot-water draws,
    # heated like a cold boiler (from whatever covers the site), not as a store filled from the grid.
    boiler_preheat_by_module: Mapping[str, float] = field(default_factory=dict)
    # Each boiler's ceiling for now (module -> °C): heated no further than this, whatever the surplus or a
    # preheat asks (a thermostat kept below its top band until the final approach to a heavy draw).
    boiler_ceiling_by_module: Mapping[str, float] = field(default_factory=dict)
    # Each boiler's heavy draw ahead that needs its thermostat heating as it begins (module -> approach): turned
    # into a ceiling or a preheat every cycle (`for_cycle`).
    boiler_approach_by_module: Mapping[str, DrawApproach] = field(default_factory=dict)
    # The planned grid band (W, + import): the batteries act only to keep the grid inside [low, high]
    # (charge below low, discharge above high, idle inside); it replaces export_first_w and
    # grid_charge_to_soc. None: no band, the policy's grid target as without a planner.
    grid_low_w: float | None = None
    grid_high_w: float | None = None
    # Under a band, free boilers take the sun's surplus even where the band would export it, unless the plan
    # knows what heat is worth (the hot-water draws): then they take only what the band stores.
    boilers_follow_band: bool = False
    # Where the plan heats the tanks with part of a heater from sun the export limit would curtail, the batteries
    # at their top: free boilers take it in runs the batteries carry (carried_heat.py).
    boilers_carried: bool = False
    # The share of a free boiler's heater the surplus must cover for it to start heating (the rest it
    # imports): where heating pays at the plan's value of the tanks' heat. None: the balancer's own.
    boiler_start_surplus_ratio: float | None = None
    # The plan's heat from the grid left out of the band (W): its import is the heaters', so while they run the
    # band's high edge rises by their power up to this (`with_heaters_running`). Otherwise a band that
    # discharges, or rests at self-consumption, had the batteries carry a heater the plan imports for: under
    # a 2.8 kW limit a 3 kW heater's draw emptied the battery an hour early, and the tank went cold.
    heaters_grid_w: float = 0.0

    def __post_init__(self) -> None:
        if not self.export_first_w >= 0.0:
            raise ValueError(f"export_first_w must be >= 0, got {self.export_first_w}")
        if not 0.0 <= self.grid_charge_to_soc <= 1.0:
            raise ValueError(f"grid_charge_to_soc must lie in [0, 1], got {self.grid_charge_to_soc}")
        if not self.boiler_preheat_c >= 0.0:
            raise ValueError(f"boiler_preheat_c must be >= 0, got {self.boiler_preheat_c}")
        if (self.grid_low_w is None) != (self.grid_high_w is None):
            raise ValueError("grid_low_w and grid_high_w come together (both None: no band)")
        if self.grid_low_w is not None and self.grid_high_w is not None and not (
                math.isfinite(self.grid_low_w) and math.isfinite(self.grid_high_w)
                and self.grid_low_w <= self.grid_high_w):
            raise ValueError(f"the grid band needs finite grid_low_w <= grid_high_w, got "
                             f"[{self.grid_low_w}, {self.grid_high_w}]")
        if not 0.0 <= self.heaters_grid_w < float("inf"):
            raise ValueError(f"heaters_grid_w must be finite and >= 0, got {self.heaters_grid_w}")
        if self.boiler_start_surplus_ratio is not None and not 0.0 <= self.boiler_start_surplus_ratio <= 1.0:
            raise ValueError(f"boiler_start_surplus_ratio must lie in [0, 1], got {self.boiler_start_surplus_ratio}")
        for module, approach in self.boiler_approach_by_module.items():
            if not all(math.isfinite(v) for v in (approach.draw_at_s, approach.need_c, approach.ready_c,
                                                  approach.band_c, approach.loss_w)) or approach.loss_w < 0:
                raise ValueError(f"boiler_approach_by_module[{module!r}] must be finite, got {approach}")
        for name in ("boiler_preheat_by_module", "boiler_ceiling_by_module"):
            for module, value_c in getattr(self, name).items():
                if not 0.0 <= value_c < float("inf"):
                    raise ValueError(f"{name}[{module!r}] must be finite and >= 0, got {value_c}")

    @property
    def has_band(self) -> bool:
        return self.grid_low_w is not None

    def with_heaters_running(self, running_w: float) -> "Guidance":
        """This guidance with the band's high edge raised by the heaters running now (`running_w`, >= 0) up to
        the plan's heat from the grid (`heaters_grid_w`): their import is the plan's, not the batteries' to
        cover. Itself where nothing rises."""
        rise_w = min(max(0.0, running_w), self.heaters_grid_w)
        if rise_w <= 0.0 or self.grid_high_w is None:
            return self
        return replace(self, grid_high_w=self.grid_high_w + rise_w)

    def preheat_c(self, module: str) -> float:
        """What boiler `module` heats to now, whatever the surplus: the site-wide preheat or its own (the hotter),
        up to its ceiling."""
        return min(max(self.boiler_preheat_c, self.boiler_preheat_by_module.get(module, 0.0)), self.ceiling_c(module))

    def ceiling_c(self, module: str) -> float:
        """The hottest boiler `module` is heated to now (inf: its maximum, as its own thermostat keeps)."""
        return self.boiler_ceiling_by_module.get(module, math.inf)

    def for_cycle(self, now: float, assets: Sequence[AssetView], capacity_of: Callable[[str], float]) -> "Guidance":
        """This guidance with each boiler's draw approach (`DrawApproach`) resolved for `now`: on its final
        approach a preheat to the draw's need, before it a ceiling below its thermostat's band (a tank already
        in the band is left as it is). Itself where there is no approach. `capacity_of`: each boiler's
        tank's heat capacity by module (`Policy.capacity_of`)."""
        if not self.boiler_approach_by_module:
            return self
        preheat, ceiling = dict(self.boiler_preheat_by_module), dict(self.boiler_ceiling_by_module)
        for asset in assets:
            approach = self.boiler_approach_by_module.get(asset.module)
            if approach is None or asset.kind != "boiler" or asset.heater_power_w <= 0:
                continue
            net_w = max(asset.heater_power_w - approach.loss_w, 0.5 * asset.heater_power_w)
            climb_s = capacity_of(asset.module) * max(0.0, approach.need_c - asset.temperature_c) / net_w
            if now >= approach.draw_at_s - climb_s:
                preheat[asset.module] = max(preheat.get(asset.module, 0.0), approach.need_c)
            elif asset.temperature_c < approach.band_c:  # a heater at rest waits a little below it: no pulses
                ready_c = approach.ready_c - (0.0 if asset.heater_on else READY_RESTART_K)
                ceiling[asset.module] = min(ceiling.get(asset.module, math.inf), ready_c)
        return replace(self, boiler_preheat_by_module=preheat, boiler_ceiling_by_module=ceiling)

    def preheat_within(self, headroom_w: float, heaters_w: Mapping[str, float]) -> "Guidance":
        """This guidance with only the boilers' own preheats whose heaters fit `headroom_w` (what the site
        can still import within its limit, its batteries and sun counted): a hot-water preheat is an
        anticipation, the import limit a contract. Boilers are fitted in the order of `heaters_w`."""
        kept: dict[str, float] = {}
        for module, preheat_c in self.boiler_preheat_by_module.items():
            heater_w = heaters_w.get(module, 0.0)
            if heater_w <= headroom_w:
                kept[module] = preheat_c
                headroom_w -= heater_w
        return self if len(kept) == len(self.boiler_preheat_by_module) else replace(self, boiler_preheat_by_module=kept)

    def as_dict(self) -> dict[str, float | None]:
        """For the site report: `boiler_preheat_c` is the hottest any boiler is preheated to."""
        # Written out (the fields' order, as dataclasses.asdict gave them) rather than asdict, which deep-copies
        # every field only for two to be dropped: this runs with every site report.
        return {"export_first_w": self.export_first_w, "grid_charge_to_soc": self.grid_charge_to_soc,
                "boiler_preheat_c": max(self.boiler_preheat_c, *self.boiler_preheat_by_module.values(), 0.0),
                "grid_low_w": self.grid_low_w, "grid_high_w": self.grid_high_w}
