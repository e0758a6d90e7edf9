"""The boiler's own thermostat, the controller's leased setpoint, and the hard max."""

from __future__ import annotations

from energy_edge.domain.assets import Boiler, BoilerConfig
from energy_edge.domain.hardware import BoilerMeasurement, BoilerSetpoint


def boiler_at(temperature_c: float, **config) -> Boiler:
    boiler = Boiler(BoilerConfig(**config))
    boiler.observe(BoilerMeasurement(temperature_c, 0.0), now=0.0)
    boiler.handle("start", {}, now=0.0)
    return boiler


def test_thermostat_heats_below_setpoint_minus_hysteresis_and_stops_at_setpoint():
    boiler = boiler_at(49.0)  # comfort 55, hysteresis 5
    assert boiler.state == "HEATING"
    assert boiler.setpoint() == BoilerSetpoint(heater_on=True, setpoint_c=55.0)
    boiler.observe(BoilerMeasurement(54.9, -3000.0), now=10.0)
    assert boiler.state == "HEATING"
    boiler.observe(BoilerMeasurement(55.0, -3000.0), now=20.0)
    assert boiler.state == "STANDBY"
    boiler.observe(BoilerMeasurement(50.5, 0.0), now=30.0)
    assert boiler.state == "STANDBY"  # inside the hysteresis band
    boiler.observe(BoilerMeasurement(49.9, 0.0), now=40.0)
    assert boiler.state == "HEATING"


def test_start_without_a_measurement_waits_in_standby():
    boiler = Boiler()
    assert boiler.handle("start", {}, now=0.0)["state"] == "STANDBY"
    assert boiler.telemetry_values()["temperature_c"] == 0.0


def test_override_raises_the_setpoint_under_a_lease():
    boiler = boiler_at(56.0)
    assert boiler.state == "STANDBY"
    result = boiler.handle("set_temperature", {"temperature_c": 70, "ttl_s": 120}, now=5.0)
    assert result == {"state": "HEATING", "setpoint_expires_at": 125.0}
    assert boiler.setpoint() == BoilerSetpoint(heater_on=True, setpoint_c=70.0)
    assert boiler.telemetry_values()["setpoint_c"] == 70.0 and boiler.telemetry_values()["heater_on"] is True


def test_never_heats_at_or_above_max_even_when_the_config_moves_under_it():
    boiler = boiler_at(60.0)
    boiler.handle("set_temperature", {"temperature_c": 75}, now=0.0)
    assert boiler.state == "HEATING"
    boiler.configure({"max_temperature_c": 62.0, "setpoint_c": 55.0})
    assert boiler.override_c == 62.0  # the override is pulled back into the new band
    assert boiler.state == "HEATING"
    boiler.observe(BoilerMeasurement(62.0, -3000.0), now=1.0)
    assert boiler.state == "STANDBY"
    assert "max_temperature_c 62" in boiler.last_event


def test_max_guard_stops_heating_even_if_the_setpoint_is_above_max():
    boiler = boiler_at(40.0)
    boiler.override_c = 90.0  # cannot come from a payload; the guard must hold anyway
    boiler.observe(BoilerMeasurement(75.0, -3000.0), now=1.0)
    assert boiler.state == "STANDBY"
    boiler.observe(BoilerMeasurement(76.0, 0.0), now=2.0)
    assert boiler.state == "STANDBY"


def test_override_is_clipped_up_into_a_raised_band():
    boiler = boiler_at(60.0)
    boiler.handle("set_temperature", {"temperature_c": 45}, now=0.0)
    boiler.configure({"min_temperature_c": 50.0})
    assert boiler.override_c == 50.0


def test_stop_turns_the_heater_off_and_set_temperature_while_off_waits():
    boiler = boiler_at(30.0)
    assert boiler.handle("stop", {}, now=0.0)["state"] == "OFF"
    assert boiler.handle("set_temperature", {"temperature_c": 60}, now=0.0)["state"] == "OFF"
    assert boiler.setpoint() == BoilerSetpoint(heater_on=False, setpoint_c=60.0)


def test_fault_drops_the_override():
    boiler = boiler_at(30.0)
    boiler.handle("set_temperature", {"temperature_c": 60}, now=0.0)
    boiler.fault("overheat thermal cutout")
    assert boiler.setpoint() == BoilerSetpoint(heater_on=False, setpoint_c=55.0)


def test_hold_off_keeps_even_a_cold_tank_off_until_its_lease_runs_out():
    """The controller's lease on an import limit: the heater stops at once and stays off below the minimum
    (no setpoint in min..max would: its thermostat heats a cold tank by itself); when the lease runs out the
    thermostat takes over again at the comfort setpoint (the fail-safe)."""
    boiler = boiler_at(30.0)  # min 40, comfort 55
    assert boiler.state == "HEATING"
    assert boiler.handle("hold_off", {"ttl_s": 60}, now=1.0) == {"state": "STANDBY", "setpoint_expires_at": 61.0}
    boiler.observe(BoilerMeasurement(20.0, 0.0), now=30.0)
    assert boiler.state == "STANDBY" and boiler.setpoint() == BoilerSetpoint(heater_on=False, setpoint_c=40.0)
    boiler.observe(BoilerMeasurement(20.0, 0.0), now=61.0)
    assert boiler.state == "HEATING" and boiler.setpoint() == BoilerSetpoint(heater_on=True, setpoint_c=55.0)


def test_a_setpoint_ends_a_hold_off():
    boiler = boiler_at(30.0)
    boiler.handle("hold_off", {}, now=0.0)
    boiler.handle("set_temperature", {"temperature_c": 40, "ttl_s": 60}, now=1.0)
    assert boiler.state == "HEATING"
