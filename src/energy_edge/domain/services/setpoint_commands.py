"""How a balancer setpoint becomes a direct method call, and when it must be sent again.

Sending only changes keeps method traffic proportional to what moves on the
site; re-sending at half the lease keeps every asset's fail-safe TTL from
running out while the controller is alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..balancing import Setpoint
from ..quick_init import quick_init

# A change smaller than this is not worth a method call (per kind: W, W, degC).
TOLERANCE = {"battery": 10.0, "solar": 10.0, "boiler": 0.05}
STOP = "stop"


@quick_init
@dataclass(frozen=True, slots=True)
class Command:
    method: str
    payload: dict[str, Any]
    value: float  # the setpoint value it carries, for change detection

    @property
    def leased(self) -> bool:
        """A command that starts a TTL lease (everything but `stop`)."""
        return self.method != STOP


@dataclass(frozen=True, slots=True)
class SentCommand:
    """The last command an asset acknowledged (200), and when."""

    command: Command
    at: float


def command_for(setpoint: Setpoint, ttl_s: float) -> Command:
    """The method and payload of ARCHITECTURE.md "Direct methods" for one setpoint."""
    if setpoint.kind == "battery":
        power = setpoint.value
        if abs(power) < TOLERANCE["battery"]:
            return Command(STOP, {}, 0.0)
        method = "start_discharging" if power > 0 else "start_charging"
        return Command(method, {"power_w": round(abs(power), 1), "ttl_s": ttl_s}, power)
    if setpoint.kind == "solar":
        return Command("set_output", {"limit_w": round(setpoint.value, 1), "ttl_s": ttl_s}, setpoint.value)
    if setpoint.hold_off:  # its heater leased off: the import limit binds and no setpoint in min..max would keep it
        return Command("hold_off", {"ttl_s": ttl_s}, setpoint.value)
    return Command("set_temperature", {"temperature_c": setpoint.value, "ttl_s": ttl_s}, setpoint.value)


def needs_sending(kind: str, command: Command, sent: SentCommand | None, now: float, refresh_age_s: float) -> bool:
    """True for a new or changed setpoint, or a lease older than `refresh_age_s` (at most half its TTL)."""
    if sent is None or sent.command.method != command.method:
        return True
    if abs(sent.command.value - command.value) > TOLERANCE[kind]:
        return True
    return command.leased and now - sent.at >= refresh_age_s
