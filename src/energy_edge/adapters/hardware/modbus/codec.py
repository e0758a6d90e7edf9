"""Register words <-> values, for every data type the maps may name.

The conversion itself is pymodbus's (`convert_from_registers` /
`convert_to_registers`); this module adds what SunSpec and real devices need
on top: byte order inside a register, the "not implemented" sentinels (a
point a device does not support reads as `None`, never as a number), and
scale factors.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Literal

from pymodbus.client.mixin import ModbusClientMixin

Order = Literal["big", "little"]
Value = int | float | str | None
_DT = ModbusClientMixin.DATATYPE


@dataclass(frozen=True, slots=True)
class RegisterType:
    """One data type: its pymodbus conversion, size in registers and SunSpec sentinel."""

    datatype: _DT
    size: int
    sentinel: int | float | None  # the decoded value meaning "not implemented"


REGISTER_TYPES: dict[str, RegisterType] = {
    "int16": RegisterType(_DT.INT16, 1, -0x8000),
    "uint16": RegisterType(_DT.UINT16, 1, 0xFFFF),
    "acc16": RegisterType(_DT.UINT16, 1, 0),
    "enum16": RegisterType(_DT.UINT16, 1, 0xFFFF),
    "bitfield16": RegisterType(_DT.UINT16, 1, 0xFFFF),
    "sunssf": RegisterType(_DT.INT16, 1, -0x8000),
    "int32": RegisterType(_DT.INT32, 2, -0x80000000),
    "uint32": RegisterType(_DT.UINT32, 2, 0xFFFFFFFF),
    "acc32": RegisterType(_DT.UINT32, 2, 0),
    "bitfield32": RegisterType(_DT.UINT32, 2, 0xFFFFFFFF),
    "float32": RegisterType(_DT.FLOAT32, 2, None),  # NaN is its sentinel
    "string": RegisterType(_DT.STRING, 0, None),  # all-NUL is its sentinel; size from the map
}

SCALE_FACTOR_RANGE = range(-10, 11)  # SunSpec: sunssf is an exponent in -10..10
DECODE_ERRORS = (struct.error, OverflowError, ValueError, ZeroDivisionError)  # what bad registers raise in conversion


def _swap_bytes(registers: list[int]) -> list[int]:
    return [((word & 0xFF) << 8) | (word >> 8) for word in registers]


def decode(registers: list[int], type_name: str, *, word_order: Order = "big", byte_order: Order = "big") -> Value:
    """Raw registers to a value, or None for the type's "not implemented" sentinel."""
    kind = REGISTER_TYPES[type_name]
    if kind.size and len(registers) != kind.size or not registers:
        raise ValueError(f"{len(registers)} registers where {type_name} has {kind.size or 'at least 1'}")
    words = _swap_bytes(registers) if byte_order == "little" else list(registers)
    if kind.datatype is _DT.STRING:
        text = ModbusClientMixin.convert_from_registers(words, kind.datatype, word_order=word_order, string_encoding="latin-1")
        text = str(text).rstrip("\x00 ")
        return text or None
    value = ModbusClientMixin.convert_from_registers(words, kind.datatype, word_order=word_order)
    assert isinstance(value, (int, float))
    if isinstance(value, float) and math.isnan(value):
        return None
    return None if value == kind.sentinel else value


def encode(value: Value, type_name: str, *, size: int = 0, word_order: Order = "big", byte_order: Order = "big") -> list[int]:
    """A value to raw registers; None writes the type's "not implemented" sentinel."""
    kind = REGISTER_TYPES[type_name]
    if kind.datatype is _DT.STRING:
        data = (str(value or "")).encode("latin-1")[: size * 2].ljust(size * 2, b"\x00")
        words = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    else:
        raw = (math.nan if kind.datatype is _DT.FLOAT32 else kind.sentinel) if value is None else value
        if kind.datatype is not _DT.FLOAT32:
            raw = int(raw)
        words = ModbusClientMixin.convert_to_registers(raw, kind.datatype, word_order=word_order)
    return _swap_bytes(words) if byte_order == "little" else words


def hex_words(words: list[int]) -> str:
    """Registers as a fault message shows them: [0xFFFF, 0x8000]."""
    return "[" + ", ".join(f"0x{word:04X}" for word in words) + "]"


def size_of(type_name: str, declared_size: int | None = None) -> int:
    """Registers a point occupies: fixed by the type, or declared (strings)."""
    return declared_size or REGISTER_TYPES[type_name].size


def scaled(raw: int | float | None, scale_factor: int | None) -> float | None:
    """raw * 10**sf; None when either is not implemented. Callers range-check `sf` first."""
    if raw is None or scale_factor is None:
        return None
    return float(raw) * 10.0**scale_factor


def unscaled(value: float, scale_factor: int) -> int:
    """The raw integer a device expects for `value` under `scale_factor`."""
    return round(value / 10.0**scale_factor)


def fits(raw: int, type_name: str) -> bool:
    """Whether `raw` can be written as `type_name` without being (or colliding with) its sentinel."""
    try:
        encode(raw, type_name)
    except DECODE_ERRORS:
        return False
    return raw != REGISTER_TYPES[type_name].sentinel
