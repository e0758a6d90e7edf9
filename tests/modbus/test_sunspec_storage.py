"""SunSpec storage: SoC (802 or 124), power, StorCtl_Mod / InWRte / OutWRte with the revert timeout."""

from __future__ import annotations

import pytest

from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.register_map import SunSpecModelTable
from energy_edge.adapters.hardware.modbus.server import SunSpecStorageSimulator
from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BatteryMeasurement, BatterySetpoint

from .conftest import sunspec
from .devices import BenchBattery

WITHOUT_802 = (1, 103, 120, 124)


def storage(table, fake_time, battery, models=None):
    extra = {"model_ids": models} if models else {}
    return SunSpecStorageSimulator(battery, table, max_rate_w=5000.0, capacity_wh=10_000.0, now=fake_time, **extra)


@pytest.mark.parametrize("models", [None, WITHOUT_802])
async def test_soc_and_power_arrive_in_site_units(serve, table, fake_time, models):
    battery = BenchBattery(soc=0.637, power_w=0.0)
    server = await serve(storage(table, fake_time, battery, models))
    driver = ModbusBattery(sunspec(server.port, table))
    battery.power_w = -2200.0
    assert await driver.read() == BatteryMeasurement(power_w=-2200.0, soc=pytest.approx(0.637))
    await driver.close()


async def test_soc_comes_from_model_802_where_present(serve, table, fake_time):
    simulator = storage(table, fake_time, BenchBattery(soc=0.5))
    server = await serve(simulator)
    simulator.force(simulator.address_of(802, "SoC"), encode(812, "uint16"))  # 81.2 % with SoC_SF -1
    simulator.force(simulator.address_of(124, "ChaState"), encode(100, "uint16"))
    driver = ModbusBattery(sunspec(server.port, table))
    assert (await driver.read()).soc == pytest.approx(0.812)
    await driver.close()


@pytest.mark.parametrize(
    ("setpoint_w", "mode", "in_pct", "out_pct"),
    [(-3000.0, 1, 60.0, 0.0), (1250.0, 2, 0.0, 25.0), (0.0, 3, 0.0, 0.0), (-9000.0, 1, 100.0, 0.0)],
)
async def test_setpoints_write_mode_rates_and_the_revert_timeout(serve, table, fake_time, setpoint_w, mode, in_pct, out_pct):
    battery = BenchBattery()
    server = await serve(storage(table, fake_time, battery))
    driver = ModbusBattery(sunspec(server.port, table), DriverOptions(revert_timeout_s=90))
    await driver.apply(BatterySetpoint(power_w=setpoint_w))
    values = await driver.device.read_model(driver.device.layout.blocks[124])
    assert values["InOutWRte_RvrtTms"] == 90
    assert values["StorCtl_Mod"] == mode
    assert values["InWRte"] == pytest.approx(in_pct) and values["OutWRte"] == pytest.approx(out_pct)
    assert battery.power_w == pytest.approx(max(-5000.0, setpoint_w))
    await driver.close()


async def test_a_storage_system_not_refreshed_goes_idle_by_itself(serve, table, fake_time):
    battery = BenchBattery()
    simulator = storage(table, fake_time, battery)
    server = await serve(simulator)
    driver = ModbusBattery(sunspec(server.port, table), DriverOptions(revert_timeout_s=20))
    await driver.apply(BatterySetpoint(power_w=2000.0))
    assert (await driver.read()).power_w == 2000.0
    fake_time.t += 21
    await simulator.tick()
    assert (await driver.read()).power_w == 0.0
    assert (await driver.device.read_model(driver.device.layout.blocks[124]))["StorCtl_Mod"] == 0
    await driver.close()


@pytest.mark.parametrize(
    ("model_id", "point", "raw", "reason"),
    [
        (802, "SoC", encode(1500, "uint16"), r"battery state of charge 150 % outside the physical range 0..100 %"),
        (802, "SoC", [0xFFFF], r"model 802 SoC not implemented"),
        (103, "W", encode(30000, "int16"), r"battery power of a 5000 W device: 30000 W outside the physical range -5500..5500 W"),
    ],
)
async def test_impossible_battery_readings_are_faults(serve, table, fake_time, model_id, point, raw, reason):
    simulator = storage(table, fake_time, BenchBattery())
    server = await serve(simulator)
    simulator.force(simulator.address_of(model_id, point), raw)
    driver = ModbusBattery(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=reason):
        await driver.read()
    await driver.close()


async def test_a_negative_soc_is_a_fault(serve, table, fake_time):
    """A device whose map declares SoC signed (maps are data) and reports -5 %."""
    document = table.model_dump()
    next(p for m in document["models"] if m["id"] == 802 for p in m["points"] if p["name"] == "SoC")["type"] = "int16"
    signed_table = SunSpecModelTable.model_validate(document)
    simulator = storage(signed_table, fake_time, BenchBattery())
    server = await serve(simulator)
    simulator.force(simulator.address_of(802, "SoC"), encode(-50, "int16"))
    driver = ModbusBattery(sunspec(server.port, signed_table))
    with pytest.raises(HardwareFault, match=r"battery state of charge -5 % outside the physical range 0..100 %"):
        await driver.read()
    await driver.close()


async def test_a_storage_device_without_model_124_is_a_fault(serve, table, fake_time):
    from energy_edge.adapters.hardware.modbus.server import INVERTER_MODELS, SunSpecInverterSimulator

    from .devices import BenchPV

    server = await serve(SunSpecInverterSimulator(BenchPV(), table, rated_power_w=5000.0, model_ids=INVERTER_MODELS, now=fake_time))
    driver = ModbusBattery(sunspec(server.port, table))
    with pytest.raises(HardwareFault, match=r"has none of the models \[\(124,\)\]"):
        await driver.read()
    await driver.close()
