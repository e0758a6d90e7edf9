"""A SunSpec storage system (model 124, and 802 where present) as the battery asset's hardware.

Reads: state of charge from model 802 SoC where present, else 124 ChaState;
AC power from the inverter model (701, else 103/102/101: W > 0 discharging,
< 0 charging, the site convention); the rate reference from 124 WChaMax.
Where the site file states the maximum power (`max_charge_w`/`max_discharge_w`)
or the capacity too, the lower of its figure and the device's counts, and a
device claiming more than the site file by more than 10 % is logged and counted
(`sunspec_driver.lower_rating`). A setpoint is capped at that rating, then
written as a percent of the device's own WChaMax.

Writes (model 124), always with the revert timer first, so a storage
system whose edge controller dies drops back to idle by itself:

| setpoint | StorCtl_Mod | InWRte | OutWRte |
|---|---|---|---|
| charge P W | 1 (CHARGE) | min(P, rating) / WChaMax % | 0 |
| discharge P W | 2 (DISCHARGE) | 0 | min(P, rating) / WChaMax % |
| idle | 3 (both limits) | 0 | 0 |

plus InOutWRte_RvrtTms = the revert timeout. (Vendors differ in how they
read StorCtl_Mod; this is the mapping the simulator implements and the
one to check against a real device's manual.) The written points are read
back; a device that does not hold them is a fault.

Plausibility: SoC within 0..100 % and moving at most
`SOC_STEP + SOC_RATE_MARGIN x rate / capacity x elapsed`: a battery cannot
fill faster than its maximum power allows (the margin covers a device's
own SoC estimation jumps, the step an integer-percent register). The
capacity is the lower of the configured one (site file) and the device's
802 WHRtg (else 120 WHRtg); a battery with neither is read without the rate check.
"""

from __future__ import annotations

from energy_edge.domain.hardware import BatteryMeasurement, BatterySetpoint

from .physical import power_within, required, within
from .plausibility import RateLimit
from .sunspec import MEASUREMENT_MODELS, SunSpecDevice
from .sunspec_driver import SunSpecDriver, lower_rating, require_models

CHARGE, DISCHARGE = 1, 2
SOC_STEP = 0.02  # 2 percentage points: an integer register plus one estimation correction
SOC_RATE_MARGIN = 2.0


async def device_capacity_wh(device: SunSpecDevice) -> float | None:
    """The nameplate energy (802 WHRtg, else 120 WHRtg); None when the device states none."""
    for model_id in (802, 120):
        block = device.layout.first_of(model_id) if device.layout else None
        if block is not None:
            value = (await device.read_model(block)).get("WHRtg")
            if isinstance(value, (int, float)) and value > 0:
                return float(value)
    return None


class ModbusBattery(SunSpecDriver[BatteryMeasurement, BatterySetpoint]):
    """AssetHardware[BatteryMeasurement, BatterySetpoint] over SunSpec storage models."""

    kind = "battery"
    rating_points = ((124, "WChaMax"), (120, "WRtg"))
    checked_ratings = (("rated power", "power"), ("capacity", "capacity"))
    soc_rate: RateLimit | None = None  # built on the first read, once rating and capacity are known

    _capacity_wh: float | None = None
    _capacity_known = False

    async def capacity_wh(self) -> float | None:
        """The lower of the site file's capacity and the device's WHRtg (read once); None when neither states one."""
        if not self._capacity_known:
            self._capacity_wh = lower_rating(f"{self.kind} {self.device.connection.endpoint}", "capacity", "Wh",
                                             await device_capacity_wh(self.device), self.options.capacity_wh,
                                             self.rating_mismatches_total)
            self._capacity_known = True
        return self._capacity_wh

    async def _soc_rate(self, max_rate_w: float) -> RateLimit | None:
        if self.soc_rate is None:
            capacity_wh = await self.capacity_wh()
            if capacity_wh is None:  # no capacity anywhere: nothing to bound the rate with
                return None
            self.soc_rate = RateLimit("battery state of charge", "(fraction)", step=SOC_STEP,
                                      max_rate_per_s=SOC_RATE_MARGIN * max_rate_w / capacity_wh / 3600,
                                      monotonic=self.options.monotonic)
        return self.soc_rate

    async def _read_once(self) -> BatteryMeasurement:
        await self.device.discover()
        max_rate_w = await self.rating_w()
        measurement, storage = require_models(self.device, MEASUREMENT_MODELS, (124,))
        battery = self.device.layout.first_of(802)  # type: ignore[union-attr]
        if battery is not None:
            soc_percent = required((await self.device.read_model(battery))["SoC"], "model 802 SoC")
        else:
            soc_percent = required((await self.device.read_model(storage))["ChaState"], "model 124 ChaState")
        within(soc_percent, 0.0, 100.0, "battery state of charge", "%")
        power_w = required((await self.device.read_model(measurement))["W"], f"model {measurement.model_id} W")
        power_within(power_w, max_rate_w, "battery", signed=True)
        soc_rate = await self._soc_rate(max_rate_w)
        if soc_rate is not None:
            soc_rate.check(soc_percent / 100)
        return BatteryMeasurement(power_w=power_w, soc=soc_percent / 100)

    async def _apply(self, setpoint: BatterySetpoint) -> None:
        await self.device.discover()
        power_w = min(abs(setpoint.power_w), await self.rating_w())  # never above the asset's rating
        (storage,) = require_models(self.device, (124,))
        scale_factors = await self.device.read_model(storage)
        percent = min(100.0, power_w / await self.device_rating_w() * 100)  # InWRte/OutWRte: a percent of WChaMax
        mode = DISCHARGE if setpoint.power_w > 0 else CHARGE if setpoint.power_w < 0 else CHARGE | DISCHARGE
        writes = {
            "InOutWRte_RvrtTms": self.options.revert_timeout_s,
            "InWRte": percent if mode == CHARGE else 0.0,
            "OutWRte": percent if mode == DISCHARGE else 0.0,
            "StorCtl_Mod": mode,
        }
        await self.device.write_points(storage, writes, scale_factors)
