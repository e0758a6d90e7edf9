"""Deterministic simulated hardware: pure physics advanced by the clock, seeded randomness.

Same seed, same clock times → same measurements, so tests and quality runs
repeat exactly.
"""

from .battery import SimulatedBattery
from .boiler import HotWaterDraw, SimulatedBoiler
from .load import LoadProfile
from .pv import SimulatedPV
from .site import SimulatedSite, TelemetryBalanceMeter

__all__ = ["HotWaterDraw", "LoadProfile", "SimulatedBattery", "SimulatedBoiler", "SimulatedPV", "SimulatedSite",
           "TelemetryBalanceMeter"]
