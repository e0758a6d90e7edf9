"""Real hardware over Modbus TCP: SunSpec inverter and storage drivers, a generic boiler driver,
and the simulated devices that serve the same register maps (server.py).

Register maps are data (maps/*.json), validated at start-up (register_map.py).
"""

from .battery import ModbusBattery
from .boiler import BoilerLimits, ModbusBoiler
from .connection import CommunicationError, ConnectionOptions, ModbusConnection
from .register_map import RegisterMapError, load_boiler_map, load_sunspec_models
from .solar import ModbusSolarInverter
from .sunspec import SunSpecDevice
from .sunspec_driver import DriverOptions

__all__ = [
    "BoilerLimits",
    "CommunicationError",
    "ConnectionOptions",
    "DriverOptions",
    "ModbusBattery",
    "ModbusBoiler",
    "ModbusConnection",
    "ModbusSolarInverter",
    "RegisterMapError",
    "SunSpecDevice",
    "load_boiler_map",
    "load_sunspec_models",
]
