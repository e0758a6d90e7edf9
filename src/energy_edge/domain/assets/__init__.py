"""Asset state machines: solar inverter, battery, boiler.

Each asset is pure domain logic: it turns direct methods and measurements into
state transitions and a setpoint for its hardware port, and never does I/O.
"""

from .battery import Battery, BatteryConfig
from .boiler import Boiler, BoilerConfig
from .solar import Solar, SolarConfig

__all__ = ["Battery", "BatteryConfig", "Boiler", "BoilerConfig", "Solar", "SolarConfig"]
