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
from typing import Mapping


@dataclass(frozen=True, slots=True)
class Guidance:
    """Neutral by default: a balancer without a planner behaves as if given `Guidance()`."""

    export_first_w: float = 0.0  # surplus up to this is exported before batteries or boilers take any
    grid_charge_to_soc: float = 0.0  # batteries below this SoC charge at full power, from the grid if need be
    boiler_preheat_c: float = 0.0  # boilers below this heat to it now, whatever the surplus (0 = none)
    # Each boiler's own preheat beyond that (module -> °C): its tank's need for the coming hot-water draws,
    # heated like a cold boiler (from whatever covers the site), not as a store filled from the grid.
    boiler_preheat_by_module: Mapping[str, float] = field(default_factory=dict)
    # The planned grid band (W, + import): the batteries act only to keep the grid inside [low, high]
    # (charge below low, discharge above high, idle inside); it replaces export_first_w and
    # grid_charge_to_soc. None: no band, the policy's grid target as without a planner.
    grid_low_w: float | None = None
    grid_high_w: float | None = None
    # Under a band, free boilers take the sun's surplus even where the band would export it, unless the plan
    # knows what heat is worth (the hot-water draws): then they take only what the band stores.
    boilers_follow_band: bool = False
    # The share of a free boiler's heater the surplus must cover for it to start heating (the rest it
    # imports): where heating pays at the plan's value of the tanks' heat. None: the balancer's own.
    boiler_start_surplus_ratio: float | None = None

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
        if self.boiler_start_surplus_ratio is not None and not 0.0 <= self.boiler_start_surplus_ratio <= 1.0:
            raise ValueError(f"boiler_start_surplus_ratio must lie in [0, 1], got {self.boiler_start_surplus_ratio}")
        for module, preheat_c in self.boiler_preheat_by_module.items():
            if not 0.0 <= preheat_c < float("inf"):
                raise ValueError(f"boiler_preheat_by_module[{module!r}] must be finite and >= 0, got {preheat_c}")

    @property
    def has_band(self) -> bool:
        return self.grid_low_w is not None

    def preheat_c(self, module: str) -> float:
        """What boiler `module` heats to now, whatever the surplus: the site-wide preheat or its own."""
        return max(self.boiler_preheat_c, self.boiler_preheat_by_module.get(module, 0.0))

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
