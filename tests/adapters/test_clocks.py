"""The three clocks: real, accelerated, and hand-stepped."""

from __future__ import annotations

import asyncio
import time

import pytest

from energy_edge.adapters.clocks import AcceleratedClock, ManualClock, RealClock


async def test_real_clock_is_wall_time():
    clock = RealClock()
    assert abs(clock.now() - time.time()) < 5
    await clock.sleep(0)
    await clock.sleep(-1)


async def test_accelerated_clock_runs_faster_from_its_start():
    clock = AcceleratedClock(speed=1000.0, start_epoch=1_000_000.0)
    assert clock.now() >= 1_000_000.0
    before = clock.now()
    await clock.sleep(10.0)  # 10 simulated seconds: about 10 ms of real time
    assert clock.now() - before >= 10.0
    assert abs(AcceleratedClock(2.0).now() - time.time()) < 5


def test_accelerated_clock_needs_a_positive_speed():
    with pytest.raises(ValueError):
        AcceleratedClock(speed=0)


async def test_manual_clock_wakes_sleepers_in_wake_time_order():
    clock = ManualClock(100.0)
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(f"{name}@{clock.now()}")

    tasks = [asyncio.create_task(sleeper("b", 5)), asyncio.create_task(sleeper("a", 2)),
             asyncio.create_task(sleeper("c", 5))]
    await asyncio.sleep(0)
    assert clock.sleepers == 3
    clock.advance(1.9)
    await asyncio.sleep(0)
    assert woke == []
    clock.advance(0.1)
    await asyncio.sleep(0)
    assert woke == ["a@102.0"]
    clock.advance(10)
    await asyncio.gather(*tasks)
    assert woke == ["a@102.0", "b@112.0", "c@112.0"]
    assert clock.sleepers == 0


async def test_manual_clock_zero_sleep_yields_and_cancelled_sleepers_are_forgotten():
    clock = ManualClock()
    await clock.sleep(0)
    task = asyncio.create_task(clock.sleep(5))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.sleep(0)
    assert clock.sleepers == 0
    clock.advance(10)
    assert clock.now() == 10.0
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_accelerated_clocks_with_one_anchor_share_one_timeline_whenever_they_start():
    """`up` gives every module process the same anchor: a module restarted later must not lag behind."""
    import time as _time

    anchor = _time.time() - 2.0  # the site started two seconds ago
    early = AcceleratedClock(600.0, 1_000_000.0, anchor_wall_s=anchor)
    _time.sleep(0.05)
    late = AcceleratedClock(600.0, 1_000_000.0, anchor_wall_s=anchor)
    assert abs(late.now() - early.now()) < 600.0 * 0.02  # within 20 ms of real time
    assert early.now() >= 1_000_000.0 + 2.0 * 600.0
