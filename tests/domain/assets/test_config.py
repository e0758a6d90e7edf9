"""Twin-writable configuration: validated as a whole, all or nothing."""

from __future__ import annotations

import pytest

from energy_edge.domain.assets import Battery, BatteryConfig, Boiler, BoilerConfig, Solar, SolarConfig
from energy_edge.domain.errors import InvalidPayload


@pytest.mark.parametrize("factory, desired, applied", [
    (Solar, {"rated_power_w": 4000, "export_safe_limit_w": 2500, "default_setpoint_ttl_s": 30, "$version": 4},
     {"rated_power_w": 4000.0, "export_safe_limit_w": 2500.0, "default_setpoint_ttl_s": 30.0}),
    (Battery, {"soc_min": 0.2, "soc_max": 0.8, "max_charge_w": 3000, "max_discharge_w": 3500, "$metadata": {}},
     {"soc_min": 0.2, "soc_max": 0.8, "max_charge_w": 3000.0, "max_discharge_w": 3500.0}),
    # a tank its site file allows 85 °C: the twin may set any band within 40..85 °C
    (lambda: Boiler(BoilerConfig(max_temperature_c=85.0)),
     {"setpoint_c": 50, "min_temperature_c": 45, "max_temperature_c": 80, "hysteresis_c": 3},
     {"setpoint_c": 50.0, "min_temperature_c": 45.0, "max_temperature_c": 80.0, "hysteresis_c": 3.0}),
    (Boiler, {"setpoint_c": None}, {}),
])
def test_valid_desired_properties_are_applied(factory, desired, applied):
    asset = factory()
    assert asset.configure(desired) == applied
    for name, value in applied.items():
        assert getattr(asset.config, name) == value


@pytest.mark.parametrize("factory, desired, rule", [
    (Solar, {"export_safe_limit_w": 6000}, "solar.config.export_safe_limit_w"),
    (Solar, {"rated_power_w": 0}, "solar.config.rated_power_w"),
    (Solar, {"rated_power_w": 1000, "default_setpoint_ttl_s": 10}, "solar.config.export_safe_limit_w"),
    (Battery, {"soc_min": 0.9, "soc_max": 0.5}, "battery.config.soc_min"),
    (Battery, {"soc_max": 1.2}, "battery.config.soc_max"),
    (Battery, {"capacity_wh": 5000}, "battery.config.capacity_wh"),  # physical, not writable
    (Battery, {"max_charge_w": "fast"}, "battery.config.max_charge_w"),
    (Battery, {"max_charge_w": 1e7}, "battery.config.max_charge_w"),  # above the nameplate: never raised
    (Battery, {"max_discharge_w": 5001}, "battery.config.max_discharge_w"),
    (Solar, {"rated_power_w": 8000}, "solar.config.rated_power_w"),
    (Boiler, {"setpoint_c": 90}, "boiler.config.setpoint_c"),
    (Boiler, {"min_temperature_c": 80}, "boiler.config.min_temperature_c"),
    (Boiler, {"hysteresis_c": 50}, "boiler.config.hysteresis_c"),
    (Boiler, {"max_temperature_c": 120}, "boiler.config.max_temperature_c"),
    (Boiler, {"heater_power_w": 1}, "boiler.config.heater_power_w"),
])
def test_invalid_desired_properties_change_nothing(factory, desired, rule):
    asset = factory()
    before = asset.config
    with pytest.raises(InvalidPayload) as refused:
        asset.configure(desired)
    assert refused.value.rule == rule
    assert asset.config is before


def test_a_non_object_desired_document_is_refused():
    with pytest.raises(InvalidPayload, match="solar.config.payload"):
        Solar().configure([1, 2])


@pytest.mark.parametrize("make", [
    lambda: BatteryConfig(capacity_wh=0),
    lambda: BoilerConfig(heater_power_w=0),
    lambda: SolarConfig(export_safe_limit_w=-1),
])
def test_physical_settings_are_checked_at_construction(make):
    with pytest.raises(InvalidPayload):
        make()
