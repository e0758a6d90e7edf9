"""msgspec in front of the reference telemetry decoder changes speed only (issue 15: a simulated day in ~5 s).

Every body decodes to the same report (each value of the same type) with the parser as without
it, or is refused by both with the reference's one sentence (the same rule, the same words); the
reports the asset modules publish are read by the parser itself, not handed back to the reference.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.json_codec import OrjsonCodec
from energy_edge.adapters.telemetry_parser import MsgspecTelemetryParser
from energy_edge.domain import bounded_json, telemetry
from energy_edge.domain.bounds import MAX_JSON_BYTES
from energy_edge.domain.errors import MalformedMessage
from energy_edge.domain.telemetry import AssetTelemetry, decode_asset_telemetry

PARSER = MsgspecTelemetryParser()

REPORTS: dict[str, dict[str, Any]] = {
    "solar": {"module": "solar", "kind": "solar", "seq": 3, "timestamp": 1_782_000_000.0, "state": "RUNNING",
              "power_w": 4_200.5, "fault_reason": None, "setpoint_expires_at": 1_782_000_030.0,
              "available_power_w": 4_300.0, "rated_power_w": 6_000.0, "limit_w": 6_000.0},
    "battery": {"module": "battery", "kind": "battery", "seq": 12_345, "timestamp": 1_782_036_000.0,
                "state": "CHARGING", "power_w": -2_345.678, "fault_reason": None, "setpoint_expires_at": None,
                "soc": 0.5123, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000,
                "soc_min": 0.1, "soc_max": 0.95},
    "boiler": {"module": "boiler", "kind": "boiler", "seq": 7, "timestamp": 1_782_000_000.25, "state": "HEATING",
               "power_w": -3_000.0, "fault_reason": "thermostat lost", "setpoint_expires_at": 1_782_000_060.0,
               "temperature_c": 55.5, "setpoint_c": 60.0, "min_temperature_c": 45.0, "max_temperature_c": 75.0,
               "heater_power_w": 3_000.0, "heater_on": True, "hysteresis_c": 5.0},
    "meter": {"module": "meter", "kind": "meter", "seq": 1, "timestamp": 1_782_000_000, "state": "OK",
              "power_w": 1_500.0, "power_l1_w": 1_500.0, "voltage_l1_v": 230, "frequency_hz": 50.02},
}


@contextlib.contextmanager
def _parser(parser: MsgspecTelemetryParser | None) -> Iterator[None]:
    previous, previous_codec = telemetry.parser(), bounded_json.codec()
    telemetry.use_parser(parser)
    bounded_json.use_codec(OrjsonCodec())
    try:
        yield
    finally:
        telemetry.use_parser(previous)
        bounded_json.use_codec(previous_codec)


def _outcome(body: bytes, parser: MsgspecTelemetryParser | None) -> object:
    """The report with every value's type spelled out, or the refusal (its rule and its words)."""
    with _parser(parser):
        try:
            report = decode_asset_telemetry(bytes(body))  # a new object: no report remembered by identity
        except MalformedMessage as exc:
            return ("refused", exc.rule, str(exc))
    return [(name, type(value).__name__, repr(value)) for name, value in
            [*((f, getattr(report, f)) for f in AssetTelemetry.__slots__ if f != "values"), *report.values.items()]]


def _same_with_and_without(body: bytes) -> object:
    fast = _outcome(body, PARSER)
    assert fast == _outcome(body, None)
    return fast


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_the_reports_modules_publish_are_read_by_the_parser_itself(kind):
    body = json.dumps(REPORTS[kind]).encode()
    parsed_kind, fields = PARSER.parse(body)  # raises if it would leave the body to the reference
    assert parsed_kind == kind
    assert dict(zip(telemetry.parsed_fields(kind), fields)) == {
        name: REPORTS[kind].get(name) for name in telemetry.parsed_fields(kind)}
    assert _same_with_and_without(body)[0] == ("module", "str", repr(kind))


def test_a_published_report_is_read_by_the_parser_and_decodes_as_before():
    report = AssetTelemetry("battery", "battery", 9, 1_782_000_000.5, "DISCHARGING", 1_234.5, None, 1_782_000_030.0,
                            {"soc": 0.5, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
                             "soc_min": 0.1, "soc_max": 0.9})
    with _parser(None):
        body = report.to_json()
    PARSER.parse(body)
    with _parser(PARSER):
        assert decode_asset_telemetry(body) == report


@pytest.mark.parametrize("change, rule", [
    ({"soc": 1.5}, "telemetry.soc"),
    ({"soc": True}, "telemetry.soc"),
    ({"soc": "0.5"}, "telemetry.soc"),
    ({"soc": None}, "telemetry.soc"),
    ({"seq": 1.0}, "telemetry.seq"),
    ({"seq": -1}, "telemetry.seq"),
    ({"power_w": 2e7}, "telemetry.power_w"),
    ({"power_w": -10_000_001}, "telemetry.power_w"),
    ({"module": 5}, "telemetry.module"),
    ({"state": "NOT A STATE"}, "telemetry.state"),
    ({"state": ""}, "telemetry.state"),
    ({"state": "X" * 33}, "telemetry.state"),
    ({"kind": "toaster"}, "telemetry.kind"),
    ({"kind": None}, "telemetry.kind"),
    ({"setpoint_expires_at": "soon"}, "telemetry.setpoint_expires_at"),
    ({"timestamp": False}, "telemetry.timestamp"),
])
def test_a_bad_field_is_refused_with_the_same_sentence(change, rule):
    body = json.dumps({**REPORTS["battery"], **change}).encode()
    outcome = _same_with_and_without(body)
    assert outcome[:2] == ("refused", rule)


@pytest.mark.parametrize("missing", ["module", "seq", "timestamp", "state", "power_w", "soc", "soc_max"])
def test_a_missing_field_is_refused_with_the_same_sentence(missing):
    report = {name: value for name, value in REPORTS["battery"].items() if name != missing}
    assert _same_with_and_without(json.dumps(report).encode())[:2] == ("refused", f"telemetry.{missing}")


@pytest.mark.parametrize("body", [
    b'{"module":"battery","kind":"battery","soc":NaN}',
    b"[1,2]", b"", b"not json", b'{"kind":"battery"', b'"battery"',
    json.dumps({**REPORTS["battery"], "power_w": 1}).encode().replace(b'"power_w": 1', b'"power_w": 1e999'),
    json.dumps({**REPORTS["battery"], "extra": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}).encode(),
    json.dumps({**REPORTS["battery"], "extra": 10 ** 400}).encode(),
    json.dumps(REPORTS["battery"]).encode()[:-1] + b',"kind":"solar"}',
    json.dumps(REPORTS["battery"]).encode() + b" x",
    b"\xef\xbb\xbf" + json.dumps(REPORTS["battery"]).encode(),
    json.dumps({**REPORTS["battery"], "module": "bat\udfff"}).encode(),
    json.dumps({**REPORTS["battery"], "module": "é"}, ensure_ascii=False).encode().replace("é".encode(), b"\xff"),
    json.dumps({**REPORTS["battery"], "module": "x" * MAX_JSON_BYTES}).encode(),
])
def test_a_body_the_parser_leaves_alone_is_decided_by_the_reference(body):
    _same_with_and_without(body)


def _said_twice(report: dict[str, Any], name: str, second: Any) -> bytes:
    return json.dumps(report).encode()[:-1] + f', "{name}": {json.dumps(second)}}}'.encode()


@pytest.mark.parametrize("kind, name, second", [
    ("battery", "power_w", 5_000.0), ("battery", "soc", 0.01), ("battery", "kind", "battery"),
    ("battery", "fault_reason", None), ("battery", "setpoint_expires_at", 1_782_036_030.0),
    ("boiler", "heater_on", False), ("meter", "power_l1_w", 1_500.0), ("solar", "module", "solar"),
])
def test_a_key_twice_is_refused_naming_it_with_the_parser_as_without(kind, name, second):
    """msgspec, like the reference parser on its own, kept the last: a body could say two values of a field."""
    outcome = _same_with_and_without(_said_twice(REPORTS[kind], name, second))
    assert outcome[:2] == ("refused", "telemetry.duplicate_key") and repr(name) in outcome[2]


def test_a_key_twice_is_refused_when_an_optional_field_left_out_makes_the_count_add_up():
    """As many colons as a whole report has fields: a key twice where an optional field is missing."""
    report = {name: value for name, value in REPORTS["battery"].items() if name != "setpoint_expires_at"}
    body = _said_twice(report, "power_w", 5_000.0)
    assert body.count(b":") == 1 + len(telemetry.parsed_fields("battery"))
    assert _same_with_and_without(body)[:2] == ("refused", "telemetry.duplicate_key")


def test_a_colon_inside_a_string_is_no_repetition():
    body = json.dumps({**REPORTS["boiler"], "fault_reason": "E1: sensor: open circuit"}).encode()
    assert _same_with_and_without(body)[0] != "refused"


@pytest.mark.parametrize("change", [
    {"extra": 1}, {"fault_reason": 5}, {"fault_reason": "x" * 500}, {"timestamp": 10 ** 20},
    {"setpoint_expires_at": 2 ** 70}, {"seq": 2 ** 63}, {"module": "bat\ud800"}, {"state": "STÄTE"},
    {"soc": 1}, {"soc": 0}, {"power_w": -0.0}, {"timestamp": 1e-320}, {"power_w": 10_000_000},
])
def test_odd_but_valid_reports_decode_alike(change):
    outcome = _same_with_and_without(json.dumps({**REPORTS["battery"], **change}).encode())
    assert outcome[0] != "refused"


_numbers = (st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from([0, 1, -1, 0.0, -0.0, 1.0, 10e6, 1e12, 150.0, -50.0, 45, 65, 500, 2 ** 63, 2 ** 63 - 1]))
_values = _numbers | st.booleans() | st.none() | st.text(max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(REPORTS)), st.dictionaries(
    st.sampled_from(sorted({name for report in REPORTS.values() for name in report} | {"hysteresis_c", "extra"})),
    _values, max_size=4), st.lists(st.sampled_from(sorted({name for r in REPORTS.values() for name in r})), max_size=2))
def test_any_report_decodes_alike_with_the_parser_as_without(kind, changes, dropped):
    report = {name: value for name, value in {**REPORTS[kind], **changes}.items() if name not in dropped}
    for body in (json.dumps(report), json.dumps(report, separators=(",", ":"), ensure_ascii=False)):
        _same_with_and_without(body.encode(errors="surrogatepass"))


_number_texts = st.from_regex(r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["timestamp", "power_w", "soc", "capacity_wh", "seq", "setpoint_expires_at"]), _number_texts)
def test_every_number_reads_as_the_reference_reads_it(name, number):
    """Every spelling of a number gives the same value of the same type, or the same refusal."""
    body = json.dumps({**REPORTS["battery"], name: 0}).encode().replace(f'"{name}": 0'.encode(),
                                                                      f'"{name}": {number}'.encode())
    _same_with_and_without(body)


def test_a_report_with_a_nan_is_refused_by_its_receiver_with_the_parser_too():
    report = AssetTelemetry("battery", "battery", 1, 0.0, "IDLE", math.nan, values={
        "soc": 0.5, "capacity_wh": 10_000.0, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
        "soc_min": 0.1, "soc_max": 0.9})
    with _parser(PARSER):
        with pytest.raises(MalformedMessage) as refused:
            decode_asset_telemetry(report.to_json())
    assert refused.value.rule == "telemetry.json"
