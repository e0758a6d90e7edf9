"""msgspec behind the domain's `telemetry.TelemetryParser` port: a report's JSON read and checked in C.

Every asset's report is decoded once per cycle (a simulated day: 260,000 of them). The
reference (orjson, then each field's type and range checked in Python) took 5.7 µs a battery
report; msgspec reads the body straight into a struct per kind whose fields carry the domain's
own types and bounds (`telemetry.field_checks`), in about 0.6 µs. It only has to never give a
different answer, so the structs are narrower than the reference wherever the two could differ,
and whatever msgspec refuses goes to the reference, which accepts it or refuses it with its words:

- no field but the kind's (`forbid_unknown_fields`): an unknown field may hold anything the
  reference parses or refuses (nesting past the depth limit, huge integers, NaN);
- a number is an int or a float, as the body spells it (the reference keeps that type too);
  ints only within 64 bits, and numbers without a physical range (timestamps) only within
  ±1e18, where msgspec and Python read every spelling to the same value;
- `fault_reason` a string or null (the reference reads any other type as null);
- a kind it does not know: msgspec refuses it;
- a key twice in one body: msgspec reads the last one (a second `kind` too), so a body with more
  colons than the keys it read (each key has its colon; the others are inside strings) is left to
  the reference, which refuses a key twice naming it. An optional field it did not find is `UNSET`
  until then, so the keys it read are counted, not guessed.
"""

from __future__ import annotations

import math
import operator
from typing import Annotated, Any, Union

import msgspec

from ..domain import telemetry

_INT64 = 2**63 - 1
_UNBOUNDED = 1e18  # the fast path's bound on a number the domain leaves unbounded (a timestamp)
_UNSET = msgspec.UNSET  # an optional field the body left out (read as None)


def _number(low: float, high: float) -> Any:
    """An int or a float within low..high, each kept as the body spells it."""
    low, high = max(low, -_UNBOUNDED), min(high, _UNBOUNDED)
    return Union[Annotated[int, msgspec.Meta(ge=math.ceil(low), le=math.floor(high))],
                 Annotated[float, msgspec.Meta(ge=low, le=high)]]


def _field_type(typ: type, low: float, high: float, optional: bool) -> Any:
    if typ is str or typ is bool:
        field_type: Any = typ
    elif typ is int:
        field_type = Annotated[int, msgspec.Meta(ge=max(math.ceil(low), -_INT64), le=min(math.floor(high), _INT64))]
    else:
        field_type = _number(low, high)
    return Union[field_type, None, msgspec.UnsetType] if optional else field_type


def _struct(kind: str) -> type[msgspec.Struct]:
    """A report of `kind`, its fields in `telemetry.parsed_fields(kind)` order (what `parse` returns)."""
    types: dict[str, tuple[Any, Any]] = {"fault_reason": (Union[str, None, msgspec.UnsetType], _UNSET)}
    for name, typ, low, high, optional in telemetry.field_checks(kind):
        types[name] = (_field_type(typ, low, high, optional), _UNSET) if optional else (_field_type(typ, low, high, False),)
    fields = [(name, *types[name]) for name in telemetry.parsed_fields(kind)]
    return msgspec.defstruct(f"{kind.title()}Report", fields, kw_only=True, tag_field="kind", tag=kind,
                             forbid_unknown_fields=True)


class MsgspecTelemetryParser:
    """Implements `telemetry.TelemetryParser`."""

    def __init__(self) -> None:
        structs = tuple(_struct(kind) for kind in telemetry.KINDS)
        self._decode = msgspec.json.Decoder(Union[structs]).decode  # type: ignore[valid-type]
        # per struct: its kind, and its optional fields (they may be UNSET; at least two, so a tuple)
        self._kinds = {struct: (kind, operator.itemgetter(*_optional_positions(kind)))
                       for struct, kind in zip(structs, telemetry.KINDS)}

    def parse(self, body: bytes) -> tuple[str, tuple[Any, ...]]:
        report = self._decode(body)
        kind, optional = self._kinds[type(report)]
        fields = msgspec.structs.astuple(report)
        absent = optional(fields).count(_UNSET)
        if body.count(b":") > 1 + len(fields) - absent:  # more colons than the keys read (`kind` among them)
            raise ValueError("a key twice, or a colon inside a string: for the reference")
        if absent:
            fields = tuple(None if value is _UNSET else value for value in fields)
        return kind, fields


def _optional_positions(kind: str) -> tuple[int, ...]:
    optional = {"fault_reason", *(name for name, *_, is_optional in telemetry.field_checks(kind) if is_optional)}
    return tuple(index for index, name in enumerate(telemetry.parsed_fields(kind)) if name in optional)

