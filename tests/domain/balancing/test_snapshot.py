"""SiteSnapshot from asset telemetry: each kind's limits carried over, FAULT assets left out."""

from __future__ import annotations

import json

import pytest

from energy_edge.domain.balancing import SiteSnapshot
from energy_edge.domain.errors import MalformedMessage
from energy_edge.domain.telemetry import AssetTelemetry, decode_asset_telemetry


def telemetry(module: str, kind: str, state: str, power_w: float, **values) -> AssetTelemetry:
    return AssetTelemetry(module, kind, 1, 10.0, state, power_w, values=values)


def test_snapshot_carries_each_kind_and_leaves_faulted_assets_out() -> None:
    snapshot = SiteSnapshot.from_telemetry(12.0, 500.0, [
        telemetry("pv", "solar", "CURTAILED", 3_000.0, available_power_w=4_000.0, rated_power_w=5_000.0,
                  limit_w=3_000.0),
        telemetry("bat", "battery", "CHARGING", -2_000.0, soc=0.4, capacity_wh=10_000.0, max_charge_w=5_000.0,
                  max_discharge_w=4_000.0, soc_min=0.1, soc_max=0.9),
        telemetry("boiler", "boiler", "HEATING", -3_000.0, temperature_c=55.0, setpoint_c=60.0,
                  min_temperature_c=45.0, max_temperature_c=85.0, heater_power_w=3_000.0, heater_on=True),
        telemetry("broken", "battery", "FAULT", 0.0, soc=0.4, capacity_wh=10_000.0, max_charge_w=5_000.0,
                  max_discharge_w=4_000.0, soc_min=0.1, soc_max=0.9),
    ])
    assert (snapshot.now, snapshot.grid_power_w) == (12.0, 500.0)
    pv, bat, boiler = snapshot.assets
    assert (pv.kind, pv.available_power_w, pv.rated_power_w, pv.timestamp) == ("solar", 4_000.0, 5_000.0, 10.0)
    assert (bat.soc, bat.max_charge_w, bat.max_discharge_w, bat.soc_max) == (0.4, 5_000.0, 4_000.0, 0.9)
    assert (boiler.temperature_c, boiler.heater_power_w, boiler.heater_on) == (55.0, 3_000.0, True)
    assert pv.enabled and bat.enabled and boiler.enabled


def test_switched_off_solar_and_boiler_are_marked_disabled() -> None:
    pv, boiler = SiteSnapshot.from_telemetry(0.0, 0.0, [
        telemetry("pv", "solar", "OFF", 0.0, available_power_w=4_000.0, rated_power_w=5_000.0, limit_w=5_000.0),
        telemetry("boiler", "boiler", "OFF", 0.0, temperature_c=30.0, setpoint_c=60.0, min_temperature_c=45.0,
                  max_temperature_c=85.0, heater_power_w=3_000.0, heater_on=False),
    ]).assets
    assert not pv.enabled and not boiler.enabled


def test_a_boilers_thermostat_band_comes_through_decoded_bounded_or_read_as_zero() -> None:
    """`hysteresis_c` (optional: older modules do not send it) tells the balancer when a leased setpoint will not
    start the heater; a band no thermostat has is a broken or hostile sender, refused naming the field."""
    report = {"module": "boiler", "kind": "boiler", "seq": 1, "timestamp": 10.0, "state": "STANDBY", "power_w": 0.0,
              "temperature_c": 60.0, "setpoint_c": 60.0, "min_temperature_c": 45.0, "max_temperature_c": 85.0,
              "heater_power_w": 3_000.0, "heater_on": False}
    banded = decode_asset_telemetry(json.dumps({**report, "hysteresis_c": 5.0}).encode())
    unbanded = decode_asset_telemetry(json.dumps(report).encode())
    band, none = SiteSnapshot.from_telemetry(12.0, 0.0, [banded, unbanded]).assets
    assert (band.hysteresis_c, none.hysteresis_c) == (5.0, 0.0)
    with pytest.raises(MalformedMessage) as refused:
        decode_asset_telemetry(json.dumps({**report, "hysteresis_c": 1e6}).encode())
    assert refused.value.rule == "telemetry.hysteresis_c" and "outside its physical range" in str(refused.value)
