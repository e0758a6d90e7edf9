"""Grid meters on real pymodbus servers: every shipped profile read, bounded, and faulted on hostile registers."""

from __future__ import annotations

import math

import pytest

from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.meter_limits import MeterLimits
from energy_edge.adapters.hardware.modbus.meter_simulator import (
    ConnectionPoint,
    GenericMeterSimulator,
    SunSpecMeterSimulator,
    simulated_meter,
)
from energy_edge.adapters.hardware.modbus.profiles import PROFILES, available_profiles, load_profile_map
from energy_edge.domain.errors import HardwareFault
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_hardware, build_meter_hardware

from .conftest import connection

FAST = ModbusSettings(timeout_s=0.3, retries=0, failures_before_fault=1)


def limits(fake_time) -> MeterLimits:
    """25 A x 230 V x 1.5 = 8625 W per phase; counters judged on the test's clock."""
    return MeterLimits(main_fuse_a=25.0, phases=3, monotonic=fake_time)


class Grid:
    """The connection point's power, settable by the test."""

    def __init__(self, power_w: float = 2400.0) -> None:
        self.power_w = power_w

    def __call__(self) -> float:
        return self.power_w


async def start_meter(serve, table, fake_time, profile, *, grid=None, model_id=203, phases=3):
    grid = grid or Grid()
    source = ConnectionPoint(grid, fake_time, phases=phases)
    device = simulated_meter(source, profile, table, now=fake_time, model_id=model_id)
    server = await serve(device)
    meter = build_meter_hardware("127.0.0.1", server.port, 1, profile, limits=limits(fake_time), settings=FAST)
    return device, meter, grid


def test_every_meter_profile_is_listed_for_the_site_file():
    assert available_profiles("meter") == ("em24", "sdm630", "sunspec")
    assert PROFILES["sunspec"] == ("solar", "battery", "meter") and PROFILES["boiler_generic"] == ("boiler",)
    assert available_profiles("boiler") == ("boiler_generic",)


@pytest.mark.parametrize("profile", available_profiles("meter"))
async def test_each_shipped_meter_reads_the_connection_point_in_site_units(serve, table, fake_time, profile):
    device, meter, grid = await start_meter(serve, table, fake_time, profile)
    first = await meter.read()
    assert first.power_w == pytest.approx(2400.0, abs=10)
    assert [first.power_l1_w, first.power_l2_w, first.power_l3_w] == [pytest.approx(800.0, abs=10)] * 3
    assert [first.voltage_l1_v, first.voltage_l2_v, first.voltage_l3_v] == [pytest.approx(230.0, abs=0.1)] * 3
    assert first.frequency_hz == pytest.approx(50.0, abs=0.01)
    grid.power_w = -3000.0  # exporting: negative, the site convention
    fake_time.t += 3600  # an hour of 2400 W import was counted
    second = await meter.read()
    assert second.power_w == pytest.approx(-3000.0, abs=10)
    assert second.import_energy_wh - first.import_energy_wh == pytest.approx(2400.0, abs=100)
    assert second.export_energy_wh == pytest.approx(first.export_energy_wh, abs=100)
    await meter.close()


@pytest.mark.parametrize(("model_id", "phases"), [(201, 1), (202, 2), (203, 3), (204, 3)])
async def test_sunspec_meter_models_201_to_204_are_found_by_discovery(serve, table, fake_time, model_id, phases):
    _, meter, _ = await start_meter(serve, table, fake_time, "sunspec", model_id=model_id, phases=phases)
    reading = await meter.read()
    assert reading.power_w == pytest.approx(2400.0, abs=10)
    present = [value for value in (reading.voltage_l1_v, reading.voltage_l2_v, reading.voltage_l3_v) if value is not None]
    assert len(present) == phases
    assert meter.device.layout.first_of(model_id) is not None
    await meter.close()


async def test_a_meter_that_counts_export_positive_is_turned_round(serve, table, fake_time):
    device = simulated_meter(ConnectionPoint(Grid(1500.0), fake_time), "sunspec", table, now=fake_time)
    server = await serve(device)
    meter = build_meter_hardware("127.0.0.1", server.port, 1, "sunspec", limits=limits(fake_time), settings=FAST, import_positive=False)
    assert (await meter.read()).power_w == pytest.approx(-1500.0, abs=10)
    await meter.close()


async def test_the_factory_builds_a_meter_of_any_kind_loop(serve, table, fake_time):
    _, meter, _ = await start_meter(serve, table, fake_time, "sdm630")
    port = meter.connection.options.port
    same = build_hardware("meter", "127.0.0.1", port, 1, "sdm630", settings=FAST, limits=limits(fake_time))
    assert (await same.read()).power_w == pytest.approx(2400.0)
    await same.close()
    await meter.close()


async def test_a_meter_refuses_writes(serve, table, fake_time):
    device, meter, _ = await start_meter(serve, table, fake_time, "em24")
    with pytest.raises(HardwareFault, match="Modbus exception 1"):
        await connection(meter.connection.options.port).write(40, [0, 0])
    await meter.close()


SDM_NAN = encode(None, "float32")
HOSTILE = [
    # profile, point (map name or SunSpec point), registers, reason
    ("sunspec", "W", [0x8000], r"SunSpec model 203 W not implemented"),
    ("sunspec", "W_SF", encode(-11, "sunssf"), r"SunSpec model 203 W_SF: scale factor -11 outside -3..4"),
    ("sunspec", "W_SF", encode(0x7FFF, "sunssf"), r"SunSpec model 203 W_SF: scale factor 32767 outside -3..4"),
    ("sunspec", "Hz", [0x8000], r"SunSpec model 203 Hz not implemented"),
    ("sunspec", "TotWh_SF", encode(9, "sunssf"), r"SunSpec model 203 TotWh_SF: scale factor 9 outside -3..5"),
    ("sunspec", "W", encode(32000, "int16"), r"meter sunspec power_w 320000 W outside the physical range -25875..25875 W"),
    ("sunspec", "Hz", encode(0, "int16"), r"meter sunspec frequency_hz 0 Hz outside the physical range 45..65 Hz"),
    ("sdm630", "power_w", SDM_NAN, r"meter sdm630 power_w not implemented by the device \(no reading: registers \[0x7FC0, 0x0000\]\)"),
    ("sdm630", "power_w", encode(float("inf"), "float32"), r"meter sdm630 power_w: registers \[0x7F80, 0x0000\] read inf"),
    ("sdm630", "power_l2_w", encode(6000.0, "float32"), r"meter sdm630 phase powers add up to 7600 W but power_w reads 2400 W"),
    ("sdm630", "voltage_l1_v", encode(-230.0, "float32"), r"meter sdm630 voltage_l1_v -230 V outside the physical range 0..500 V"),
    ("sdm630", "import_energy_wh", encode(-5.0, "float32"), r"meter sdm630 import_energy_wh -5000 Wh is negative"),
    ("em24", "power_w", encode(-0x80000000, "int32", word_order="little"), r"meter em24 power_w not implemented"),
    ("em24", "frequency_hz", [0xFFFF], r"meter em24 frequency_hz not implemented"),
    ("em24", "power_w", encode(0x7FFFFFFF, "int32", word_order="little"), r"meter em24 power_w 214748364.7 W outside the physical range -25875..25875 W"),
]


@pytest.mark.parametrize(("profile", "point", "words", "reason"), HOSTILE)
async def test_hostile_meter_registers_are_a_fault_never_a_reading(serve, table, fake_time, profile, point, words, reason):
    device, meter, _ = await start_meter(serve, table, fake_time, profile)
    device.force(device.address_of(point), words)
    with pytest.raises(HardwareFault, match=reason):
        await meter.read()
    await meter.close()


@pytest.mark.parametrize(
    ("profile", "counter", "garbage", "reason"),
    [
        ("sdm630", "import_energy_wh", lambda wh: encode(wh / 1000 - 10, "float32"), r"import_energy_wh went back from"),
        ("em24", "export_energy_wh", lambda wh: encode(round(wh / 100) + 50_000, "int32", word_order="little"),
         r"export_energy_wh moved from .* Wh in 1 s; at most"),
    ],
)
async def test_an_energy_counter_that_goes_back_or_jumps_is_a_fault(serve, table, fake_time, profile, counter, garbage, reason):
    device, meter, _ = await start_meter(serve, table, fake_time, profile)
    reading = await meter.read()
    fake_time.t += 1
    device.force(device.address_of(counter), garbage(getattr(reading, counter)))
    with pytest.raises(HardwareFault, match=rf"meter {profile} {reason}"):
        await meter.read()
    await meter.close()


def test_the_shipped_meter_maps_are_the_documented_addresses():
    sdm = load_profile_map("sdm630", "meter")
    assert (sdm.table, sdm.word_order) == ("input", "big")
    assert {p.name: p.address for p in sdm.points} == {
        "voltage_l1_v": 0x00, "voltage_l2_v": 0x02, "voltage_l3_v": 0x04, "power_l1_w": 0x0C, "power_l2_w": 0x0E,
        "power_l3_w": 0x10, "power_w": 0x34, "frequency_hz": 0x46, "import_energy_wh": 0x48, "export_energy_wh": 0x4A}
    em24 = load_profile_map("em24", "meter")
    assert (em24.table, em24.word_order) == ("holding", "little")
    assert em24.by_name["power_w"].address == 0x28 and math.isclose(em24.by_name["power_w"].scale, 0.1)
    assert em24.by_name["import_energy_wh"].address == 0x3E and em24.by_name["export_energy_wh"].address == 0x5C


def test_an_unknown_profile_is_refused_naming_the_allowed_ones():
    from energy_edge.adapters.hardware.modbus.register_map import RegisterMapError

    with pytest.raises(RegisterMapError, match=r"no register map 'sdm120' for a meter; the maps for a meter are \['em24', 'sdm630'\]"):
        build_meter_hardware("127.0.0.1", 502, 1, "sdm120")
    with pytest.raises(RegisterMapError, match=r"a solar speaks SunSpec: profile 'em24' is not one of \['sunspec'\]"):
        build_hardware("solar", "127.0.0.1", 502, 1, "em24")


def test_generic_and_sunspec_simulators_are_what_the_profiles_build(table, fake_time):
    source = ConnectionPoint(Grid(), fake_time)
    assert isinstance(simulated_meter(source, "sunspec", table), SunSpecMeterSimulator)
    assert isinstance(simulated_meter(source, "em24", table), GenericMeterSimulator)
