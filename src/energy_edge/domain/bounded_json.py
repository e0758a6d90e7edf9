"""JSON from outside, parsed within a size and a nesting limit.

Every parser at a port (method payloads, telemetry bodies, twin documents, on
every transport) goes through `loads`, so no input can make a module parse
megabytes or recurse until Python's stack gives up (`RecursionError`, which
is not a `ValueError` and used to escape every handler). The limits are in
`bounds.py`; exceeding one raises `JsonLimitExceeded` naming it.

The standard library's parser is the reference. A composition root may put a
faster one in front of it (`use_codec`, a `JsonCodec`: every telemetry body of
a simulated day goes through here, 260,000 of them): the limits stay here, and
whatever the fast one refuses, the reference parses or refuses with its own
words, so the codec changes how fast a document is read, never what is
accepted, the values it gives, or what a refusal says.

A key twice in one object is refused (`DuplicateKey`, naming it): parsers
disagree on which one counts (the standard library's and orjson's keep the
last, others the first), so a body could show a reviewer or a log one value
and apply another. Finding one costs nearly nothing where there is none: every
key is followed by its colon, so a document with no more colons than the keys
it parsed to repeats none; only one with more (a key twice, or a colon inside
a string: a fault reason, a time) is read again, keeping each object's pairs.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Protocol

from .bounds import MAX_JSON_BYTES, MAX_JSON_DEPTH
from .shown import cut, shown


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
_COMPACT = json.JSONEncoder(separators=(",", ":"))
_MISSING: Any = object()
# A codec may spell a number differently (orjson: 1e-7 for 1e-07, 0.000025 for 2.5e-05), at most 1.25 times the
# reference's length: a document under this share of a size limit is under it either way; above it, the
# reference writes it, so a document is refused at exactly the size it always was.
_FAR_BELOW = 0.5


class JsonCodec(Protocol):
    """A faster JSON codec in front of the standard library's (the port; adapters/json_codec.py).

    `parse` gives exactly what the reference parser (`_DECODER`) gives, the same values of the
    same types, or raises for anything it will not read (the reference then decides: it may
    still accept it, or refuse it with its own reason). `serialise` gives compact ASCII JSON of
    dicts, lists, str, int, float, bool and None that reads back as the reference's document
    reads (numbers may be spelled differently), or raises TypeError/ValueError for anything else,
    a non-finite float included (JSON has none; the caller then falls back to the reference).
    """

    def parse(self, data: bytes | bytearray | str) -> Any: ...

    def serialise(self, value: Any) -> bytes: ...


_codec: JsonCodec | None = None  # None: the standard library alone


def use_codec(codec: JsonCodec | None) -> None:
    """Put `codec` in front of the standard library's parser and encoder in this process (None: remove it)."""
    global _codec
    _codec = codec


def codec() -> JsonCodec | None:
    return _codec


class JsonLimitExceeded(ValueError):
    """A document the ports refuse though JSON can spell it: over the size or the depth limit, or a key
    twice in one object; `limit` is "size", "depth" or "duplicate_key", `reason` the sentence."""

    def __init__(self, limit: str, reason: str) -> None:
        super().__init__(reason)
        self.limit = limit
        self.reason = reason


class DuplicateKey(JsonLimitExceeded):
    """A key twice in one object (which one counts differs between parsers); `key` is the key."""

    def __init__(self, key: str) -> None:
        super().__init__("duplicate_key", f"key {shown(key)} appears more than once in one object; "
                                          f"each key may appear only once")
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An `object_pairs_hook` for `json.loads`: the object, or `DuplicateKey` naming the first key it repeats."""
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return value


_UNIQUE_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float, parse_int=_float_sized_int,
                                   object_pairs_hook=unique_keys)  # the reference, refusing a key twice


def loads(data: bytes | bytearray | str, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse `data`; raise `JsonLimitExceeded` (`DuplicateKey` for a key twice in one object), or ValueError
    (not UTF-8, not JSON) like json.loads."""
    binary = isinstance(data, (bytes, bytearray))
    size = len(data) if binary else len(data.encode(errors="replace"))  # type: ignore[union-attr]
    if size > max_bytes:
        raise JsonLimitExceeded("size", f"{size} bytes is over the limit of {max_bytes} bytes")
    value = _MISSING
    if _codec is not None:
        try:
            value = _codec.parse(data)
        except Exception:  # not for the fast codec: the reference below accepts it or says why not
            value = _MISSING
    if value is _MISSING:
        text = data.decode() if binary else data  # type: ignore[union-attr]
        try:
            value = _DECODER.decode(text)  # type: ignore[arg-type]
        except RecursionError:
            raise _too_deep(max_depth) from None
    objects = data.count(b"{") if binary else data.count("{")  # type: ignore[arg-type]
    opened = objects + (data.count(b"[") if binary else data.count("["))  # type: ignore[arg-type]
    if opened > max_depth:  # only then can it be too deep: telemetry has one "{"
        check_depth(value, max_depth)
    if objects:  # (after the depth check: the pairs below are read by the reference, within its stack)
        colons = data.count(b":") if binary else data.count(":")  # type: ignore[arg-type]
        if colons > (len(value) if objects == 1 and type(value) is dict else _key_count(value)):
            _UNIQUE_DECODER.decode(data.decode() if binary else data)  # type: ignore[union-attr,arg-type]
    return value


def _key_count(value: Any) -> int:
    """How many keys the objects in `value` hold (a key twice in the text counts once here)."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            count += len(item)
            item = item.values()
        elif type(item) is not list:
            continue
        for child in item:
            if type(child) is dict or type(child) is list:
                stack.append(child)
    return count


def encode(value: Any) -> bytes:
    """Compact JSON bytes of our own value (a telemetry body), by the fast codec when there is one.

    Unlike `dumps`, a non-finite float is written as the standard library writes it (`NaN`), so the
    receiver's parser refuses the report and counts it, as it would refuse another sender's.
    """
    if _codec is not None:
        try:
            written = _codec.serialise(value)
        except (TypeError, ValueError):  # NaN, or a type only the reference writes (a key that is no str)
            written = b""
        if 0 < len(written) <= _FAR_BELOW * MAX_JSON_BYTES:
            return written
    return _COMPACT.encode(value).encode()


def dumps(value: Any, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> str:
    """Serialise a value that came from outside (e.g. an in-process payload) within the same limits."""
    check_depth(value, max_depth)
    text = None
    if _codec is not None:
        try:
            text = _codec.serialise(value).decode()
        except Exception:  # NaN, a type only the reference writes, or one it refuses: the reference decides
            text = None
        if text is not None and len(text) > _FAR_BELOW * max_bytes:  # near the limit the reference measures
            text = None
    try:
        text = _ENCODER.encode(value) if text is None else text
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
