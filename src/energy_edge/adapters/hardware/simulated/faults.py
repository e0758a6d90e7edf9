"""Fault injection for simulators, so tests and demos can make a device fail on demand."""

from __future__ import annotations

from ....domain.errors import HardwareFault


class InjectableFault:
    """While `fault` is set, every read and write raises `HardwareFault(fault)`."""

    fault: str | None = None

    def inject_fault(self, reason: str | None) -> None:
        """Make the device fail with `reason`; None heals it."""
        self.fault = reason

    def _raise_if_faulty(self) -> None:
        if self.fault is not None:
            raise HardwareFault(self.fault)
