"""Bad method payloads: 400 naming the field and the reason, and the asset does not change."""

from __future__ import annotations

import math

import pytest

from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.errors import InvalidPayload, UnknownMethod
from energy_edge.domain.hardware import BatteryMeasurement

BAD = [
    (Solar, "set_output", {}, "solar.set_output.limit_w", "missing"),
    (Solar, "set_output", {"limit_w": "100"}, "solar.set_output.limit_w", "expected a number"),
    (Solar, "set_output", {"limit_w": True}, "solar.set_output.limit_w", "expected a number"),
    (Solar, "set_output", {"limit_w": -1}, "solar.set_output.limit_w", "out of range: must be >= 0"),
    (Solar, "set_output", {"limit_w": 5000.1}, "solar.set_output.limit_w", "out of range: must be <= 5000"),
    (Solar, "set_output", {"limit_w": math.nan}, "solar.set_output.limit_w", "must be finite"),
    (Solar, "set_output", {"limit_w": math.inf}, "solar.set_output.limit_w", "must be finite"),
    (Solar, "set_output", {"limit_w": 10, "ttl_s": 0}, "solar.set_output.ttl_s", "must be > 0"),
    (Solar, "set_output", {"limit_w": 10, "mode": "eco"}, "solar.set_output.mode", "unknown field"),
    (Solar, "start", {"now": True}, "solar.start.now", "unknown field"),
    (Solar, "stop", [1], "solar.stop.payload", "expected a JSON object"),
    (Battery, "start_charging", {"power_w": 0}, "battery.start_charging.power_w", "must be >= 1"),
    (Battery, "start_charging", {"power_w": 5001}, "battery.start_charging.power_w", "must be <= 5000"),
    (Battery, "start_discharging", {"power_w": -5}, "battery.start_discharging.power_w", "must be >= 1"),
    (Battery, "start_discharging", {}, "battery.start_discharging.power_w", "missing"),
    (Battery, "start_discharging", {"power_w": 10, "ttl_s": -1}, "battery.start_discharging.ttl_s", "must be > 0"),
    (Battery, "stop", "now", "battery.stop.payload", "expected a JSON object"),
    (Boiler, "set_temperature", {"temperature_c": 39.9}, "boiler.set_temperature.temperature_c", "must be >= 40"),
    (Boiler, "set_temperature", {"temperature_c": 75.5}, "boiler.set_temperature.temperature_c", "must be <= 75"),
    (Boiler, "set_temperature", {"temperature_c": None}, "boiler.set_temperature.temperature_c", "expected a number"),
    (Boiler, "reset", {"force": 1}, "boiler.reset.force", "unknown field"),
]


@pytest.mark.parametrize("factory, method, payload, rule, reason", BAD)
def test_bad_payload_is_refused_naming_the_field(factory, method, payload, rule, reason):
    asset = factory()
    if isinstance(asset, Battery):
        asset.observe(BatteryMeasurement(0.0, 0.5), now=0.0)
    else:
        asset.handle("start", {}, now=0.0)
    before = snapshot(asset)
    with pytest.raises(InvalidPayload) as refused:
        asset.handle(method, payload, now=1.0)
    assert refused.value.status == 400
    assert refused.value.rule == rule
    assert reason in refused.value.reason
    assert refused.value.as_payload() == {"error": rule, "reason": refused.value.reason}
    assert snapshot(asset) == before


def snapshot(asset):
    """Everything a caller can see of an asset."""
    return (asset.state, asset.lease.expires_at, asset.telemetry_values(), asset.setpoint(), asset.last_event)


@pytest.mark.parametrize("factory", [Solar, Battery, Boiler])
def test_unknown_method_is_404_listing_the_known_ones(factory):
    asset = factory()
    with pytest.raises(UnknownMethod) as refused:
        asset.handle("self_destruct", {}, now=0.0)
    assert refused.value.status == 404
    assert "self_destruct" in refused.value.reason and "reset" in refused.value.reason


def test_integers_are_accepted_as_numbers():
    solar = Solar()
    solar.handle("start", None, now=0.0)
    assert solar.handle("set_output", {"limit_w": 2000, "ttl_s": 30}, now=10.0) == {
        "state": "CURTAILED", "setpoint_expires_at": 40.0}
    assert isinstance(solar.limit_w, float)
