"""A lowered `max_setpoint_ttl_s` bounds the lease already running, not only the next one (fail-safe).

Found by the red team: the twin's `max_setpoint_ttl_s` was checked only when a method asked for a lease.
An operator who lowered it (say from 300 s to 1 s, to tighten the fail-safe while the controller misbehaved)
left the lease granted before in force to its old end: up to an hour more of charging with the controller
gone. Now a document that lowers it ends the running lease at most that long after it was granted.
"""

from __future__ import annotations

import asyncio
import time


async def test_lowering_max_setpoint_ttl_s_shortens_the_running_lease(site):
    granted = time.time()
    answer = await site.call("battery", "start_charging", {"power_w": 2_000, "ttl_s": 300})
    assert answer.status == 200 and site.battery.lease.expires_at >= granted + 300
    await site.harness.set_desired("battery", {"max_setpoint_ttl_s": 1, "default_setpoint_ttl_s": 0.5})
    reported = await site.reported_when("battery", lambda r: r.get("max_setpoint_ttl_s", {}).get("ac") == 200)
    assert reported["default_setpoint_ttl_s"]["ac"] == 200
    assert site.battery.lease.expires_at is None or site.battery.lease.expires_at <= time.time() + 1
    await asyncio.sleep(max(0.0, site.battery.lease.expires_at - time.time()) + 0.05)
    await site.battery_service.run_cycle()  # the module's next cycle after that second
    assert str(site.battery.state) == "IDLE" and site.battery.last_event == "setpoint lease expired: back to IDLE"
