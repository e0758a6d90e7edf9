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
    """When the setpoint in force ends (`expires_at`, clock seconds), or None when no lease runs.

    A lease is measured on the module's clock (wall time on a device). A clock that steps back before the
    lease was granted (an NTP correction, an RTC reset) ends it at once: from then on the module cannot
    tell how long the setpoint has been in force, and counted from the earlier time it would outlast its
    `ttl_s` by the whole step (an hour's step back, an hour more of charging with the controller gone).
    """

    expires_at: float | None = None
    granted_at: float | None = None

    def grant(self, now: float, ttl_s: float | None, default_ttl_s: float) -> float:
        """Start or refresh the lease: `ttl_s` from the payload, else the module default."""
        self.granted_at = now
        self.expires_at = now + (default_ttl_s if ttl_s is None else ttl_s)
        return self.expires_at

    def limit(self, max_ttl_s: float) -> bool:
        """End a running lease no later than `max_ttl_s` after it was granted; True when that shortened it."""
        if self.expires_at is None or self.granted_at is None or self.expires_at <= self.granted_at + max_ttl_s:
            return False
        self.expires_at = self.granted_at + max_ttl_s
        return True

    def release(self) -> None:
        self.expires_at = self.granted_at = None

    def expired(self, now: float) -> bool:
        if self.expires_at is None:
            return False
        return now >= self.expires_at or (self.granted_at is not None and now < self.granted_at)

    def take_expiry(self, now: float) -> bool:
        """True once when the lease has run out (and forget it), so the fall-back runs one time."""
        if self.expired(now):
            self.release()
            return True
        return False
