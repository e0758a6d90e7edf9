"""The whole embedded site on the in-memory transport over simulated days (manual clock).

Real services, real balancing, simulated physics: the merit order, peak
shaving and the setpoint time-to-live fail-safe as a site operator sees them.
"""

from __future__ import annotations

import asyncio

import pytest

from .stepped_site import SteppedSite

STEP_S = 5.0
EXPORT_LIMIT_W = 1_000.0


@pytest.fixture(scope="module")
def sunny_day() -> SteppedSite:
    """Simulated once for the tests that read it."""

    async def simulate() -> SteppedSite:
        site = await SteppedSite.start(
            "2026-06-21T04:00:00", controller_policy={"export_limit_w": EXPORT_LIMIT_W},
            battery_capacity_wh=6_000.0, battery_initial_soc=0.3, base_load_w=400.0,
        )
        await site.run(11 * 3600, STEP_S)  # 04:00 .. 15:00 UTC at 52° N: sunrise to well past noon
        return site

    return asyncio.run(simulate())


def _first(samples, condition) -> float | None:
    return next((s.t for s in samples if condition(s)), None)


def test_surplus_charges_the_battery_then_heats_the_boiler_then_curtails(sunny_day):
    samples = sunny_day.samples
    charging = _first(samples, lambda s: s.battery_state == "CHARGING")
    boosted = _first(samples, lambda s: s.boiler_setpoint_c >= 75.0 and s.boiler_power_w < 0)
    curtailed = _first(samples, lambda s: s.solar_limit_w < s.pv_available_w - 200.0)
    assert charging is not None and boosted is not None and curtailed is not None, (charging, boosted, curtailed)
    assert charging < boosted and charging < curtailed
    heater_w = 6_000.0
    for s in samples:
        if s.solar_limit_w < s.pv_available_w - 200.0:
            # Curtailing only when the battery can take no more (full, or at its charge limit) and the
            # boiler can take no more: heating already, hot, or the surplus is short of its heater.
            assert s.soc >= 0.9 - 1e-3 or s.battery_power_w <= -0.95 * 8_000.0, s
            surplus_w = s.pv_available_w - s.load_w - EXPORT_LIMIT_W + s.battery_power_w
            assert s.boiler_power_w < 0 or s.boiler_temperature_c >= 70.0 or surplus_w < heater_w, s


def test_limits_hold_all_day(sunny_day):
    samples = sunny_day.samples
    assert all(0.1 - 1e-6 <= s.soc <= 0.95 + 1e-6 for s in samples)
    assert all(s.boiler_temperature_c <= 75.0 + 0.5 for s in samples)
    assert all(s.pv_power_w <= 15_000.0 + 1e-6 for s in samples)
    exports = [-s.grid_power_w for s in samples]
    assert max(exports) <= EXPORT_LIMIT_W + 500.0, max(exports)  # one-cycle transients as clouds pass
    held = sum(e <= EXPORT_LIMIT_W + 50.0 for e in exports) / len(exports)
    assert held >= 0.99, held


async def test_peak_shaving_holds_the_import_limit_while_the_battery_has_energy():
    site = await SteppedSite.start(
        "2026-01-15T16:00:00", controller_policy={"import_limit_w": 3_000.0},
        battery_initial_soc=0.9, base_load_w=2_500.0,
    )
    await site.run(4 * 3600, STEP_S)  # the evening peak at 19:00 local
    peaks = [s for s in site.samples if s.load_w - s.pv_power_w > 3_500.0]
    assert peaks, "the scenario must load the site above its import limit"
    for s in peaks:
        if s.soc > 0.12:
            assert s.grid_power_w <= 3_000.0 + 100.0, s
    assert any(s.battery_state == "DISCHARGING" for s in peaks)


async def test_assets_return_to_their_safe_state_when_the_controller_stops():
    site = await SteppedSite.start(
        "2026-06-21T10:00:00", controller_policy={"export_limit_w": EXPORT_LIMIT_W, "setpoint_ttl_s": 30.0},
        battery_initial_soc=0.5,
    )
    await site.run(600, STEP_S)
    before = site.samples[-1]
    assert before.battery_state == "CHARGING"
    assert before.solar_limit_w != 3_000.0 or before.boiler_setpoint_c != 55.0

    site.controller_alive = False  # fault injection: the controller dies, the assets keep cycling
    await site.run(10, STEP_S)  # the controller refreshes at half the TTL: >= 15 s of lease remain at its death
    assert site.samples[-1].battery_state == "CHARGING", "the lease must still hold before its TTL"
    await site.run(30, STEP_S)
    after = site.samples[-1]
    assert after.battery_state == "IDLE" and after.battery_power_w == 0.0
    assert after.solar_limit_w == 3_000.0  # the export-safe limit
    assert after.boiler_setpoint_c == 55.0  # back on its own thermostat


async def test_inline_calls_leave_no_timers_piling_up_in_the_event_loop() -> None:
    from energy_edge.entrypoints.manual_site import ManualClockSite

    site = await ManualClockSite.start("2026-06-21T10:00:00", controller_policy={"export_limit_w": 5_000.0})
    await site.run(1200, 1.0)
    assert site.container.controller().method_calls_total > 100  # the calls' timeouts were cancelled timers
    assert len(asyncio.get_running_loop()._scheduled) < 100  # dropped on the loop's turns, not kept for the day
