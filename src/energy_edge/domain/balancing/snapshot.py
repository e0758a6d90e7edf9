"""What the balancer sees of the site in one cycle: the grid meter and each usable asset.

Built from the assets' own telemetry, so every limit the balancer respects
(ratings, SoC band, temperatures) is the one the asset itself reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..quick_init import quick_init
from ..telemetry import AssetTelemetry

FAULT_STATE = "FAULT"
OFF_STATE = "OFF"  # switched off by its operator: a solar inverter or boiler that ignores setpoints


@quick_init
@dataclass(frozen=True, slots=True)
class AssetView:
    """One asset as the balancer needs it; fields of other kinds keep their neutral defaults."""

    module: str
    kind: str  # "solar" | "battery" | "boiler"
    power_w: float  # signed, site convention (+ into the bus)
    timestamp: float = 0.0  # when the asset measured it (clock seconds)
    enabled: bool = True  # False: switched OFF, it neither produces nor heats whatever it is told
    # solar
    available_power_w: float = 0.0
    rated_power_w: float = 0.0
    # battery
    soc: float = 0.0
    capacity_wh: float = 0.0
    max_charge_w: float = 0.0
    max_discharge_w: float = 0.0
    soc_min: float = 0.0
    soc_max: float = 1.0
    # boiler
    temperature_c: float = 0.0
    min_temperature_c: float = 0.0
    max_temperature_c: float = 0.0
    heater_power_w: float = 0.0  # magnitude of the heater's consumption when on
    heater_on: bool = False
    setpoint_c: float = 0.0  # the thermostat setpoint in force (tells whether an override already applied)
    hysteresis_c: float = 0.0  # its thermostat heats only below setpoint - this (0: not reported)

    @classmethod
    def from_telemetry(cls, telemetry: AssetTelemetry) -> "AssetView":
        values = telemetry.values
        if telemetry.kind == "battery":
            return cls(telemetry.module, "battery", telemetry.power_w, telemetry.timestamp,
                       soc=values["soc"], capacity_wh=values["capacity_wh"], max_charge_w=abs(values["max_charge_w"]),
                       max_discharge_w=abs(values["max_discharge_w"]), soc_min=values["soc_min"],
                       soc_max=values["soc_max"])
        if telemetry.kind == "boiler":
            return cls(telemetry.module, "boiler", telemetry.power_w, telemetry.timestamp,
                       enabled=telemetry.state != OFF_STATE, temperature_c=values["temperature_c"],
                       min_temperature_c=values["min_temperature_c"],
                       max_temperature_c=values["max_temperature_c"], heater_power_w=abs(values["heater_power_w"]),
                       heater_on=bool(values["heater_on"]), setpoint_c=values["setpoint_c"],
                       hysteresis_c=values.get("hysteresis_c") or 0.0)
        return cls(telemetry.module, "solar", telemetry.power_w, telemetry.timestamp,
                   enabled=telemetry.state != OFF_STATE, available_power_w=max(0.0, values["available_power_w"]),
                   rated_power_w=max(0.0, values["rated_power_w"]))


@quick_init
@dataclass(frozen=True, slots=True)
class SiteSnapshot:
    """The meter reading at `now` and the assets the controller may count on."""

    now: float
    grid_power_w: float  # + import, - export
    assets: list[AssetView] = field(default_factory=list)

    @classmethod
    def from_telemetry(cls, now: float, grid_power_w: float, telemetry: Iterable[AssetTelemetry]) -> "SiteSnapshot":
        """Assets in FAULT are left out: the controller stops counting on them."""
        return cls(now, grid_power_w, [AssetView.from_telemetry(t) for t in telemetry if t.state != FAULT_STATE])
