"""EE_MODBUS_MAP_FILE belongs to the one module whose process reads it.

A module process (one container per module on IoT Edge, compose, `up --transport
mqtt`) used to build every asset's driver of the site: a boiler module given
its own register map also built the site's SunSpec inverter and storage
drivers, which read that same file as a SunSpec model table, so the boiler
module stopped at start-up (exit 2, "models: Field required") with a map that
was right. The process now builds its own module's service only.
"""

from __future__ import annotations

import json

import pytest

from energy_edge.adapters.hardware.modbus.register_map import load_boiler_map
from energy_edge.adapters.hardware.modbus.server import GenericBoilerSimulator
from energy_edge.entrypoints.containers import site_container
from energy_edge.entrypoints.module_runner import module_service
from energy_edge.entrypoints.settings import SiteSettings

from .devices import BenchBoiler

VENDOR_BOILER = {"kind": "boiler", "points": [
    {"name": "temperature_c", "address": 100, "type": "int16", "scale": 0.1},
    {"name": "setpoint_c", "address": 101, "type": "int16", "scale": 0.1, "access": "rw"},
    {"name": "heater_on", "address": 102, "type": "uint16", "access": "rw"},
    {"name": "power_w", "address": 103, "type": "uint32"}]}


async def test_a_boiler_module_with_its_own_map_reads_its_device(serve, fake_time, monkeypatch, tmp_path):
    path = tmp_path / "vendor_boiler.json"
    path.write_text(json.dumps(VENDOR_BOILER))
    server = await serve(GenericBoilerSimulator(BenchBoiler(temperature_c=51.5), load_boiler_map(path), now=fake_time))
    for name, value in {"EE_HARDWARE": "modbus", "EE_TRANSPORT": "mqtt", "EE_MODBUS_MAP_FILE": str(path),
                        "EE_MODBUS_PORT": str(server.port)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EE_SITE_FILE", raising=False)
    service = module_service(site_container(SiteSettings()), "boiler")  # before: RegisterMapError from the solar driver
    assert service.hardware.map.by_name["temperature_c"].address == 100
    assert (await service.hardware.read()).temperature_c == pytest.approx(51.5)
    await service.hardware.close()
