"""Real pymodbus TCP servers on free loopback ports, stopped after each test."""

from __future__ import annotations

import pytest

from energy_edge.adapters.hardware.modbus.connection import ConnectionOptions, ModbusConnection
from energy_edge.adapters.hardware.modbus.register_map import load_boiler_map, load_sunspec_models
from energy_edge.adapters.hardware.modbus.server import ModbusDeviceServer, SimulatedModbusDevice
from energy_edge.adapters.hardware.modbus.sunspec import SunSpecDevice
from tests.helpers import free_port


class FakeTime:
    """The simulator's revert timers run on this, so a test moves time instead of sleeping."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def table():
    return load_sunspec_models()


@pytest.fixture
def boiler_map():
    return load_boiler_map()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def serve():
    """`await serve(device)` starts a real Modbus TCP server for it; returns the server."""
    servers: list[ModbusDeviceServer] = []

    async def start(device: SimulatedModbusDevice, port: int | None = None, unit_id: int = 1) -> ModbusDeviceServer:
        server = ModbusDeviceServer(device, "127.0.0.1", port or free_port(), unit_id=unit_id, tick_s=0.05)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


def connection(port: int, **overrides) -> ModbusConnection:
    """A client connection with short timeouts, so failure tests stay fast."""
    options = {"host": "127.0.0.1", "port": port, "timeout_s": 0.3, "retries": 1, "backoff_s": 0.01, **overrides}
    return ModbusConnection(ConnectionOptions(**options))


def sunspec(port: int, table, **overrides) -> SunSpecDevice:
    return SunSpecDevice(connection(port, **overrides), table)
