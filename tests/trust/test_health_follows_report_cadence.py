"""/healthz allows the controller the report cadence it declares, so an accepted policy is not "stale".

Found by the red team after issue 11: `cycle_s` up to 60 s and `reporting_interval_s` up to a day
are accepted, but the telemetry module called the controller stale after a fixed 10 s of silence.
With `cycle_s=3` /healthz answered 503 a fifth of the time; with `reporting_interval_s=30` most of
the time (a container orchestrator restarts what it believes unhealthy). The controller now declares
`next_report_within_s` (its reporting interval plus one cycle) and /healthz adds it, bounded.
"""

from __future__ import annotations

import json
from typing import AsyncIterator

import pytest

from energy_edge.adapters.clocks import ManualClock, RealClock
from energy_edge.domain.balancing import Policy
from energy_edge.domain.messages import Message
from energy_edge.domain.services.controller_service import ControllerService
from energy_edge.domain.services.telemetry_service import MAX_CADENCE_S, TelemetryService
from energy_edge.domain.site import home_site

from ..contract.conftest import HARNESSES
from ..helpers import eventually, register_and_connect
from .conftest import FixedMeter


@pytest.fixture(params=["inmemory", "mqtt"])
async def harness(request) -> AsyncIterator[object]:
    made = await HARNESSES[request.param](home_site())
    try:
        yield made
    finally:
        await made.aclose()


async def test_a_controller_reporting_every_30_s_is_healthy_until_it_misses_its_report(harness):
    clock = ManualClock(1_000.0)
    telemetry = TelemetryService(harness.client("telemetry"), clock, expected_modules=("controller",), staleness_s=10.0)
    await telemetry.start()
    controller = ControllerService(harness.client("controller"), FixedMeter(0.0), RealClock(),
                                   Policy(plan_interval_s=0.0, reporting_interval_s=30.0, cycle_s=1.0))
    await controller.start()
    try:
        await controller.run_cycle()  # its first cycle reports the site
        await eventually(lambda: telemetry.view.site.get("next_report_within_s") == 31.0)
        clock.advance(35.0)  # silent for longer than the fixed 10 s, within what it declared
        assert telemetry.health().healthy, telemetry.health()
        clock.advance(10.0)  # 45 s: its report is overdue by more than the staleness allowance
        assert telemetry.health().stale == ["controller"]
    finally:
        await controller.stop()
        await telemetry.stop()


@pytest.mark.parametrize("declared", [1e300, -5, True, "30", None, MAX_CADENCE_S * 2])
async def test_an_absurd_declared_cadence_counts_as_none(harness, declared):
    clock = ManualClock(1_000.0)
    telemetry = TelemetryService(harness.client("telemetry"), clock, expected_modules=("controller",), staleness_s=10.0)
    await telemetry.start()
    controller = harness.client("controller")
    await register_and_connect(controller)
    try:
        await controller.send_message("cloud", Message(json.dumps({"next_report_within_s": declared}).encode()))
        await eventually(lambda: "controller" in telemetry.view.last_seen)
        clock.advance(11.0)
        assert telemetry.health().stale == ["controller"]
    finally:
        await controller.close()
        await telemetry.stop()


async def test_a_site_report_with_an_absurd_grid_power_adds_no_energy(harness):
    """Found with it: 1e308 W held for 30 s made the grid energy counters inf, for good."""
    telemetry = TelemetryService(harness.client("telemetry"), ManualClock(1_000.0), expected_modules=("controller",))
    await telemetry.start()
    controller = harness.client("controller")
    await register_and_connect(controller)
    try:
        for timestamp, grid_w in ((1_000.0, 1e308), (1_030.0, -1e308), (1_060.0, 2_000.0), (1_070.0, 0.0)):
            report = {"timestamp": timestamp, "grid_power_w": grid_w}
            await controller.send_message("cloud", Message(json.dumps(report).encode()))
            await eventually(lambda: telemetry.view.site.get("timestamp") == timestamp)
        assert (telemetry.view.grid_imported_j, telemetry.view.grid_exported_j) == (20_000.0, 0.0)
    finally:
        await controller.close()
        await telemetry.stop()
