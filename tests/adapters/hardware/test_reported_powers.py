"""A simulated meter in its own process learns the other assets' powers from their reports, by sender."""

from __future__ import annotations

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated.reported_powers import ReportedAssetPowers
from energy_edge.domain.messages import Message
from energy_edge.domain.site import AssetSpec, ModbusHardware, SimulatedHardware, home_site, inputs_for, routes_for
from energy_edge.domain.telemetry import AssetTelemetry


def _report(module: str, power_w: float, at: float, kind: str = "battery") -> bytes:
    values = {"soc": 0.5, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
              "soc_min": 0.1, "soc_max": 0.9}
    return AssetTelemetry(module, kind, 1, at, "DISCHARGING", power_w, values=values).to_json()


async def test_powers_are_keyed_by_the_sender_and_forget_stale_reports():
    clock = ManualClock(1_750_000_000.0)
    powers = ReportedAssetPowers(clock, stale_after_s=3.0)
    await powers.on_telemetry(Message(_report("battery-1", 2_000.0, clock.now()), source_module="battery-1"))
    await powers.on_telemetry(Message(_report("battery-2", 9_000.0, clock.now()), source_module="boiler"))  # forged
    await powers.on_telemetry(Message(b"{not json", source_module="battery-1"))
    assert powers.powers() == [2_000.0] and powers.refused_total == 2
    clock.advance(3.5)
    assert powers.powers() == []


def _with_meter(hardware) -> object:
    site = home_site()
    return type(site)(name=site.name, latitude_deg=site.latitude_deg, longitude_deg=site.longitude_deg,
                      timezone=site.timezone, grid=site.grid,
                      assets=(*site.assets, AssetSpec("grid-meter", "meter", hardware)))


def test_only_a_simulated_meter_is_routed_the_assets_telemetry():
    simulated, modbus = _with_meter(SimulatedHardware()), _with_meter(ModbusHardware(host="127.0.0.1", port=1502))
    to_meter = {name for name in routes_for(simulated) if name.endswith("ToMeter")}
    assert to_meter == {"solarToMeter", "batteryToMeter", "boilerToMeter"}
    assert inputs_for(simulated)["grid-meter"] == ("telemetry",)
    assert not [name for name in routes_for(modbus) if name.endswith("ToMeter")]
    assert inputs_for(modbus)["grid-meter"] == ()
