"""Point values <-> one block of registers, for a map of fixed addresses (boiler, meters).

Driver and simulator both use it, so the two sides can never disagree about
an address, a scale or a word order. On the driver's side every decode
failure is a HardwareFault naming the map and the point: registers that do
not convert, a value that is not a finite number, the type's own "not
implemented" sentinel, or one of the point's documented `no_reading`
contents (a boiler that reports a missing sensor as 0xFFFF must not read as
-0.1 °C).
"""

from __future__ import annotations

import math

from energy_edge.domain.errors import HardwareFault

from .codec import DECODE_ERRORS, decode, encode, hex_words
from .register_map import GenericPoint, GenericRegisterMap


def _as_unsigned(words: list[int]) -> int:
    return int.from_bytes(b"".join(word.to_bytes(2, "big") for word in words), "big")


class GenericMapCodec:
    def __init__(self, register_map: GenericRegisterMap, where: str) -> None:
        self.map = register_map
        self.where = where  # "boiler", "meter sdm630": the start of every fault message
        self.first = min(point.address for point in register_map.points)
        self.count = max(point.address + point.registers for point in register_map.points) - self.first
        self._orders = {"word_order": register_map.word_order, "byte_order": register_map.byte_order}

    def _span(self, point: GenericPoint) -> slice:
        start = point.address - self.first
        return slice(start, start + point.registers)

    def value(self, registers: list[int], name: str) -> float | None:
        """The engineering value, or None when the device says "no reading"."""
        point = self.map.by_name[name]
        words = registers[self._span(point)]
        if _as_unsigned(words) in point.no_reading:
            return None
        try:
            raw = decode(words, point.type, **self._orders)
        except DECODE_ERRORS as exc:
            raise HardwareFault(f"{self.where} {name}: registers {hex_words(words)} do not decode as {point.type} ({exc})") from exc
        if raw is None:
            return None
        value = float(raw) * point.scale
        if not math.isfinite(value):
            raise HardwareFault(f"{self.where} {name}: registers {hex_words(words)} read {value}, not a finite number")
        return value

    def required(self, registers: list[int], name: str) -> float:
        value = self.value(registers, name)
        if value is None:
            words = registers[self._span(self.map.by_name[name])]
            raise HardwareFault(f"{self.where} {name} not implemented by the device (no reading: registers {hex_words(words)})")
        return value

    def words(self, name: str, value: float) -> list[int]:
        """The registers that hold `value` (engineering units) at the point's address; a fault if it does not fit."""
        point = self.map.by_name[name]
        raw = value / point.scale if point.type == "float32" else round(value / point.scale)
        try:
            return encode(raw, point.type, **self._orders)
        except DECODE_ERRORS as exc:
            raise HardwareFault(f"{self.where} {name}: {value} does not fit {point.type} at scale {point.scale}") from exc

    def put(self, registers: list[int], name: str, value: float | None) -> None:
        """Write `value` into a register block starting at the map's first address (the simulator's side)."""
        point = self.map.by_name[name]
        registers[self._span(point)] = encode(None, point.type, **self._orders) if value is None else self.words(name, value)
