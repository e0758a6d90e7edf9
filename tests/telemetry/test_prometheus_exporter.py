"""The exporter over real HTTP: names, values, /healthz, and promtool's lint."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from energy_edge.adapters.http_server import MetricsHttpServer
from energy_edge.adapters.prometheus_exporter import build_registry
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
    view.site = {
        "grid_power_w": -300.0, "pv_power_w": 4200.0, "battery_soc": 0.62, "control_suspended": True,
        "counters": {"method_calls_total": 12, "method_errors_total": {"504": 2, "409": 1},
                     "meter_outages_total": 1, "suspended_cycles_total": 5,
                     "malformed_messages_total": {"telemetry.json": 3}},
    }
    view.pending_cycle_durations_s = [0.0004, 0.003, 0.2]
    return view


@pytest.fixture
def server(view):
    state = {"healthy": True}
    server = MetricsHttpServer(
        build_registry(view), lambda: (state["healthy"], {"stale_modules": [] if state["healthy"] else ["boiler"]}),
        host="127.0.0.1", port=0,
    )
    server.start()
    yield server, state
    server.stop()


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_carry_asset_site_and_counter_values(server):
    srv, _ = server
    status, text = _get(srv.port, "/metrics")
    assert status == 200
    samples = _samples(text)
    assert samples[("energy_edge_battery_soc_ratio", (("asset", "battery"), ("kind", "battery")))] == 0.62
    assert samples[("energy_edge_asset_power_watts", (("asset", "solar"), ("kind", "solar")))] == 4200.0
    assert samples[("energy_edge_boiler_temperature_celsius", (("asset", "boiler"), ("kind", "boiler")))] == 60.0
    assert samples[("energy_edge_site_grid_power_watts", ())] == -300.0
    assert samples[("energy_edge_controller_method_errors_total", (("code", "504"),))] == 2
    assert samples[("energy_edge_telemetry_sequence_gaps_total", (("module", "solar"),))] == 2
    assert samples[("energy_edge_telemetry_malformed_messages_total", (("reason", "telemetry.json"), ("source", "battery")))] == 1
    assert samples[("energy_edge_controller_cycle_duration_seconds_count", ())] == 3
    assert samples[("energy_edge_controller_suspended", ())] == 1.0
    assert samples[("energy_edge_controller_meter_outages_total", ())] == 1
    assert samples[("energy_edge_controller_suspended_cycles_total", ())] == 5
    assert samples[("energy_edge_meter_phase_power_watts", (("module", "grid-meter"), ("phase", "L1")))] == 900.0
    assert ("energy_edge_meter_phase_power_watts", (("module", "grid-meter"), ("phase", "L2"))) not in samples
    assert samples[("energy_edge_meter_voltage_volts", (("module", "grid-meter"), ("phase", "L1")))] == 231.5
    assert samples[("energy_edge_meter_frequency_hertz", (("module", "grid-meter"),))] == 49.98
    assert samples[("energy_edge_meter_import_energy_joules_total", (("module", "grid-meter"),))] == 7_200.0
    assert samples[("energy_edge_controller_cycle_duration_seconds_bucket", (("le", "0.005"),))] == 2


def test_every_metric_name_has_the_prefix(server):
    srv, _ = server
    _, text = _get(srv.port, "/metrics")
    names = {family.name for family in text_string_to_metric_families(text)}
    assert names and all(name.startswith("energy_edge_") for name in names)


def test_healthz_is_200_when_healthy_and_503_naming_stale_modules(server):
    srv, state = server
    assert _get(srv.port, "/healthz")[0] == 200
    state["healthy"] = False
    status, body = _get(srv.port, "/healthz")
    assert status == 503
    assert json.loads(body)["stale_modules"] == ["boiler"]
    assert _get(srv.port, "/nope")[0] == 404


def test_exposition_passes_promtool_check_metrics(server):
    promtool = require_binary("promtool", "apt-get install prometheus")
    srv, _ = server
    _, text = _get(srv.port, "/metrics")
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
