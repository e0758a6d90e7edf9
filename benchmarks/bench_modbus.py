"""Modbus TCP on loopback: single-register read latency, a full poll of each device (and of the
grid meter in each shipped profile), and a site of 50 Modbus assets polled every second (cycle
jitter, target p99 <= 100 ms).

Servers are the simulated devices of adapters/hardware/modbus/server.py (real
pymodbus TCP servers) over the simulated physics, in this same process and
event loop as the drivers: a conservative set-up, since the servers' work
competes with the polling.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time

from energy_edge.adapters.clocks import RealClock
from energy_edge.adapters.hardware.modbus.meter_simulator import ConnectionPoint
from energy_edge.adapters.hardware.modbus.profiles import available_profiles
from energy_edge.adapters.hardware.modbus.register_map import load_boiler_map, load_sunspec_models
from energy_edge.adapters.hardware.modbus.server import ModbusDeviceServer, site_servers
from energy_edge.adapters.hardware.modbus.simulated_devices import simulated_device
from energy_edge.adapters.hardware.simulated import SimulatedBattery, SimulatedBoiler, SimulatedPV
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_hardware, build_modbus_hardware

from .result import Result

SINGLE_READS = 2000
POLLS = 300
SITE_ASSETS = 50
SITE_CYCLES = 10
CYCLE_S = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def _ms_results(name: str, samples_s: list[float], target_p99: str = "", met=None) -> list[Result]:
    p50, p99 = _percentile(samples_s, 50) * 1000, _percentile(samples_s, 99) * 1000
    return [Result(f"{name}_p50", p50, "ms"), Result(f"{name}_p99", p99, "ms", target_p99, met(p99) if met else None)]


async def _site(ports: dict[str, int]) -> list[ModbusDeviceServer]:
    clock = RealClock()
    servers = site_servers(SimulatedPV(clock, rated_power_w=15_000.0), SimulatedBattery(clock), SimulatedBoiler(clock, heater_power_w=6000.0),
                           load_sunspec_models(), load_boiler_map(), ports=ports)
    for server in servers:
        await server.start()
    return servers


async def _timed(call, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


async def _per_device() -> list[Result]:
    ports = {kind: _free_port() for kind in ("solar", "battery", "boiler")}
    servers = await _site(ports)
    drivers = {kind: build_modbus_hardware(kind, ModbusSettings(port=port)) for kind, port in ports.items()}
    try:
        connection = drivers["solar"].device.connection
        await connection.read(40000, 1)  # connect
        results = _ms_results("modbus_single_register_read", await _timed(lambda: connection.read(40000, 1), SINGLE_READS))
        for kind, driver in drivers.items():
            await driver.read()  # discovery and ratings happen once, not in the figure
            results += _ms_results(f"modbus_full_poll_{kind}", await _timed(driver.read, POLLS))
        return results
    finally:
        for driver in drivers.values():
            await driver.close()
        for server in servers:
            await server.stop()


async def _meters() -> list[Result]:
    results: list[Result] = []
    for profile in available_profiles("meter"):
        port = _free_port()
        server = ModbusDeviceServer(simulated_device("meter", ConnectionPoint(lambda: 1500.0), profile), "127.0.0.1", port)
        await server.start()
        meter = build_hardware("meter", "127.0.0.1", port, 1, profile)
        try:
            await meter.read()  # discovery outside the figure
            results += _ms_results(f"modbus_full_poll_meter_{profile}", await _timed(meter.read, POLLS))
        finally:
            await meter.close()
            await server.stop()
    return results


async def _site_of_50() -> list[Result]:
    servers: list[ModbusDeviceServer] = []
    drivers = []
    for _ in range(SITE_ASSETS // 3 + 1):
        ports = {kind: _free_port() for kind in ("solar", "battery", "boiler")}
        servers += await _site(ports)
        drivers += [build_modbus_hardware(kind, ModbusSettings(port=port)) for kind, port in ports.items()]
    drivers = drivers[:SITE_ASSETS]
    try:
        await asyncio.gather(*(driver.read() for driver in drivers))  # discovery outside the figures
        jitter, complete = [], []
        loop = asyncio.get_running_loop()
        start = loop.time() + CYCLE_S
        for cycle in range(SITE_CYCLES):
            tick = start + cycle * CYCLE_S
            await asyncio.sleep(max(0.0, tick - loop.time()))
            jitter.append(loop.time() - tick)
            await asyncio.gather(*(driver.read() for driver in drivers))
            complete.append(loop.time() - tick)
        return (_ms_results("modbus_site50_cycle_start_jitter", jitter, "<= 100 ms", lambda p99: p99 <= 100)
                + _ms_results("modbus_site50_poll_all_done", complete, "<= 100 ms", lambda p99: p99 <= 100))
    finally:
        for driver in drivers:
            await driver.close()
        for server in servers:
            await server.stop()


def run() -> list[Result]:
    return asyncio.run(_per_device()) + asyncio.run(_meters()) + asyncio.run(_site_of_50())
