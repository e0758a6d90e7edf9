"""The outbox keeps order through an outage, drops the oldest when full, and counts every drop."""

from __future__ import annotations

import asyncio

import pytest
from azure.iot.device import exceptions as sdk_errors

from energy_edge.adapters.transports.edgehub.client import RETRYABLE_SEND_ERRORS
from energy_edge.adapters.transports.edgehub.outbox import DROPPED, Outbox

from ..helpers import eventually


class FlakyHub:
    """Refuses sends like the SDK does while edgeHub is down."""

    def __init__(self) -> None:
        self.down = True
        self.sent: list[int] = []

    async def send(self, item: int) -> None:
        if self.down:
            raise sdk_errors.ConnectionFailedError("edgeHub down")
        self.sent.append(item)


async def test_messages_sent_during_an_outage_arrive_in_order_afterwards():
    hub = FlakyHub()
    outbox = Outbox(hub.send, limit=100, retry_interval_s=0.01, retryable=RETRYABLE_SEND_ERRORS, module_id="t1")
    outbox.start()
    try:
        for item in range(10):
            outbox.put(item)
        await asyncio.sleep(0.05)
        assert hub.sent == [] and len(outbox) == 10
        hub.down = False
        assert await outbox.drain(5)
        assert hub.sent == list(range(10)) and outbox.dropped == 0
    finally:
        await outbox.stop()


async def test_a_full_outbox_drops_the_oldest_and_counts_them():
    hub = FlakyHub()
    outbox = Outbox(hub.send, limit=5, retry_interval_s=0.01, retryable=RETRYABLE_SEND_ERRORS, module_id="t2")
    before = DROPPED.labels(module="t2")._value.get()
    outbox.start()
    try:
        for item in range(12):
            outbox.put(item)
            await asyncio.sleep(0.002)  # let the sender fail and requeue in between
        hub.down = False
        assert await outbox.drain(5)
        assert hub.sent == list(range(7, 12)), "the newest messages survive"
        assert outbox.dropped == 7
        assert DROPPED.labels(module="t2")._value.get() - before == 7
    finally:
        await outbox.stop()


async def test_a_message_the_hub_refuses_for_good_does_not_block_the_rest():
    sent: list[int] = []

    async def send(item: int) -> None:
        if item == 1:
            raise ValueError("refused")
        sent.append(item)

    outbox = Outbox(send, limit=10, retry_interval_s=0.01, retryable=RETRYABLE_SEND_ERRORS, module_id="t3")
    outbox.start()
    try:
        for item in range(3):
            outbox.put(item)
        await eventually(lambda: sent == [0, 2])
    finally:
        await outbox.stop()


def test_an_outbox_needs_room_for_one_message():
    with pytest.raises(ValueError):
        Outbox(FlakyHub().send, limit=0, retry_interval_s=1, retryable=RETRYABLE_SEND_ERRORS)
