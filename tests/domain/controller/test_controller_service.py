"""ControllerService on the in-memory hub with fake asset modules, meter and clock."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from pathlib import Path

import pytest

from energy_edge.adapters.site_file import load_site
from energy_edge.domain.balancing import Policy
from energy_edge.domain.messages import Message
from energy_edge.domain.services.command_path import refresh_age_s
from energy_edge.domain.status import Status
from energy_edge.domain.topology import ASSET_KINDS
from energy_edge.entrypoints.factories import initial_policy

from .fakes import Site, battery_telemetry, boiler_telemetry, solar_telemetry

ALL = ("solar", "battery", "boiler")


async def test_setpoints_are_sent_on_change_and_leases_refreshed_each_at_its_own_time() -> None:
    site = await Site(Policy(setpoint_ttl_s=30.0), grid_power_w=2_000.0).start(*ALL)
    start = site.clock.now()
    await site.cycle()
    assert site.calls() == {
        "battery": [("start_discharging", {"power_w": 2_000.0, "ttl_s": 30.0})],
        "solar": [("set_output", {"limit_w": 8_000.0, "ttl_s": 30.0})],
        "boiler": [("set_temperature", {"temperature_c": 45.0, "ttl_s": 30.0})],
    }
    refreshed_at: dict[str, list[float]] = {module: [] for module in ALL}
    for _ in range(15):  # nothing changes: only lease refreshes, each asset at its own age (ttl/4 .. ttl/2)
        now = site.clock.now()
        await site.cycle()
        for module, calls in site.calls().items():
            refreshed_at[module] += [now - start] * len(calls)
    slots = site.controller.commands.slots(site.controller.last_decision.setpoints)
    for module, times in refreshed_at.items():
        age = refresh_age_s(slots[module], 30.0)
        assert 7.5 <= age <= 15.0 and times == [math.ceil(age)], (module, age, times)
    assert len({times[0] for times in refreshed_at.values()}) == 3, "refreshes spread over time"
    site.meter.grid_power_w = 3_000.0  # 1 kW more import: only the battery moves
    await site.cycle()
    assert site.calls() == {"battery": [("start_discharging", {"power_w": 3_000.0, "ttl_s": 30.0})],
                            "solar": [], "boiler": []}
    assert site.controller.method_calls_total == 7 and not site.controller.method_errors_total


async def test_a_stopped_battery_is_not_refreshed() -> None:
    site = await Site(Policy(setpoint_ttl_s=4.0)).start("battery")
    for _ in range(6):
        await site.cycle()
    assert site.calls() == {"battery": [("stop", {})]}


async def test_method_failures_are_counted_by_status_and_retried_next_cycle(caplog) -> None:
    site = await Site(grid_power_w=2_000.0).start("solar", "boiler")
    await site.publish_all()
    await site.controller.on_telemetry(Message(battery_telemetry(timestamp=site.clock.now()).to_json(),
                                                     source_module="battery"))
    site.assets["boiler"].status = Status.CONFLICT
    with caplog.at_level(logging.WARNING):
        await site.controller.run_cycle()
    assert site.controller.method_errors_total == {504: 1, 409: 1}
    assert "battery.start_discharging answered 504" in caplog.text
    await site.controller.on_telemetry(Message(battery_telemetry(timestamp=site.clock.now()).to_json(),
                                                     source_module="battery"))
    await site.publish_all()
    await site.controller.run_cycle()  # the failed ones are tried again, the solar is not
    assert site.controller.method_errors_total == {504: 2, 409: 2}
    assert [len(calls) for calls in site.calls().values()] == [1, 2]
    assert site.controller.method_calls_total == 5


async def test_a_transport_that_raises_counts_as_500() -> None:
    site = await Site().start("battery")

    async def broken(*_args, **_kwargs):
        raise RuntimeError("link lost")

    site.controller.client.invoke_method = broken  # type: ignore[method-assign]
    await site.cycle()
    assert site.controller.method_errors_total == {500: 1}


async def test_an_asset_silent_for_three_cycles_no_longer_counts() -> None:
    site = await Site(grid_power_w=1_000.0).start("battery")
    await site.publish_all()
    counted = []
    for _ in range(5):
        decision = await site.controller.run_cycle()
        counted.append("battery" in decision.setpoints)
    assert counted == [True, True, True, False, False]
    assert site.controller.is_stale("battery")
    site.clock.t += 5.0  # the silence took its cycles: a report after it carries a later measurement time
    await site.publish_all()  # back: counted and sent afresh
    site.calls()
    decision = await site.controller.run_cycle()
    assert "battery" in decision.setpoints and site.calls()["battery"]


async def test_a_faulted_asset_does_not_count() -> None:
    site = await Site(grid_power_w=1_000.0).start("battery")
    faulted = battery_telemetry(state="FAULT")
    await site.assets["battery"].publish(faulted)
    decision = await site.controller.run_cycle()
    assert decision.setpoints == {} and site.calls() == {"battery": []}


async def test_malformed_telemetry_is_counted_by_reason_logged_and_ignored(caplog) -> None:
    site = await Site().start("solar")
    await site.assets["solar"].publish(solar_telemetry(power_w=1_234.0))
    client = site.assets["solar"].client
    with caplog.at_level(logging.WARNING):
        await client.send_message("telemetry", Message(b"{not json"))
        await client.send_message("telemetry", Message(b'{"kind": "solar", "module": "solar"}'))
        await client.send_message("telemetry", Message(b'{"kind": "kettle"}'))
        await client.send_message("telemetry", Message(b"[]"))
        said_battery = {**json.loads(solar_telemetry().to_json()), "kind": "battery"}  # and without a battery's soc
        await client.send_message("telemetry", Message(json.dumps(said_battery).encode()))
    assert site.controller.malformed_messages_total == {"telemetry.json": 2, "telemetry.kind": 2, "telemetry.seq": 1}
    assert "telemetry from 'solar' refused" in caplog.text
    assert site.controller.latest["solar"].power_w == 1_234.0


async def test_site_report_aggregates_fresh_assets_every_interval() -> None:
    kinds = {**ASSET_KINDS, "battery2": "battery"}
    site = await Site(Policy(reporting_interval_s=5.0), grid_power_w=-500.0, asset_kinds=kinds).start(*ALL)
    controller = site.controller
    report = battery_telemetry("battery2", soc=0.8, capacity_wh=30_000.0).to_json()
    await controller.on_telemetry(Message(report, source_module="battery2"))
    await controller.on_telemetry(Message(b"oops", source_module="battery"))
    for _ in range(7):
        await site.cycle()  # each cycle's calls land before the next (under load, one left in flight was skipped)
    reports = site.reports()
    assert len(reports) == 2  # at the first cycle, then 5 s later
    first, second = reports
    assert len(first["cycle_durations_s"]) == 1 and len(second["cycle_durations_s"]) == 5
    assert all(d >= 0 for d in second["cycle_durations_s"])
    assert second["timestamp"] == 1_005.0 and second["grid_power_w"] == -500.0
    assert second["pv_power_w"] == 3_000.0 and second["boiler_temperature_c"] == 60.0
    assert first["battery_soc"] == pytest.approx((0.5 * 10_000 + 0.8 * 30_000) / 40_000)
    assert second["battery_soc"] == 0.5  # battery2 went stale: it no longer counts
    assert {a["module"]: a["stale"] for a in second["assets"]} == {
        "solar": False, "battery": False, "boiler": False, "battery2": True}
    assert second["assets"][0].keys() == {"module", "kind", "state", "power_w", "stale"}
    assert second["counters"]["malformed_messages_total"] == {"telemetry.json": 1}
    assert second["counters"]["method_calls_total"] == controller.method_calls_total
    # battery2 has no module on this site behind it: its calls answer 404 until it goes stale
    assert second["counters"]["method_errors_total"] == {"404": 3} == {str(k): v for k, v in
                                                                      controller.method_errors_total.items()}
    assert len(controller.cycle_durations_s) == 1  # emptied at each report


async def test_site_report_without_batteries_or_boilers() -> None:
    site = await Site().start("solar")
    await site.cycle()
    (report,) = site.reports()
    assert report["battery_soc"] is None and report["boiler_temperature_c"] is None


async def test_an_unreadable_meter_skips_the_cycle_but_not_the_loop() -> None:
    site = await Site().start("battery")
    site.meter.error = OSError("modbus timeout")
    await site.cycle()
    assert site.controller.meter_errors_total == 1 and site.calls() == {"battery": []}
    assert site.reports()[0]["counters"]["meter_errors_total"] == 1


async def test_a_report_that_cannot_be_sent_keeps_its_durations() -> None:
    site = await Site().start("battery")
    await site.controller.client.close()
    await site.controller.run_cycle()
    await site.controller.run_cycle()
    assert len(site.controller.cycle_durations_s) == 2 and site.reports() == []


async def test_the_twin_may_not_raise_the_site_files_grid_limits() -> None:
    """A controller started on a zero-export site (`initial_policy`) refuses an export limit above 0 W: a
    twin (or a compromised cloud) narrows the connection's limits, never widens them."""
    site_file = Path(__file__).resolve().parents[3] / "examples" / "sites" / "zero-export.toml"
    policy = initial_policy(load_site(site_file))
    site = await Site(policy=policy).start()
    controller = site.controller
    version = await site.hub.set_desired("controller", {"export_limit_w": 5_000.0, "deadband_w": 20.0})
    reported = site.hub.twin("controller").reported
    assert reported["export_limit_w"]["ac"] == 400 and reported["export_limit_w"]["av"] == version
    assert reported["export_limit_w"]["ad"] == ("export_limit_w 5000 W refused: the site file allows at most 0 W; "
                                                "the twin may narrow a physical limit, never widen it")
    assert reported["deadband_w"]["ac"] == 400 and "export_limit_w" in reported["deadband_w"]["ad"]
    assert controller.policy == policy and controller.malformed_messages_total["export_limit_w"] == 1
    await site.hub.set_desired("controller", {"export_limit_w": None, "import_limit_w": 10_000.0})
    assert controller.policy.import_limit_w == 10_000.0 and controller.policy.export_limit_w == 0.0
    assert site.hub.twin("controller").reported["import_limit_w"]["ac"] == 200


async def test_policy_from_the_twin_is_acknowledged_per_property() -> None:
    site = Site()
    await site.hub.set_desired("controller", {"export_limit_w": 5_000.0})  # before the module starts
    await site.start()
    controller = site.controller
    assert controller.policy.export_limit_w == 5_000.0 and controller.policy_version == 1
    reported = site.hub.twin("controller").reported
    assert reported["export_limit_w"] == {"value": 5_000.0, "ac": 200, "av": 1, "ad": "applied"}

    await site.hub.set_desired("controller", {"ramp_limit_w": -1, "deadband_w": 10})
    reported = site.hub.twin("controller").reported
    assert reported["ramp_limit_w"]["ac"] == 400 and reported["ramp_limit_w"]["av"] == 2
    assert ">" in reported["ramp_limit_w"]["ad"]
    assert reported["deadband_w"]["ac"] == 400 and "ramp_limit_w" in reported["deadband_w"]["ad"]
    assert controller.policy.deadband_w == Policy().deadband_w and controller.policy.export_limit_w == 5_000.0

    await site.hub.set_desired("controller", {"deadband_w": 10})  # ramp_limit_w -1 still in the document: refused
    assert controller.policy.deadband_w == Policy().deadband_w
    await site.hub.set_desired("controller", {"ramp_limit_w": 2_000})  # now the whole document is valid
    assert controller.policy.deadband_w == 10 and controller.policy.ramp_limit_w == 2_000
    assert site.hub.twin("controller").reported["deadband_w"] == {"value": 10, "ac": 200, "av": 4, "ad": "applied"}
    before = dict(site.hub.twin("controller").reported)
    await controller.apply_desired({"$version": 4, "deadband_w": 10})  # the same version again: nothing
    await controller.apply_desired({"$version": 2, "deadband_w": 99})  # older: ignored
    assert site.hub.twin("controller").reported == before and controller.policy.deadband_w == 10
    # the two documents refused for ramp_limit_w -1, by the property; the older one; the replay is not counted
    assert controller.malformed_messages_total == {"ramp_limit_w": 2, "twin.version_older": 1}



async def test_a_desired_version_beyond_int64_is_refused_counted_and_does_not_lock_the_twin(caplog) -> None:
    site = await Site().start()
    controller = site.controller
    await site.hub.set_desired("controller", {"deadband_w": 10})
    with caplog.at_level(logging.WARNING):
        await controller.apply_desired({"$version": 2**63, "deadband_w": 99})
    assert controller.policy.deadband_w == 10 and controller.policy_version == 1
    assert controller.malformed_messages_total == {"twin.version": 1} and "twin.version" in caplog.text
    await site.hub.set_desired("controller", {"deadband_w": 20})  # a genuine version is no longer "older"
    assert controller.policy.deadband_w == 20 and controller.policy_version == 2

async def test_run_loops_every_cycle_until_stopped() -> None:
    site = await Site(Policy(cycle_s=2.0)).start("battery")
    start = site.clock.now()
    task = asyncio.create_task(site.controller.run())
    while site.controller.cycles_total < 3:
        await asyncio.sleep(0)
    await site.controller.stop()
    await asyncio.wait_for(task, 5)
    assert site.clock.now() - start >= 4.0  # three cycles, cycle_s apart (stop() ends the sleep after the third)


async def test_a_failing_cycle_does_not_end_the_loop(monkeypatch) -> None:
    site = await Site().start()
    calls = 0

    async def failing() -> None:
        nonlocal calls
        calls += 1
        if calls >= 3:
            site.controller._running = False
        raise RuntimeError("bug")

    monkeypatch.setattr(site.controller, "run_cycle", failing)
    await asyncio.wait_for(site.controller.run(), 5)
    assert calls == 3


async def test_boiler_setpoint_follows_surplus() -> None:
    site = await Site(grid_power_w=-9_000.0).start("boiler")
    await site.assets["boiler"].publish(boiler_telemetry())
    await site.controller.run_cycle()
    assert site.calls()["boiler"] == [("set_temperature", {"temperature_c": 85.0, "ttl_s": 30.0})]


async def test_a_redelivered_old_report_does_not_roll_the_controllers_view_back() -> None:
    """QoS 1 redelivers after a reconnect: the older measurement must not replace the newer one."""
    site = await Site(grid_power_w=0.0).start("battery")
    site.clock.t = 2_000.0
    newer = battery_telemetry(soc=0.6, timestamp=2_000.0)
    older = battery_telemetry(soc=0.4, timestamp=1_000.0)
    await site.assets["battery"].publish(newer)
    await site.assets["battery"].publish(older)
    assert site.controller.latest["battery"].values["soc"] == 0.6
