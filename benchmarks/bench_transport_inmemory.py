"""In-memory transport throughput: delivered messages per second (target >= 100,000).

One solar output routed to two inputs (controller and telemetry), as on the site."""

from __future__ import annotations

import asyncio
import time

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import Message
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import DEFAULT_ROUTES

from .result import Result

MESSAGES = 200_000


async def _measure() -> float:
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    received = 0

    async def count(_message: Message) -> None:
        nonlocal received
        received += 1

    for module_id in ("controller", "telemetry"):
        receiver = hub.client(module_id)
        receiver.on_input("telemetry", count)
        await receiver.connect()
    solar = hub.client("solar")
    await solar.connect()
    message = Message.from_json({"kind": "solar", "seq": 0, "power_w": 1234.5})
    start = time.perf_counter()
    for _ in range(MESSAGES):
        await solar.send_message("telemetry", message)
    elapsed = time.perf_counter() - start
    assert received == 2 * MESSAGES, (received, MESSAGES)  # routed to controller and telemetry
    return received / elapsed


def run() -> list[Result]:
    rate = asyncio.run(_measure())
    return [Result("inmemory_transport_messages_per_second", rate, "msg/s", ">= 100000", rate >= 100_000)]
