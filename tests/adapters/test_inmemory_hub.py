"""In-memory hub specifics the transport contract leaves open."""

from __future__ import annotations

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import Message
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.status import Status
from energy_edge.domain.topology import DEFAULT_ROUTES


def _hub(**options) -> InMemoryHub:
    return InMemoryHub(RouteTable.parse(DEFAULT_ROUTES), **options)


async def test_a_module_the_site_never_had_is_404_and_one_that_is_away_is_504():
    hub = _hub(modules=["boiler"])  # deployed, never connected
    battery = hub.client("battery")
    controller = hub.client("controller")
    await controller.connect()
    unknown = await controller.invoke_method("toaster", "stop", {}, timeout_s=1)
    away = await controller.invoke_method("battery", "stop", {}, timeout_s=1)
    assert (unknown.status, unknown.payload["error"]) == (Status.NOT_FOUND, "module")
    assert away.status == Status.TIMEOUT
    assert (await controller.invoke_method("boiler", "stop", {}, timeout_s=1)).status == Status.TIMEOUT
    assert battery.connected is False


async def test_store_and_forward_is_bounded_and_counts_what_it_drops():
    hub = _hub(store_limit=3)
    received: list[bytes] = []

    async def handler(message: Message) -> None:
        received.append(message.body)

    solar = hub.client("solar")
    await solar.connect()
    for seq in range(5):
        await solar.send_message("telemetry", Message(str(seq).encode()))
    assert hub.dropped_by_module == {"controller": 2, "telemetry": 2}
    controller = hub.client("controller")
    controller.on_input("telemetry", handler)
    await controller.connect()
    assert received == [b"2", b"3", b"4"]  # the oldest went first


async def test_a_payload_that_is_not_json_is_400_and_never_reaches_the_target():
    hub = _hub()
    calls: list = []

    async def methods(request):
        calls.append(request)

    battery = hub.client("battery")
    battery.on_method(methods)
    await battery.connect()
    controller = hub.client("controller")
    await controller.connect()
    response = await controller.invoke_method("battery", "stop", {"when": object()}, timeout_s=1)
    assert response.status == Status.BAD_REQUEST and calls == []
