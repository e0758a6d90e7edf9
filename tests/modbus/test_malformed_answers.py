"""A device that answers a read with fewer (or more) registers than asked: a fault naming it, never a traceback.

The device is a real pymodbus server whose answers are cut (or padded) on
their way out (`trace_pdu`), as a buggy firmware or gateway sends them. The
asset's cycle must go to FAULT with a reason naming the device and the
counts, try the safe setpoint and keep publishing telemetry; it must not
raise (before: an AssertionError from the codec took the cycle down, no
telemetry, no fault, no safe setpoint).
"""

from __future__ import annotations

import contextlib

import pytest
from pymodbus.server import ModbusTcpServer

from energy_edge.adapters.hardware.modbus.boiler import ModbusBoiler
from energy_edge.adapters.hardware.modbus.codec import decode
from energy_edge.adapters.hardware.modbus.server import GenericBoilerSimulator, SunSpecInverterSimulator
from energy_edge.adapters.hardware.modbus.solar import ModbusSolarInverter
from tests.helpers import free_port

from .conftest import connection, sunspec
from .devices import BenchBoiler, BenchPV
from .test_hostile_registers import module

CUT, PAD = "cut", "pad"


@contextlib.asynccontextmanager
async def misanswering(device, how: dict):
    """`device` served by a real pymodbus server whose register answers are cut or padded while `how["mode"]` says so."""

    def trace_pdu(sending: bool, pdu):  # noqa: ANN001, ANN202 - pymodbus's hook
        registers = getattr(pdu, "registers", None)
        if sending and registers and how.get("mode"):
            pdu.registers = registers[: len(registers) // 2] if how["mode"] == CUT else [*registers, 0, 0]
        return pdu

    await device.start()
    port = free_port()
    server = ModbusTcpServer(device.sim_device(1), address=("127.0.0.1", port), trace_pdu=trace_pdu)
    await server.serve_forever(background=True)
    try:
        yield port
    finally:
        await server.shutdown()


@pytest.mark.parametrize("mode", [CUT, PAD])
async def test_an_inverter_answering_the_wrong_number_of_registers_is_a_fault(table, fake_time, mode):
    how: dict = {}
    device = SunSpecInverterSimulator(BenchPV(available_w=3000.0), table, rated_power_w=10_000.0, now=fake_time)
    async with misanswering(device, how) as port:
        inverter = ModbusSolarInverter(sunspec(port, table))
        service, _ = await module("solar", inverter)
        assert (await service.run_cycle()).state != "FAULT"  # discovery and a good poll first
        how["mode"] = mode
        telemetry = await service.run_cycle()  # never raises
        assert telemetry.state == "FAULT", telemetry
        assert "answered" in telemetry.fault_reason and "registers to a read of" in telemetry.fault_reason, telemetry.fault_reason
        await inverter.close()


@pytest.mark.parametrize("mode", [CUT, PAD])
async def test_a_boiler_answering_the_wrong_number_of_registers_is_a_fault_and_does_not_heat(boiler_map, fake_time, mode):
    boiler = BenchBoiler(temperature_c=40.0)
    device = GenericBoilerSimulator(boiler, boiler_map, now=fake_time)
    how = {"mode": mode}
    async with misanswering(device, how) as port:
        hardware = ModbusBoiler(connection(port), boiler_map)
        service, _ = await module("boiler", hardware)
        telemetry = await service.run_cycle()
        assert telemetry.state == "FAULT", telemetry
        assert "registers to a read of 5 at 0" in telemetry.fault_reason, telemetry.fault_reason
        assert boiler.setpoint.heater_on is False  # the safe setpoint still reached the device (writes are not cut)
        await hardware.close()


@pytest.mark.parametrize(("words", "type_name"), [([], "int16"), ([1, 2], "int16"), ([1], "int32"), ([1, 2, 3], "float32")])
def test_registers_of_the_wrong_count_do_not_decode(words, type_name):
    with pytest.raises(ValueError, match=rf"{len(words)} registers where {type_name} has"):
        decode(words, type_name)
