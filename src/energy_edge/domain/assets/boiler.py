"""The hot-water boiler: OFF, HEATING, STANDBY (at setpoint), FAULT, with its own thermostat.

The boiler always keeps its comfort setpoint by itself (thermostat with
hysteresis); the controller may lease a different setpoint with
`set_temperature` to soak up surplus PV, or lease its heater off with
`hold_off` (even a cold tank: a grid import limit outranks comfort, and the
thermostat takes over again when the lease runs out). It never heats at or
above `max_temperature_c`, whatever it is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

from ..hardware import BoilerMeasurement, BoilerSetpoint
from ..bounds import DEFAULT_MAX_SETPOINT_TTL_S
from .base import Asset, require, require_finite, require_leases, require_rating, with_fault_and_reset
from .payload import TTL, Number, parse


class BoilerState(StrEnum):
    OFF = "OFF"
    HEATING = "HEATING"
    STANDBY = "STANDBY"
    FAULT = "FAULT"


_ON = (BoilerState.HEATING, BoilerState.STANDBY)
_OPERATING = (BoilerState.OFF, *_ON)
BOILER_TABLE = with_fault_and_reset(
    {
        (BoilerState.OFF, "start"): BoilerState.STANDBY,
        **{(s, "start"): s for s in _ON},
        **{(s, "stop"): BoilerState.OFF for s in _OPERATING},
        **{(s, "set_temperature"): s for s in _OPERATING},
        (BoilerState.OFF, "hold_off"): BoilerState.OFF,
        **{(s, "hold_off"): BoilerState.STANDBY for s in _ON},  # the heater stops at once
        (BoilerState.STANDBY, "heat"): BoilerState.HEATING,  # thermostat: below setpoint - hysteresis
        (BoilerState.HEATING, "satisfied"): BoilerState.STANDBY,  # thermostat: setpoint (or max) reached
    },
    BoilerState, BoilerState.FAULT, BoilerState.OFF,
)

_TEMPERATURE = Number(low=0.0, high=100.0, required=False)  # liquid water at ambient pressure


@dataclass(frozen=True, slots=True)
class BoilerConfig:
    heater_power_w: float = 3000.0  # physical (settings), not twin-writable
    setpoint_c: float = 55.0  # comfort setpoint the thermostat keeps on its own
    min_temperature_c: float = 40.0
    max_temperature_c: float = 75.0
    hysteresis_c: float = 5.0
    default_setpoint_ttl_s: float = 60.0
    max_setpoint_ttl_s: float = DEFAULT_MAX_SETPOINT_TTL_S  # the longest lease a method may ask for

    def __post_init__(self) -> None:
        require_finite("boiler", self)
        require_rating("boiler", "heater_power_w", self.heater_power_w)
        require_leases("boiler", self.default_setpoint_ttl_s, self.max_setpoint_ttl_s)
        require("boiler.config.min_temperature_c", self.min_temperature_c < self.max_temperature_c,
                f"min_temperature_c {self.min_temperature_c} must be below max_temperature_c {self.max_temperature_c}")
        require("boiler.config.setpoint_c", self.min_temperature_c <= self.setpoint_c <= self.max_temperature_c,
                f"{self.setpoint_c} must be within {self.min_temperature_c}..{self.max_temperature_c}")
        require("boiler.config.hysteresis_c", 0 < self.hysteresis_c <= self.max_temperature_c - self.min_temperature_c,
                f"{self.hysteresis_c} must be > 0 and <= max_temperature_c - min_temperature_c")

    @classmethod
    def for_band(cls, heater_power_w: float, min_temperature_c: float, max_temperature_c: float) -> "BoilerConfig":
        """A boiler rated by its site (heater, min..max): the comfort setpoint and the thermostat's hysteresis
        defaults placed within that band, so any band the site file allows (0..100 °C, min < max) is a boiler,
        not a refusal at start: a 60..85 °C tank keeps 60 °C, a 50..52 °C one heats below 50 °C."""
        default = cls()
        return cls(heater_power_w=heater_power_w, min_temperature_c=min_temperature_c,
                   max_temperature_c=max_temperature_c,
                   setpoint_c=min(max(default.setpoint_c, min_temperature_c), max_temperature_c),
                   hysteresis_c=min(default.hysteresis_c, max_temperature_c - min_temperature_c))


class Boiler(Asset[BoilerState, BoilerConfig]):
    kind = "boiler"
    WRITABLE = {"setpoint_c": _TEMPERATURE, "min_temperature_c": _TEMPERATURE, "max_temperature_c": _TEMPERATURE,
                "hysteresis_c": Number(low=0.0, low_open=True, required=False), "default_setpoint_ttl_s": TTL,
                "max_setpoint_ttl_s": TTL}
    CEILINGS = ("max_temperature_c",)  # the site file's band: the tank, its valves and its users allow no more
    FLOORS = ("min_temperature_c",)

    def __init__(self, config: BoilerConfig | None = None, envelope: Mapping[str, float] | None = None) -> None:
        super().__init__(BOILER_TABLE, BoilerState.OFF, config or BoilerConfig(), envelope)
        self.override_c: float | None = None  # the controller's leased setpoint
        self.held_off = False  # the controller's lease keeps the heater off, whatever the temperature
        self.temperature_c: float | None = None  # unknown until the first measurement

    def commands(self):
        return {**super().commands(), "start": self._start, "stop": self._stop,
                "set_temperature": self._set_temperature, "hold_off": self._hold_off}

    @property
    def setpoint_c(self) -> float:
        """The setpoint in force: the leased override, else the comfort setpoint."""
        return self.config.setpoint_c if self.override_c is None else self.override_c

    def _start(self, payload: dict[str, Any], now: float) -> None:
        parse("boiler.start", payload, {})
        self.machine.fire("start")
        self._thermostat()

    def _stop(self, payload: dict[str, Any], now: float) -> None:
        parse("boiler.stop", payload, {})
        self.machine.fire("stop")

    def _set_temperature(self, payload: dict[str, Any], now: float) -> None:
        cfg = self.config
        fields = {"temperature_c": Number(low=cfg.min_temperature_c, high=cfg.max_temperature_c),
                  "ttl_s": self.ttl_field()}
        values = parse("boiler.set_temperature", payload, fields)
        self.machine.fire("set_temperature")
        self.override_c = values["temperature_c"]
        self.held_off = False
        self.grant(values, now)
        self._thermostat()

    def _hold_off(self, payload: dict[str, Any], now: float) -> None:
        """Lease the heater off (the thermostat rests at its minimum setpoint meanwhile): the controller's way to
        keep a grid limit when no setpoint in min..max would (a tank below its minimum heats by itself)."""
        values = parse("boiler.hold_off", payload, {"ttl_s": self.ttl_field()})
        self.machine.fire("hold_off")
        self.override_c = self.config.min_temperature_c
        self.held_off = True
        self.grant(values, now)

    def _thermostat(self) -> None:
        """Heat below setpoint - hysteresis; stop at the setpoint, and always at max_temperature_c."""
        t = self.temperature_c
        if t is None or self.held_off:
            return
        if self.state is BoilerState.STANDBY and t < self.setpoint_c - self.config.hysteresis_c \
                and t < self.config.max_temperature_c:
            self.machine.fire("heat")
        elif self.state is BoilerState.HEATING and (t >= self.setpoint_c or t >= self.config.max_temperature_c):
            self.machine.fire("satisfied")
            if t >= self.config.max_temperature_c:
                self.note(f"heating stopped: {t:.1f} °C at or above max_temperature_c {self.config.max_temperature_c}")

    def _on_fault(self) -> None:
        self.override_c = None
        self.held_off = False

    def _on_lease_expired(self) -> None:
        self.override_c = None
        self.held_off = False
        self.note(f"setpoint lease expired: back to comfort setpoint {self.config.setpoint_c:g} °C")
        self._thermostat()

    def _on_configured(self) -> None:
        if self.override_c is not None:
            self.override_c = min(max(self.override_c, self.config.min_temperature_c), self.config.max_temperature_c)
        self._thermostat()

    def observe(self, measurement: BoilerMeasurement, now: float) -> None:
        self.power_w = measurement.power_w
        self.temperature_c = measurement.temperature_c
        self.tick(now)
        self._thermostat()

    def setpoint(self) -> BoilerSetpoint:
        return BoilerSetpoint(heater_on=self.state is BoilerState.HEATING, setpoint_c=self.setpoint_c)

    def telemetry_values(self) -> dict[str, Any]:
        cfg = self.config
        return {"temperature_c": 0.0 if self.temperature_c is None else self.temperature_c,
                "setpoint_c": self.setpoint_c, "min_temperature_c": cfg.min_temperature_c,
                "max_temperature_c": cfg.max_temperature_c, "heater_power_w": cfg.heater_power_w,
                "heater_on": self.state is BoilerState.HEATING, "hysteresis_c": cfg.hysteresis_c}
