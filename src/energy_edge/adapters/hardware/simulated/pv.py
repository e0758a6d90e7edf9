"""A simulated PV inverter: sun position × clear sky × seeded clouds, limited by the setpoint."""

from __future__ import annotations

from ....domain.hardware import SolarMeasurement, SolarSetpoint
from ....domain.planning.solar_geometry import (
    STC_IRRADIANCE_W_M2, clear_sky_array_ratio, clear_sky_ghi_w_m2, solar_elevation_deg,
)
from ....domain.ports import Clock
from .faults import InjectableFault
from .series import SeededAR1


class SimulatedPV(InjectableFault):
    """Implements AssetHardware[SolarMeasurement, SolarSetpoint]; clouds are an AR(1) clearness index."""

    def __init__(self, clock: Clock, *, rated_power_w: float = 5000.0, latitude_deg: float = 52.37,
                 longitude_deg: float = 4.90, seed: int = 0, mean_clearness: float = 0.8,
                 cloud_sigma: float = 0.025, cloud_phi: float = 0.97, cloud_step_s: float = 60.0,
                 tilt_deg: float = 0.0, azimuth_deg: float = 180.0) -> None:
        """`tilt_deg` from horizontal (0: flat), `azimuth_deg` the way it faces, clockwise from north."""
        self.clock = clock
        self.tilt_deg = tilt_deg
        self.azimuth_deg = azimuth_deg
        self.rated_power_w = rated_power_w
        self.latitude_deg = latitude_deg
        self.longitude_deg = longitude_deg
        self.mean_clearness = mean_clearness
        self.clouds = SeededAR1(seed, clock.now(), cloud_step_s, cloud_phi, cloud_sigma)
        self.setpoint = SolarSetpoint(enabled=False, limit_w=0.0)
        self._available_at = float("nan")  # the instant `_available_w` belongs to
        self._available_w = 0.0

    def clearness(self, t: float) -> float:
        return min(1.0, max(0.05, self.mean_clearness + self.clouds.value(t)))

    def available_power_w(self) -> float:
        """What the array could give now (maximum power point), never above its rating.

        Remembered for the current instant: the module, the grid meter and a
        recorder all ask within one simulated second, and the sun's position is
        the costliest arithmetic of a simulated day.
        """
        t = self.clock.now()
        if t != self._available_at:
            if self.tilt_deg == 0:  # a flat array: the horizontal irradiance, the cheaper arithmetic
                ratio = clear_sky_ghi_w_m2(solar_elevation_deg(self.latitude_deg, self.longitude_deg, t)) \
                    / STC_IRRADIANCE_W_M2
            else:
                ratio = clear_sky_array_ratio(self.latitude_deg, self.longitude_deg, t, self.tilt_deg, self.azimuth_deg)
            self._available_w = min(self.rated_power_w, self.rated_power_w * ratio * self.clearness(t))
            self._available_at = t
        return self._available_w

    def power_w(self) -> float:
        """What the inverter feeds into the bus now (>= 0)."""
        if not self.setpoint.enabled:
            return 0.0
        return min(self.available_power_w(), max(0.0, self.setpoint.limit_w))

    async def read(self) -> SolarMeasurement:
        self._raise_if_faulty()
        return SolarMeasurement(power_w=self.power_w(), available_power_w=self.available_power_w())

    async def apply(self, setpoint: SolarSetpoint) -> None:
        self._raise_if_faulty()
        self.setpoint = setpoint
