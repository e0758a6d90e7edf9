"""The cycle scheduler keeps a fixed rate on a fake clock: starts on the period grid, whatever the work costs."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.domain.scheduling import CycleScheduler


class FakeClock:
    """Time moves only when someone sleeps or works: sleep(s) advances it by s."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


async def run_cycles(clock: FakeClock, period: float, work: list[float], cycles: int) -> tuple[list[float], CycleScheduler]:
    starts: list[float] = []
    scheduler: CycleScheduler

    async def cycle() -> None:
        starts.append(clock.now())
        clock.t += work[(len(starts) - 1) % len(work)]  # the work costs clock time
        if len(starts) >= cycles:
            scheduler.stop()

    scheduler = CycleScheduler(clock, lambda: period, cycle, name="test")
    await asyncio.wait_for(scheduler.run(), timeout=5)
    return starts, scheduler


async def test_cycles_start_on_the_period_grid_not_after_the_work() -> None:
    clock = FakeClock()
    starts, _ = await run_cycles(clock, 1.0, [0.3], 5)
    assert starts == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0]  # sleep-after-work would give 1001.3, 1002.6, ...


async def test_an_overrun_skips_the_covered_slots_instead_of_bursting() -> None:
    clock = FakeClock()
    starts, scheduler = await run_cycles(clock, 1.0, [0.1, 2.5, 0.1, 0.1], 4)
    assert starts == [1000.0, 1001.0, 1004.0, 1005.0]
    assert scheduler.skipped_slots_total == 2


async def test_a_failing_cycle_is_counted_and_the_next_runs_on_time() -> None:
    clock = FakeClock()
    starts: list[float] = []
    scheduler: CycleScheduler

    async def cycle() -> None:
        starts.append(clock.now())
        if len(starts) == 2:
            raise RuntimeError("bug in one cycle")
        if len(starts) == 3:
            scheduler.stop()

    scheduler = CycleScheduler(clock, lambda: 2.0, cycle, name="test")
    await scheduler.run()
    assert starts == [1000.0, 1002.0, 1004.0] and scheduler.failures_total == 1


@settings(max_examples=50, deadline=None)
@given(period=st.floats(0.1, 10.0), work=st.lists(st.floats(0.0, 30.0), min_size=1, max_size=8))
def test_every_start_lies_on_the_grid_and_none_start_while_one_runs(period: float, work: list[float]) -> None:
    clock = FakeClock()
    starts, _ = asyncio.run(run_cycles(clock, period, work, 10))
    for k, (start, nxt) in enumerate(zip(starts, starts[1:])):
        slots = (start - 1000.0) / period
        assert abs(slots - round(slots)) < 1e-6
        assert nxt >= start + work[k % len(work)] - 1e-9  # never before the previous cycle ended
        assert nxt - start <= max(period, work[k % len(work)] + period) + 1e-6


async def test_a_shorter_period_applies_at_once_not_after_the_old_sleep() -> None:
    """A controller told cycle_s 60 -> 1 by its twin must not sleep out the 60 s first."""
    from energy_edge.adapters.clocks import ManualClock

    clock = ManualClock(0.0)
    period = [60.0]
    starts: list[float] = []

    async def cycle() -> None:
        starts.append(clock.now())

    scheduler = CycleScheduler(clock, lambda: period[0], cycle, name="test")
    task = asyncio.create_task(scheduler.run())
    await asyncio.sleep(0)
    clock.advance(5.0)
    await asyncio.sleep(0)
    period[0] = 1.0
    scheduler.reschedule()
    for _ in range(5):
        await asyncio.sleep(0)
    assert starts == [0.0, 5.0]  # the new period had passed already: the next cycle ran at once
    clock.advance(1.0)
    for _ in range(5):
        await asyncio.sleep(0)
    assert starts == [0.0, 5.0, 6.0]
    scheduler.stop()
    await asyncio.wait_for(task, 1)
