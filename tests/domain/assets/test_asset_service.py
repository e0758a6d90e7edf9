"""The asset module service on the in-memory hub: methods, twin, telemetry, hardware faults."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import SimulatedBattery, SimulatedBoiler, SimulatedPV
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.messages import Message, MethodRequest
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.telemetry import decode_asset_telemetry
from energy_edge.domain.topology import DEFAULT_ROUTES

START = 1_782_043_200.0  # 2026-06-21 12:00 UTC: the sun is up


class Site:
    """A hub, a listening controller, and one battery module on a hand-stepped clock."""

    def __init__(self) -> None:
        self.hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
        self.clock = ManualClock(START)
        self.received: list[Message] = []
        self.controller = self.hub.client("controller")
        self.controller.on_input("telemetry", self._receive)
        self.hardware = SimulatedBattery(self.clock, initial_soc=0.5)
        self.battery = Battery()
        self.service = AssetModuleService(self.hub.client("battery"), self.hardware, self.battery, self.clock, 1.0)

    async def _receive(self, message: Message) -> None:
        self.received.append(message)

    def telemetry(self):
        return [decode_asset_telemetry(m.body) for m in self.received]

    async def call(self, method, payload):
        return await self.controller.invoke_method("battery", method, payload, timeout_s=1.0)

    def reported(self):
        return self.hub.twin("battery").reported


@pytest.fixture
async def site():
    made = Site()
    await made.controller.connect()
    await made.service.start()
    return made


async def test_methods_answer_200_400_404_409(site):
    await site.service.run_cycle()
    ok = await site.call("start_charging", {"power_w": 2000, "ttl_s": 30})
    assert (ok.status, ok.payload) == (200, {"state": "CHARGING", "setpoint_expires_at": START + 30})
    assert site.hardware.requested_w == -2000.0  # applied right away, not at the next cycle
    bad = await site.call("start_charging", {"power_w": -1})
    assert bad.status == 400 and bad.payload["error"] == "battery.start_charging.power_w"
    malformed = await site.call("start_charging", "2000")
    assert malformed.status == 400 and malformed.payload["error"] == "battery.start_charging.payload"
    missing = await site.call("explode", {})
    assert missing.status == 404
    site.battery.fault("test")
    refused = await site.call("start_discharging", {"power_w": 100})
    assert refused.status == 409 and refused.payload == {
        "error": "battery.transition", "reason": "start_discharging not allowed in FAULT"}
    assert site.battery.state == "FAULT"


async def test_an_unexpected_error_answers_500_and_the_module_lives_on(site, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("bug")
    monkeypatch.setattr(site.battery, "handle", broken)
    with caplog.at_level(logging.ERROR):
        response = await site.service.on_method(MethodRequest("stop", {}))
    assert response.status == 500 and "bug" in response.payload["reason"]
    assert "battery.stop failed" in caplog.text


async def test_telemetry_has_increasing_seq_and_the_clock_timestamp(site):
    for _ in range(3):
        await site.service.run_cycle()
        site.clock.advance(1.0)
    seen = site.telemetry()
    assert [t.seq for t in seen] == [1, 2, 3]
    assert [t.timestamp for t in seen] == [START, START + 1, START + 2]
    assert seen[0].kind == "battery" and seen[0].state == "IDLE" and seen[0].values["soc"] == 0.5


async def test_hardware_fault_goes_to_fault_with_the_reason_and_keeps_publishing(site):
    site.hardware.inject_fault("modbus timeout reading SoC")
    await site.service.run_cycle()
    await site.service.run_cycle()
    last = site.telemetry()[-1]
    assert (last.state, last.fault_reason, last.seq) == ("FAULT", "modbus timeout reading SoC", 2)
    site.hardware.inject_fault(None)
    assert (await site.call("reset", {})).status == 200
    await site.service.run_cycle()
    assert site.telemetry()[-1].state == "IDLE" and site.telemetry()[-1].fault_reason is None


async def test_a_device_refusing_the_setpoint_faults_the_asset(site):
    await site.service.run_cycle()
    site.hardware.inject_fault("inverter refused write")
    response = await site.call("start_charging", {"power_w": 100})
    assert response.status == 409  # accepted by the state machine, refused by the device: never a silent 200
    assert response.payload["error"] == "hardware" and "inverter refused write" in response.payload["reason"]
    assert site.battery.state == "FAULT" and site.battery.fault_reason == "inverter refused write"


async def test_self_stop_reason_travels_with_the_telemetry(site):
    site.hardware.soc = 0.899
    await site.service.run_cycle()
    await site.call("start_charging", {"power_w": 5000, "ttl_s": 300})
    site.clock.advance(60.0)
    await site.service.run_cycle()
    assert site.telemetry()[-1].state == "IDLE"
    assert site.received[-1].properties["last_event"].startswith("charging stopped: soc")


async def test_twin_valid_patch_is_applied_and_acknowledged(site):
    version = await site.hub.set_desired("battery", {"soc_min": 0.2, "max_charge_w": 3000})
    assert site.battery.config.soc_min == 0.2
    assert site.reported()["soc_min"] == {"value": 0.2, "ac": 200, "av": version, "ad": "applied"}
    assert site.reported()["max_charge_w"] == {"value": 3000, "ac": 200, "av": version, "ad": "applied"}


async def test_twin_invalid_patch_is_refused_and_the_previous_config_stays(site):
    await site.hub.set_desired("battery", {"soc_min": 0.2})
    before = site.battery.config
    version = await site.hub.set_desired("battery", {"soc_min": 0.95, "max_charge_w": 1000})
    assert site.battery.config is before
    ack = site.reported()["soc_min"]
    assert (ack["value"], ack["ac"], ack["av"]) == (0.95, 400, version)
    assert "soc_min" in ack["ad"]
    assert site.reported()["max_charge_w"]["ac"] == 400


async def test_twin_redelivery_and_old_versions_change_nothing(site):
    await site.hub.set_desired("battery", {"soc_max": 0.85})
    reported_version = site.reported()["$version"]
    await site.service.on_desired_patch({"soc_max": 0.85, "$version": 1})  # the same again
    await site.service.on_desired_patch({"soc_max": 0.7, "$version": 0})  # an SDK replay of an older one
    assert site.battery.config.soc_max == 0.85
    assert site.reported()["$version"] == reported_version
    await site.service.on_desired_patch({"soc_max": None, "$version": 7})  # deleted: back to the settings' value
    assert site.battery.config.soc_max == 0.9 and "soc_max" not in site.reported()


async def test_start_applies_the_whole_desired_document_of_a_late_starter():
    made = Site()
    await made.hub.set_desired("battery", {"soc_min": 0.3, "$metadata": {"x": 1}})
    await made.hub.set_desired("battery", {"soc_max": 0.8})
    await made.service.start()
    assert (made.battery.config.soc_min, made.battery.config.soc_max) == (0.3, 0.8)
    assert made.reported()["soc_min"]["av"] == 2


async def test_a_malformed_patch_is_logged_not_raised(site, caplog):
    with caplog.at_level(logging.WARNING):
        await site.service.on_desired_patch({"$version": "not a number", "soc_min": 0.2})
    assert "twin.version" in caplog.text and site.service.desired.malformed_total == {"twin.version": 1}
    assert site.battery.config.soc_min == 0.1


async def test_run_cycles_on_the_clock_until_stopped(site):
    task = asyncio.create_task(site.service.run())
    for _ in range(3):
        await _settle()
        site.clock.advance(1.0)
    await _settle()
    await site.service.stop()
    await asyncio.wait_for(task, 1.0)
    assert [t.seq for t in site.telemetry()] == [1, 2, 3, 4]


async def test_a_failing_cycle_is_logged_and_the_loop_goes_on(site, monkeypatch, caplog):
    calls = []

    async def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        await site.service.stop()
    monkeypatch.setattr(site.service, "run_cycle", flaky)
    task = asyncio.create_task(site.service.run())
    await _settle()
    site.clock.advance(1.0)
    await asyncio.wait_for(task, 1.0)
    assert len(calls) == 2 and "cycle failed" in caplog.text


def test_cycle_must_be_positive():
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = ManualClock()
    with pytest.raises(ValueError):
        AssetModuleService(hub.client("battery"), SimulatedBattery(clock), Battery(), clock, 0.0)


@pytest.mark.parametrize("module, make_hw, make_asset, method, payload, safe", [
    ("solar", lambda c: SimulatedPV(c), Solar, "set_output", {"limit_w": 5000, "ttl_s": 20},
     lambda a: a.state == "CURTAILED" and a.limit_w == a.config.export_safe_limit_w),
    ("battery", lambda c: SimulatedBattery(c), Battery, "start_discharging", {"power_w": 2000, "ttl_s": 20},
     lambda a: a.state == "IDLE" and a.setpoint().power_w == 0.0),
    ("boiler", lambda c: SimulatedBoiler(c, initial_temperature_c=50.0), Boiler, "set_temperature",
     {"temperature_c": 75, "ttl_s": 20}, lambda a: a.setpoint().setpoint_c == a.config.setpoint_c),
])
async def test_fail_safe_when_the_controller_stops_refreshing(module, make_hw, make_asset, method, payload, safe):
    """Fault injection: the controller sends one leased setpoint, then goes silent."""
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = ManualClock(START)
    asset = make_asset()
    service = AssetModuleService(hub.client(module), make_hw(clock), asset, clock, 1.0)
    controller = hub.client("controller")
    published = []

    async def receive(message):
        published.append(decode_asset_telemetry(message.body))
    controller.on_input("telemetry", receive)
    await controller.connect()
    await service.start()
    await service.run_cycle()
    await controller.invoke_method(module, "start", {}, 1.0)
    assert (await controller.invoke_method(module, method, payload, 1.0)).status == 200
    task = asyncio.create_task(service.run())
    for _ in range(19):
        await _settle()
        clock.advance(1.0)
    await _settle()
    assert not safe(asset)
    clock.advance(1.0)
    await _settle()
    assert safe(asset)
    assert published[-2].setpoint_expires_at == START + 20
    assert published[-1].setpoint_expires_at is None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)
