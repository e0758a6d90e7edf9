"""Modbus TCP settings from the environment (prefix EE_MODBUS_) and the hardware factory.

An asset module drives a real device by configuration alone:
`build_modbus_hardware(kind, ModbusSettings())` returns the AssetHardware
for "solar" (SunSpec inverter), "battery" (SunSpec storage) or "boiler"
(generic register map). The map file is loaded and validated here, at
start-up, so a malformed map stops the module with an error naming the entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..adapters.hardware.modbus.battery import ModbusBattery
from ..adapters.hardware.modbus.boiler import BoilerLimits, ModbusBoiler
from ..adapters.hardware.modbus.connection import ConnectionOptions, ModbusConnection
from ..adapters.hardware.modbus.register_map import (
    BOILER_MAP_FILE,
    SUNSPEC_MODELS_FILE,
    load_boiler_map,
    load_sunspec_models,
)
from ..adapters.hardware.modbus.server import DEFAULT_PORTS
from ..adapters.hardware.modbus.solar import ModbusSolarInverter
from ..adapters.hardware.modbus.sunspec import DEFAULT_BASE_ADDRESSES, SunSpecDevice
from ..adapters.hardware.modbus.sunspec_driver import DriverOptions

AssetKind = Literal["solar", "battery", "boiler"]
ModbusHardware = ModbusSolarInverter | ModbusBattery | ModbusBoiler


class ModbusSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EE_MODBUS_", extra="ignore", allow_inf_nan=False)

    host: str = Field("127.0.0.1", description="Device (or gateway) host name or address")
    port: int | None = Field(None, ge=1, le=65535,
                             description="TCP port; default: the site simulator's port of the kind (solar 1502, battery 1503, boiler 1504)")
    unit_id: int = Field(1, ge=0, le=255, description="Modbus unit (device) id")
    map_file: Path | None = Field(None, description="SunSpec model map (solar, battery) or boiler register map; default: the shipped one")
    timeout_s: float = Field(1.0, gt=0, description="Per-request timeout")
    retries: int = Field(2, ge=0, le=10, description="Extra attempts per request, with backoff")
    backoff_s: float = Field(0.05, ge=0, description="First pause between attempts (doubles each retry)")
    failures_before_fault: int = Field(3, ge=1, description="Failed polls in a row before FAULT 'communication lost'")
    poll_interval_s: float = Field(0.0, ge=0, description="Reuse a poll younger than this (0: poll on every read)")
    revert_timeout_s: int = Field(60, ge=1, le=65535, description="Device reverts to its safe state if not refreshed")
    sunspec_base_addresses: list[int] = Field(list(DEFAULT_BASE_ADDRESSES), description="Where to look for 'SunS'")
    word_order: Literal["big", "little"] = Field("big", description="SunSpec 32-bit word order (the boiler map has its own)")
    byte_order: Literal["big", "little"] = Field("big", description="SunSpec byte order (the boiler map has its own)")
    rated_power_w: float | None = Field(None, gt=0, description="Rating for a SunSpec device without nameplate model")
    heater_power_w: float = Field(6000.0, gt=0, description="Boiler heater rating: readings above 110 % are faults")
    min_temperature_c: float = Field(-20.0, description="Boiler readings below this are faults")
    max_temperature_c: float = Field(110.0, description="Boiler readings above this are faults")

    def connection_options(self, kind: AssetKind) -> ConnectionOptions:
        return ConnectionOptions(host=self.host, port=self.port or DEFAULT_PORTS[kind], unit_id=self.unit_id,
                                 timeout_s=self.timeout_s, retries=self.retries, backoff_s=self.backoff_s)


def build_modbus_hardware(kind: AssetKind, settings: ModbusSettings | None = None) -> ModbusHardware:
    """The Modbus driver of one asset kind; raises RegisterMapError for a malformed map file."""
    settings = settings or ModbusSettings()
    connection = ModbusConnection(settings.connection_options(kind))
    if kind == "boiler":
        limits = BoilerLimits(heater_power_w=settings.heater_power_w, min_temperature_c=settings.min_temperature_c,
                              max_temperature_c=settings.max_temperature_c, poll_interval_s=settings.poll_interval_s,
                              failures_before_fault=settings.failures_before_fault)
        return ModbusBoiler(connection, load_boiler_map(settings.map_file or BOILER_MAP_FILE), limits)
    device = SunSpecDevice(connection, load_sunspec_models(settings.map_file or SUNSPEC_MODELS_FILE),
                           base_addresses=tuple(settings.sunspec_base_addresses),
                           word_order=settings.word_order, byte_order=settings.byte_order)
    options = DriverOptions(revert_timeout_s=settings.revert_timeout_s, rated_power_w=settings.rated_power_w,
                            poll_interval_s=settings.poll_interval_s, failures_before_fault=settings.failures_before_fault)
    driver = {"solar": ModbusSolarInverter, "battery": ModbusBattery}[kind]
    return driver(device, options)
