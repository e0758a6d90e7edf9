"""`ManualClockSite` with a recorder: one `Sample` of the physics and the assets per step."""

from __future__ import annotations

from dataclasses import dataclass

from energy_edge.entrypoints.manual_site import ManualClockSite


@dataclass
class Sample:
    t: float
    grid_power_w: float
    load_w: float
    pv_available_w: float
    pv_power_w: float
    solar_limit_w: float
    battery_power_w: float
    soc: float
    battery_state: str
    boiler_power_w: float
    boiler_temperature_c: float
    boiler_setpoint_c: float
    solar_state: str


class SteppedSite(ManualClockSite):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.samples: list[Sample] = []

    async def step(self, seconds: float = 1.0) -> None:
        await super().step(seconds)
        self.samples.append(await self._sample())

    async def _sample(self) -> Sample:
        site = self.container.simulation()
        solar, battery, boiler = (service.asset for service in self.assets)
        now = self.clock.now()
        return Sample(
            t=now, grid_power_w=await site.read_grid_power_w(), load_w=site.load.power_w(now),
            pv_available_w=site.pv.available_power_w(), pv_power_w=site.pv.power_w(),
            solar_limit_w=solar.telemetry_values()["limit_w"], battery_power_w=site.battery.power_w(),
            soc=battery.telemetry_values()["soc"], battery_state=str(battery.state),
            boiler_power_w=site.boiler.power_w(), boiler_temperature_c=boiler.telemetry_values()["temperature_c"],
            boiler_setpoint_c=boiler.telemetry_values()["setpoint_c"], solar_state=str(solar.state),
        )
