"""Issue 11 items 2 and 4: leases, powers, ratings and the controller's cycle are bounded at every port."""

from __future__ import annotations

import asyncio
import time

from energy_edge.domain.bounds import DEFAULT_MAX_SETPOINT_TTL_S
from energy_edge.domain.messages import Message
from energy_edge.domain.telemetry import AssetTelemetry

from ..helpers import eventually


async def test_unbounded_leases_and_meaningless_powers_answer_400_and_change_nothing(site):
    await site.battery_service.run_cycle()
    for payload, field in (({"power_w": 1500, "ttl_s": 1e300}, "ttl_s"), ({"power_w": 1500, "ttl_s": 1e12}, "ttl_s"),
                           ({"power_w": 1500, "ttl_s": 0}, "ttl_s"), ({"power_w": 4.9e-324}, "power_w"),
                           ({"power_w": 1e308}, "power_w")):
        response = await site.call("battery", "start_charging", payload)
        assert response.status == 400, payload
        assert response.payload["error"] == f"battery.start_charging.{field}"
        assert str(site.battery.state) == "IDLE" and site.battery.lease.expires_at is None
    ok = await site.call("battery", "start_charging", {"power_w": 1500, "ttl_s": DEFAULT_MAX_SETPOINT_TTL_S})
    assert ok.status == 200 and ok.payload["setpoint_expires_at"] <= time.time() + DEFAULT_MAX_SETPOINT_TTL_S


async def test_absurd_twin_values_are_refused(site):
    await site.harness.set_desired("battery", {"default_setpoint_ttl_s": 1e300})
    reported = await site.reported_when("battery", lambda r: "default_setpoint_ttl_s" in r)
    assert reported["default_setpoint_ttl_s"]["ac"] == 400
    assert site.battery.config.default_setpoint_ttl_s == 60.0

    await site.harness.set_desired("solar", {"rated_power_w": 1e308})
    reported = await site.reported_when("solar", lambda r: "rated_power_w" in r)
    assert reported["rated_power_w"]["ac"] == 400 and "<= 1e+07" in reported["rated_power_w"]["ad"]
    assert site.solar.config.rated_power_w == 5_000.0

    await site.harness.set_desired("controller", {"cycle_s": 1e9})
    reported = await site.reported_when("controller", lambda r: "cycle_s" in r)
    assert reported["cycle_s"]["ac"] == 400 and site.controller.policy.cycle_s == 1.0


async def test_a_hostile_asset_report_is_refused_and_the_cycle_goes_on(site):
    hostile = AssetTelemetry("solar", "solar", 1, time.time(), "RUNNING", 1e308, values={
        "available_power_w": 1e308, "rated_power_w": 1e308, "limit_w": 1e308})
    await site.solar_service.client.send_message("telemetry", Message(hostile.to_json()))
    await eventually(lambda: site.controller.malformed_messages_total["telemetry.power_w"] == 1)
    await site.battery_service.run_cycle()
    await eventually(lambda: "battery" in site.controller.latest)
    decision = await site.controller.run_cycle()
    await site.controller.commands.settle(10.0)  # a call may outlast the cycle's wait (it flies on)
    assert decision is not None and "battery" in decision.setpoints
    assert str(site.battery.state) == "DISCHARGING"


async def test_a_new_cycle_s_applies_promptly_not_after_the_old_sleep(site):
    await site.harness.set_desired("controller", {"cycle_s": 60.0})
    await eventually(lambda: site.controller.policy.cycle_s == 60.0)
    loop = asyncio.create_task(site.controller.run())
    try:
        await eventually(lambda: site.controller.cycles_total == 1)  # the first cycle, then a 60 s sleep
        await site.harness.set_desired("controller", {"cycle_s": 0.2})
        await eventually(lambda: site.controller.cycles_total >= 3, timeout_s=5.0)
        reported = await site.reported_when("controller", lambda r: r.get("cycle_s", {}).get("value") == 0.2)
        assert reported["cycle_s"] == {"value": 0.2, "ac": 200, "av": reported["cycle_s"]["av"], "ad": "applied"}
    finally:
        site.controller._running = False
        loop.cancel()
