"""Time slots from a day-ahead source (prices, a PV forecast), looked up by time.

A source may send overlapping slots (a corrected hour after the day's list); the later-starting
slot wins where they overlap, so a lookup is one bisection.
"""

from __future__ import annotations

import bisect
from typing import Generic, Iterable, Protocol, TypeVar


class TimeSlot(Protocol):
    @property
    def start_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...


T = TypeVar("T", bound=TimeSlot)


class SlotSchedule(Generic[T]):
    """Non-overlapping slots, looked up by time (later slots win where a source sends overlaps)."""

    def __init__(self, slots: Iterable[T] = ()) -> None:
        kept: list[T] = []
        for slot in sorted(slots, key=lambda s: s.start_s):
            while kept and kept[-1].end_s > slot.start_s:
                kept.pop()
            kept.append(slot)
        self.slots = tuple(kept)
        self._starts = [s.start_s for s in self.slots]

    def at(self, now: float) -> T | None:
        i = bisect.bisect_right(self._starts, now) - 1
        if i >= 0 and now < self.slots[i].end_s:
            return self.slots[i]
        return None

    def until(self) -> float | None:
        """When the schedule runs out (None: empty)."""
        return self.slots[-1].end_s if self.slots else None

    def __len__(self) -> int:
        return len(self.slots)
