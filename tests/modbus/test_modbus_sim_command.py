"""`energy-edge modbus-sim` as a process: the drivers read the simulated physics over real TCP."""

from __future__ import annotations

import asyncio
import sys

import pytest

from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BatterySetpoint, BoilerSetpoint, SolarSetpoint
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_modbus_hardware
from tests.helpers import free_port


async def _until_it_answers(hardware, timeout_s: float = 15.0):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            return await hardware.read()
        except HardwareFault:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


@pytest.mark.timeout(60)
async def test_modbus_sim_serves_the_three_assets_and_the_meter_and_stops_by_itself():
    ports = {kind: free_port() for kind in ("solar", "battery", "boiler", "meter")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "energy_edge.entrypoints.cli", "modbus-sim", "--speed", "60", "--duration", "300",
        "--meter-profile", "sdm630", *[arg for kind, port in ports.items() for arg in (f"--{kind}-port", str(port))],
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        drivers = {kind: build_modbus_hardware(kind, ModbusSettings(port=port, heater_power_w=6000.0, failures_before_fault=1,
                                                                    profile="sdm630" if kind == "meter" else None))
                   for kind, port in ports.items()}
        meter = await _until_it_answers(drivers["meter"])  # the simulated site's connection point
        assert abs(meter.power_w) < 50_000 and meter.frequency_hz == pytest.approx(50.0)
        solar = await _until_it_answers(drivers["solar"])
        assert 0 <= solar.power_w <= 15_000
        await drivers["battery"].apply(BatterySetpoint(power_w=-2000.0))
        battery = await _until_it_answers(drivers["battery"])
        assert battery.power_w == pytest.approx(-2000.0, abs=10) and 0 < battery.soc < 1
        await drivers["boiler"].apply(BoilerSetpoint(heater_on=False, setpoint_c=60.0))
        assert (await _until_it_answers(drivers["boiler"])).power_w == 0.0
        await drivers["solar"].apply(SolarSetpoint(enabled=False, limit_w=0.0))
        assert (await drivers["solar"].read()).power_w == 0.0
        for driver in drivers.values():
            await driver.close()
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0  # --duration 300 simulated s at 60x: 5 s
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
