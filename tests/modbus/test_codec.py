"""Data types, sentinels, word and byte order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.hardware.modbus.codec import decode, encode, scaled


@pytest.mark.parametrize(
    ("registers", "type_name"),
    [([0x8000], "int16"), ([0xFFFF], "uint16"), ([0xFFFF], "enum16"), ([0x8000], "sunssf"),
     ([0x8000, 0x0000], "int32"), ([0xFFFF, 0xFFFF], "uint32"), ([0, 0], "acc32"), ([0x7FC0, 0], "float32"), ([0, 0], "string")],
)
def test_not_implemented_sentinels_read_as_none(registers, type_name):
    assert decode(registers, type_name) is None


def test_values_next_to_the_sentinels_are_numbers():
    assert decode([0x8001], "int16") == -32767
    assert decode([0xFFFE], "uint16") == 65534
    assert decode([0x7FFF], "int16") == 32767


def test_scale_factor_applies_and_a_missing_one_gives_none():
    assert scaled(12345, -1) == pytest.approx(1234.5)
    assert scaled(12, 3) == 12000
    assert scaled(12, None) is None


def test_word_and_byte_order_are_what_the_device_says():
    assert encode(0x12345678, "uint32") == [0x1234, 0x5678]
    assert encode(0x12345678, "uint32", word_order="little") == [0x5678, 0x1234]
    assert encode(0x12345678, "uint32", byte_order="little") == [0x3412, 0x7856]
    assert decode([0x3412, 0x7856], "uint32", byte_order="little") == 0x12345678


@settings(max_examples=100, deadline=None)
@given(
    value=st.integers(-(2**31) + 1, 2**31 - 1),
    word_order=st.sampled_from(["big", "little"]),
    byte_order=st.sampled_from(["big", "little"]),
)
def test_int32_round_trips_in_every_order(value, word_order, byte_order):
    registers = encode(value, "int32", word_order=word_order, byte_order=byte_order)
    assert decode(registers, "int32", word_order=word_order, byte_order=byte_order) == value
