"""Real hardware over Modbus TCP: SunSpec inverter, storage and meter drivers, register-map boiler and
meter drivers, and the simulated devices that serve the same maps (server.py, meter_simulator.py).

Register maps are data (maps/*.json), validated at start-up (register_map.py); `PROFILES` /
`available_profiles(kind)` name the device profiles a site file may use (profiles.py).
"""

from .battery import ModbusBattery
from .boiler import BoilerLimits, ModbusBoiler
from .connection import CommunicationError, ConnectionOptions, ModbusConnection
from .meter import ModbusMeter, SunSpecMeter
from .meter_limits import MeterLimits
from .profiles import PROFILES, available_profiles
from .register_map import RegisterMapError, load_boiler_map, load_meter_map, load_sunspec_models
from .solar import ModbusSolarInverter
from .sunspec import SunSpecDevice
from .sunspec_driver import DriverOptions

__all__ = [
    "PROFILES",
    "BoilerLimits",
    "CommunicationError",
    "ConnectionOptions",
    "DriverOptions",
    "MeterLimits",
    "ModbusBattery",
    "ModbusBoiler",
    "ModbusConnection",
    "ModbusMeter",
    "ModbusSolarInverter",
    "RegisterMapError",
    "SunSpecDevice",
    "SunSpecMeter",
    "available_profiles",
    "load_boiler_map",
    "load_meter_map",
    "load_sunspec_models",
]
