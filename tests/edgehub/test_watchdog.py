"""The watchdog ends a client that claims to be connected but no longer answers; never one that is reconnecting."""

from __future__ import annotations

import asyncio

from energy_edge.adapters.transports.edgehub.watchdog import ReceiveWatchdog

from ..helpers import eventually


async def _hang() -> None:
    await asyncio.sleep(3600)


async def _answer() -> None:
    return None


async def test_a_connected_client_that_stops_answering_is_ended():
    stalls: list[bool] = []
    watchdog = ReceiveWatchdog(_hang, lambda: True, interval_s=0.01, timeout_s=0.01, max_failures=3,
                               on_stall=lambda: stalls.append(True))
    watchdog.start()
    try:
        await eventually(lambda: stalls)
        assert watchdog.failures >= 3
    finally:
        await watchdog.stop()


async def test_a_client_that_answers_again_starts_counting_from_zero():
    stalls: list[bool] = []
    watchdog = ReceiveWatchdog(_hang, lambda: True, timeout_s=0.01, max_failures=3, on_stall=lambda: stalls.append(True))
    assert not await watchdog.check_once()
    assert not await watchdog.check_once()
    watchdog._probe = _answer
    assert await watchdog.check_once()
    assert watchdog.failures == 0 and stalls == []


async def test_a_disconnected_client_is_left_to_reconnect():
    stalls: list[bool] = []
    watchdog = ReceiveWatchdog(_hang, lambda: False, timeout_s=0.01, max_failures=1, on_stall=lambda: stalls.append(True))
    for _ in range(5):
        assert await watchdog.check_once()
    assert stalls == []


async def test_an_sdk_error_counts_as_no_answer():
    async def broken() -> None:
        raise RuntimeError("pipeline not running")

    stalls: list[bool] = []
    watchdog = ReceiveWatchdog(broken, lambda: True, timeout_s=1, max_failures=1, on_stall=lambda: stalls.append(True))
    assert not await watchdog.check_once()
    assert stalls == [True]
