"""What the three assets share: method dispatch, fault/reset, the setpoint lease, the twin config.

Subclasses declare their transition table, their commands and their writable
configuration; this class keeps the promise every asset makes: a command
either moves the machine or raises a `DomainError`, and then nothing changed.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any, Callable, ClassVar, Generic, Mapping, TypeVar

from ..bounds import MAX_ENERGY_WH, MAX_POWER_W, MIN_POWER_W, SETPOINT_TTL_CEILING_S
from ..envelope import Envelope
from ..errors import InvalidPayload, UnknownMethod
from ..failsafe import SetpointLease
from ..shown import shown
from .payload import Number, as_object, parse
from .state_machine import StateMachine, Table

log = logging.getLogger(__name__)

S = TypeVar("S", bound=StrEnum)
C = TypeVar("C")

Command = Callable[[dict[str, Any], float], None]

FAULT_EVENT = "fault"
RESET_EVENT = "reset"


def with_fault_and_reset(table: Table[S], states: type[S], fault: S, reset_to: S) -> dict[tuple[S, str], S]:
    """Add the rows every asset has: any state may fault, and only FAULT may be reset."""
    full = dict(table)
    for state in states:
        full[(state, FAULT_EVENT)] = fault
    full[(fault, RESET_EVENT)] = reset_to
    return full


class Asset(ABC, Generic[S, C]):
    """Base of Solar, Battery and Boiler; `C` is the asset's frozen config dataclass."""

    kind: ClassVar[str]
    WRITABLE: ClassVar[Mapping[str, Number]]  # twin-writable properties and their static bounds
    # The site file's envelope (`domain/envelope.py`): writable limits the twin may lower but never raise
    # (ratings, the top of a band) and those it may raise but never lower (the bottom of a band).
    CEILINGS: ClassVar[tuple[str, ...]] = ()
    FLOORS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, table: Table[S], initial: S, config: C, envelope: Mapping[str, float] | None = None) -> None:
        """`config`: what the module starts with, from its site file (or the embedded default site); it is also
        the envelope of the twin's desired values, but where `envelope` states a ceiling or floor of its own
        (an inverter's share of the site's export limit, above the export-safe limit it starts with)."""
        self.machine: StateMachine[S] = StateMachine(self.kind, table, initial)
        self._initial = initial
        self.config = config
        self.base_config = config  # from settings: what the twin's desired properties are applied to
        self.envelope = Envelope.around(config, self.CEILINGS, self.FLOORS, envelope)
        self.lease = SetpointLease()
        self.fault_reason: str | None = None
        self.last_event: str | None = None
        self.power_w = 0.0  # last measured, site sign convention

    # -- commands -------------------------------------------------------------------
    @property
    def state(self) -> S:
        return self.machine.state

    def commands(self) -> dict[str, Command]:
        """Direct methods by name; each validates everything before it changes anything."""
        return {RESET_EVENT: self._reset}

    def handle(self, method: str, payload: Any, now: float) -> dict[str, Any]:
        """Run one direct method; return the result payload, or raise a `DomainError`."""
        commands = self.commands()
        command = commands.get(method)
        if command is None:
            raise UnknownMethod(f"{self.kind}.method",
                                f"unknown method {shown(method, 64)} (known: {', '.join(sorted(commands))})")
        command(as_object(f"{self.kind}.{method}", payload), now)
        return self.result()

    def result(self) -> dict[str, Any]:
        return {"state": str(self.state), "setpoint_expires_at": self.lease.expires_at}

    def fault(self, reason: str) -> None:
        """Go to FAULT (from any state) and drop the setpoint; only `reset` leaves it."""
        if self.fault_reason != reason:
            log.warning("%s fault: %s", self.kind, reason)
        self.machine.fire(FAULT_EVENT)
        self.fault_reason = reason
        self.lease.release()
        self._on_fault()

    def _reset(self, payload: dict[str, Any], now: float) -> None:
        parse(f"{self.kind}.reset", payload, {})
        self.machine.fire(RESET_EVENT)
        self.fault_reason = None
        self.note(f"reset to {self.state}")

    def _on_fault(self) -> None:
        """Hook: forget the operating setpoint (the subclass knows which)."""

    def note(self, event: str) -> None:
        """Remember why the asset last changed by itself (reported with the telemetry)."""
        self.last_event = event
        log.info("%s: %s", self.kind, event)

    # -- lease ----------------------------------------------------------------------
    def ttl_field(self) -> Number:
        """A method's optional `ttl_s`: > 0 and at most this asset's `max_setpoint_ttl_s`."""
        return Number(low=0.0, low_open=True, high=self.config.max_setpoint_ttl_s, required=False)  # type: ignore[attr-defined]

    def grant(self, payload: Mapping[str, float], now: float) -> None:
        self.lease.grant(now, payload.get("ttl_s"), self.config.default_setpoint_ttl_s)  # type: ignore[attr-defined]

    def tick(self, now: float) -> None:
        """Check the lease; on expiry (or a clock stepped back before it began) fall back to the safe state."""
        granted_at = self.lease.granted_at
        if self.lease.take_expiry(now):
            self._on_lease_expired()
            if granted_at is not None and now < granted_at:
                self.note(f"{self.last_event} (the clock stepped back {granted_at - now:g} s to before the lease "
                          "was granted: its time in force is unknown)")

    @abstractmethod
    def _on_lease_expired(self) -> None:
        """Fall back to the safe state: the controller stopped refreshing its setpoint."""

    # -- telemetry ------------------------------------------------------------------
    @abstractmethod
    def telemetry_values(self) -> dict[str, Any]:
        """The kind's own telemetry fields, exactly those of `telemetry._KIND_FIELDS[kind]`."""

    # -- twin configuration -----------------------------------------------------------
    def configure(self, desired: Any) -> dict[str, Any]:
        """Validate the desired document's writable properties as a whole; apply all or nothing.

        The new config is the base config (from settings) with `desired`
        applied, never the config in force patched: after a refused document
        the next one applies exactly as it states. Returns the applied values.
        Keys starting with "$" are twin metadata and ignored; a None value (a
        deleted desired property) leaves the base value. A value beyond the
        site file's envelope (a rating raised, a band or limit widened) is
        refused like any other invalid one.
        """
        data = {k: v for k, v in as_object(f"{self.kind}.config", desired).items()
                if not k.startswith("$") and v is not None}
        values = parse(f"{self.kind}.config", data, self.WRITABLE)
        self.envelope.check(f"{self.kind}.config", values)  # the twin narrows the site file's limits, never widens
        new = dataclasses.replace(self.base_config, **values)  # type: ignore[type-var]
        self.config = new
        max_ttl_s = getattr(new, "max_setpoint_ttl_s", None)  # None: a meter, which grants no lease
        if max_ttl_s is not None and self.lease.limit(max_ttl_s):
            self.note(f"setpoint lease shortened to max_setpoint_ttl_s {max_ttl_s:g} s (ends at {self.lease.expires_at:g})")
        self._on_configured()
        return {name: getattr(new, name) for name in values}

    def _on_configured(self) -> None:
        """Hook: bring the running setpoint inside the new limits."""


def require(rule: str, condition: bool, reason: str) -> None:
    """A cross-field configuration check; the config dataclasses call it in __post_init__."""
    if not condition:
        raise InvalidPayload(rule, reason)


def require_finite(kind: str, config: Any) -> None:
    """Every number of a config is finite (NaN compares false with every bound, so check it first)."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidPayload(f"{kind}.config.{f.name}", f"must be finite, got {value!r}")


def require_rating(kind: str, name: str, value: float, highest: float = MAX_POWER_W) -> None:
    """A power rating: at least 1 W, at most 10 MW (an energy: up to 100 MWh) — bounds.py."""
    require(f"{kind}.config.{name}", MIN_POWER_W <= value <= highest,
            f"{value:g} must be within {MIN_POWER_W:g}..{highest:g}")


def require_energy(kind: str, name: str, value: float) -> None:
    require_rating(kind, name, value, MAX_ENERGY_WH)


def require_leases(kind: str, default_ttl_s: float, max_ttl_s: float) -> None:
    """0 < default_setpoint_ttl_s <= max_setpoint_ttl_s <= the hard ceiling (an hour)."""
    require(f"{kind}.config.max_setpoint_ttl_s", 0 < max_ttl_s <= SETPOINT_TTL_CEILING_S,
            f"{max_ttl_s:g} must be > 0 and <= {SETPOINT_TTL_CEILING_S:g}")
    require(f"{kind}.config.default_setpoint_ttl_s", 0 < default_ttl_s <= max_ttl_s,
            f"{default_ttl_s:g} must be > 0 and <= max_setpoint_ttl_s {max_ttl_s:g}")
