"""The PV inverter: OFF, RUNNING (no limit below rated), CURTAILED (active-power limit), FAULT.

`set_output` is the controller's lever; its lease falls back to the
export-safe limit, so a silent controller can never leave the site exporting
more than the grid connection allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from ..hardware import SolarMeasurement, SolarSetpoint
from ..bounds import DEFAULT_MAX_SETPOINT_TTL_S, MIN_POWER_W
from .base import Asset, require, require_finite, require_leases, require_rating, with_fault_and_reset
from .payload import POWER_LIMIT_W, RATING_W, TTL, Number, parse


class SolarState(StrEnum):
    OFF = "OFF"
    RUNNING = "RUNNING"
    CURTAILED = "CURTAILED"
    FAULT = "FAULT"


def _limit_rows(state: SolarState) -> dict[tuple[SolarState, str], SolarState]:
    """A new limit keeps OFF off; while producing, the limit decides RUNNING or CURTAILED."""
    if state is SolarState.OFF:
        return {(state, "set_output:full"): state, (state, "set_output:curtailed"): state}
    return {(state, "set_output:full"): SolarState.RUNNING, (state, "set_output:curtailed"): SolarState.CURTAILED}


_ON = (SolarState.OFF, SolarState.RUNNING, SolarState.CURTAILED)
# Events are "<command>:full" when limit_w >= rated_power_w, else "<command>:curtailed".
SOLAR_TABLE = with_fault_and_reset(
    {
        **{(s, "start:full"): SolarState.RUNNING for s in _ON},
        **{(s, "start:curtailed"): SolarState.CURTAILED for s in _ON},
        **{(s, "stop"): SolarState.OFF for s in _ON},
        **{key: value for s in _ON for key, value in _limit_rows(s).items()},
    },
    SolarState, SolarState.FAULT, SolarState.OFF,
)


@dataclass(frozen=True, slots=True)
class SolarConfig:
    rated_power_w: float = 5000.0
    export_safe_limit_w: float = 3000.0  # the limit in force whenever no lease runs
    default_setpoint_ttl_s: float = 60.0
    max_setpoint_ttl_s: float = DEFAULT_MAX_SETPOINT_TTL_S  # the longest lease a method may ask for

    def __post_init__(self) -> None:
        require_finite("solar", self)
        require_rating("solar", "rated_power_w", self.rated_power_w)
        require_leases("solar", self.default_setpoint_ttl_s, self.max_setpoint_ttl_s)
        require("solar.config.export_safe_limit_w", 0 <= self.export_safe_limit_w <= self.rated_power_w,
                f"{self.export_safe_limit_w} must be within 0..rated_power_w {self.rated_power_w}")


class Solar(Asset[SolarState, SolarConfig]):
    kind = "solar"
    # The nameplate, and the export-safe limit: at most the inverter's share of the site's export limit
    # (`Site.export_share_w`), so the site's inverters left unsteered never export more than the connection allows.
    CEILINGS = ("rated_power_w", "export_safe_limit_w")
    WRITABLE = {
        "rated_power_w": RATING_W,
        "export_safe_limit_w": POWER_LIMIT_W,
        "default_setpoint_ttl_s": TTL,
        "max_setpoint_ttl_s": TTL,
    }

    def __init__(self, config: SolarConfig | None = None, envelope: Mapping[str, float] | None = None) -> None:
        super().__init__(SOLAR_TABLE, SolarState.OFF, config or SolarConfig(), envelope)
        self.limit_w = self.config.export_safe_limit_w
        self.available_power_w = 0.0

    def commands(self):
        return {**super().commands(), "start": self._start, "stop": self._stop, "set_output": self._set_output}

    def _suffix(self, limit_w: float) -> str:
        return ":full" if limit_w >= self.config.rated_power_w else ":curtailed"

    def _start(self, payload: dict[str, Any], now: float) -> None:
        parse("solar.start", payload, {})
        self.machine.fire("start" + self._suffix(self.limit_w), "start")

    def _stop(self, payload: dict[str, Any], now: float) -> None:
        parse("solar.stop", payload, {})
        self.machine.fire("stop")

    def _set_output(self, payload: dict[str, Any], now: float) -> None:
        fields = {"limit_w": Number(low=0.0, high=self.config.rated_power_w, zero_below=MIN_POWER_W),
                  "ttl_s": self.ttl_field()}
        values = parse("solar.set_output", payload, fields)
        self.machine.fire("set_output" + self._suffix(values["limit_w"]), "set_output")
        self.limit_w = values["limit_w"]
        self.grant(values, now)

    def _apply_limit(self, limit_w: float) -> None:
        if self.state is not SolarState.FAULT:
            self.machine.fire("set_output" + self._suffix(limit_w))
        self.limit_w = limit_w

    def _on_lease_expired(self) -> None:
        self._apply_limit(self.config.export_safe_limit_w)
        self.note(f"setpoint lease expired: limit back to export_safe_limit_w {self.limit_w:g} W")

    def _on_fault(self) -> None:
        self.limit_w = self.config.export_safe_limit_w

    def _on_configured(self) -> None:
        leased = self.lease.expires_at is not None
        self._apply_limit(min(self.limit_w, self.config.rated_power_w) if leased else self.config.export_safe_limit_w)

    def observe(self, measurement: SolarMeasurement, now: float) -> None:
        self.power_w = measurement.power_w
        self.available_power_w = measurement.available_power_w
        self.tick(now)

    def setpoint(self) -> SolarSetpoint:
        return SolarSetpoint(enabled=self.state in (SolarState.RUNNING, SolarState.CURTAILED), limit_w=self.limit_w)

    def telemetry_values(self) -> dict[str, Any]:
        return {"available_power_w": self.available_power_w, "rated_power_w": self.config.rated_power_w,
                "limit_w": self.limit_w}
