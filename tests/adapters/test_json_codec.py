"""The orjson codec in front of the reference parser changes speed only (issue 15: a simulated day in ~5 s).

Every document gives the same value of the same types with the codec as without it, or is refused
by both with the reference's words; the limits (64 KiB, 32 levels, numbers beyond any float) hold
either way; what it writes reads back to the same value, and a non-finite float is written as the
reference writes it, so a receiver still refuses the report.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.json_codec import OrjsonCodec
from energy_edge.domain import bounded_json
from energy_edge.domain.bounds import MAX_JSON_BYTES, MAX_JSON_DEPTH
from energy_edge.domain.errors import MalformedMessage
from energy_edge.domain.telemetry import AssetTelemetry, decode_asset_telemetry


@contextlib.contextmanager
def _codec(codec: OrjsonCodec | None) -> Iterator[None]:
    previous = bounded_json.codec()
    bounded_json.use_codec(codec)
    try:
        yield
    finally:
        bounded_json.use_codec(previous)


@pytest.fixture
def fast() -> Iterator[None]:
    """The codec in front of the reference for one test."""
    with _codec(OrjsonCodec()):
        yield


def _fast(data: bytes | str) -> object:
    with _codec(OrjsonCodec()):
        return _outcome(data)


def _reference(data: bytes | str) -> object:
    with _codec(None):
        return _outcome(data)


def _outcome(data: bytes | str) -> object:
    """The parsed value with every type spelled out, or the refusal (its type and words)."""
    try:
        return _typed(bounded_json.loads(data))
    except ValueError as exc:
        return ("refused", type(exc).__name__, str(exc))


def _typed(value: object) -> object:
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


_scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=12))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)
_number_texts = st.from_regex(r"-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_a_document_reads_the_same_with_the_codec_as_without(value):
    for text in (json.dumps(value), json.dumps(value, separators=(",", ":"))):
        assert _fast(text.encode()) == _reference(text.encode())
        assert _fast(text) == _reference(text)


@settings(max_examples=300, deadline=None)
@given(_number_texts)
def test_every_number_reads_as_the_reference_reads_it_or_is_refused_alike(number):
    """Integers beyond 64 bits stay exact integers, 1e999 and 400-digit integers are refused, every
    float is the correctly rounded one, whatever the codec does with them on its own."""
    for text in (f"[{number}]", f'{{"x":{number}}}', number):
        assert _fast(text.encode()) == _reference(text.encode())


@pytest.mark.parametrize("text", [
    "NaN", "[Infinity]", "[-Infinity]", "[1e999]", "[-1e999]", "[" + "1" + "0" * 400 + "]",
    '"\\ud800"', '{"a":1,"a":2}', "[1,]", "\ufeff[1]", "[01]", "[1.]", '"\x01"', "", " ", "[1] x",
    "-0", "[-0.0]", "[1E5]", "[12345678901234567890]", "[-9223372036854775809]", "[0.00012345678901234567890]",
])
def test_the_odd_documents_read_as_the_reference_reads_them(text):
    assert _fast(text.encode()) == _reference(text.encode())
    assert _fast(text) == _reference(text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _values, min_size=1, max_size=4), _values, st.integers(0, 3))
def test_a_key_twice_is_refused_alike_with_the_codec_and_named(value, second, nesting):
    """orjson keeps the last of two equal keys, as the reference parser on its own does: `loads` refuses both."""
    key = next(iter(value))
    text = json.dumps(value)[:-1] + f", {json.dumps(key)}: {json.dumps(second)}}}"
    for _ in range(nesting):
        text = f'{{"outer": [{text}], "t": "12:00"}}'
    outcome = _fast(text.encode())
    assert outcome == _reference(text.encode()) == _fast(text)
    assert outcome[:2] == ("refused", "DuplicateKey") and repr(key) in outcome[2]


def test_bytes_that_are_not_utf8_are_refused_as_the_reference_refuses_them():
    assert _fast(b'{"a":"\xff"}') == _reference(b'{"a":"\xff"}')
    assert _fast(b'{"a":"\xff"}')[0] == "refused"


@pytest.mark.parametrize("text, limit", [
    ("[" * 100_000 + "]" * 100_000, "size"),
    ("[" * 30_000 + "]" * 30_000, "depth"),
    ("[" * 2_000 + "]" * 2_000, "depth"),  # past orjson's own nesting limit
    ('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1), "depth"),
    ('{"x":"' + "a" * MAX_JSON_BYTES + '"}', "size"),
])
def test_the_limits_hold_with_the_codec(fast, text, limit):
    for data in (text, text.encode()):
        with pytest.raises(bounded_json.JsonLimitExceeded) as refused:
            bounded_json.loads(data)
        assert refused.value.limit == limit


def test_at_the_depth_limit_a_document_still_reads(fast):
    at_limit = '{"a":' * (MAX_JSON_DEPTH - 1) + "1" + "}" * (MAX_JSON_DEPTH - 1)
    assert bounded_json.loads(at_limit.encode()) == json.loads(at_limit)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_what_the_codec_writes_reads_back_to_the_same_value(value):
    with _codec(OrjsonCodec()):
        written = bounded_json.encode(value)
    assert _typed(json.loads(written)) == _typed(json.loads(json.dumps(value)))


@pytest.mark.parametrize("value", [
    {"power_w": math.nan}, {"power_w": math.inf, "fault_reason": None}, [1.0, [-math.inf]],
    {"fault_reason": "null", "power_w": math.nan}, {1: 2.0}, {"when": (1, 2)},
])
def test_what_the_codec_will_not_write_is_written_as_the_reference_writes_it(fast, value):
    assert bounded_json.encode(value) == json.dumps(value, separators=(",", ":")).encode()


@settings(max_examples=200, deadline=None)
@given(_values)
def test_a_bounded_dump_is_what_the_reference_dumps_or_refuses(value):
    """`dumps` (method payloads, twin documents) accepts, and limits, exactly as without the codec."""
    outcomes = []
    for codec in (OrjsonCodec(), None):
        with _codec(codec):
            try:
                outcomes.append(_typed(json.loads(bounded_json.dumps(value, max_bytes=60))))
            except (TypeError, ValueError) as exc:
                outcomes.append((type(exc).__name__, str(exc)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("value", [{"x": "é" * 20_000}, {"x": math.nan}, {"x": [1.0, {"y": -math.inf}]}, {2: "a"}])
def test_a_bounded_dump_refuses_alike_with_the_codec(fast, value):
    with _codec(None):
        try:
            expected = bounded_json.dumps(value)
        except ValueError as exc:
            expected = (type(exc).__name__, str(exc))
    try:
        found = bounded_json.dumps(value)
    except ValueError as exc:
        found = (type(exc).__name__, str(exc))
    assert found == expected


def test_a_report_with_a_nan_is_still_refused_by_its_receiver(fast):
    report = AssetTelemetry("battery", "battery", 1, 0.0, "IDLE", math.nan, values={
        "soc": 0.5, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
        "soc_min": 0.1, "soc_max": 0.9})
    with pytest.raises(MalformedMessage) as refused:
        decode_asset_telemetry(report.to_json())
    assert refused.value.rule == "telemetry.json"


def test_a_report_decodes_to_the_same_telemetry_with_the_codec_as_without(fast):
    report = AssetTelemetry("boiler", "boiler", 7, 1_782_000_000.25, "HEATING", -3000.0, None, 1_782_000_060.0, {
        "temperature_c": 55.5, "setpoint_c": 60.0, "min_temperature_c": 45.0, "max_temperature_c": 75.0,
        "heater_power_w": 3000.0, "heater_on": True, "hysteresis_c": 5.0})
    body = report.to_json()
    assert decode_asset_telemetry(body) == report
    bounded_json.use_codec(None)
    assert decode_asset_telemetry(bytes(body)) == report


def test_a_document_the_reference_writes_over_the_size_limit_is_refused_with_the_codec_too(fast):
    """orjson spells 1e-07 as 1e-7: its text of this list is under 64 KiB, the reference's is over."""
    value = [1e-07] * 10_923
    assert len(OrjsonCodec().serialise(value)) < MAX_JSON_BYTES < len(json.dumps(value, separators=(",", ":")))
    with pytest.raises(bounded_json.JsonLimitExceeded):
        bounded_json.dumps(value)
