"""A wall clock that steps back neither stalls a module nor stretches a setpoint lease (fail-safe).

Found by the red team: modules run on the device's wall clock (`RealClock`, time.time()), which an NTP
correction or an RTC reset may step back. The cycle scheduler then slept until the next slot on the new
time, the whole step long: an hour's step back and the battery module neither read its hardware, nor
checked its SoC band, nor published for an hour, with its last setpoint in force. And a lease granted
before the step ran until its end on the new time: the step plus its `ttl_s`, with the controller gone.
Now no wait is longer than a cycle (the next one runs a period from now), and a lease the clock stepped
back past ends at once, noted in the asset's `last_event`.

The controller, on the same clock, kept the last report of each module from before the step and refused
every later one as older (`supersedes`), for the whole step: the meter read stale, control was suspended
and the site's import limit went unguarded for an hour. A report stamped ahead of the receiver's clock
(beyond the skew a new one may have) is now replaced by the next report.
"""

from __future__ import annotations

import asyncio
import time

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery
from energy_edge.domain.hardware import BatteryMeasurement, BatterySetpoint
from energy_edge.domain.method_access import OPERATOR
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.topology import DEFAULT_ROUTES

from ..domain.controller.test_meter_failsafe import cycle, metered_site
from ..helpers import eventually

STEP_BACK_S = 3600.0


class WallClock:
    """A device's wall clock: real time plus an offset that an NTP correction steps."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class Battery50:
    """A battery at 50 % that does what it is told; counts its reads."""

    def __init__(self) -> None:
        self.reads = 0
        self.applied = BatterySetpoint(0.0)

    async def read(self) -> BatteryMeasurement:
        self.reads += 1
        return BatteryMeasurement(self.applied.power_w, 0.5)

    async def apply(self, setpoint: BatterySetpoint) -> None:
        self.applied = setpoint


async def test_a_clock_stepped_back_an_hour_ends_the_lease_and_the_module_keeps_cycling():
    hub, clock, hardware = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES)), WallClock(), Battery50()
    service = AssetModuleService(hub.client("battery"), hardware, Battery(), clock, cycle_s=0.05)
    operator = hub.client(OPERATOR)
    await service.start()
    await operator.connect()
    runner = asyncio.create_task(service.run())
    try:
        answer = await operator.invoke_method("battery", "start_charging", {"power_w": 4000, "ttl_s": 60}, 1.0)
        assert answer.status == 200 and hardware.applied.power_w == -4000.0
        await eventually(lambda: hardware.reads >= 3)
        clock.offset = -STEP_BACK_S  # NTP steps the wall clock back an hour
        reads = hardware.reads
        await eventually(lambda: hardware.reads >= reads + 3, timeout_s=2.0)  # still cycling, not asleep an hour
        assert str(service.asset.state) == "IDLE" and hardware.applied.power_w == 0.0
        assert service.asset.lease.expires_at is None
        assert "clock stepped back" in service.asset.last_event, service.asset.last_event
        assert service._scheduler.clock_steps_total == 1
    finally:
        await service.stop()
        await asyncio.wait_for(runner, 2.0)


async def test_the_controller_keeps_balancing_on_the_meter_after_the_clock_stepped_back():
    site = await metered_site()
    await cycle(site, 2_000.0)
    assert site.calls()["battery"] == [("start_discharging", {"power_w": 2_000.0, "ttl_s": 10.0})]
    site.clock.t -= STEP_BACK_S
    for _ in range(4):  # past the 3 silent cycles that would suspend control
        await cycle(site, 2_500.0)
    assert site.controller.suspended_reason is None, site.controller.suspended_reason
    assert site.calls()["battery"], "no setpoint after the step: the meter's new readings were refused as late"
