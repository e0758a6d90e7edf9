"""The controller's grid meter on a real site: the meter module's telemetry.

`TelemetryGridMeter` implements the `GridMeter` port from the `meter` telemetry the
controller receives. It refuses to be read rather than guess: while the meter is in FAULT,
and once it has been silent (or has never spoken) for `stale_after_reads` controller cycles,
it raises `MeterUnavailable`; between a reading and the next it raises `NoNewReading`, so
the controller never balances twice on one measurement.
"""

from __future__ import annotations

from ..errors import MeterUnavailable, NoNewReading
from ..telemetry import AssetTelemetry

FAULT_STATE = "FAULT"


class TelemetryGridMeter:
    """A `GridMeter` fed by `observe(meter telemetry)`; each controller cycle reads it once."""

    def __init__(self, stale_after_reads: int = 3) -> None:
        self.stale_after_reads = stale_after_reads
        self.latest: AssetTelemetry | None = None
        self._fresh = False  # a reading arrived since the last read
        self._reads_without_reading = 0

    def observe(self, telemetry: AssetTelemetry) -> None:
        self.latest, self._fresh = telemetry, True

    async def read_grid_power_w(self) -> float:
        latest = self.latest
        if not self._fresh:
            self._reads_without_reading += 1
            if self._reads_without_reading >= self.stale_after_reads:
                if latest is None:
                    raise MeterUnavailable(f"no grid meter reading yet ({self._reads_without_reading} cycles)")
                raise MeterUnavailable(f"grid meter {latest.module} stale: no reading for "
                                       f"{self._reads_without_reading} cycles")
            raise NoNewReading()
        assert latest is not None
        self._fresh, self._reads_without_reading = False, 0
        if latest.state == FAULT_STATE:
            raise MeterUnavailable(f"grid meter {latest.module} in FAULT: {latest.fault_reason or 'no reason given'}")
        return latest.power_w
