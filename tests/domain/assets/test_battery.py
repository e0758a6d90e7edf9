"""The battery keeps itself inside its SoC band and drives its hardware with the signed setpoint."""

from __future__ import annotations

import pytest

from energy_edge.domain.assets import Battery
from energy_edge.domain.errors import NotAllowed
from energy_edge.domain.hardware import BatteryMeasurement, BatterySetpoint


def battery_at(soc: float) -> Battery:
    battery = Battery()
    battery.observe(BatteryMeasurement(0.0, soc), now=0.0)
    return battery


@pytest.mark.parametrize("soc, method, edge", [(0.9, "start_charging", "soc_max 0.9"),
                                                (0.95, "start_charging", "soc_max 0.9"),
                                                (0.1, "start_discharging", "soc_min 0.1"),
                                                (0.0, "start_discharging", "soc_min 0.1")])
def test_start_at_the_band_edge_is_refused_with_409(soc, method, edge):
    battery = battery_at(soc)
    with pytest.raises(NotAllowed) as refused:
        battery.handle(method, {"power_w": 500}, now=1.0)
    assert refused.value.rule == "battery.soc_band"
    assert edge in refused.value.reason and method in refused.value.reason
    assert battery.state == "IDLE" and battery.setpoint() == BatterySetpoint(0.0)


def test_start_before_any_measurement_is_allowed_and_the_band_checks_on_observe():
    battery = Battery()
    battery.handle("start_charging", {"power_w": 500}, now=0.0)
    battery.observe(BatteryMeasurement(-500.0, 0.91), now=1.0)
    assert battery.state == "IDLE"


def test_charging_stops_itself_at_soc_max_and_says_why():
    battery = battery_at(0.5)
    battery.handle("start_charging", {"power_w": 2000}, now=0.0)
    assert battery.setpoint() == BatterySetpoint(-2000.0)
    battery.observe(BatteryMeasurement(-2000.0, 0.89), now=10.0)
    assert battery.state == "CHARGING"
    battery.observe(BatteryMeasurement(-2000.0, 0.9), now=20.0)
    assert battery.state == "IDLE"
    assert battery.setpoint() == BatterySetpoint(0.0)
    assert battery.last_event == "charging stopped: soc 0.900 at or above soc_max 0.9"
    assert battery.lease.expires_at is None


def test_discharging_stops_itself_at_soc_min():
    battery = battery_at(0.5)
    battery.handle("start_discharging", {"power_w": 3000}, now=0.0)
    assert battery.setpoint() == BatterySetpoint(3000.0)
    battery.observe(BatteryMeasurement(3000.0, 0.099), now=10.0)
    assert battery.state == "IDLE"
    assert battery.last_event == "discharging stopped: soc 0.099 at or below soc_min 0.1"


def test_discharging_may_start_at_soc_max_and_charging_at_soc_min():
    assert battery_at(0.9).handle("start_discharging", {"power_w": 1}, now=0.0)["state"] == "DISCHARGING"
    assert battery_at(0.1).handle("start_charging", {"power_w": 1}, now=0.0)["state"] == "CHARGING"


def test_narrowing_the_band_stops_a_running_battery_and_clips_power():
    battery = battery_at(0.8)
    battery.handle("start_charging", {"power_w": 4000}, now=0.0)
    assert battery.configure({"max_charge_w": 2500.0}) == {"max_charge_w": 2500.0}
    assert battery.setpoint() == BatterySetpoint(-2500.0)
    battery.configure({"soc_max": 0.75})
    assert battery.state == "IDLE"


def test_telemetry_values_carry_the_limits():
    battery = Battery()
    assert battery.telemetry_values()["soc"] == 0.0  # unknown before the first measurement
    battery = battery_at(0.42)
    assert battery.telemetry_values() == {"soc": 0.42, "capacity_wh": 10_000.0, "max_charge_w": 5000.0,
                                          "max_discharge_w": 5000.0, "soc_min": 0.1, "soc_max": 0.9}


def test_fault_forgets_the_power():
    battery = battery_at(0.5)
    battery.handle("start_discharging", {"power_w": 3000}, now=0.0)
    battery.fault("BMS not answering")
    assert battery.setpoint() == BatterySetpoint(0.0)
    battery.handle("reset", {}, now=1.0)
    assert battery.state == "IDLE"
