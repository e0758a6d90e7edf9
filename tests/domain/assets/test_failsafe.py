"""The setpoint TTL contract: a controller that stops refreshing leaves every asset in its safe state."""

from __future__ import annotations

import pytest

from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.failsafe import SetpointLease
from energy_edge.domain.hardware import BatteryMeasurement, BoilerMeasurement, SolarMeasurement


def test_lease_uses_the_payload_ttl_else_the_default_and_expires_once():
    lease = SetpointLease()
    assert lease.grant(now=100.0, ttl_s=None, default_ttl_s=60.0) == 160.0
    assert lease.grant(now=100.0, ttl_s=5.0, default_ttl_s=60.0) == 105.0
    assert not lease.expired(104.9)
    assert lease.take_expiry(105.0) is True
    assert lease.take_expiry(106.0) is False
    assert lease.expires_at is None


@pytest.mark.parametrize("method", ["start_charging", "start_discharging"])
def test_battery_returns_to_idle_when_the_lease_runs_out(method):
    battery = Battery()
    battery.observe(BatteryMeasurement(0.0, 0.5), now=0.0)
    assert battery.handle(method, {"power_w": 1000}, now=0.0)["setpoint_expires_at"] == 60.0  # default ttl
    battery.handle(method, {"power_w": 1000, "ttl_s": 10}, now=55.0)  # refreshed
    battery.observe(BatteryMeasurement(0.0, 0.5), now=64.9)
    assert battery.state != "IDLE"
    battery.observe(BatteryMeasurement(0.0, 0.5), now=65.0)
    assert battery.state == "IDLE" and battery.setpoint().power_w == 0.0
    assert battery.last_event == "setpoint lease expired: back to IDLE"


def test_stop_ends_the_battery_lease():
    battery = Battery()
    battery.handle("start_charging", {"power_w": 1000}, now=0.0)
    battery.handle("stop", {}, now=1.0)
    assert battery.lease.expires_at is None


def test_solar_falls_back_to_the_export_safe_limit():
    solar = Solar()
    solar.handle("start", {}, now=0.0)
    solar.handle("set_output", {"limit_w": 5000, "ttl_s": 30}, now=0.0)
    solar.observe(SolarMeasurement(4800.0, 4800.0), now=29.0)
    assert (solar.state, solar.limit_w) == ("RUNNING", 5000.0)
    solar.observe(SolarMeasurement(4800.0, 4800.0), now=30.0)
    assert (solar.state, solar.limit_w) == ("CURTAILED", 3000.0)
    assert solar.lease.expires_at is None
    assert "export_safe_limit_w 3000 W" in solar.last_event


def test_solar_lease_expiring_while_off_only_resets_the_limit():
    solar = Solar()
    solar.handle("set_output", {"limit_w": 100, "ttl_s": 1}, now=0.0)
    solar.tick(2.0)
    assert (solar.state, solar.limit_w) == ("OFF", 3000.0)


def test_boiler_returns_to_its_comfort_setpoint():
    boiler = Boiler()
    boiler.observe(BoilerMeasurement(56.0, 0.0), now=0.0)
    boiler.handle("start", {}, now=0.0)
    boiler.handle("set_temperature", {"temperature_c": 70, "ttl_s": 60}, now=0.0)
    assert boiler.state == "HEATING"
    boiler.observe(BoilerMeasurement(58.0, -3000.0), now=60.0)
    assert boiler.setpoint_c == 55.0 and boiler.state == "STANDBY"
    assert "comfort setpoint 55" in boiler.last_event
