"""The embedded site as a user runs it: `energy-edge up` in its own process, read over real HTTP."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ..helpers import free_port
from .site_process import healthz_body, http_get, poll_until, start_site


def _values(text: str, name: str) -> dict[tuple, float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def test_up_at_600x_for_600_simulated_seconds_serves_health_and_metrics_then_stops():
    port = free_port()
    process = start_site("--speed", "600", "--duration", "600", "--metrics-port", str(port))
    try:
        status, body = poll_until(port, "/healthz", 200, deadline_s=20)
        assert status == 200, f"healthz never became healthy: {status} {body}"
        assert healthz_body(body)["stale_modules"] == []
        status, metrics = http_get(port, "/metrics")
        assert status == 200
        soc = _values(metrics, "energy_edge_battery_soc_ratio")
        assert soc and all(0.0 <= v <= 1.0 for v in soc.values())
        assert _values(metrics, "energy_edge_site_grid_power_watts"), "no site report reached the telemetry module"
        power = _values(metrics, "energy_edge_asset_power_watts")
        assert {labels[1][1] for labels in power} == {"solar", "battery", "boiler"}
        # one process: the asset modules' refused desired documents beside the site view (none refused here)
        assert "# TYPE energy_edge_asset_desired_refusals_total counter" in metrics
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output[-3000:]


def test_up_refuses_a_nonsense_duration_with_a_clear_error():
    process = start_site("--duration", "-5")
    output, _ = process.communicate(timeout=30)
    assert process.returncode != 0
    assert process.returncode == 2 and "--duration: '-5' is not allowed" in output


def test_up_with_modbus_hardware_drives_the_site_through_real_modbus_servers():
    """`--hardware modbus`: the asset modules read and write the physics over Modbus TCP on loopback."""
    port = free_port()
    process = start_site("--hardware", "modbus", "--speed", "60", "--duration", "600", "--metrics-port", str(port))
    try:
        status, body = poll_until(port, "/healthz", 200, deadline_s=30)
        assert status == 200, f"healthz never became healthy: {status} {body}"
        _, metrics = http_get(port, "/metrics")
        faults = _values(metrics, "energy_edge_asset_fault")
        assert faults and all(value == 0.0 for value in faults.values()), faults
        soc = _values(metrics, "energy_edge_battery_soc_ratio")
        assert soc and all(0.0 < v < 1.0 for v in soc.values())
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
