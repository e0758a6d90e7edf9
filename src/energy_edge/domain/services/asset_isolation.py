"""One asset's bad data never stops a controller cycle: the assets that break balancing are left out.

(And the meter's reading is checked the same way: a non-finite or absurd grid power is a meter error.)

Telemetry is bounded when it is decoded, so this should never act; it is the
last line of defence against a value no rule foresaw (an overflow, a missing
field): the cycle balances the other assets, and the culprit is counted and
logged until its reports are sane again.
"""

from __future__ import annotations

import logging
import math
from typing import Iterable

from ..balancing import AssetView, BalancerMemory, Decision, Guidance, Policy, SiteSnapshot, balance
from ..balancing.snapshot import FAULT_STATE
from ..bounds import MAX_POWER_W
from ..telemetry import AssetTelemetry

log = logging.getLogger(__name__)


def plausible_grid_power_w(value: float) -> float:
    """A meter reading the balancer may see: finite and within ±10 MW, else ValueError (a meter error)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_POWER_W:
        raise ValueError(f"grid meter read {value!r}: not a power within ±{MAX_POWER_W:g} W")
    return float(value)


def snapshot_of(now: float, grid_power_w: float,
                telemetry: Iterable[AssetTelemetry]) -> tuple[SiteSnapshot, list[str]]:
    """The site snapshot of the assets whose reports convert, and the modules whose reports did not."""
    views: list[AssetView] = []
    broken: list[str] = []
    for report in telemetry:
        if report.state == FAULT_STATE:
            continue  # the controller stops counting on an asset in FAULT
        try:
            views.append(AssetView.from_telemetry(report))
        except Exception as exc:
            broken.append(report.module)
            log.warning("%s left out of this cycle: its report does not convert (%r)", report.module, exc)
    return SiteSnapshot(now, grid_power_w, views), broken


def balance_isolating(snapshot: SiteSnapshot, policy: Policy, memory: BalancerMemory,
                      guidance: Guidance) -> tuple[Decision, list[str]]:
    """`balance`, or, when it fails, `balance` without the assets that make it fail on their own."""
    try:
        return balance(snapshot, policy, memory, guidance), []
    except Exception:
        log.exception("balancing failed; looking for the asset that breaks it")
    broken = [view.module for view in snapshot.assets if not _balances(view, snapshot, policy, memory, guidance)]
    kept = SiteSnapshot(snapshot.now, snapshot.grid_power_w, [v for v in snapshot.assets if v.module not in broken])
    return balance(kept, policy, memory, guidance), broken  # still failing: not one asset's data, the cycle fails


def _balances(view: AssetView, snapshot: SiteSnapshot, policy: Policy, memory: BalancerMemory,
              guidance: Guidance) -> bool:
    try:
        balance(SiteSnapshot(snapshot.now, snapshot.grid_power_w, [view]), policy, memory, guidance)
    except Exception:
        return False
    return True
