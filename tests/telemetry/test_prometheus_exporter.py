"""The exporter over real HTTP (the telemetry module's web server): names, labels, values, /healthz, promtool."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from energy_edge.adapters.process_metrics import ProcessMetrics
from energy_edge.adapters.prometheus_exporter import build_registry
from energy_edge.adapters.web.app import OperatorPage
from energy_edge.adapters.web.auth import OperatorAuth
from energy_edge.adapters.web.server import WebServer
from energy_edge.domain.telemetry import AssetTelemetry
from energy_edge.domain.services.telemetry_service import TelemetryView

from ..helpers import require_binary
from .fakes import battery_telemetry, boiler_telemetry, solar_telemetry


@pytest.fixture
def view() -> TelemetryView:
    view = TelemetryView()
    for telemetry in (battery_telemetry(7, soc=0.62), solar_telemetry(3, power_w=4200.0), boiler_telemetry(2)):
        view.assets[telemetry.module] = telemetry
        view.messages_total[telemetry.module] += 1
    view.assets["grid-meter"] = AssetTelemetry("grid-meter", "meter", 4, 0.0, "RUNNING", 900.0, values={
        "power_l1_w": 900.0, "power_l2_w": None, "power_l3_w": None, "voltage_l1_v": 231.5, "voltage_l2_v": None,
        "voltage_l3_v": None, "frequency_hz": 49.98, "import_energy_wh": 2.0, "export_energy_wh": 0.0})
    view.sequence_gaps_total["solar"] = 2
    view.malformed_total[("battery", "telemetry.json")] = 1
    view.energy_supplied_j["solar"] = 3.6e6
    view.grid_exported_j = 7200.0
    view.site = {
        "grid_power_w": -300.0, "pv_power_w": 4200.0, "battery_soc": 0.62, "control_suspended": True,
        "limits": {"export_limit_w": 8000.0, "soc_reserve_min": 0.2, "setpoint_ttl_s": 30.0, "bogus": "x"},
        "counters": {"method_calls_total": 12, "method_errors_total": {"504": 2}},
    }
    return view


@pytest.fixture
async def server(view):
    state = {"healthy": True}
    registry = build_registry(view)
    registry.register(ProcessMetrics("telemetry").registry)
    page = OperatorPage(None, None, OperatorAuth("operator", None))
    server = WebServer(registry, lambda: (state["healthy"], {"stale_modules": [] if state["healthy"] else ["boiler"]}),
                       page, host="127.0.0.1", port=0)
    await server.start()
    yield server, state
    await server.stop()


async def _get(port: int, path: str) -> tuple[int, str]:
    def get() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
    return await asyncio.to_thread(get)


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_carry_asset_and_site_values_with_asset_and_kind_labels(server):
    srv, _ = server
    status, text = await _get(srv.port, "/metrics")
    assert status == 200
    samples = _samples(text)
    battery, solar = (("asset", "battery"), ("kind", "battery")), (("asset", "solar"), ("kind", "solar"))
    assert samples[("energy_edge_battery_soc_ratio", battery)] == 0.62
    assert samples[("energy_edge_asset_power_watts", solar)] == 4200.0
    assert samples[("energy_edge_boiler_temperature_celsius", (("asset", "boiler"), ("kind", "boiler")))] == 60.0
    assert samples[("energy_edge_site_grid_power_watts", ())] == -300.0
    assert samples[("energy_edge_telemetry_sequence_gaps_total", (("module", "solar"),))] == 2
    assert samples[("energy_edge_telemetry_malformed_messages_total", (("reason", "telemetry.json"), ("source", "battery")))] == 1
    assert samples[("energy_edge_controller_suspended", ())] == 1.0
    assert samples[("energy_edge_meter_phase_power_watts", (("asset", "grid-meter"), ("kind", "meter"), ("phase", "L1")))] == 900.0
    assert ("energy_edge_meter_phase_power_watts", (("asset", "grid-meter"), ("kind", "meter"), ("phase", "L2"))) not in samples
    assert samples[("energy_edge_meter_voltage_volts", (("asset", "grid-meter"), ("kind", "meter"), ("phase", "L1")))] == 231.5
    assert samples[("energy_edge_meter_frequency_hertz", (("asset", "grid-meter"), ("kind", "meter")))] == 49.98
    assert samples[("energy_edge_meter_import_energy_joules_total", (("asset", "grid-meter"), ("kind", "meter")))] == 7_200.0


async def test_asset_state_is_a_state_set_naming_every_state_of_the_kind(server):
    srv, _ = server
    samples = _samples((await _get(srv.port, "/metrics"))[1])
    states = {dict(labels)["energy_edge_asset_state"]: value for (name, labels), value in samples.items()
              if name == "energy_edge_asset_state" and dict(labels)["asset"] == "battery"}
    assert states == {"IDLE": 0, "CHARGING": 1, "DISCHARGING": 0, "FAULT": 0}


async def test_energy_is_counted_in_joules_and_limits_in_force_are_gauges(server):
    srv, _ = server
    samples = _samples((await _get(srv.port, "/metrics"))[1])
    assert samples[("energy_edge_asset_supplied_energy_joules_total", (("asset", "solar"), ("kind", "solar")))] == 3.6e6
    assert samples[("energy_edge_site_grid_exported_energy_joules_total", ())] == 7200.0
    assert samples[("energy_edge_controller_export_limit_watts", ())] == 8000.0
    assert samples[("energy_edge_controller_soc_reserve_min_ratio", ())] == 0.2
    assert not any(name == "energy_edge_controller_method_errors_total" for name, _ in samples)  # the controller's own


async def test_the_process_metrics_ride_along_with_the_build(server):
    srv, _ = server
    samples = _samples((await _get(srv.port, "/metrics"))[1])
    build = [dict(labels) for name, labels in samples if name == "energy_edge_build_info"]
    assert build and build[0]["module"] == "telemetry" and build[0]["version"]
    assert ("process_resident_memory_bytes", ()) in samples


async def test_site_metric_names_have_the_prefix(view):
    names = {family.name for family in text_string_to_metric_families(_exposition(build_registry(view)))}
    assert names and all(name.startswith("energy_edge_") for name in names)


async def test_healthz_is_200_when_healthy_and_503_naming_stale_modules(server):
    srv, state = server
    assert (await _get(srv.port, "/healthz"))[0] == 200
    state["healthy"] = False
    status, body = await _get(srv.port, "/healthz")
    assert status == 503
    assert json.loads(body)["stale_modules"] == ["boiler"]
    assert (await _get(srv.port, "/livez"))[0] == 200  # the process serves, whatever the site's health
    assert (await _get(srv.port, "/nope"))[0] == 404


async def test_exposition_passes_promtool_check_metrics(server):
    promtool = require_binary("promtool", "apt-get install prometheus")
    srv, _ = server
    _, text = await _get(srv.port, "/metrics")
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def _exposition(registry) -> str:
    from prometheus_client import generate_latest

    return generate_latest(registry).decode()
