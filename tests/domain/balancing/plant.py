"""A small simulated site for closed-loop tests: assets follow setpoints within their limits.

grid = load - sum(asset power). Each cycle the plant applies the setpoints of the
previous decision, then it is measured; `lag` hands the controller the
measurement of one cycle earlier (meter and telemetry alike) or only stale
telemetry with a fresh meter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from energy_edge.domain.balancing import AssetView, BalancerMemory, Guidance, Policy, Setpoint, SiteSnapshot, balance


def battery(module: str = "bat", soc: float = 0.5, max_w: float = 25_000.0, capacity_wh: float = 100_000.0,
            power_w: float = 0.0, **extra: float) -> AssetView:
    made = AssetView(module, "battery", power_w, soc=soc, capacity_wh=capacity_wh, max_charge_w=max_w,
                     max_discharge_w=max_w, soc_min=0.05, soc_max=0.98)
    return replace(made, **extra)


def solar(module: str = "pv", available_w: float = 5_000.0, rated_w: float = 10_000.0,
          power_w: float | None = None, **extra: float) -> AssetView:
    made = AssetView(module, "solar", available_w if power_w is None else power_w,
                     available_power_w=available_w, rated_power_w=rated_w)
    return replace(made, **extra)


def boiler(module: str = "boiler", temperature_c: float = 60.0, heater_on: bool = False,
           heater_power_w: float = 3_000.0, power_w: float | None = None, **extra: float) -> AssetView:
    power = (-heater_power_w if heater_on else 0.0) if power_w is None else power_w
    made = AssetView(module, "boiler", power, temperature_c=temperature_c, min_temperature_c=45.0,
                     max_temperature_c=85.0, heater_power_w=heater_power_w, heater_on=heater_on)
    return replace(made, **extra)


def follow(asset: AssetView, setpoint: Setpoint | None, now: float, cycle_s: float) -> AssetView:
    """The asset one cycle later, having followed `setpoint` as far as its limits allow."""
    if setpoint is None:
        return replace(asset, timestamp=now)
    if asset.kind == "battery":
        power = min(max(setpoint.value, -asset.max_charge_w), asset.max_discharge_w)
        soc = asset.soc - power * cycle_s / 3600 / asset.capacity_wh
        return replace(asset, power_w=power, soc=soc, timestamp=now)
    if asset.kind == "solar":
        return replace(asset, power_w=min(setpoint.value, asset.available_power_w), timestamp=now)
    heater_on = not setpoint.hold_off and (setpoint.value > asset.temperature_c
                                           or asset.temperature_c <= asset.min_temperature_c)
    return replace(asset, heater_on=heater_on, power_w=-asset.heater_power_w if heater_on else 0.0, timestamp=now)


@dataclass
class Plant:
    assets: list[AssetView]
    load_w: float
    policy: Policy = Policy()
    lag: str = "none"  # "none" | "all" (meter and telemetry one cycle old) | "telemetry" (fresh meter)
    now: float = 0.0
    meter_noise: Callable[[], float] = lambda: 0.0
    guidance: Guidance = Guidance()  # the planner's, e.g. a grid band

    def __post_init__(self) -> None:
        self.memory = BalancerMemory()
        self.setpoints: dict[str, Setpoint] = {}
        self.previous = self._measure()

    def grid_w(self) -> float:
        return self.load_w - sum(asset.power_w for asset in self.assets)

    def _measure(self) -> SiteSnapshot:
        return SiteSnapshot(self.now, self.grid_w() + self.meter_noise(), list(self.assets))

    def step(self) -> float:
        """One cycle: the plant follows the last setpoints, the controller decides; returns the true grid."""
        self.now += self.policy.cycle_s
        self.assets = [follow(a, self.setpoints.get(a.module), self.now, self.policy.cycle_s) for a in self.assets]
        fresh = self._measure()
        seen = {"none": fresh, "all": self.previous,
                "telemetry": SiteSnapshot(self.now, fresh.grid_power_w, self.previous.assets)}[self.lag]
        self.previous = fresh
        decision = balance(seen, self.policy, self.memory, self.guidance)
        self.memory, self.setpoints = decision.memory, decision.setpoints
        return self.grid_w()

    def run(self, cycles: int) -> list[float]:
        return [self.step() for _ in range(cycles)]
