"""Simulator physics: sun, PV, battery, boiler, load and the site balance."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import (
    HotWaterDraw, LoadProfile, SimulatedBattery, SimulatedBoiler, SimulatedPV, SimulatedSite, TelemetryBalanceMeter)
from energy_edge.adapters.hardware.simulated.series import SeededAR1
from energy_edge.domain.planning.solar_geometry import clear_sky_ghi_w_m2, solar_elevation_deg
from energy_edge.domain.errors import HardwareFault
from energy_edge.domain.hardware import BatterySetpoint, BoilerSetpoint, SolarSetpoint


def utc(*args) -> float:
    return datetime(*args, tzinfo=timezone.utc).timestamp()


NOON_JUNE = utc(2026, 6, 21, 12, 0)


@pytest.mark.parametrize("lat, lon, when, expected", [
    (52.37, 4.90, (2026, 6, 21, 11, 40), 61.1),  # Amsterdam, summer solstice, solar noon (NOAA: 61.1)
    (52.37, 4.90, (2026, 12, 21, 11, 40), 14.2),  # winter solstice
    (0.0, 0.0, (2026, 3, 20, 12, 7), 89.6),  # equator at the equinox: the sun is overhead
    (52.37, 4.90, (2024, 6, 21, 0, 0), -14.0),  # night (leap year)
])
def test_solar_elevation_matches_noaa(lat, lon, when, expected):
    assert solar_elevation_deg(lat, lon, utc(*when)) == pytest.approx(expected, abs=0.6)


def test_clear_sky_irradiance():
    assert clear_sky_ghi_w_m2(-5.0) == 0.0
    assert clear_sky_ghi_w_m2(90.0) == pytest.approx(1098 * math.exp(-0.059), rel=1e-6)
    assert clear_sky_ghi_w_m2(10.0) < clear_sky_ghi_w_m2(30.0) < clear_sky_ghi_w_m2(60.0)


def test_seeded_series_depends_only_on_seed_and_time():
    a, b = SeededAR1(7, 0.0, 60.0, 0.9, 0.1), SeededAR1(7, 0.0, 60.0, 0.9, 0.1)
    values_a = [a.value(t) for t in range(0, 3600, 30)]
    values_b = [b.value(t) for t in range(0, 3600, 300)]
    assert values_a[::10] == values_b
    assert a.value(0.0) == values_a[-1]  # the past is not replayed
    assert SeededAR1(8, 0.0, 60.0, 0.9, 0.1).value(3000) != values_a[100]
    lazy = SeededAR1(7, None, 60.0, 0.9, 0.1)
    assert lazy.value(1e9) == SeededAR1(7, 1e9, 60.0, 0.9, 0.1).value(1e9)  # anchored at the first time asked
    with pytest.raises(ValueError):
        SeededAR1(1, 0.0, 60.0, 1.0, 0.1)
    with pytest.raises(ValueError):
        SeededAR1(1, 0.0, 0.0, 0.5, 0.1)


async def test_pv_follows_the_sun_and_the_limit():
    clock = ManualClock(NOON_JUNE)
    pv = SimulatedPV(clock, rated_power_w=5000.0, seed=1)
    assert (await pv.read()).power_w == 0.0  # disabled until told otherwise
    available = (await pv.read()).available_power_w
    assert 0 < available <= 5000.0
    await pv.apply(SolarSetpoint(enabled=True, limit_w=1000.0))
    assert (await pv.read()).power_w == min(1000.0, available)
    clock.advance(12 * 3600)  # midnight
    assert (await pv.read()).available_power_w == 0.0


async def test_pv_is_deterministic_for_a_seed():
    async def day(seed: int) -> list[float]:
        clock = ManualClock(utc(2026, 6, 21, 4, 0))
        pv = SimulatedPV(clock, seed=seed)
        out = []
        for _ in range(100):
            clock.advance(600)
            out.append((await pv.read()).available_power_w)
        return out
    assert await day(3) == await day(3)
    assert await day(3) != await day(4)


async def test_battery_integrates_soc_with_one_way_losses():
    clock = ManualClock(0.0)
    battery = SimulatedBattery(clock, capacity_wh=10_000.0, round_trip_efficiency=0.81, initial_soc=0.5)
    await battery.apply(BatterySetpoint(-2000.0))
    clock.advance(3600)
    m = await battery.read()
    assert m.power_w == -2000.0 and m.soc == pytest.approx(0.5 + 2000 * 0.9 / 10_000)
    await battery.apply(BatterySetpoint(1000.0))
    clock.advance(3600)
    assert (await battery.read()).soc == pytest.approx(0.68 - 1000 / 0.9 / 10_000)


async def test_battery_stops_physically_at_full_and_empty_and_clips_to_its_inverter():
    clock = ManualClock(0.0)
    battery = SimulatedBattery(clock, capacity_wh=1000.0, max_charge_w=500.0, initial_soc=0.9)
    await battery.apply(BatterySetpoint(-9000.0))
    assert battery.power_w() == -500.0
    clock.advance(3 * 3600)
    assert await battery.read() == type(await battery.read())(power_w=0.0, soc=1.0)
    await battery.apply(BatterySetpoint(5000.0))
    clock.advance(10 * 3600)
    m = await battery.read()
    assert (m.power_w, m.soc) == (0.0, 0.0)


@pytest.mark.parametrize("kwargs", [{"round_trip_efficiency": 0.0}, {"initial_soc": 1.5}])
def test_battery_refuses_impossible_parameters(kwargs):
    with pytest.raises(ValueError):
        SimulatedBattery(ManualClock(), **kwargs)


async def test_boiler_heats_to_the_written_setpoint_and_cools_towards_ambient():
    clock = ManualClock(utc(2026, 6, 21, 0, 0))  # no draws at midnight
    boiler = SimulatedBoiler(clock, initial_temperature_c=50.0)
    await boiler.apply(BoilerSetpoint(heater_on=True, setpoint_c=60.0))
    clock.advance(600)
    m = await boiler.read()
    assert m.power_w == -3000.0
    assert m.temperature_c == pytest.approx(50 + 3000 * 600 / (200 * 4186), abs=0.05)
    clock.advance(3 * 3600)
    m = await boiler.read()
    assert (m.temperature_c, m.power_w) == (60.0, 0.0)  # the device's own thermostat holds it
    await boiler.apply(BoilerSetpoint(heater_on=False, setpoint_c=60.0))
    clock.advance(3600)
    assert 59.0 < (await boiler.read()).temperature_c < 60.0


async def test_boiler_hard_cutoff_and_hot_water_draws():
    clock = ManualClock(utc(2026, 6, 21, 7, 0))
    boiler = SimulatedBoiler(clock, initial_temperature_c=80.0, cutoff_c=82.0,
                             draw=HotWaterDraw({7: 200.0}, cold_water_c=10.0))
    await boiler.apply(BoilerSetpoint(heater_on=True, setpoint_c=95.0))
    clock.advance(60)
    assert (await boiler.read()).temperature_c <= 82.0
    await boiler.apply(BoilerSetpoint(heater_on=False, setpoint_c=95.0))
    before = boiler.temperature_c
    clock.advance(1800)
    assert (await boiler.read()).temperature_c < before - 10  # 100 L of cold water came in


def test_load_profile_is_seeded_with_an_evening_peak():
    load = LoadProfile(seed=5)
    evening, night = utc(2026, 6, 21, 19, 0), utc(2026, 6, 21, 3, 0)
    assert load.mean_w(evening) > 3 * load.mean_w(night)
    assert load.power_w(evening) == LoadProfile(seed=5).power_w(evening)
    assert load.mean_w(utc(2026, 6, 21, 0, 30)) == pytest.approx(
        LoadProfile(utc_offset_s=3600).mean_w(utc(2026, 6, 20, 23, 30)))
    assert all(load.power_w(t) >= 0 for t in range(0, 86400, 600))


@pytest.mark.parametrize("sim", ["pv", "battery", "boiler"])
async def test_injected_faults_raise_hardware_fault_until_healed(sim):
    site = SimulatedSite(ManualClock(NOON_JUNE))
    device = getattr(site, sim)
    device.inject_fault("bus timeout")
    with pytest.raises(HardwareFault, match="bus timeout"):
        await device.read()
    with pytest.raises(HardwareFault):
        await device.apply(None)
    device.inject_fault(None)
    await device.read()


async def test_site_grid_is_load_minus_asset_powers():
    clock = ManualClock(NOON_JUNE)
    site = SimulatedSite(clock, seed=2)
    await site.pv.apply(SolarSetpoint(True, 5000.0))
    await site.battery.apply(BatterySetpoint(-1500.0))
    await site.boiler.apply(BoilerSetpoint(True, 70.0))
    clock.advance(60)
    pv, battery, boiler = site.asset_powers_w()
    assert pv > 0 and battery == -1500.0 and boiler == -3000.0
    grid = await site.grid_meter.read_grid_power_w()
    assert grid == pytest.approx(site.load.power_w(clock.now()) - pv + 1500.0 + 3000.0)
    meter = TelemetryBalanceMeter(site.load, clock, lambda: [pv, battery, boiler])
    assert await meter.read_grid_power_w() == pytest.approx(grid)


def test_site_builds_its_defaults_for_the_place_and_time_zone():
    site = SimulatedSite(ManualClock(NOON_JUNE), seed=4, latitude_deg=-33.9, longitude_deg=18.4, utc_offset_s=7200)
    assert (site.pv.latitude_deg, site.pv.longitude_deg) == (-33.9, 18.4)
    assert site.load.utc_offset_s == 7200 and site.boiler.draw.utc_offset_s == 7200
