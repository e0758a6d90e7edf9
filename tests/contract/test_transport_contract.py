"""The port contract: every transport must behave like IoT Edge's edgeHub.

Runs unchanged against each harness in conftest.HARNESSES, on each site of conftest.SITES.
"""

from __future__ import annotations

import json

from energy_edge.domain.messages import Message, MethodRequest, MethodResponse
from energy_edge.domain.status import Status

from ..helpers import eventually, register_and_connect


async def _connected(harness, module_id, *, inputs=None, methods=None, desired=None):
    return await register_and_connect(harness.client(module_id), inputs=inputs, methods=methods, desired=desired)


async def test_output_is_routed_to_the_inputs_and_upstream_the_routes_name(harness):
    at_controller: list[Message] = []
    at_telemetry: list[Message] = []

    async def to_controller(message):
        at_controller.append(message)

    async def to_telemetry(message):
        at_telemetry.append(message)

    controller = await _connected(harness, "controller", inputs={"telemetry": to_controller})
    telemetry = await _connected(harness, "telemetry", inputs={"telemetry": to_telemetry})
    solar = await _connected(harness, harness.solar)
    try:
        await solar.send_message("telemetry", Message.from_json({"seq": 1, "power_w": 1000.0}))
        await eventually(lambda: at_controller and at_telemetry)
        assert json.loads(at_controller[0].body) == {"seq": 1, "power_w": 1000.0}
        assert at_controller[0].source_module == harness.solar
        assert at_telemetry[0].source_module == harness.solar
        assert harness.upstream() == [], "asset telemetry must not go $upstream"

        await controller.send_message("cloud", Message.from_json({"grid_power_w": 5.0}))
        await eventually(lambda: len(harness.upstream()) == 1)
        assert json.loads(harness.upstream()[0].body) == {"grid_power_w": 5.0}
    finally:
        for client in (solar, controller, telemetry):
            await client.close()


async def test_an_output_without_a_route_reaches_nobody(harness):
    received: list[Message] = []

    async def handler(message):
        received.append(message)

    controller = await _connected(harness, "controller", inputs={"telemetry": handler})
    solar = await _connected(harness, harness.solar)
    try:
        await solar.send_message("debug", Message.from_json({"x": 1}))
        await solar.send_message("telemetry", Message.from_json({"marker": True}))
        await eventually(lambda: len(received) == 1)
        assert json.loads(received[0].body) == {"marker": True}
    finally:
        await solar.close()
        await controller.close()


async def test_direct_method_round_trip_and_status_codes(harness):
    async def battery_methods(request: MethodRequest) -> MethodResponse:
        if request.name == "stop":
            return MethodResponse(200, {"state": "IDLE", "echo": request.payload})
        if request.name == "start_charging":
            return MethodResponse(409, {"error": "state", "reason": "FAULT"})
        return MethodResponse(404, {"error": "method", "reason": f"unknown {request.name}"})

    battery = await _connected(harness, harness.battery, methods=battery_methods)
    controller = await _connected(harness, "controller")
    try:
        ok = await controller.invoke_method(harness.battery, "stop", {"ttl_s": 5}, timeout_s=5)
        assert ok.status == 200 and ok.payload == {"state": "IDLE", "echo": {"ttl_s": 5}}
        refused = await controller.invoke_method(harness.battery, "start_charging", {"power_w": 1}, timeout_s=5)
        assert refused.status == Status.CONFLICT
        unknown = await controller.invoke_method(harness.battery, "explode", {}, timeout_s=5)
        assert unknown.status == Status.NOT_FOUND
    finally:
        await battery.close()
        await controller.close()


async def test_method_on_a_module_that_is_down_times_out_with_504(harness):
    battery = await _connected(harness, harness.battery, methods=lambda r: None)
    await battery.close()
    controller = await _connected(harness, "controller")
    try:
        response = await controller.invoke_method(harness.battery, "stop", {}, timeout_s=0.5)
        assert response.status == Status.TIMEOUT
    finally:
        await controller.close()


async def test_slow_method_handler_times_out_with_504(harness):
    import asyncio

    async def slow(request):
        await asyncio.sleep(3)
        return MethodResponse(200, {})

    battery = await _connected(harness, harness.battery, methods=slow)
    controller = await _connected(harness, "controller")
    try:
        response = await controller.invoke_method(harness.battery, "stop", {}, timeout_s=0.3)
        assert response.status == Status.TIMEOUT
    finally:
        await battery.close()
        await controller.close()


async def test_desired_patch_arrives_with_version_and_reported_is_stored(harness):
    patches: list[dict] = []

    async def on_patch(patch):
        patches.append(patch)

    boiler = await _connected(harness, harness.boiler, desired=on_patch)
    try:
        version = await harness.set_desired(harness.boiler, {"max_temperature_c": 85.0})
        await eventually(lambda: patches)
        assert patches[-1]["max_temperature_c"] == 85.0
        assert patches[-1]["$version"] == version
        await boiler.patch_reported({"max_temperature_c": {"value": 85.0, "ac": 200, "av": version}})

        async def reported_arrived():
            return (await harness.reported(harness.boiler)).get("max_temperature_c", {}).get("av") == version

        from ..helpers import eventually_async

        await eventually_async(reported_arrived)
    finally:
        await boiler.close()


async def test_a_module_that_starts_late_reads_the_desired_twin(harness):
    version = await harness.set_desired(harness.solar, {"rated_power_w": 8000.0})
    solar = await _connected(harness, harness.solar, desired=_ignore)
    try:
        twin = await solar.get_twin()
        assert twin.desired["rated_power_w"] == 8000.0
        assert twin.desired_version == version
    finally:
        await solar.close()


async def test_telemetry_sent_while_the_target_is_away_is_delivered_when_it_returns(harness):
    received: list[dict] = []

    async def handler(message):
        received.append(json.loads(message.body))

    controller = await _connected(harness, "controller", inputs={"telemetry": handler})
    await controller.close()
    solar = await _connected(harness, harness.solar)
    try:
        for seq in range(5):
            await solar.send_message("telemetry", Message.from_json({"seq": seq}))
        controller = await _connected(harness, "controller", inputs={"telemetry": handler})
        await eventually(lambda: len(received) >= 5)
        assert [m["seq"] for m in received] == [0, 1, 2, 3, 4]
    finally:
        await solar.close()
        await controller.close()


async def _ignore(_patch):
    return None
