"""SiteSnapshot from asset telemetry: each kind's limits carried over, FAULT assets left out."""

from __future__ import annotations

from energy_edge.domain.balancing import SiteSnapshot
from energy_edge.domain.telemetry import AssetTelemetry


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
