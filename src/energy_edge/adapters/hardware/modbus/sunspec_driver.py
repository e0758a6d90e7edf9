"""What the SunSpec drivers share: options, the rating, the poll loop, model look-up.

Ratings: where the site file (or settings) and the device both state one, the
asset's rating is the LOWER of the two. A device derated below its nameplate
is honoured; a device (or a wrong scale factor) claiming more than the
nameplate by more than `RATING_TOLERANCE` is logged as a warning naming both
figures and counted in `rating_mismatches_total` (served by quantity as
`energy_edge_asset_rating_mismatches_total` through `counters()`), and the
nameplate stands: the 110 % power bound and every setpoint stay within what
the site file says is installed. The device's own figure stays the base of its percentage points
(WMaxLimPct is a percent of its WMax, InWRte of its WChaMax), so a setpoint is
first capped at the asset's rating and then expressed in the device's terms.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import DriverCounters

from .poller import DevicePoller, communication_guard
from .sunspec import ModelBlock, SunSpecDevice
from .throttle import SetpointThrottle

logger = logging.getLogger(__name__)

M = TypeVar("M")
S = TypeVar("S")

RATING_TOLERANCE = 0.10  # a device may state up to 10 % above the nameplate (rounding, a firmware's own margin)


@dataclass(frozen=True, slots=True)
class DriverOptions:
    revert_timeout_s: int = 60  # the device reverts to its safe state if not refreshed within this
    rated_power_w: float | None = None  # the site file's nameplate: the rating is the lower of it and the device's
    capacity_wh: float | None = None  # battery: the site file's capacity: the lower of it and the device's WHRtg counts
    poll_interval_s: float = 0.0
    failures_before_fault: int = 3
    monotonic: Callable[[], float] = time.monotonic  # the site clock in an accelerated simulation (revert timers, rates)


async def device_rating(device: SunSpecDevice, *points: tuple[int, str]) -> float | None:
    """The first of (model, point) the device implements with a positive value; None when it states none."""
    layout = await device.discover()
    for model_id, point in points:
        block = layout.first_of(model_id)
        if block is not None:
            value = (await device.read_model(block)).get(point)
            if isinstance(value, (int, float)) and value > 0:
                return float(value)
    return None


def lower_rating(where: str, what: str, unit: str, device: float | None, nameplate: float | None,
                 mismatches: Counter[str]) -> float | None:
    """The asset's rating: the lower of the device's and the site file's where both are known, else the one known.

    A device stating more than `nameplate x (1 + RATING_TOLERANCE)` is logged and counted under
    `what`; the nameplate stands.
    """
    if device is None or nameplate is None:
        return nameplate if device is None else device
    if device > nameplate * (1 + RATING_TOLERANCE):
        mismatches[what] += 1
        logger.warning("%s: the device states a %s of %.6g %s, more than the site file's nameplate %.6g %s "
                       "(+%.0f %% allowed); using the nameplate: check the device's scale factors or the site file",
                       where, what, device, unit, nameplate, unit, RATING_TOLERANCE * 100)
    return min(device, nameplate)


def require_models(device: SunSpecDevice, *candidates: tuple[int, ...]) -> list[ModelBlock]:
    """For each group of alternatives, the first model the device has; a fault when it has none."""
    assert device.layout is not None
    found = [device.layout.first_of(*models) for models in candidates]
    missing = [models for models, block in zip(candidates, found) if block is None]
    if missing:
        raise HardwareFault(f"{device.connection.endpoint}: SunSpec device has none of the models {missing}")
    return found  # type: ignore[return-value]


class SunSpecDriver(Generic[M, S]):
    """Discovery, rating and polling around one SunSpec device; subclasses read and write its models."""

    kind = "sunspec"
    rating_points: tuple[tuple[int, str], ...] = ()  # where the rating lives, preferred first
    # the ratings checked against the site file: (what `lower_rating` counts, the metric's quantity label)
    checked_ratings: tuple[tuple[str, str], ...] = (("rated power", "power"),)

    def __init__(self, device: SunSpecDevice, options: DriverOptions = DriverOptions()) -> None:
        self.device = device
        self.options = options
        self._ratings_w: tuple[float, float] | None = None  # (the asset's, the device's own)
        self.rating_mismatches_total: Counter[str] = Counter()  # a device stating more than the nameplate, by what
        self._poller: DevicePoller[M] = DevicePoller(
            self._read_once,
            name=f"{self.kind} {device.connection.endpoint}",
            poll_interval_s=options.poll_interval_s,
            failures_before_fault=options.failures_before_fault,
            monotonic=options.monotonic,
        )
        self._throttle = SetpointThrottle(options.revert_timeout_s / 3, options.monotonic)

    async def _ratings(self) -> tuple[float, float]:
        if self._ratings_w is None:
            stated = await device_rating(self.device, *self.rating_points)
            endpoint = self.device.connection.endpoint
            rating = lower_rating(f"{self.kind} {endpoint}", "rated power", "W", stated, self.options.rated_power_w,
                                  self.rating_mismatches_total)
            if rating is None:
                raise HardwareFault(f"{endpoint}: no rating in models {[m for m, _ in self.rating_points]} "
                                    "and no rated_power_w configured")
            self._ratings_w = (rating, stated or rating)
        return self._ratings_w

    async def rating_w(self) -> float:
        """The asset's rating: the lower of the device's and the site file's (static, so read once)."""
        return (await self._ratings())[0]

    async def device_rating_w(self) -> float:
        """What the device's own percentage points are a percent of: its stated rating, else the nameplate."""
        return (await self._ratings())[1]

    async def read(self) -> M:
        return await self._poller.read()

    def counters(self) -> DriverCounters:
        """Polls held over and ratings the device overstated (every checked quantity, 0 included)."""
        return self._poller.counters({quantity: self.rating_mismatches_total[what]
                                      for what, quantity in self.checked_ratings})

    async def _read_once(self) -> M:
        raise NotImplementedError

    async def apply(self, setpoint: S) -> None:
        """Write the setpoint (with its revert timer) when it changed or the timer needs a refresh.

        A write the device does not take raises HardwareFault("communication lost: ...") at once.
        """
        if not self._throttle.due(setpoint):
            return
        async with communication_guard(self._poller):
            await self._apply(setpoint)
        self._throttle.written(setpoint)

    async def _apply(self, setpoint: S) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        self.device.connection.close()
