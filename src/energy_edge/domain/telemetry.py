"""The asset telemetry schema: what asset modules publish on output `telemetry`.

This is the contract between asset modules, the controller and the telemetry
module. `decode_asset_telemetry` is the one place a body is validated; any
failure is a `MalformedMessage` that the receiver counts, logs and ignores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Protocol

from . import bounded_json
from .bounds import (MAX_ENERGY_WH, MAX_FUTURE_SKEW_S, MAX_JSON_BYTES, MAX_POWER_W, MAX_TEMPERATURE_C,
                     MIN_TEMPERATURE_C)
from .errors import MalformedMessage
from .quick_init import quick_init
from .shown import cut, shown

KINDS = ("solar", "battery", "boiler", "meter")

# Fields every kind must carry besides the common ones, with their types.
_KIND_FIELDS: dict[str, dict[str, type]] = {
    "solar": {"available_power_w": float, "rated_power_w": float, "limit_w": float},
    "battery": {"soc": float, "capacity_wh": float, "max_charge_w": float, "max_discharge_w": float,
                "soc_min": float, "soc_max": float},
    "boiler": {"temperature_c": float, "setpoint_c": float, "min_temperature_c": float,
               "max_temperature_c": float, "heater_power_w": float, "heater_on": bool},
    "meter": {},
}
# Fields a kind may leave null (a single-phase meter has no L2/L3); their ranges are in RANGES.
_OPTIONAL_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "boiler": ("hysteresis_c",),  # its thermostat's band (K): a module that does not send it is read as 0
    "meter": ("power_l1_w", "power_l2_w", "power_l3_w", "voltage_l1_v", "voltage_l2_v", "voltage_l3_v",
              "frequency_hz", "import_energy_wh", "export_energy_wh"),
}
_POWER = (-MAX_POWER_W, MAX_POWER_W)
_MAGNITUDE = (0.0, MAX_POWER_W)
_RATIO = (0.0, 1.0)
_TEMPERATURE = (MIN_TEMPERATURE_C, MAX_TEMPERATURE_C)
_ANY = (-math.inf, math.inf)  # finite is checked separately; timestamps are checked against the clock
# The physical range of every numeric field (bounds.py): a value outside it is a broken or hostile sender.
RANGES: dict[str, tuple[float, float]] = {
    "seq": (0, 2**63), "timestamp": _ANY, "power_w": _POWER, "setpoint_expires_at": _ANY,
    "available_power_w": _MAGNITUDE, "rated_power_w": _MAGNITUDE, "limit_w": _MAGNITUDE,
    "soc": _RATIO, "capacity_wh": (0.0, MAX_ENERGY_WH), "max_charge_w": _MAGNITUDE, "max_discharge_w": _MAGNITUDE,
    "soc_min": _RATIO, "soc_max": _RATIO,
    "temperature_c": _TEMPERATURE, "setpoint_c": _TEMPERATURE, "min_temperature_c": _TEMPERATURE,
    "max_temperature_c": _TEMPERATURE, "heater_power_w": _MAGNITUDE,
    "hysteresis_c": (0.0, MAX_TEMPERATURE_C - MIN_TEMPERATURE_C),
    # the grid meter (domain.hardware.MeterMeasurement): lifetime counters outgrow any battery's capacity
    **{f"power_l{n}_w": _POWER for n in (1, 2, 3)}, **{f"voltage_l{n}_v": (0.0, 500.0) for n in (1, 2, 3)},
    "frequency_hz": (45.0, 65.0), "import_energy_wh": (0.0, 1e12), "export_energy_wh": (0.0, 1e12),
}
MAX_STATE_CHARS = 32  # state names are short upper-case words (e.g. "DISCHARGING")
MAX_FAULT_REASON_CHARS = 200


@quick_init
@dataclass(frozen=True, slots=True)
class AssetTelemetry:
    """One asset's report for one cycle.

    `values` holds the kind's own fields (see `_KIND_FIELDS`), e.g. a battery's
    `soc` and `max_charge_w`, so the controller has each asset's limits.
    """

    module: str
    kind: str
    seq: int
    timestamp: float  # clock seconds
    state: str  # the state machine's state name, e.g. "CHARGING"
    power_w: float  # signed, site convention
    fault_reason: str | None = None
    setpoint_expires_at: float | None = None
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        # Built by hand rather than with dataclasses.asdict: this runs for every asset every cycle.
        data = {
            "module": self.module, "kind": self.kind, "seq": self.seq, "timestamp": self.timestamp,
            "state": self.state, "power_w": self.power_w, "fault_reason": self.fault_reason,
            "setpoint_expires_at": self.setpoint_expires_at, **self.values,
        }
        return bounded_json.encode(data)

_MISSING = object()
_last_decoded: list[Any] = [None, None]  # [body, AssetTelemetry] of the last successful decode
_COMMON_FIELDS: dict[str, type] = {"module": str, "seq": int, "timestamp": float, "state": str, "power_w": float}
# (field, type) pairs per kind, computed once: decoding runs for every asset every cycle.
_CHECKS: dict[str, tuple[tuple[str, type, float, float], ...]] = {
    kind: tuple((name, typ, *RANGES.get(name, _ANY)) for name, typ in {**_COMMON_FIELDS, **fields}.items())
    for kind, fields in _KIND_FIELDS.items()
}
_OPTIONALS = {kind: tuple((name, *RANGES[name]) for name in ("setpoint_expires_at", *_OPTIONAL_KIND_FIELDS.get(kind, ())))
              for kind in KINDS}
_VALUE_NAMES = {kind: (*_KIND_FIELDS[kind], *_OPTIONAL_KIND_FIELDS.get(kind, ())) for kind in KINDS}


def _fast_check(kind: str) -> Any:
    """`_CHECKS[kind]` and `_OPTIONALS[kind]` written out as one function of `data.get` that says whether
    every field passes (the loop in `_decode` took 4 µs a report; this about a third). It only says
    yes or no: on no, the loop runs and names the field and the reason."""
    namespace: dict[str, Any] = {"_MISSING": _MISSING}
    lines = ["def fast_check(get):"]
    for index, (name, typ, low, high) in enumerate(_CHECKS[kind]):
        namespace[f"low{index}"], namespace[f"high{index}"] = low, high
        lines.append(f"    v = get({name!r}, _MISSING)")
        if typ is str or typ is bool:
            lines.append(f"    if type(v) is not {typ.__name__}: return False")
        elif typ is int:
            lines.append(f"    if type(v) is not int or not low{index} <= v <= high{index}: return False")
        else:
            lines.append("    t = type(v)")
            lines.append(f"    if t is not float and t is not int or not low{index} <= v <= high{index}: return False")
    for index, (name, low, high) in enumerate(_OPTIONALS[kind]):
        namespace[f"olow{index}"], namespace[f"ohigh{index}"] = low, high
        lines.append(f"    v = get({name!r})")
        lines.append("    t = type(v)")
        lines.append(f"    if v is not None and (t is not float and t is not int or not olow{index} <= v <= ohigh{index}):")
        lines.append("        return False")
    lines.append("    return True")
    exec("\n".join(lines) + "\n", namespace)  # noqa: S102 - our own field table
    return namespace["fast_check"]


_FAST_CHECKS = {kind: _fast_check(kind) for kind in KINDS}


def supersedes(new: AssetTelemetry, old: AssetTelemetry | None, now: float | None = None) -> bool:
    """Whether `new` should replace `old` as an asset's latest report (`now`: the receiver's clock).

    QoS 1 is at-least-once and a reconnect can redeliver in-flight messages
    after newer ones: a duplicate or a late report (an older measurement time)
    must not roll the asset's state back. A module that restarted begins its
    sequence again, but its measurements are newer, so it does replace.
    An `old` report stamped more than `MAX_FUTURE_SKEW_S` ahead of `now` was
    accepted before the site's clock stepped back (NTP): any report replaces it,
    else every genuine report would be refused as late for the whole step.
    """
    if old is None or new.timestamp > old.timestamp:
        return True
    if now is not None and old.timestamp > now + MAX_FUTURE_SKEW_S:
        return True
    return new.timestamp == old.timestamp and new.seq > old.seq


class TelemetryParser(Protocol):
    """A parser that validates a telemetry body in one pass (the port; adapters/telemetry_parser.py).

    `parse(body)` returns `(kind, fields)`: `fields` are the body's `PARSED_FIELDS` and then
    `_VALUE_NAMES[kind]` (`parsed_fields(kind)`), in that order, absent optional ones as None,
    each of the type and within the range `field_checks(kind)` states, in a JSON object of no
    other field and no key twice. For anything else it raises (any exception): the reference below then accepts
    the body or refuses it with its own words, so the parser changes how fast a report is read,
    never what is accepted, the values it gives, or what a refusal says.
    """

    def parse(self, body: bytes) -> tuple[str, tuple[Any, ...]]: ...


PARSED_FIELDS = ("module", "seq", "timestamp", "state", "power_w", "fault_reason", "setpoint_expires_at")
_parser: TelemetryParser | None = None  # None: the reference alone


def use_parser(parser: TelemetryParser | None) -> None:
    """Put `parser` in front of the reference decoder in this process (None: remove it)."""
    global _parser
    _parser = parser


def parser() -> TelemetryParser | None:
    return _parser


def field_checks(kind: str) -> tuple[tuple[str, type, float, float, bool], ...]:
    """Every field a report of `kind` may carry besides `kind` and `fault_reason` (a str or null, cut to
    `MAX_FAULT_REASON_CHARS`): (name, type, low, high, optional). A number is a float or an int (never
    a bool) within low..high, an optional one may also be null or absent; `seq` is an int."""
    return (*((name, typ, low, high, False) for name, typ, low, high in _CHECKS[kind]),
            *((name, float, low, high, True) for name, low, high in _OPTIONALS[kind]))


def parsed_fields(kind: str) -> tuple[str, ...]:
    """The order of the fields a `TelemetryParser` returns for `kind`."""
    return (*PARSED_FIELDS, *_VALUE_NAMES[kind])


def check_sender(module: Any, kind: Any, sender: str, sender_kind: str) -> None:
    """Raise `MalformedMessage` if a body's module or kind is not its authenticated sender's (in that order)."""
    if module != sender:
        raise MalformedMessage("telemetry.module", f"body says module {shown(module)} but "
                                                   f"the transport authenticated {sender!r}")
    if kind != sender_kind:
        raise MalformedMessage("telemetry.kind", f"{sender} is a {sender_kind}, the body says {shown(kind)}")


def decode_asset_telemetry(body: bytes | str, sender: tuple[str, str] | None = None) -> AssetTelemetry:
    """Parse and validate one telemetry body; raise MalformedMessage naming the problem.

    `sender`: (module, kind) of the authenticated sender, when known. A body
    naming another module or kind is refused as such (`check_sender`) before its
    fields are checked by that kind's rules: a battery's body saying "solar" is
    `telemetry.kind`, not a missing solar field.

    The last result is remembered by the identity of its body: in one process
    the hub hands the same bytes to the controller and the telemetry module,
    and the decoded value is immutable, so the second decode is free.
    """
    last_body, last_telemetry = _last_decoded
    if body is last_body:
        return last_telemetry
    telemetry = None
    if _parser is not None and type(body) is bytes and len(body) <= MAX_JSON_BYTES:
        telemetry = _parsed(body)
    if telemetry is None:
        telemetry = _decode(body, sender)
    _last_decoded[:] = [body, telemetry]
    return telemetry


def _parsed(body: bytes) -> AssetTelemetry | None:
    """The report as the parser read it, or None for the reference to decide (it refuses with its words)."""
    try:
        kind, fields = _parser.parse(body)  # type: ignore[union-attr]
    except Exception:  # not for the parser: the reference accepts it or says why not
        return None
    module, seq, timestamp, state, power_w, fault_reason, expires_at = fields[:7]
    if not 0 < len(state) <= MAX_STATE_CHARS or not state.replace("_", "").isalpha():
        return None
    return AssetTelemetry(  # module, kind, seq, timestamp, state, power_w, fault_reason, lease, values
        module, kind, seq, float(timestamp), state, float(power_w),
        None if fault_reason is None else cut(fault_reason, MAX_FAULT_REASON_CHARS), expires_at,
        MappingProxyType(dict(zip(_VALUE_NAMES[kind], fields[7:]))),
    )


def _decode(body: bytes | str, sender: tuple[str, str] | None = None) -> AssetTelemetry:
    try:
        data = bounded_json.loads(body)
    except bounded_json.JsonLimitExceeded as exc:
        raise MalformedMessage(f"telemetry.{exc.limit}", exc.reason) from None
    except ValueError as exc:  # not UTF-8 (UnicodeDecodeError is a ValueError) or not JSON
        raise MalformedMessage("telemetry.json", f"not JSON: {cut(str(exc))}") from None
    if not isinstance(data, dict):
        raise MalformedMessage("telemetry.json", "expected a JSON object")
    kind = data.get("kind")
    if kind not in KINDS:
        raise MalformedMessage("telemetry.kind", f"unknown kind {shown(kind)}")
    if sender is not None:
        check_sender(data.get("module"), kind, *sender)  # before the fields another kind's rules would miss
    get = data.get
    if not _FAST_CHECKS[kind](get):
        _check_each(data, kind)  # raises, naming the field and the reason
    state = data["state"]
    if not 0 < len(state) <= MAX_STATE_CHARS or not state.replace("_", "").isalpha():
        raise MalformedMessage("telemetry.state", f"expected a state name, got {shown(state)}")
    names = _VALUE_NAMES[kind]
    values = MappingProxyType(dict(zip(names, map(data.get, names))))
    fault_reason = data.get("fault_reason")
    return AssetTelemetry(  # module, kind, seq, timestamp, state, power_w, fault_reason, lease, values
        data["module"], kind, data["seq"], float(data["timestamp"]), state, float(data["power_w"]),
        cut(fault_reason, MAX_FAULT_REASON_CHARS) if isinstance(fault_reason, str) else None,
        get("setpoint_expires_at"), values,
    )


def _check_each(data: dict[str, Any], kind: str) -> None:
    """The checks one by one, in order: the first that fails raises, naming the field."""
    get = data.get
    for name, typ, low, high in _CHECKS[kind]:
        value = get(name, _MISSING)
        found = type(value)
        if found is typ and (typ is str or typ is bool or low <= value <= high) \
                or (typ is float and found is int and low <= value <= high):
            continue  # the common case, without a function call: this runs for every asset every cycle
        _check(data, name, typ)  # raises, naming the field and the reason
    for name, low, high in _OPTIONALS[kind]:
        value = get(name)
        found = type(value)
        if value is None or (found is float or found is int) and low <= value <= high:
            continue  # absent, or a number in range (the parser lets no infinity through)
        _check(data, name, float)


def _check(data: dict[str, Any], name: str, typ: type) -> None:
    if name not in data:
        raise MalformedMessage(f"telemetry.{name}", "missing")
    value = data[name]
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise MalformedMessage(f"telemetry.{name}", f"expected a finite number, got {shown(value)}")
    elif typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedMessage(f"telemetry.{name}", f"expected an integer, got {shown(value)}")
    elif not isinstance(value, typ):
        raise MalformedMessage(f"telemetry.{name}", f"expected {typ.__name__}, got {shown(value)}")
    low, high = RANGES.get(name, _ANY)
    if not low <= value <= high:
        raise MalformedMessage(f"telemetry.{name}", f"{shown(value)} is outside its physical range {low:g}..{high:g}")
