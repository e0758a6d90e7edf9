"""What the SunSpec drivers share: options, the rating, the poll loop, model look-up."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from energy_edge.domain.errors import HardwareFault

from .poller import DevicePoller, communication_guard
from .sunspec import ModelBlock, SunSpecDevice
from .throttle import SetpointThrottle

M = TypeVar("M")
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class DriverOptions:
    revert_timeout_s: int = 60  # the device reverts to its safe state if not refreshed within this
    rated_power_w: float | None = None  # used when the device has no nameplate model
    capacity_wh: float | None = None  # battery: the site file's capacity (trusted before the device's WHRtg)
    poll_interval_s: float = 0.0
    failures_before_fault: int = 3
    monotonic: Callable[[], float] = time.monotonic  # the site clock in an accelerated simulation (revert timers, rates)


async def rated_power(device: SunSpecDevice, fallback_w: float | None, *points: tuple[int, str]) -> float:
    """The first of (model, point) the device implements, else the configured fallback."""
    layout = await device.discover()
    for model_id, point in points:
        block = layout.first_of(model_id)
        if block is not None:
            value = (await device.read_model(block)).get(point)
            if isinstance(value, (int, float)) and value > 0:
                return float(value)
    if fallback_w is None:
        raise HardwareFault(f"{device.connection.endpoint}: no rating in models {[m for m, _ in points]} and no rated_power_w configured")
    return fallback_w


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

    def __init__(self, device: SunSpecDevice, options: DriverOptions = DriverOptions()) -> None:
        self.device = device
        self.options = options
        self._rating_w: float | None = None
        self._poller: DevicePoller[M] = DevicePoller(
            self._read_once,
            name=f"{self.kind} {device.connection.endpoint}",
            poll_interval_s=options.poll_interval_s,
            failures_before_fault=options.failures_before_fault,
            monotonic=options.monotonic,
        )
        self._throttle = SetpointThrottle(options.revert_timeout_s / 3, options.monotonic)

    async def rating_w(self) -> float:
        """The device's rating (static, so read once)."""
        if self._rating_w is None:
            self._rating_w = await rated_power(self.device, self.options.rated_power_w, *self.rating_points)
        return self._rating_w

    async def read(self) -> M:
        return await self._poller.read()

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
