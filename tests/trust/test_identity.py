"""Issue 11 item 1: the source of a report is the transport's identity, never the body's `module`."""

from __future__ import annotations

import time

from energy_edge.domain.messages import Message
from energy_edge.domain.telemetry import AssetTelemetry

from ..helpers import eventually

TEN_YEARS_S = 10 * 365 * 86_400.0


def forged(module: str, kind: str, timestamp: float) -> Message:
    """A battery-shaped report, as someone holding the boiler's credentials would send it."""
    report = AssetTelemetry(module, kind, 1, timestamp, "IDLE", 0.0, values={
        "soc": 0.05, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
        "soc_min": 0.1, "soc_max": 0.9})
    return Message(report.to_json())


async def test_a_forged_body_neither_silences_nor_steers_the_battery(site):
    now = time.time()
    await site.boiler.send_message("telemetry", forged("battery", "battery", now + TEN_YEARS_S))
    await site.boiler.send_message("telemetry", forged("ghost", "battery", now))
    await site.boiler.send_message("telemetry", forged("boiler", "battery", now))  # the boiler is no battery
    await eventually(lambda: sum(site.controller.malformed_messages_total.values()) == 3)
    assert site.controller.malformed_messages_total == {"telemetry.module": 2, "telemetry.kind": 1}
    assert set(site.controller.latest) <= {"battery", "solar"}, "a report kept under a module it did not come from"

    await site.battery_service.run_cycle()  # the genuine report, now
    await eventually(lambda: "battery" in site.controller.latest)
    assert site.controller.latest["battery"].timestamp <= time.time()
    await site.controller.run_cycle()  # 2 kW import: the battery discharges
    await eventually(lambda: str(site.battery.state) == "DISCHARGING")  # the call may outlast the cycle's budget
    assert not site.controller.method_errors_total, "a command went to a module that does not exist"


async def test_a_report_from_ahead_of_the_clock_is_refused_by_the_controller_and_the_telemetry_view(site):
    await site.battery_service.run_cycle()
    await eventually(lambda: "battery" in site.controller.latest)
    genuine = site.controller.latest["battery"]
    battery_client = site.battery_service.client
    await battery_client.send_message("telemetry", forged("battery", "battery", time.time() + 60.0))
    await eventually(lambda: site.controller.malformed_messages_total["telemetry.timestamp"] == 1)
    await site.battery_service.run_cycle()
    await eventually(lambda: site.controller.latest["battery"].seq > genuine.seq)


async def test_properties_cannot_claim_another_sender(site):
    """edgeHub stamps `$.cmid` from the connection; no transport takes a sender from what the sender says."""
    body = forged("battery", "battery", time.time()).body
    claim = Message(body, {"$.cmid": "battery", "$.cdid": "site", "source_module": "battery"})
    try:
        await site.boiler.send_message("telemetry", claim)
    except ValueError as refused:  # edgeHub: a module may not set the properties edgeHub stamps
        assert "$.cmid" in str(refused)
        return
    await eventually(lambda: site.controller.malformed_messages_total["telemetry.module"] == 1)
    assert "battery" not in site.controller.latest
