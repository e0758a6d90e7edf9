"""What the operator's page shows, from the telemetry module's view: flows, assets, events, the hour."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from energy_edge.domain.messages import Message
from energy_edge.domain.services.operator_view import OperatorView

from .fakes import battery_telemetry, boiler_telemetry, solar_telemetry


@pytest.fixture
async def site(telemetry_site):
    telemetry, clients, clock = telemetry_site
    return OperatorView(telemetry, history_window_s=60.0, history_max_points=12), clients, clock


async def _report(clients, clock, *, grid_w=-500.0, errors=None, **telemetry):
    for module, make in (("solar", solar_telemetry), ("battery", battery_telemetry), ("boiler", boiler_telemetry)):
        report = replace(telemetry.get(module) or make(1), timestamp=clock.now(), seq=int(clock.now()))
        await clients[module].send_message("telemetry", Message(report.to_json()))
    site = {"timestamp": clock.now(), "grid_power_w": grid_w, "limits": {"export_limit_w": 8000.0},
            "plan_export_first_w": 1200.0, "counters": {"method_errors_total": errors or {}}}
    await clients["controller"].send_message("cloud", Message(json.dumps(site).encode()))


async def test_flows_sum_each_kind_and_the_load_is_what_the_bus_balance_leaves(site):
    view, clients, clock = site
    await _report(clients, clock, grid_w=1500.0)
    flows = view.flows()
    # into the bus: 1.5 kW import + 4 kW PV; out: 2 kW charge + 3 kW boiler; the load takes the 0.5 kW left
    assert flows == {"solar": 4000.0, "battery": -2000.0, "boiler": -3000.0, "grid": 1500.0, "load": 500.0}


async def test_snapshot_carries_assets_with_lease_left_limits_and_guidance(site):
    view, clients, clock = site
    leased = replace(battery_telemetry(1), setpoint_expires_at=clock.now() + 25.0)
    await _report(clients, clock, battery=leased)
    snapshot = view.snapshot()
    battery = next(a for a in snapshot["assets"] if a["module"] == "battery")
    assert battery["lease_remaining_s"] == 25.0 and battery["soc"] == 0.5 and battery["state"] == "CHARGING"
    assert snapshot["limits"] == {"export_limit_w": 8000.0}
    assert snapshot["guidance"] == {"export_first_w": 1200.0}
    assert json.loads(json.dumps(snapshot)) == snapshot  # JSON as it is


async def test_faults_recoveries_stale_modules_and_method_errors_become_events(site):
    view, clients, clock = site
    await _report(clients, clock, errors={"504": 1})
    view.observe()
    assert view.events == type(view.events)(maxlen=view.events.maxlen)  # the first sight is no news
    faulted = replace(solar_telemetry(1), state="FAULT", fault_reason="inverter over temperature")
    clock.t += 1
    await _report(clients, clock, errors={"504": 3}, solar=faulted)
    view.observe()
    clock.t += 1
    await _report(clients, clock, errors={"504": 3})
    view.observe()
    clock.t += 30  # everybody silent
    view.observe()
    clock.t += 1
    await _report(clients, clock, errors={"504": 3})
    view.observe()
    kinds = [(e.kind, e.module) for e in view.events]
    assert kinds[:3] == [("fault", "solar"), ("method_error", "controller"), ("recovered", "solar")]
    assert ("stale", "battery") in kinds and ("back", "battery") in kinds
    assert view.events[0].text == "inverter over temperature"
    assert "2 direct method(s) answered 504" in view.events[1].text


async def test_history_keeps_the_last_window_one_point_per_step(site):
    view, clients, clock = site
    for _ in range(30):
        await _report(clients, clock)
        view.observe()
        view.observe()  # a second look within the same step adds no point
        clock.t += 5.0
    points = view.history_points()
    assert len(points) == 12
    assert points[-1]["t"] - points[0]["t"] <= 60.0
    assert points[-1]["grid"] == -500.0


async def test_a_site_report_with_garbage_figures_shows_as_unknown(site):
    view, clients, clock = site
    await clients["controller"].send_message("cloud", Message(json.dumps(
        {"grid_power_w": "lots", "limits": [1], "battery_soc": float("inf")}).encode()))
    snapshot = view.snapshot()
    assert snapshot["flows"]["grid"] is None and snapshot["flows"]["load"] is None
    assert snapshot["limits"] == {} and snapshot["battery_soc"] is None
    view.record("refusal", "battery", "x" * 1000)
    assert len(view.events[-1].text) == 300


async def test_a_site_of_tens_of_assets_is_shown_asset_by_asset_and_summed_by_kind(site):
    view, _, clock = site
    view.telemetry.asset_kinds.update({f"battery-{n:02d}": "battery" for n in range(40)})  # the site's modules
    for n in range(40):  # as the transport delivers them: each from its own authenticated module
        report = replace(battery_telemetry(1, power_w=-100.0), module=f"battery-{n:02d}", timestamp=clock.now())
        await view.telemetry.on_asset_telemetry(Message(report.to_json(), source_module=report.module))
    snapshot = view.snapshot()
    assert [a["module"] for a in snapshot["assets"]] == [f"battery-{n:02d}" for n in range(40)]
    assert snapshot["flows"]["battery"] == -4000.0
