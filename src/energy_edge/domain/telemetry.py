"""The asset telemetry schema: what asset modules publish on output `telemetry`.

This is the contract between asset modules, the controller and the telemetry
module. `decode_asset_telemetry` is the one place a body is validated; any
failure is a `MalformedMessage` that the receiver counts, logs and ignores.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .errors import MalformedMessage

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
# Fields a kind may leave null (a single-phase meter has no L2/L3), with their physical bounds; the grid
# meter's `power_w` (import positive) is bounded too. A value outside is malformed, never a reading.
METER_POWER_BOUND_W = 10_000_000.0  # a 10 MW connection: beyond any site this controller steers
_BOUNDED: dict[str, dict[str, tuple[float, float]]] = {
    "meter": {
        "power_w": (-METER_POWER_BOUND_W, METER_POWER_BOUND_W),
        **{f"power_l{n}_w": (-METER_POWER_BOUND_W, METER_POWER_BOUND_W) for n in (1, 2, 3)},
        **{f"voltage_l{n}_v": (0.0, 500.0) for n in (1, 2, 3)},
        "frequency_hz": (45.0, 65.0),
        "import_energy_wh": (0.0, 1e13),
        "export_energy_wh": (0.0, 1e13),
    },
}
_OPTIONAL_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(name for name in bounds if name != "power_w") for kind, bounds in _BOUNDED.items()
}


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
        return _ENCODER.encode(data).encode()

_MISSING = object()
# Built once: json.dumps/json.loads would build or look these up, and detect the encoding, per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"))
_DECODER = json.JSONDecoder()
_last_decoded: list[Any] = [None, None]  # [body, AssetTelemetry] of the last successful decode
_COMMON_FIELDS: dict[str, type] = {"module": str, "seq": int, "timestamp": float, "state": str, "power_w": float}
# (field, type) pairs per kind, computed once: decoding runs for every asset every cycle.
_CHECKS: dict[str, tuple[tuple[str, type], ...]] = {
    kind: tuple({**_COMMON_FIELDS, **fields}.items()) for kind, fields in _KIND_FIELDS.items()
}


def supersedes(new: AssetTelemetry, old: AssetTelemetry | None) -> bool:
    """Whether `new` should replace `old` as an asset's latest report.

    QoS 1 is at-least-once and a reconnect can redeliver in-flight messages
    after newer ones: a duplicate or a late report (an older measurement time)
    must not roll the asset's state back. A module that restarted begins its
    sequence again, but its measurements are newer, so it does replace.
    """
    if old is None or new.timestamp > old.timestamp:
        return True
    return new.timestamp == old.timestamp and new.seq > old.seq


def decode_asset_telemetry(body: bytes | str) -> AssetTelemetry:
    """Parse and validate one telemetry body; raise MalformedMessage naming the problem.

    The last result is remembered by the identity of its body: in one process
    the hub hands the same bytes to the controller and the telemetry module,
    and the decoded value is immutable, so the second decode is free.
    """
    last_body, last_telemetry = _last_decoded
    if body is last_body:
        return last_telemetry
    telemetry = _decode(body)
    _last_decoded[:] = [body, telemetry]
    return telemetry


def _decode(body: bytes | str) -> AssetTelemetry:
    try:
        data = _DECODER.decode(body.decode() if isinstance(body, (bytes, bytearray)) else body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedMessage("telemetry.json", f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MalformedMessage("telemetry.json", "expected a JSON object")
    kind = data.get("kind")
    if kind not in KINDS:
        raise MalformedMessage("telemetry.kind", f"unknown kind {kind!r}")
    for name, typ in _CHECKS[kind]:
        value = data.get(name, _MISSING)
        found = type(value)
        if (found is typ and (typ is not float or math.isfinite(value))) or (typ is float and found is int):
            continue  # the common case, without a function call: this runs for every asset every cycle
        _check(data, name, typ)  # raises, naming the field and the reason
    for optional in ("setpoint_expires_at", *_OPTIONAL_KIND_FIELDS.get(kind, ())):
        if data.get(optional) is not None:
            _check(data, optional, float)
    bounds = _BOUNDED.get(kind)
    if bounds is not None:
        _check_bounds(data, bounds)
    names = (*_KIND_FIELDS[kind], *_OPTIONAL_KIND_FIELDS.get(kind, ()))
    values = MappingProxyType({name: data.get(name) for name in names})
    return AssetTelemetry(
        module=data["module"], kind=kind, seq=data["seq"], timestamp=float(data["timestamp"]),
        state=data["state"], power_w=float(data["power_w"]),
        fault_reason=data.get("fault_reason") if isinstance(data.get("fault_reason"), str) else None,
        setpoint_expires_at=data.get("setpoint_expires_at"), values=values,
    )


def _check_bounds(data: dict[str, Any], bounds: Mapping[str, tuple[float, float]]) -> None:
    for name, (low, high) in bounds.items():
        value = data.get(name)
        if value is not None and not low <= value <= high:
            raise MalformedMessage(f"telemetry.{name}", f"{value!r} outside its physical bound {low:g}..{high:g}")


def _check(data: dict[str, Any], name: str, typ: type) -> None:
    if name not in data:
        raise MalformedMessage(f"telemetry.{name}", "missing")
    value = data[name]
    kind = type(value)
    if (kind is float and typ is float and math.isfinite(value)) or (kind is int and typ in (int, float)):
        return  # the common case, decided without the slower checks below
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise MalformedMessage(f"telemetry.{name}", f"expected a finite number, got {value!r}")
    elif typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedMessage(f"telemetry.{name}", f"expected an integer, got {value!r}")
    elif not isinstance(value, typ):
        raise MalformedMessage(f"telemetry.{name}", f"expected {typ.__name__}, got {value!r}")
