"""The setpoint time-to-live contract: every setpoint is a lease.

A controller that crashes, hangs or loses its connection stops refreshing its
leases; each asset then falls back by itself to its safe state (battery IDLE,
solar at its export-safe limit, boiler on its own thermostat). Nothing in the
site depends on the controller being alive to stay safe.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SetpointLease:
    """When the setpoint in force ends (`expires_at`, clock seconds), or None when no lease runs."""

    expires_at: float | None = None

    def grant(self, now: float, ttl_s: float | None, default_ttl_s: float) -> float:
        """Start or refresh the lease: `ttl_s` from the payload, else the module default."""
        self.expires_at = now + (default_ttl_s if ttl_s is None else ttl_s)
        return self.expires_at

    def release(self) -> None:
        self.expires_at = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def take_expiry(self, now: float) -> bool:
        """True once when the lease has run out (and forget it), so the fall-back runs one time."""
        if self.expired(now):
            self.expires_at = None
            return True
        return False
