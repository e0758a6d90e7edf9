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
- a second `kind` in one body, a kind it does not know: msgspec refuses them.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Optional, Union

import msgspec

from ..domain import telemetry

_INT64 = 2**63 - 1
_UNBOUNDED = 1e18  # the fast path's bound on a number the domain leaves unbounded (a timestamp)


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
    return Optional[field_type] if optional else field_type


def _struct(kind: str) -> type[msgspec.Struct]:
    """A report of `kind`, its fields in `telemetry.parsed_fields(kind)` order (what `parse` returns)."""
    types: dict[str, tuple[Any, Any]] = {"fault_reason": (Optional[str], None)}
    for name, typ, low, high, optional in telemetry.field_checks(kind):
        types[name] = (_field_type(typ, low, high, optional), None) if optional else (_field_type(typ, low, high, False),)
    fields = [(name, *types[name]) for name in telemetry.parsed_fields(kind)]
    return msgspec.defstruct(f"{kind.title()}Report", fields, kw_only=True, tag_field="kind", tag=kind,
                             forbid_unknown_fields=True)


class MsgspecTelemetryParser:
    """Implements `telemetry.TelemetryParser`."""

    def __init__(self) -> None:
        structs = tuple(_struct(kind) for kind in telemetry.KINDS)
        self._decode = msgspec.json.Decoder(Union[structs]).decode  # type: ignore[valid-type]
        self._kinds = {struct: kind for struct, kind in zip(structs, telemetry.KINDS)}

    def parse(self, body: bytes) -> tuple[str, tuple[Any, ...]]:
        report = self._decode(body)
        return self._kinds[type(report)], msgspec.structs.astuple(report)

