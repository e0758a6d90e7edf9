"""JSON from outside, parsed within a size and a nesting limit.

Every parser at a port (method payloads, telemetry bodies, twin documents, on
every transport) goes through `loads`, so no input can make a module parse
megabytes or recurse until Python's stack gives up (`RecursionError`, which
is not a `ValueError` and used to escape every handler). The limits are in
`bounds.py`; exceeding one raises `JsonLimitExceeded` naming it.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from .bounds import MAX_JSON_BYTES, MAX_JSON_DEPTH
from .shown import cut



def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):  # 1e999 parses to inf without any NaN/Infinity literal
        raise ValueError(f"{cut(text, 32)} is beyond any finite number")
    return value


def _float_sized_int(text: str) -> int:
    value = int(text)
    if not -_FLOAT_MAX < value < _FLOAT_MAX:  # float(value) would raise OverflowError in every checker
        raise ValueError(f"{cut(text, 32)} is beyond any finite number")
    return value


_FLOAT_MAX = int(sys.float_info.max)
# NaN, Infinity and numbers that overflow a float refused: every number that gets through converts to a finite float
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float, parse_int=_float_sized_int)
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


class JsonLimitExceeded(ValueError):
    """A document over the size or depth limit; `limit` is "size" or "depth"."""

    def __init__(self, limit: str, reason: str) -> None:
        super().__init__(reason)
        self.limit = limit
        self.reason = reason


def loads(data: bytes | bytearray | str, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse `data`; raise `JsonLimitExceeded`, or ValueError (not UTF-8, not JSON) like json.loads."""
    size = len(data) if isinstance(data, (bytes, bytearray)) else len(data.encode(errors="replace"))
    if size > max_bytes:
        raise JsonLimitExceeded("size", f"{size} bytes is over the limit of {max_bytes} bytes")
    text = data.decode() if isinstance(data, (bytes, bytearray)) else data
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise _too_deep(max_depth) from None
    if text.count("{") + text.count("[") > max_depth:  # only then can it be too deep: telemetry has one "{"
        check_depth(value, max_depth)
    return value


def dumps(value: Any, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> str:
    """Serialise a value that came from outside (e.g. an in-process payload) within the same limits."""
    check_depth(value, max_depth)
    try:
        text = _ENCODER.encode(value)
    except RecursionError:  # a cycle the walk did not meet (objects JSON cannot encode anyway)
        raise _too_deep(max_depth) from None
    if len(text) > max_bytes:
        raise JsonLimitExceeded("size", f"{len(text)} bytes is over the limit of {max_bytes} bytes")
    return text


def check_depth(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise `JsonLimitExceeded` when objects/arrays nest deeper than `max_depth` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth > max_depth:
            raise _too_deep(max_depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, tuple)))


def _too_deep(max_depth: int) -> JsonLimitExceeded:
    return JsonLimitExceeded("depth", f"nested deeper than the limit of {max_depth} levels")
