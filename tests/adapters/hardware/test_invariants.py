"""Safety invariants over random command and time sequences, each asset in a loop with its simulator.

Whatever a controller sends (valid or not, in any order, with any timing):
the battery's SoC stays in its band (within one cycle of motion), the
boiler never exceeds max_temperature_c, and the PV never exceeds its rating
or its limit.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import SimulatedBattery, SimulatedBoiler, SimulatedPV
from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.errors import DomainError

START = 1_782_000_000.0  # 2026-06-21, early morning UTC: the sun rises during the runs
CYCLE_S = 10.0

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def steps(methods: list[str], field: str, low: float, high: float):
    """(method, {field: value, ttl_s?}, seconds until the next command) with values in and out of range."""
    payload = st.fixed_dictionaries({field: st.floats(low, high)},
                                    optional={"ttl_s": st.floats(1.0, 900.0)})
    return st.lists(st.tuples(st.sampled_from(methods), payload, st.integers(1, 90)), max_size=25)


async def drive(asset, hardware, clock, script, check) -> None:
    """Run the asset's loop every CYCLE_S, sending the scripted commands; check after every cycle."""
    for method, payload, cycles in script:
        try:
            asset.handle(method, payload, clock.now())
            await hardware.apply(asset.setpoint())
        except DomainError:
            pass
        for _ in range(cycles):
            clock.advance(CYCLE_S)
            measurement = await hardware.read()
            check(measurement)
            asset.observe(measurement, clock.now())
            await hardware.apply(asset.setpoint())


@SETTINGS
@given(steps(["start_charging", "start_discharging", "stop", "reset"], "power_w", -100.0, 6000.0),
       st.floats(0.15, 0.85))
def test_battery_soc_stays_in_band(script, initial_soc):
    clock = ManualClock(START)
    hardware = SimulatedBattery(clock, initial_soc=initial_soc)
    asset = Battery()
    slack = asset.config.max_charge_w * CYCLE_S / 3600 / hardware.capacity_wh  # one cycle of motion

    def check(m):
        assert asset.config.soc_min - slack <= m.soc <= asset.config.soc_max + slack

    asyncio.run(drive(asset, hardware, clock, script, check))


@SETTINGS
@given(steps(["start", "stop", "set_temperature", "reset"], "temperature_c", 0.0, 110.0),
       st.floats(10.0, 75.0))
def test_boiler_never_exceeds_max(script, initial_c):
    clock = ManualClock(START)
    hardware = SimulatedBoiler(clock, initial_temperature_c=initial_c, cutoff_c=95.0)
    asset = Boiler()

    def check(m):
        assert m.temperature_c <= asset.config.max_temperature_c

    asyncio.run(drive(asset, hardware, clock, script, check))


@SETTINGS
@given(steps(["start", "stop", "set_output", "reset"], "limit_w", -500.0, 7000.0), st.integers(0, 1000))
def test_solar_never_exceeds_rated_or_limit(script, seed):
    clock = ManualClock(START)
    hardware = SimulatedPV(clock, rated_power_w=5000.0, seed=seed)
    asset = Solar()

    def check(m):
        assert 0.0 <= m.power_w <= min(asset.config.rated_power_w, asset.limit_w) + 1e-9
        assert m.power_w <= m.available_power_w + 1e-9

    asyncio.run(drive(asset, hardware, clock, script, check))


@SETTINGS
@given(st.floats(0.0, 75.0), st.floats(1.0, 300.0), st.integers(1, 60))
def test_a_boiler_held_off_draws_nothing_until_its_lease_ends(initial_c, ttl_s, cycles):
    """However cold the tank (its thermostat would heat it), the heater stays off while `hold_off` is leased."""
    clock = ManualClock(START)
    hardware = SimulatedBoiler(clock, initial_temperature_c=initial_c, cutoff_c=95.0)
    asset = Boiler()
    asset.observe(asyncio.run(hardware.read()), clock.now())
    asset.handle("start", {}, clock.now())
    asset.handle("hold_off", {"ttl_s": ttl_s}, clock.now())
    ends = clock.now() + ttl_s

    def check(m):
        if clock.now() < ends:
            assert m.power_w == 0.0, "heating while held off"

    asyncio.run(drive(asset, hardware, clock, [("start", {}, cycles)], check))
