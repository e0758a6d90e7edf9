"""The PV inverter: limits, states and its measurement."""

from __future__ import annotations

from energy_edge.domain.assets import Solar, SolarConfig
from energy_edge.domain.hardware import SolarMeasurement, SolarSetpoint


def test_starts_at_the_export_safe_limit_and_set_output_moves_between_running_and_curtailed():
    solar = Solar()
    assert solar.handle("start", {}, now=0.0)["state"] == "CURTAILED"
    assert solar.setpoint() == SolarSetpoint(enabled=True, limit_w=3000.0)
    assert solar.handle("set_output", {"limit_w": 5000}, now=0.0)["state"] == "RUNNING"
    assert solar.handle("set_output", {"limit_w": 0}, now=1.0)["state"] == "CURTAILED"
    assert solar.handle("stop", {}, now=2.0)["state"] == "OFF"
    assert solar.setpoint() == SolarSetpoint(enabled=False, limit_w=0.0)


def test_observe_reports_measured_and_available_power():
    solar = Solar()
    solar.observe(SolarMeasurement(power_w=2500.0, available_power_w=4100.0), now=0.0)
    assert solar.power_w == 2500.0
    assert solar.telemetry_values() == {"available_power_w": 4100.0, "rated_power_w": 5000.0, "limit_w": 3000.0}


def test_lower_rating_clips_a_leased_limit_and_a_new_safe_limit_applies_without_lease():
    solar = Solar()
    solar.handle("start", {}, now=0.0)
    solar.configure({"export_safe_limit_w": 1000.0})
    assert solar.limit_w == 1000.0
    solar.handle("set_output", {"limit_w": 4500}, now=0.0)
    solar.configure({"rated_power_w": 4000.0})
    assert (solar.limit_w, solar.state) == (4000.0, "RUNNING")


def test_fault_returns_to_the_safe_limit_and_reconfiguring_in_fault_keeps_fault():
    solar = Solar(SolarConfig(rated_power_w=6000.0, export_safe_limit_w=2000.0))
    solar.handle("start", {}, now=0.0)
    solar.handle("set_output", {"limit_w": 6000}, now=0.0)
    solar.fault("grid relay open")
    assert solar.limit_w == 2000.0
    solar.configure({"export_safe_limit_w": 1500.0})
    assert (solar.state, solar.limit_w) == ("FAULT", 1500.0)
