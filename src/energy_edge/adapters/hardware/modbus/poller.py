"""The shared poll loop of every Modbus driver: polling interval, failure count, recovery.

Whatever a device sends, only HardwareFault leaves a driver: registers that
do not decode (struct.error, OverflowError, ...) are turned into one here as
the last resort, so an asset cycle or a direct method never sees them.

A device that misses one poll is not yet broken: the last good measurement
stands in while fewer than `failures_before_fault` polls in a row have
failed. At that count the driver raises HardwareFault("communication lost:
...") so the asset goes to FAULT and the controller stops counting on it.
The first poll that succeeds again resets the count: the measurements flow
again and the asset recovers through `reset` (or by itself, as its service
is configured). A device that never answered has nothing to stand in for
it: its first failed poll is already a fault.
Each poll held over that way is counted in `polls_held_total` (served as
`energy_edge_asset_polls_held_total` through the driver's `counters()`).

A measurement handed over again (standing in for a failed poll, or reused
within the polling interval) is never passed off as new: it carries `age_s`,
the seconds since it was measured (`domain.hardware`), so the asset service
reports it under its original time and the controller does not take it for
a fresh reading.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Awaitable, Callable, Generic, Mapping, TypeVar

from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import DriverCounters

from .codec import DECODE_ERRORS
from .connection import CommunicationError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DevicePoller(Generic[T]):
    def __init__(
        self,
        read_once: Callable[[], Awaitable[T]],
        *,
        name: str,
        poll_interval_s: float = 0.0,
        failures_before_fault: int = 3,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures_before_fault < 1:
            raise ValueError("failures_before_fault must be >= 1")
        self._read_once = read_once
        self._name = name
        self._interval_s = poll_interval_s
        self._failures_before_fault = failures_before_fault
        self._monotonic = monotonic
        self._last: T | None = None
        self._last_at = float("-inf")
        self.consecutive_failures = 0
        self.polls_held_total = 0  # polls the device missed where the last measurement stood in

    async def read(self) -> T:
        """The latest measurement: cached within the polling interval, else polled now."""
        if self._last is not None and self.consecutive_failures == 0 and self._monotonic() - self._last_at < self._interval_s:
            return self._held()
        try:
            value = await self._read_once()
        except CommunicationError as exc:
            self.consecutive_failures += 1
            if self.consecutive_failures >= self._failures_before_fault or self._last is None:
                raise HardwareFault(f"communication lost: {exc}") from exc
            self.polls_held_total += 1
            logger.warning("%s: poll %d failed, holding the last measurement: %s", self._name, self.consecutive_failures, exc)
            return self._held()
        except DECODE_ERRORS as exc:  # the last resort: the drivers name the point themselves
            raise HardwareFault(f"{self._name}: registers that do not decode ({type(exc).__name__}: {exc})") from exc
        if self.consecutive_failures:
            logger.info("%s: device answers again after %d failed polls", self._name, self.consecutive_failures)
        self.consecutive_failures = 0
        self._last, self._last_at = value, self._monotonic()
        return value

    def _held(self) -> T:
        """The last measurement, marked with its age: it is not measured by this read."""
        assert self._last is not None
        age_s = max(0.0, self._monotonic() - self._last_at)
        if dataclasses.is_dataclass(self._last) and hasattr(self._last, "age_s"):
            return dataclasses.replace(self._last, age_s=age_s)  # type: ignore[type-var]
        return self._last

    def counters(self, rating_mismatches: Mapping[str, int] | None = None) -> DriverCounters:
        """The driver's counters for the operator: the polls held over, and what the driver adds."""
        return DriverCounters(polls_held=self.polls_held_total, rating_mismatches=dict(rating_mismatches or {}))

    @property
    def name(self) -> str:
        return self._name

    def forget(self) -> None:
        """Drop the cached measurement, so the next read polls (after a setpoint changed the device)."""
        self._last_at = float("-inf")


class communication_guard:  # noqa: N801 - used as a context manager, reads like a statement
    """Turn a CommunicationError inside a write into HardwareFault("communication lost: ...").

    A setpoint that could not be written (after the connection's retries)
    must not pass silently: the asset learns at once that its device did not
    take it.
    """

    def __init__(self, poller: DevicePoller) -> None:
        self._poller = poller

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, exc_type, exc, _tb) -> bool:  # noqa: ANN001
        if isinstance(exc, CommunicationError):
            self._poller.consecutive_failures += 1
            raise HardwareFault(f"communication lost: {exc}") from exc
        if isinstance(exc, DECODE_ERRORS):  # the last resort: the drivers name the point themselves
            raise HardwareFault(f"{self._poller.name}: a setpoint that does not encode ({type(exc).__name__}: {exc})") from exc
        if exc is None:
            self._poller.forget()
        return False
