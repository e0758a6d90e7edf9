"""Write a setpoint when it changes, or when the device's revert timer needs refreshing.

The asset service applies its setpoint every cycle; a device needs it only
when it changes, and often enough that its revert timer never fires while
the edge is alive (a third of the timeout leaves two refreshes of margin).
This spares the device a burst of writes every second, and a setpoint that
failed to be written is simply due again.
"""

from __future__ import annotations

import time
from typing import Callable, Hashable


class SetpointThrottle:
    def __init__(self, refresh_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.refresh_s = refresh_s
        self._monotonic = monotonic
        self._last: Hashable | None = None
        self._at = float("-inf")

    def due(self, setpoint: Hashable) -> bool:
        return setpoint != self._last or self._monotonic() - self._at >= self.refresh_s

    def written(self, setpoint: Hashable) -> None:
        self._last, self._at = setpoint, self._monotonic()
