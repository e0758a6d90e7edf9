"""The site over the real azure-iot-device SDK and the TLS edgeHub stand-in, without Azure.

Asset modules are the real AssetModuleService with real assets and simulated
hardware; the controller is the real ControllerService where its decisions
matter, and a small relay where a test needs exact control of what is sent.
Under test: the edgeHub transport carrying telemetry, direct methods and twin
configuration, and surviving an edgeHub restart.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import urllib.parse

import pytest
from azure.iot.device import exceptions as sdk_errors

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated.battery import SimulatedBattery
from energy_edge.adapters.hardware.simulated.pv import SimulatedPV
from energy_edge.domain.assets.battery import Battery
from energy_edge.domain.assets.solar import Solar
from energy_edge.domain.messages import Message
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.services.controller_service import ControllerService

from ..helpers import eventually, eventually_async


async def _battery(standin, **options) -> AssetModuleService:
    clock = ManualClock(1_750_000_000.0)
    service = AssetModuleService(standin.client("battery", **options), SimulatedBattery(clock), Battery(), clock, 1.0)
    await service.start()
    return service


async def _solar(standin) -> AssetModuleService:
    clock = ManualClock(1_750_000_000.0)
    service = AssetModuleService(standin.client("solar"), SimulatedPV(clock), Solar(), clock, 1.0)
    await service.start()
    return service


async def _relay_controller(standin, received: list[dict]):
    """Receives asset telemetry and reports the site upstream, as the controller module does."""
    controller = standin.client("controller")

    async def on_telemetry(message: Message) -> None:
        telemetry = json.loads(message.body)
        received.append({**telemetry, "from": message.source_module})
        await controller.send_message("cloud", Message.from_json({"last_seq": telemetry["seq"], "pv_w": telemetry["power_w"]}))

    controller.on_input("telemetry", on_telemetry)
    await controller.connect()
    return controller


async def test_telemetry_flows_from_solar_through_the_controller_to_upstream(standin):
    received: list[dict] = []
    controller = await _relay_controller(standin, received)
    solar = await _solar(standin)
    try:
        sent = await solar.run_cycle()
        await eventually(lambda: received and standin.upstream())
        assert received[0]["from"] == "solar" and received[0]["seq"] == sent.seq and received[0]["kind"] == "solar"
        upstream = standin.upstream()[0]
        assert upstream.source_module == "controller"
        assert json.loads(upstream.body)["last_seq"] == sent.seq
        assert all(m.source_module == "controller" for m in standin.upstream()), "asset telemetry never goes upstream"
    finally:
        await solar.stop()
        await controller.close()


async def test_the_controller_invokes_battery_methods_with_every_status(standin):
    battery = await _battery(standin)
    controller = standin.client("controller")
    await controller.connect()
    try:
        ok = await controller.invoke_method("battery", "start_charging", {"power_w": 1500, "ttl_s": 30}, timeout_s=5)
        assert ok.status == 200 and battery.asset.state == "CHARGING"
        bad = await controller.invoke_method("battery", "start_discharging", {"power_w": "lots"}, timeout_s=5)
        assert bad.status == 400 and "power_w" in json.dumps(bad.payload)
        assert battery.asset.state == "CHARGING", "a refused call changes nothing"
        unknown = await controller.invoke_method("battery", "explode", {}, timeout_s=5)
        assert unknown.status == 404
        stopped = await controller.invoke_method("battery", "stop", {}, timeout_s=5)
        assert stopped.status == 200 and battery.asset.state == "IDLE"
        assert ("site-1/controller", "battery", "stop") in standin.hub.method_calls, "module-to-module over HTTPS"
    finally:
        await battery.stop()
        await controller.close()


async def test_a_desired_patch_reconfigures_the_battery_and_its_ack_is_reported(standin):
    battery = await _battery(standin)
    try:
        version = await standin.set_desired("battery", {"max_charge_w": 3000.0})

        async def acknowledged(name: str, av: int) -> bool:
            return (await standin.twin("battery")).reported.get(name, {}).get("av") == av

        await eventually_async(lambda: acknowledged("max_charge_w", version))
        ack = (await standin.twin("battery")).reported["max_charge_w"]
        assert ack["value"] == 3000.0 and ack["ac"] == 200
        assert battery.asset.config.max_charge_w == 3000.0

        refused = await standin.set_desired("battery", {"soc_min": 0.95})  # above soc_max: invalid
        await eventually_async(lambda: acknowledged("soc_min", refused))
        assert (await standin.twin("battery")).reported["soc_min"]["ac"] == 400
        assert battery.asset.config.soc_min == 0.1, "the previous configuration stays in force"
    finally:
        await battery.stop()


async def test_the_site_survives_an_edgehub_restart(standin):
    received: list[dict] = []
    controller = await _relay_controller(standin, received)
    solar = await _solar(standin)
    battery = await _battery(standin)
    try:
        first = await solar.run_cycle()
        await eventually(lambda: len(received) == 1)

        standin.go_down()
        await eventually(lambda: not solar.client.connected and not controller.connected)
        during = [await solar.run_cycle() for _ in range(5)]  # buffered in the outbox meanwhile
        await eventually(lambda: len(solar.client.outbox) == 5)
        standin.come_back()

        await eventually(lambda: len(received) == 6, timeout_s=20)
        assert [t["seq"] for t in received] == [first.seq, *(t.seq for t in during)], "nothing lost, in order"
        # The battery reconnects on its own SDK retry schedule; until then 504 is the right answer.
        await eventually(lambda: battery.client.connected, timeout_s=20)
        response = await controller.invoke_method("battery", "stop", {}, timeout_s=5)
        assert response.status == 200, "methods reach the battery after the restart"
        version = await standin.set_desired("battery", {"max_discharge_w": 2500.0})

        async def acknowledged() -> bool:
            return (await standin.twin("battery")).reported.get("max_discharge_w", {}).get("av") == version

        await eventually_async(acknowledged)
    finally:
        for module in (solar, battery):
            await module.stop()
        await controller.close()


async def test_the_client_announces_its_plug_and_play_model_id(standin):
    client = standin.client("battery", model_id="dtmi:energyedge:Battery;1")
    await client.connect()
    try:
        username = urllib.parse.unquote(standin.hub.sessions["site-1/battery"].username)
        assert "model-id=dtmi:energyedge:Battery;1" in username
    finally:
        await client.close()


async def test_a_module_that_starts_before_edgehub_waits_for_it(standin):
    standin.go_down()
    client = standin.client("solar", connect_attempts=20)
    connecting = asyncio.ensure_future(client.connect())
    await asyncio.sleep(0.3)
    assert not connecting.done()
    standin.come_back()
    await asyncio.wait_for(connecting, 20)
    try:
        assert client.connected
    finally:
        await client.close()


async def test_the_watchdog_ends_a_client_whose_hub_stopped_answering(standin):
    stalls: list[bool] = []
    client = standin.client("battery", watchdog_interval_s=0.05, on_stall=lambda: stalls.append(True))
    client.watchdog.timeout_s = 0.2
    await client.connect()
    try:
        standin.hub.deaf = True  # the connection stays up, but nothing comes back: the SDK's known hang
        await eventually(lambda: stalls, timeout_s=10)
        assert client.connected, "the SDK still believes it is connected; only the watchdog notices"
    finally:
        standin.hub.deaf = False
        await client.close()


async def test_invoking_with_a_payload_that_is_not_json_is_a_400(standin):
    client = standin.client("controller")
    await client.connect()
    try:
        response = await client.invoke_method("battery", "stop", {"when": object()}, timeout_s=2)
        assert response.status == 400
    finally:
        await client.close()


class _ImportingMeter:
    """The grid meter reads a steady 3 kW import: the controller should discharge the battery."""

    async def read_grid_power_w(self) -> float:
        return 3000.0


async def test_the_real_controller_balances_through_edgehub(standin):
    clock = ManualClock(1_750_000_000.0)
    controller = ControllerService(standin.client("controller"), _ImportingMeter(), clock)
    await controller.start()
    battery = await _battery(standin)
    try:
        await battery.run_cycle()
        await eventually(lambda: "battery" in controller.latest)
        await controller.run_cycle()
        await controller.commands.settle(10.0)  # a call may outlast the cycle's wait (it flies on)
        assert controller.method_calls_total >= 1 and not controller.method_errors_total
        assert battery.asset.state == "DISCHARGING", "the controller's direct method reached the battery"
        await eventually(lambda: standin.upstream())
        report = json.loads(standin.upstream()[-1].body)
        assert report["grid_power_w"] == 3000.0 and report["assets"][0]["module"] == "battery"
    finally:
        await battery.stop()
        await controller.stop()


async def test_a_module_with_the_wrong_key_is_refused(standin, monkeypatch):
    environment = standin.module_environment("battery")
    wrong = re.sub(r"SharedAccessKey=.*$", "SharedAccessKey=" + base64.b64encode(b"wrong").decode(),
                   environment["EdgeHubConnectionString"])
    monkeypatch.setattr(standin, "module_environment", lambda module: {**environment, "EdgeHubConnectionString": wrong})
    client = standin.client("battery", connect_attempts=1)
    with pytest.raises(sdk_errors.ClientError):
        await client.connect()
    assert "site-1/battery" not in standin.hub.sessions
