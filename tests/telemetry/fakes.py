"""Fakes shared by the telemetry-module tests."""

from __future__ import annotations

from energy_edge.domain.telemetry import AssetTelemetry


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.t = now

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def battery_telemetry(seq: int, soc: float = 0.5, power_w: float = -2000.0) -> AssetTelemetry:
    return AssetTelemetry(
        module="battery", kind="battery", seq=seq, timestamp=1000.0 + seq, state="CHARGING", power_w=power_w,
        values={"soc": soc, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
                "soc_min": 0.1, "soc_max": 0.9},
    )


def solar_telemetry(seq: int, power_w: float = 4000.0) -> AssetTelemetry:
    return AssetTelemetry(
        module="solar", kind="solar", seq=seq, timestamp=1000.0 + seq, state="RUNNING", power_w=power_w,
        values={"available_power_w": power_w, "rated_power_w": 10_000.0, "limit_w": 10_000.0},
    )


def boiler_telemetry(seq: int) -> AssetTelemetry:
    return AssetTelemetry(
        module="boiler", kind="boiler", seq=seq, timestamp=1000.0 + seq, state="HEATING", power_w=-3000.0,
        values={"temperature_c": 60.0, "setpoint_c": 65.0, "min_temperature_c": 45.0, "max_temperature_c": 85.0,
                "heater_power_w": 3000.0, "heater_on": True},
    )
