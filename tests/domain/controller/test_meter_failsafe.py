"""The controller balances on the grid meter's telemetry and never on a guess.

A meter silent for 3 cycles, or in FAULT, suspends control: no setpoint (not even a lease
refresh) goes out, the site report and its counters say so, one log line marks each
change; the first fresh reading resumes control and every asset is sent its setpoint afresh.
"""

from __future__ import annotations

import logging

from energy_edge.domain.balancing import Policy
from energy_edge.domain.topology import ASSET_KINDS, DEFAULT_ROUTES

from .fakes import Site, meter_telemetry

POLICY = Policy(setpoint_ttl_s=10.0, reporting_interval_s=1.0)


async def metered_site() -> Site:
    from .fakes import with_meter_routes

    return await Site(POLICY, routes=with_meter_routes(DEFAULT_ROUTES), meter=None,
                      asset_kinds={**ASSET_KINDS, "meter": "meter"}).start("battery", "meter")


async def cycle(site: Site, meter_w: float | None, **meter: object) -> None:
    """One cycle: the assets report; the meter reports `meter_w` unless None (silent)."""
    if meter_w is not None:
        meter.setdefault("timestamp", site.clock.now())
        await site.assets["meter"].publish(meter_telemetry(power_w=meter_w, **meter))
    await site.cycle()


async def test_the_controller_balances_on_the_meters_telemetry_once_per_reading() -> None:
    site = await metered_site()
    await cycle(site, 2_000.0)
    assert site.calls()["battery"] == [("start_discharging", {"power_w": 2_000.0, "ttl_s": 10.0})]
    decided = site.controller.last_decision
    await cycle(site, None)  # no new reading: hold, no second correction on the same measurement
    assert site.controller.last_decision is decided and site.calls()["battery"] == []
    assert site.reports()[-1]["control_suspended"] is False


async def test_a_stale_meter_suspends_control_and_lets_every_lease_run_out(caplog) -> None:
    site = await metered_site()
    await cycle(site, 2_000.0)
    site.calls()
    with caplog.at_level(logging.WARNING):
        for _ in range(12):  # longer than the lease: a live controller would have refreshed it
            await cycle(site, None)
    assert site.calls()["battery"] == [], "a setpoint went out without a meter reading"
    report = site.reports()[-1]
    assert report["control_suspended"] is True and "stale" in report["control_suspended_reason"]
    assert report["counters"]["meter_outages_total"] == 1 and report["counters"]["suspended_cycles_total"] >= 9
    assert caplog.text.count("control suspended") == 1, "one log line per transition"
    with caplog.at_level(logging.WARNING):
        await cycle(site, 1_500.0)
    assert site.calls()["battery"] == [("start_discharging", {"power_w": 1_500.0, "ttl_s": 10.0})]
    assert caplog.text.count("control resumed") == 1
    assert site.controller.suspended_reason is None


async def test_a_meter_in_fault_suspends_control_at_once_and_a_good_reading_resumes_it() -> None:
    site = await metered_site()
    await cycle(site, 2_000.0)
    site.calls()
    await cycle(site, 2_500.0, state="FAULT", fault_reason="communication lost")
    assert site.controller.suspended_reason == "grid meter meter in FAULT: communication lost"
    for _ in range(3):
        await cycle(site, 9_000.0, state="FAULT", fault_reason="communication lost")
    assert site.calls()["battery"] == []
    await cycle(site, 2_000.0)  # same setpoint as before the fault, but sent afresh: the lease may be gone
    assert site.calls()["battery"] == [("start_discharging", {"power_w": 2_000.0, "ttl_s": 10.0})]
    assert site.controller.meter_outages_total == 1


async def test_no_reading_yet_is_no_control() -> None:
    site = await metered_site()
    for _ in range(3):
        await cycle(site, None)
    assert site.calls()["battery"] == [] and site.controller.suspended_reason == "no grid meter reading yet (3 cycles)"


async def test_a_meter_that_raises_three_cycles_in_a_row_is_stale() -> None:
    site = await Site(POLICY, grid_power_w=2_000.0).start("battery")
    site.meter.error = OSError("no route to meter")
    for _ in range(2):
        await site.cycle()
    assert site.controller.suspended_reason is None and site.calls()["battery"] == []
    await site.cycle()
    assert "unreadable for 3 cycles" in (site.controller.suspended_reason or "")
    site.meter.error = None
    await site.cycle()
    assert site.controller.suspended_reason is None and len(site.calls()["battery"]) == 1


async def test_a_meter_report_under_its_predecessors_time_is_not_a_new_reading() -> None:
    """A meter module holding its last measurement over a missed poll reports it under its old time (higher seq)."""
    site = await metered_site()
    measured_at = site.clock.now()
    await cycle(site, 2_000.0)
    decided = site.controller.last_decision
    site.calls()
    await cycle(site, 2_000.0, timestamp=measured_at)  # the same measurement again, sent afresh
    assert site.controller.latest["meter"].seq == 2, "the report is kept (its state counts)"
    assert site.controller.last_decision is decided and site.calls()["battery"] == [], "balanced twice on one reading"
    await cycle(site, 1_500.0)  # a new measurement time: balanced on
    assert site.controller.last_decision is not decided
