"""SunSpec over Modbus: find the device's models, read and write their points.

Discovery looks for the "SunS" marker at the usual base addresses (40000,
then 0 and 50000), then walks the model blocks (ID, L, L registers) up to
the end marker 0xFFFF. The layout that results says where each model lives;
the point definitions (offsets, types, scale factors) come from the map file.
The same `SunSpecLayout` also builds the register image of the simulator, so
driver and simulator can never disagree about an address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from energy_edge.domain.errors import HardwareFault

from .codec import DECODE_ERRORS, SCALE_FACTOR_RANGE, Order, Value, decode, encode, fits, hex_words, scaled, unscaled
from .connection import ModbusConnection
from .register_map import LAST_REGISTER, SunSpecModel, SunSpecModelTable

SUNS_MARKER = [0x5375, 0x6E53]  # "SunS"
END_MODEL_ID = 0xFFFF
DEFAULT_BASE_ADDRESSES = (40000, 0, 50000)
MAX_MODELS = 64  # a walk longer than this is a device answering garbage, not a real SunSpec map
MEASUREMENT_MODELS = (701, 103, 102, 101)  # AC measurement, preferred first


@dataclass(frozen=True, slots=True)
class ModelBlock:
    model: SunSpecModel | None  # None: a model the map does not describe (skipped, kept for the walk)
    model_id: int
    address: int  # the model's ID register
    length: int


@dataclass
class SunSpecLayout:
    """Where each model of one device lives."""

    base_address: int
    blocks: dict[int, ModelBlock] = field(default_factory=dict)
    word_order: Order = "big"
    byte_order: Order = "big"

    @classmethod
    def build(cls, base_address: int, table: SunSpecModelTable, model_ids: tuple[int, ...]) -> "SunSpecLayout":
        """The layout of a device that carries `model_ids` in that order (the simulator's image)."""
        layout = cls(base_address)
        address = base_address + 2
        for model_id in model_ids:
            model = table.by_id[model_id]
            layout.blocks[model_id] = ModelBlock(model, model_id, address, model.length)
            address += 2 + model.length
        return layout

    @property
    def end_address(self) -> int:
        """The end marker's address (after the last model)."""
        last = max(self.blocks.values(), key=lambda block: block.address, default=None)
        return self.base_address + 2 if last is None else last.address + 2 + last.length

    def first_of(self, *model_ids: int) -> ModelBlock | None:
        return next((self.blocks[m] for m in model_ids if m in self.blocks and self.blocks[m].model), None)

    def address_of(self, model_id: int, point: str) -> int:
        block = self.blocks[model_id]
        assert block.model is not None
        return block.address + block.model.by_name[point].offset

    def decode_model(self, block: ModelBlock, registers: list[int]) -> dict[str, Value]:
        """All mapped points of one model from its registers (ID first), scale factors applied.

        Every scale factor is range-checked before any value uses it (the
        allowed exponents are per point in the map, within SunSpec's -10..10);
        a scale factor outside its range, registers that do not decode or a
        value that is not a finite number raise HardwareFault naming the model
        and the point, never struct.error or OverflowError.
        """
        assert block.model is not None
        where = f"SunSpec model {block.model_id}"
        raw: dict[str, Value] = {}
        for point in block.model.points:
            words = registers[point.offset : point.offset + point.registers]
            try:
                raw[point.name] = decode(words, point.type, word_order=self.word_order, byte_order=self.byte_order)
            except DECODE_ERRORS as exc:
                raise HardwareFault(f"{where} {point.name}: registers {hex_words(words)} do not decode as {point.type} ({exc})") from exc
        for point in block.model.points:
            factor = raw[point.name]
            allowed = point.allowed_scale_factors
            if point.type == "sunssf" and factor is not None and factor not in allowed:
                raise HardwareFault(f"{where} {point.name}: scale factor {factor} outside {allowed.start}..{allowed.stop - 1}, "
                                    f"the range allowed for this point")
        values: dict[str, Value] = {}
        for point in block.model.points:
            value = scaled(raw[point.name], raw[point.sf]) if point.sf else raw[point.name]  # type: ignore[arg-type]
            if isinstance(value, float) and not math.isfinite(value):
                raise HardwareFault(f"{where} {point.name}: {value} is not a finite number")
            values[point.name] = value
        return values

    def encode_point(self, block: ModelBlock, point_name: str, value: float | str | None, scale_factor: int | None) -> list[int]:
        """Registers for one point; `value` in engineering units, scaled by the device's own factor.

        A value that does not fit the point's type under that scale factor is
        a HardwareFault naming the point (never a write of a wrapped number).
        """
        assert block.model is not None
        point = block.model.by_name[point_name]
        where = f"SunSpec model {block.model_id} {point_name}"
        if point.sf and value is not None:
            if scale_factor is None:
                raise HardwareFault(f"SunSpec model {block.model_id} {point.sf} not implemented: cannot write {point_name}")
            if not math.isfinite(float(value)):
                raise HardwareFault(f"{where}: {value} is not a finite number, cannot write")
            if scale_factor not in SCALE_FACTOR_RANGE:
                raise HardwareFault(f"{where}: scale factor {scale_factor} outside -10..10, cannot write")
            value = unscaled(float(value), scale_factor)
        elif isinstance(value, float):
            value = round(value)
        if isinstance(value, int) and not fits(value, point.type):
            raise HardwareFault(f"{where}: raw value {value} (scale factor {scale_factor}) does not fit {point.type}")
        return encode(value, point.type, size=point.size or 0, word_order=self.word_order, byte_order=self.byte_order)


class SunSpecImage:
    """A whole SunSpec register image in memory (the simulator's side), point by point.

    Values are in engineering units; scaled points use the scale factor that
    the image itself holds, as a device would.
    """

    def __init__(self, layout: SunSpecLayout, registers: list[int] | None = None) -> None:
        self.layout = layout
        self.registers = registers if registers is not None else self.blank(layout)

    @staticmethod
    def blank(layout: SunSpecLayout) -> list[int]:
        """"SunS", each model's ID and L with zeroed points, the end marker."""
        registers = [0] * (layout.end_address + 2 - layout.base_address)
        registers[0:2] = SUNS_MARKER
        for block in layout.blocks.values():
            start = block.address - layout.base_address
            registers[start : start + 2] = [block.model_id, block.length]
        end = layout.end_address - layout.base_address
        registers[end : end + 2] = [END_MODEL_ID, 0]
        return registers

    def _span(self, model_id: int, name: str) -> tuple[ModelBlock, slice]:
        block = self.layout.blocks[model_id]
        assert block.model is not None
        point = block.model.by_name[name]
        start = block.address - self.layout.base_address + point.offset
        return block, slice(start, start + point.registers)

    def get(self, model_id: int, name: str) -> Value:
        block, span = self._span(model_id, name)
        assert block.model is not None
        point = block.model.by_name[name]
        raw = decode(self.registers[span], point.type, word_order=self.layout.word_order, byte_order=self.layout.byte_order)
        return scaled(raw, self.get(model_id, point.sf)) if point.sf else raw  # type: ignore[arg-type]

    def set(self, model_id: int, name: str, value: float | str | None) -> None:
        block, span = self._span(model_id, name)
        assert block.model is not None
        sf_name = block.model.by_name[name].sf
        scale_factor = self.get(model_id, sf_name) if sf_name else None
        try:
            self.registers[span] = self.layout.encode_point(block, name, value, scale_factor)  # type: ignore[arg-type]
        except HardwareFault:  # out of the type's range under this scale factor: "not implemented"
            self.registers[span] = self.layout.encode_point(block, name, None, scale_factor)  # type: ignore[arg-type]


class SunSpecDevice:
    """A SunSpec device on a Modbus connection: discover once, then read and write points."""

    def __init__(
        self,
        connection: ModbusConnection,
        table: SunSpecModelTable,
        *,
        base_addresses: tuple[int, ...] = DEFAULT_BASE_ADDRESSES,
        word_order: Order = "big",
        byte_order: Order = "big",
    ) -> None:
        self.connection = connection
        self._table = table
        self._bases = base_addresses
        self._orders = (word_order, byte_order)
        self.layout: SunSpecLayout | None = None

    async def discover(self) -> SunSpecLayout:
        """Find "SunS" and walk the model blocks; cached after the first success."""
        if self.layout is not None:
            return self.layout
        for base in self._bases:
            try:
                marker = await self.connection.read(base, 2)
            except HardwareFault:  # the device refuses this address: not where its map lives
                continue
            if marker == SUNS_MARKER:
                self.layout = await self._walk(base)
                return self.layout
        raise HardwareFault(f"{self.connection.endpoint}: no SunSpec marker 'SunS' at {list(self._bases)}")

    async def _walk(self, base: int) -> SunSpecLayout:
        layout = SunSpecLayout(base, word_order=self._orders[0], byte_order=self._orders[1])
        address = base + 2
        for _ in range(MAX_MODELS):
            if address + 1 > LAST_REGISTER:
                raise HardwareFault(f"SunSpec walk from {base}: no end marker before register {LAST_REGISTER}")
            model_id, length = await self.connection.read(address, 2)
            if model_id == END_MODEL_ID:
                return layout
            if address + 1 + length > LAST_REGISTER:
                raise HardwareFault(f"SunSpec model {model_id} at {address}: length {length} runs beyond register {LAST_REGISTER}")
            model = self._table.by_id.get(model_id)
            if model is not None and length < model.length:
                raise HardwareFault(f"SunSpec model {model_id} at {address}: length {length} shorter than the map's {model.length}")
            layout.blocks.setdefault(model_id, ModelBlock(model, model_id, address, length))
            address += 2 + length
        raise HardwareFault(f"SunSpec walk from {base}: no end marker after {MAX_MODELS} models")

    async def read_model(self, block: ModelBlock) -> dict[str, Value]:
        assert self.layout is not None and block.model is not None
        last = max(point.offset + point.registers for point in block.model.points)
        registers = await self.connection.read(block.address, last)
        return self.layout.decode_model(block, registers)

    async def write_points(self, block: ModelBlock, values: dict[str, float | None], scale_factors: dict[str, Value]) -> None:
        """Write points one request each, in the order given (revert timers before the setpoint), then read them back.

        A device that answers the writes but does not hold the values (a
        limit "applied" that the inverter ignores) is a fault: the asset must
        not report a setpoint the hardware does not follow. So is a scale
        factor that reads back other than `scale_factors` (the one the values
        were scaled with): the raw words then mean another value to the device.
        """
        assert self.layout is not None and block.model is not None
        written: dict[str, list[int]] = {}
        for name, value in values.items():
            point = block.model.by_name[name]
            sf = scale_factors.get(point.sf) if point.sf else None
            written[name] = self.layout.encode_point(block, name, value, sf if sf is None else int(sf))
            await self.connection.write(block.address + point.offset, written[name])
        registers = await self.connection.read(block.address, max(p.offset + p.registers for p in block.model.points))
        for name, words in written.items():
            point = block.model.by_name[name]
            held = registers[point.offset : point.offset + point.registers]
            if held != words:
                raise HardwareFault(f"SunSpec model {block.model_id} {name} reads back {hex_words(held)} after writing "
                                    f"{hex_words(words)} ({values[name]}): the device did not take the setpoint")
        scaled_by: dict[str, list[str]] = {}
        for name, value in values.items():
            sf_name = block.model.by_name[name].sf
            if sf_name and value is not None:
                scaled_by.setdefault(sf_name, []).append(name)
        for sf_name, names in scaled_by.items():
            sf_point = block.model.by_name[sf_name]
            words = registers[sf_point.offset : sf_point.offset + 1]
            now = decode(words, "sunssf", word_order=self.layout.word_order, byte_order=self.layout.byte_order)
            if now != scale_factors.get(sf_name):
                raise HardwareFault(f"SunSpec model {block.model_id} {sf_name} changed from {scale_factors.get(sf_name)} to {now} while "
                                    f"writing {', '.join(names)}: the values written mean something else to the device")
