"""The battery: IDLE, CHARGING, DISCHARGING, FAULT, kept inside its SoC band.

The band is the asset's own promise, not the controller's: a start at the
band edge is refused (409) and a running battery stops itself (→ IDLE) when it
reaches the edge, saying why in `last_event`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from ..errors import NotAllowed
from ..hardware import BatteryMeasurement, BatterySetpoint
from ..bounds import DEFAULT_MAX_SETPOINT_TTL_S, MIN_POWER_W
from .base import Asset, require, require_energy, require_finite, require_leases, require_rating, with_fault_and_reset
from .payload import RATING_W, TTL, Number, parse


class BatteryState(StrEnum):
    IDLE = "IDLE"
    CHARGING = "CHARGING"
    DISCHARGING = "DISCHARGING"
    FAULT = "FAULT"


_OPERATING = (BatteryState.IDLE, BatteryState.CHARGING, BatteryState.DISCHARGING)
_RUNNING = (BatteryState.CHARGING, BatteryState.DISCHARGING)
_SIGN = {BatteryState.CHARGING: -1.0, BatteryState.DISCHARGING: 1.0}  # of the setpoint's power (+ discharge)
BATTERY_TABLE = with_fault_and_reset(
    {
        **{(s, "start_charging"): BatteryState.CHARGING for s in _OPERATING},
        **{(s, "start_discharging"): BatteryState.DISCHARGING for s in _OPERATING},
        **{(s, "stop"): BatteryState.IDLE for s in _OPERATING},
        **{(s, "soc_limit"): BatteryState.IDLE for s in _RUNNING},
        **{(s, "lease_expired"): BatteryState.IDLE for s in _RUNNING},
    },
    BatteryState, BatteryState.FAULT, BatteryState.IDLE,
)


@dataclass(frozen=True, slots=True)
class BatteryConfig:
    capacity_wh: float = 10_000.0  # physical (settings), not twin-writable
    soc_min: float = 0.1
    soc_max: float = 0.9
    max_charge_w: float = 5000.0
    max_discharge_w: float = 5000.0
    default_setpoint_ttl_s: float = 60.0
    max_setpoint_ttl_s: float = DEFAULT_MAX_SETPOINT_TTL_S  # the longest lease a method may ask for

    def __post_init__(self) -> None:
        require_finite("battery", self)
        require_energy("battery", "capacity_wh", self.capacity_wh)
        require_rating("battery", "max_charge_w", self.max_charge_w)
        require_rating("battery", "max_discharge_w", self.max_discharge_w)
        require_leases("battery", self.default_setpoint_ttl_s, self.max_setpoint_ttl_s)
        require("battery.config.soc_min", 0 <= self.soc_min < self.soc_max <= 1,
                f"need 0 <= soc_min < soc_max <= 1, got soc_min {self.soc_min}, soc_max {self.soc_max}")


_SOC = Number(low=0.0, high=1.0, required=False)


class Battery(Asset[BatteryState, BatteryConfig]):
    kind = "battery"
    CEILINGS = ("max_charge_w", "max_discharge_w", "soc_max")  # the site file's ratings and band
    FLOORS = ("soc_min",)
    WRITABLE = {"soc_min": _SOC, "soc_max": _SOC, "max_charge_w": RATING_W, "max_discharge_w": RATING_W,
                "default_setpoint_ttl_s": TTL, "max_setpoint_ttl_s": TTL}

    def __init__(self, config: BatteryConfig | None = None, envelope: Mapping[str, float] | None = None) -> None:
        super().__init__(BATTERY_TABLE, BatteryState.IDLE, config or BatteryConfig(), envelope)
        self.requested_w = 0.0  # magnitude of the charge or discharge power asked for
        self.soc: float | None = None  # unknown until the first measurement

    def commands(self):
        return {**super().commands(), "start_charging": self._start_charging,
                "start_discharging": self._start_discharging, "stop": self._stop}

    def _start_charging(self, payload: dict[str, Any], now: float) -> None:
        self._start("start_charging", payload, now, self.config.max_charge_w)

    def _start_discharging(self, payload: dict[str, Any], now: float) -> None:
        self._start("start_discharging", payload, now, self.config.max_discharge_w)

    def _start(self, command: str, payload: dict[str, Any], now: float, max_w: float) -> None:
        fields = {"power_w": Number(low=MIN_POWER_W, high=max_w), "ttl_s": self.ttl_field()}
        values = parse(f"battery.{command}", payload, fields)
        self.machine.target(command)
        edge = self._band_edge(charging=command == "start_charging")
        if edge:
            raise NotAllowed("battery.soc_band", f"{command} refused: {edge}")
        self.machine.fire(command)
        self.requested_w = values["power_w"]
        self.grant(values, now)

    def _band_edge(self, charging: bool) -> str | None:
        """Why the battery may not go on in this direction, or None while it may."""
        soc, cfg = self.soc, self.config
        if soc is None:
            return None
        if charging and soc >= cfg.soc_max:
            return f"soc {soc:.3f} at or above soc_max {cfg.soc_max}"
        if not charging and soc <= cfg.soc_min:
            return f"soc {soc:.3f} at or below soc_min {cfg.soc_min}"
        return None

    def _stop(self, payload: dict[str, Any], now: float) -> None:
        parse("battery.stop", payload, {})
        self._idle("stop")

    def _idle(self, event: str) -> None:
        self.machine.fire(event)
        self.requested_w = 0.0
        self.lease.release()

    def _on_fault(self) -> None:
        self.requested_w = 0.0

    def _on_lease_expired(self) -> None:
        self._idle("lease_expired")
        self.note("setpoint lease expired: back to IDLE")

    def _on_configured(self) -> None:
        limit = {BatteryState.CHARGING: self.config.max_charge_w,
                 BatteryState.DISCHARGING: self.config.max_discharge_w}.get(self.state, 0.0)
        self.requested_w = min(self.requested_w, limit)
        self._keep_in_band()

    def _keep_in_band(self) -> None:
        if self.state in _RUNNING:
            edge = self._band_edge(charging=self.state is BatteryState.CHARGING)
            if edge:
                verb = "charging" if self.state is BatteryState.CHARGING else "discharging"
                self._idle("soc_limit")
                self.note(f"{verb} stopped: {edge}")

    def observe(self, measurement: BatteryMeasurement, now: float) -> None:
        self.power_w = measurement.power_w
        self.soc = measurement.soc
        self.tick(now)
        self._keep_in_band()

    def setpoint(self) -> BatterySetpoint:
        return BatterySetpoint(power_w=_SIGN.get(self.state, 0.0) * self.requested_w)

    def telemetry_values(self) -> dict[str, Any]:
        cfg = self.config
        return {"soc": 0.0 if self.soc is None else self.soc, "capacity_wh": cfg.capacity_wh,
                "max_charge_w": cfg.max_charge_w, "max_discharge_w": cfg.max_discharge_w,
                "soc_min": cfg.soc_min, "soc_max": cfg.soc_max}
