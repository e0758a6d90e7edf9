"""A margin on the import limit: battery energy the plan keeps for the forecast's error at the next peak.

The plan shaves a forecast peak above the import limit with exactly the energy the forecast
says it needs, so it reaches the peak's end at the band's floor: a load a little above the
forecast then meets an empty battery and the import breaches the limit. The forecast knows
how wrong it has lately been (each slot's cautious load, `ForecastSlot.load_high_w`, and the
cautious PV, `pv_low_w`). Over the next run of slots where the cautious figures would import
above the limit, the energy between the cautious and the expected excess (at the discharge
efficiency) is held back from the plan: the planned floor rises by it, as far as the store
holds it now (a reserve never forces a charge). The balancer's own floor stays the policy's,
so when the peak comes it spends the reserve to hold the limit. After the peak the next
replan releases it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from .forecast import ForecastSlot

if TYPE_CHECKING:  # problem.py builds its store through this module
    from .problem import BatteryStore


def peak_reserve_wh(forecast: Sequence[ForecastSlot], import_limit_w: float, discharge_efficiency: float) -> float:
    """The energy (Wh stored) that covers the forecast's recent error over the next run of slots where
    the cautious load would import above the limit; 0 when none comes in the forecast."""
    reserve, inside = 0.0, False
    for slot in forecast:
        pv_low = slot.pv_w if slot.pv_low_w is None else slot.pv_low_w
        cautious = max(0.0, slot.cautious_load_w - pv_low - import_limit_w)
        if cautious <= 0.0:
            if inside:
                break  # the peak is over: the next one is the next replan's
            continue
        inside = True
        expected = max(0.0, slot.load_w - slot.pv_w - import_limit_w)
        reserve += (cautious - expected) * slot.duration_s / 3600.0
    return reserve / discharge_efficiency if discharge_efficiency > 0 else 0.0


def with_peak_reserve(store: BatteryStore | None, forecast: Sequence[ForecastSlot],
                      import_limit_w: float) -> BatteryStore | None:
    """`store` with its planned floor raised by the reserve, as far as it holds energy above its floor now."""
    if store is None:
        return None
    reserve = peak_reserve_wh(forecast, import_limit_w, store.discharge_efficiency)
    floor = min(store.max_wh, max(store.min_wh, min(store.energy_wh, store.min_wh + reserve)))
    return store if floor == store.min_wh else replace(store, min_wh=floor)
