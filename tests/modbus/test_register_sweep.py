"""A seeded sweep of hostile registers through every driver and real pymodbus servers.

Each round forces a few registers of the device's image to a hostile value
(sentinels, extremes, NaN and infinity words, random words), then reads and
writes through the driver: the only outcomes allowed are a measurement inside
its physical bounds or HardwareFault, never another exception. Bounded: a
fixed number of rounds per device (EE_FUZZ_COUNT, as the fuzz suite: 60 by
default, 10,000 for a fuzz run; seeded by EE_FUZZ_SEED), each a handful of
loopback requests.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import fields

import pytest

from energy_edge.adapters.hardware.modbus.meter_limits import MeterLimits
from energy_edge.adapters.hardware.modbus.meter_simulator import ConnectionPoint, simulated_meter
from energy_edge.adapters.hardware.modbus.profiles import available_profiles
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BatterySetpoint, BoilerSetpoint, MeterMeasurement, SolarSetpoint
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_hardware

from .devices import BenchBattery, BenchBoiler, BenchPV
from .test_hostile_registers import simulator

ROUNDS = int(os.environ.get("EE_FUZZ_COUNT", "60"))
SEED = os.environ.get("EE_FUZZ_SEED", "0")
PALETTE = [0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0xFFFE, 0x7FC0, 0x7F80, 0xFF80, 0x000A, 0xFFF6]
SETTINGS = ModbusSettings(timeout_s=0.5, retries=0, failures_before_fault=1)
SETPOINTS = {"solar": SolarSetpoint(enabled=True, limit_w=3000.0), "battery": BatterySetpoint(power_w=-1500.0),
             "boiler": BoilerSetpoint(heater_on=True, setpoint_c=60.0)}


def in_bounds(kind: str, reading) -> bool:  # noqa: ANN001
    if kind == "solar":
        return 0 <= reading.power_w <= 11_000 and 0 <= reading.available_power_w <= 11_000
    if kind == "battery":
        return 0 <= reading.soc <= 1 and abs(reading.power_w) <= 5500
    if kind == "boiler":
        return -20 <= reading.temperature_c <= 110 and -6600 <= reading.power_w <= 0
    assert isinstance(reading, MeterMeasurement)
    values = [getattr(reading, field.name) for field in fields(reading)]
    return all(math.isfinite(v) for v in values if v is not None) and abs(reading.power_w) <= MeterLimits().power_limit_w


def point_addresses(device) -> list[int]:  # noqa: ANN001
    """Every register of every point the maps describe (where garbage matters), not the padding between."""
    if hasattr(device, "layout"):
        return [block.address + point.offset + i for block in device.layout.blocks.values() if block.model
                for point in block.model.points for i in range(point.registers)]
    return [point.address + i for point in device.codec.map.points for i in range(point.registers)]


async def sweep(device, hardware, kind, rng) -> dict[str, int]:  # noqa: ANN001
    outcomes = {"reading": 0, "fault": 0}
    addresses = point_addresses(device)
    for _ in range(ROUNDS):
        device.release()
        for _ in range(rng.randint(1, 3)):
            address = rng.choice(addresses)
            word = rng.choice(PALETTE) if rng.random() < 0.7 else rng.randrange(0x10000)
            device.force(address, [word])
        try:
            reading = await hardware.read()
            assert in_bounds(kind, reading), reading
            outcomes["reading"] += 1
        except HardwareFault as fault:
            outcomes["fault"] += 1

        if kind in SETPOINTS:
            try:
                await hardware.apply(SETPOINTS[kind])
            except HardwareFault:
                pass
    return outcomes


@pytest.mark.parametrize("kind", ["solar", "battery", "boiler"])
async def test_hostile_registers_give_a_bounded_reading_or_a_fault(serve, table, boiler_map, fake_time, kind):
    physics = {"solar": BenchPV, "battery": BenchBattery, "boiler": BenchBoiler}[kind]()
    device = simulator(kind, table, boiler_map, fake_time, physics)
    server = await serve(device)
    profile = "boiler_generic" if kind == "boiler" else "sunspec"
    ratings = {"heater_power_w": 3000.0} if kind == "boiler" else {}
    hardware = build_hardware(kind, "127.0.0.1", server.port, 1, profile, settings=SETTINGS, **ratings)
    outcomes = await sweep(device, hardware, kind, random.Random(f"sweep-{kind}-{SEED}"))
    assert outcomes["fault"] > 0 and outcomes["reading"] > 0, outcomes
    await hardware.close()


@pytest.mark.parametrize("profile", available_profiles("meter"))
async def test_hostile_meter_registers_give_a_bounded_reading_or_a_fault(serve, table, fake_time, profile):
    device = simulated_meter(ConnectionPoint(lambda: 1200.0, fake_time), profile, table, now=fake_time)
    server = await serve(device)
    hardware = build_hardware("meter", "127.0.0.1", server.port, 1, profile, settings=SETTINGS)
    outcomes = await sweep(device, hardware, "meter", random.Random(f"sweep-{profile}-{SEED}"))
    assert outcomes["fault"] > 0 and outcomes["reading"] > 0, outcomes
    await hardware.close()
