"""Hardware adapters (the `AssetHardware` port): simulators and Modbus drivers."""
