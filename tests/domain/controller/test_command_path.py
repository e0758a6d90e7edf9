"""The command path: bounded concurrency, a budget per cycle, one call in flight per asset, spread refreshes."""

from __future__ import annotations

import asyncio

from energy_edge.domain.balancing import Setpoint
from energy_edge.domain.messages import MethodResponse
from energy_edge.domain.services.command_path import CommandPath, refresh_age_s


class SlowAssets:
    """A transport whose calls take `delay_s` each (real asyncio time) and record their overlap."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.calls: list[tuple[str, str]] = []
        self.running = self.most_at_once = 0

    async def invoke_method(self, module_id: str, method: str, payload, timeout_s: float) -> MethodResponse:
        self.calls.append((module_id, method))
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.running -= 1
        return MethodResponse(200, {})

    def on_method(self, handler) -> None: ...


def batteries(count: int, power_w: float) -> dict[str, Setpoint]:
    return {f"battery-{i}": Setpoint("battery", power_w, power_w) for i in range(count)}


async def test_calls_run_concurrently_up_to_the_bound() -> None:
    assets = SlowAssets(0.01)
    path = CommandPath(assets, 1.0, max_concurrent=4)
    await path.send(batteries(12, 1_000.0), 0.0, 30.0, budget_s=5.0)
    assert len(assets.calls) == 12 and assets.most_at_once == 4 and len(path.sent) == 12


async def test_a_slow_call_stays_in_flight_and_never_gets_a_second_one_meanwhile() -> None:
    results = []
    assets = SlowAssets(0.3)
    path = CommandPath(assets, 1.0, on_result=lambda module, command, status, _: results.append((module, status)))
    started = asyncio.get_running_loop().time()
    assert await path.send(batteries(2, 1_000.0), 0.0, 30.0, budget_s=0.02) == 2
    assert asyncio.get_running_loop().time() - started < 0.2, "the cycle waited past its budget"
    assert set(path.in_flight) == {"battery-0", "battery-1"} and results == []
    assert await path.send(batteries(2, 2_000.0), 1.0, 30.0, budget_s=0.02) == 0  # changed, but still in flight
    await path.settle(2.0)
    assert not path.in_flight and sorted(results) == [("battery-0", 200), ("battery-1", 200)]
    assert await path.send(batteries(2, 2_000.0), 2.0, 30.0, budget_s=1.0) == 2  # now the change goes out
    assert len(assets.calls) == 4


async def test_lease_refreshes_spread_between_a_quarter_and_half_the_ttl() -> None:
    assert refresh_age_s(0.0, 40.0) == 20.0 and refresh_age_s(1.0, 40.0) == 10.0
    assets = SlowAssets(0.0)
    path = CommandPath(assets, 1.0)
    setpoints = batteries(50, 1_000.0)
    await path.send(setpoints, 0.0, 40.0, budget_s=1.0)
    per_cycle = []
    for now in range(1, 21):
        per_cycle.append(await path.send(setpoints, float(now), 40.0, budget_s=1.0))
    assert sum(per_cycle) == 50 and max(per_cycle) <= 5, per_cycle  # 50 refreshes over 10 s, not at once


async def test_small_changes_of_many_batteries_are_sent_once_they_add_up() -> None:
    assets = SlowAssets(0.0)
    path = CommandPath(assets, 1.0)
    await path.send(batteries(40, 1_000.0), 0.0, 30.0, budget_s=1.0)
    assets.calls.clear()
    await path.send(batteries(40, 1_001.0), 1.0, 30.0, budget_s=1.0)  # 40 W in all: within the aggregate bound
    assert assets.calls == []
    await path.send(batteries(40, 1_005.0), 2.0, 30.0, budget_s=1.0)  # 5 W each (< 10 W), 200 W in all
    assert 30 <= len(assets.calls) < 40, "the sum of held-back changes stays within 50 W, no more calls than that"
    unsent = sum(1_005.0 - path.sent[m].command.value for m in batteries(40, 0.0))
    assert abs(unsent) <= 50.0


async def test_inline_calls_land_in_order_in_the_callers_task_and_none_stays_in_flight() -> None:
    results = []
    assets = SlowAssets(0.0)
    path = CommandPath(assets, 1.0, on_result=lambda module, command, status, _: results.append((module, status)))
    path.inline = True  # a manual clock's step (entrypoints/manual_site.py)
    tasks_before = len(asyncio.all_tasks())
    assert await path.send(batteries(3, 1_000.0), 0.0, 30.0, budget_s=0.0) == 3  # no budget: each call lands
    assert len(asyncio.all_tasks()) == tasks_before and not path.in_flight
    assert results == [("battery-0", 200), ("battery-1", 200), ("battery-2", 200)]
    assert [module for module, _ in assets.calls] == ["battery-0", "battery-1", "battery-2"] and len(path.sent) == 3
