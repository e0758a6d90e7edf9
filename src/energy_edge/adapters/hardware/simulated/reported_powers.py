"""The other assets' powers as a simulated grid meter in its own process learns them: from their reports.

In one process the simulated meter reads the shared simulated site. On MQTT or IoT Edge each module
process has its own copy of the simulation, so the meter's copy never sees what the other assets do;
the routes (`domain.site.meter_hears_assets`) bring it their telemetry instead, keyed by the
transport's sender, never the body.
"""

from __future__ import annotations

from ....domain.errors import MalformedMessage
from ....domain.messages import Message
from ....domain.ports import Clock
from ....domain.telemetry import decode_asset_telemetry


class ReportedAssetPowers:
    """The latest reported power of each asset; a report older than `stale_after_s` no longer counts."""

    def __init__(self, clock: Clock, *, stale_after_s: float = 3.0) -> None:
        self.clock = clock
        self.stale_after_s = stale_after_s
        self._latest: dict[str, tuple[float, float]] = {}  # sender -> (power_w, received at)
        self.refused_total = 0

    async def on_telemetry(self, message: Message) -> None:
        try:
            telemetry = decode_asset_telemetry(message.body)
        except MalformedMessage:
            self.refused_total += 1
            return
        if message.source_module is None or telemetry.module != message.source_module:
            self.refused_total += 1  # a body that disagrees with its sender is not that asset's power
            return
        self._latest[message.source_module] = (telemetry.power_w, self.clock.now())

    def powers(self) -> list[float]:
        now = self.clock.now()
        return [power for power, at in self._latest.values() if now - at <= self.stale_after_s]
