"""A SunSpec PV inverter as the solar asset's hardware.

Reads AC power from model 701 (DER AC measurement) where present, else
103/102/101; the rating from model 121 WMax (or 120 WRtg), and where the site
file states `rated_power_w` too, the lower of the two (`sunspec_driver`).
Curtails through model 704 WMaxLimPct where present, else
model 123 WMaxLimPct, and ALWAYS writes the revert timeout first, so an
inverter whose edge controller dies returns to full output by itself.

`available_power_w` is an estimate, since SunSpec has no MPP reading: when no
limit is active, or the output sits below the limit, the inverter produces
what the sun gives (available = W); when the output sits at the limit it is
clipping, and the rating is the honest upper bound of what lifting the
limit could bring.

Plausibility, production versus the limit: every write is read back (a
limit the inverter does not hold is a fault at once, see
`SunSpecDevice.write_points`), and an inverter that keeps producing more
than its active limit (+ `OVER_LIMIT_MARGIN` of its rating) for longer than
`LIMIT_SETTLE_S` ignores the limit: a fault, since the export limit of the
site is what that limit protects. Production under a limit, down to 0 W,
is normal (night, clouds) and never a fault.
"""

from __future__ import annotations

from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import SolarMeasurement, SolarSetpoint

from .physical import power_within, required
from .sunspec import MEASUREMENT_MODELS, ModelBlock
from .sunspec_driver import SunSpecDriver, require_models

CONTROL_MODELS = (704, 123)
AT_LIMIT = 0.97  # output within 3 % of the limit counts as clipping
OVER_LIMIT_MARGIN = 0.05  # of the rating: metering tolerance and ramp overshoot
LIMIT_SETTLE_S = 10.0  # an inverter ramps to a new limit within seconds (WMaxLimPct_RmpTms is usually 0..10 s)


class ModbusSolarInverter(SunSpecDriver[SolarMeasurement, SolarSetpoint]):
    """AssetHardware[SolarMeasurement, SolarSetpoint] over SunSpec."""

    kind = "solar"
    rating_points = ((121, "WMax"), (120, "WRtg"))
    _over_limit_since: float | None = None

    def _check_limit_followed(self, power_w: float, limit_w: float | None, rated_w: float) -> None:
        now = self.options.monotonic()
        if limit_w is None or power_w <= limit_w + OVER_LIMIT_MARGIN * rated_w:
            self._over_limit_since = None
            return
        if self._over_limit_since is None:
            self._over_limit_since = now
        elif now - self._over_limit_since > LIMIT_SETTLE_S:
            raise HardwareFault(f"PV produces {power_w:.6g} W above its active limit {limit_w:.6g} W for "
                                f"{now - self._over_limit_since:.3g} s: the inverter does not follow its limit")

    async def _read_once(self) -> SolarMeasurement:
        await self.device.discover()
        rated_w = await self.rating_w()
        measurement, control = require_models(self.device, MEASUREMENT_MODELS, CONTROL_MODELS)
        values = await self.device.read_model(measurement)
        power_w = power_within(required(values["W"], f"model {measurement.model_id} W"), rated_w, "PV", signed=False)
        limit_w = self._active_limit_w(control, await self.device.read_model(control), await self.device_rating_w())
        self._check_limit_followed(power_w, limit_w, rated_w)
        clipping = limit_w is not None and power_w >= AT_LIMIT * limit_w
        return SolarMeasurement(power_w=power_w, available_power_w=rated_w if clipping else power_w)

    @staticmethod
    def _active_limit_w(control: ModelBlock, values: dict, device_rated_w: float) -> float | None:
        enabled = values.get("WMaxLimPctEna" if control.model_id == 704 else "WMaxLim_Ena") == 1
        percent = values.get("WMaxLimPct")
        if control.model_id == 123 and values.get("Conn") == 0:
            return 0.0
        if not enabled or not isinstance(percent, (int, float)) or percent >= 100:
            return None
        return device_rated_w * percent / 100  # WMaxLimPct is a percent of the device's own WMax

    async def _apply(self, setpoint: SolarSetpoint) -> None:
        await self.device.discover()
        limit_w = min(setpoint.limit_w, await self.rating_w())  # never above the asset's rating
        (control,) = require_models(self.device, CONTROL_MODELS)
        scale_factors = await self.device.read_model(control)
        percent = min(100.0, max(0.0, limit_w / await self.device_rating_w() * 100)) if setpoint.enabled else 0.0
        revert = self.options.revert_timeout_s
        if control.model_id == 704:
            writes = {"WMaxLimPctRvrtTms": revert, "WMaxLimPctRvrt": 100.0, "WMaxLimPctEnaRvrt": 1, "WMaxLimPct": percent, "WMaxLimPctEna": 1}
        else:
            writes = {"WMaxLimPct_RvrtTms": revert, "Conn_RvrtTms": revert, "WMaxLimPct": percent, "WMaxLim_Ena": 1, "Conn": int(setpoint.enabled)}
        await self.device.write_points(control, writes, scale_factors)
