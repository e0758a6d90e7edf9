"""A site of N Modbus assets built in one loop: simulated_device on the simulator side, build_hardware on the driver side."""

from __future__ import annotations

import pytest

from energy_edge.adapters.hardware.modbus.meter_simulator import ConnectionPoint
from energy_edge.adapters.hardware.modbus.simulated_devices import simulated_device
from energy_edge.domain.hardware import BatteryMeasurement, BoilerMeasurement, MeterMeasurement, SolarMeasurement
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_hardware

from .devices import BenchBattery, BenchBoiler, BenchPV

SITE = [  # kind, profile, physics, ratings (the site file's)
    ("solar", "sunspec", BenchPV(available_w=3000.0), {"rated_power_w": 5000.0}),
    ("solar", "sunspec", BenchPV(available_w=9000.0), {"rated_power_w": 12_000.0}),
    ("battery", "sunspec", BenchBattery(soc=0.3), {"capacity_wh": 10_000.0, "max_power_w": 5000.0}),
    ("battery", "sunspec", BenchBattery(soc=0.8), {"capacity_wh": 20_000.0, "max_power_w": 8000.0}),
    ("boiler", "boiler_generic", BenchBoiler(), {"heater_power_w": 3000.0}),
    ("meter", "em24", None, {}),
]
EXPECTED = {"solar": SolarMeasurement, "battery": BatteryMeasurement, "boiler": BoilerMeasurement, "meter": MeterMeasurement}


@pytest.mark.parametrize("unit_id", [1, 7])
async def test_a_site_of_n_modbus_assets_is_built_in_a_loop(serve, table, fake_time, unit_id):
    settings = ModbusSettings(timeout_s=0.5, retries=0)
    drivers = []
    for kind, profile, physics, ratings in SITE:
        source = physics or ConnectionPoint(lambda: 1800.0, fake_time)
        device = simulated_device(kind, source, profile, table=table, now=fake_time, **ratings)
        server = await serve(device, unit_id=unit_id)
        drivers.append((kind, build_hardware(kind, "127.0.0.1", server.port, unit_id, profile, settings=settings, **ratings)))
    readings = [(kind, await driver.read()) for kind, driver in drivers]
    assert [type(reading) for _, reading in readings] == [EXPECTED[kind] for kind, *_ in SITE]
    assert [reading.soc for kind, reading in readings if kind == "battery"] == [pytest.approx(0.3), pytest.approx(0.8)]
    assert readings[-1][1].power_w == pytest.approx(1800.0)
    for _, driver in drivers:
        await driver.close()
