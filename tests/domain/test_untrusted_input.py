"""The helpers every port relies on: bounded JSON, cut values, provenance, whole desired documents."""

from __future__ import annotations

import json
import logging

import pytest

from energy_edge.domain import bounded_json
from energy_edge.domain.balancing.policy import WRITABLE as POLICY_PROPERTIES
from energy_edge.domain.bounds import (MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_REFUSED_KEYS_ACKED, MAX_REPORTED_BYTES,
                                      MAX_SHOWN_CHARS, MAX_TWIN_VERSION)
from energy_edge.domain.desired_document import DesiredDocument
from energy_edge.domain.errors import MalformedMessage
from energy_edge.domain.messages import Message
from energy_edge.domain.provenance import accept_telemetry
from energy_edge.domain.services import asset_isolation
from energy_edge.domain.shown import shown
from energy_edge.domain.telemetry import AssetTelemetry
from energy_edge.domain.topology import ASSET_KINDS
from energy_edge.entrypoints.logging_setup import MAX_LOG_MESSAGE_CHARS, BoundedMessages

from .controller.fakes import Site, battery_telemetry, boiler_telemetry, meter_telemetry, solar_telemetry

SENDER_REPORTS = {"battery": battery_telemetry, "solar": solar_telemetry, "boiler": boiler_telemetry,
                  "meter": meter_telemetry}
SITE_KINDS = {kind: kind for kind in SENDER_REPORTS}  # a module of each kind, named after it


@pytest.mark.parametrize("text, limit", [
    ("[" * 100_000 + "]" * 100_000, "size"),
    ("[" * 30_000 + "]" * 30_000, "depth"),  # deeper than Python's recursion limit: no RecursionError
    ('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1), "depth"),
])
def test_json_over_a_limit_is_refused_naming_it(text, limit):
    with pytest.raises(bounded_json.JsonLimitExceeded) as refused:
        bounded_json.loads(text)
    assert refused.value.limit == limit


def test_json_within_the_limits_parses_and_nan_does_not():
    at_limit = '{"a":' * (MAX_JSON_DEPTH - 1) + "1" + "}" * (MAX_JSON_DEPTH - 1)
    assert bounded_json.loads(at_limit.encode()) == json.loads(at_limit)
    with pytest.raises(ValueError):
        bounded_json.loads(b'{"power_w": NaN}')
    with pytest.raises(bounded_json.JsonLimitExceeded):
        bounded_json.dumps({"x": "a" * MAX_JSON_BYTES})


@pytest.mark.parametrize("text, key", [
    ('{"power_w":1000,"power_w":5000}', "power_w"),
    ('{"a":{"b":1,"b":1}}', "b"),  # the same value twice too: which one counts is no reader's to guess
    ('[{"x":1},{"x":1,"y":2,"x":3}]', "x"),
    ('{"$version":3,"soc_min":0.2,"$version":4}', "$version"),
    ('{"t":"12:00","k" : 1 ,"k":2}', "k"),  # colons inside strings and spaces around one
])
def test_a_key_twice_in_one_object_is_refused_naming_it(text, key):
    for data in (text, text.encode()):
        with pytest.raises(bounded_json.DuplicateKey) as refused:
            bounded_json.loads(data)
        assert refused.value.limit == "duplicate_key" and refused.value.key == key
        assert f"key {key!r} appears more than once in one object" in str(refused.value)


@pytest.mark.parametrize("text", [
    '{"fault_reason":"E1: over temperature","at":"12:00:00","a:b":{"c":"d:e"}}',
    '[{"a":1},{"a":1}]', '{"a":{"a":{"a":1}}}', '"x:y"', '[":", {}]',
])
def test_the_same_key_in_different_objects_and_colons_in_strings_are_no_repetition(text):
    assert bounded_json.loads(text) == json.loads(text)
    assert bounded_json.loads(text.encode()) == json.loads(text)


def test_shown_values_and_log_messages_are_bounded():
    assert len(shown("x" * 300_000)) < MAX_SHOWN_CHARS + 30
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert "too deep" in shown(deep)
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "refused %s", ("y" * 300_000,), None)
    BoundedMessages().filter(record)
    assert len(record.getMessage()) < MAX_LOG_MESSAGE_CHARS + 30


def test_provenance_refuses_by_rule():
    report = battery_telemetry(timestamp=100.0).to_json()
    assert accept_telemetry(Message(report, source_module="battery"), ASSET_KINDS, 100.0).module == "battery"
    for source, now, rule in (("solar", 100.0, "telemetry.module"), ("ghost", 100.0, "telemetry.source"),
                              ("", 100.0, "telemetry.source"), ("battery", 90.0, "telemetry.timestamp")):
        with pytest.raises(MalformedMessage) as refused:
            accept_telemetry(Message(report, source_module=source), ASSET_KINDS, now)
        assert refused.value.rule == rule
    with pytest.raises(MalformedMessage) as refused:
        accept_telemetry(Message(report, source_module="battery"), {"battery": "boiler"}, 100.0)
    assert refused.value.rule == "telemetry.kind"



@pytest.mark.parametrize("sender", sorted(SENDER_REPORTS))
@pytest.mark.parametrize("said", sorted(SENDER_REPORTS))
def test_a_body_naming_another_kind_is_refused_as_telemetry_kind_before_its_fields(sender, said):
    if said == sender:
        pytest.skip("the sender's own kind")
    body = json.loads(SENDER_REPORTS[sender]().to_json())  # a genuine report of the sender's kind ...
    body["kind"] = said  # ... saying it is another kind, whose fields it lacks
    with pytest.raises(MalformedMessage) as refused:
        accept_telemetry(Message(json.dumps(body).encode(), source_module=sender), SITE_KINDS, 100.0)
    assert refused.value.rule == "telemetry.kind" and repr(said) in str(refused.value)

def test_a_desired_document_is_whole_and_its_refusals_are_transient():
    document = DesiredDocument({"a", "b"})
    first = document.take({"$version": 1, "a": 1, "junk": 2})
    assert first is not None and first.writable == {"a": 1} and first.unknown == {"junk": 2}
    patch = document.reported_patch(first, ("x.a", "too big"))
    assert patch["a"]["ac"] == 400 and patch["a"]["ad"] == "too big" and patch["junk"]["ac"] == 400
    second = document.take({"$version": 2, "b": 3})
    assert second is not None and second.writable == {"a": 1, "b": 3}
    patch = document.reported_patch(second)
    assert patch["junk"] is None and patch["b"] == {"value": 3, "ac": 200, "av": 2, "ad": "applied"}
    assert document.take({"$version": 2, "a": 9}) is None  # a replay
    assert document.take({"$version": 3, "deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}) is None
    assert document.malformed_total == {"twin.depth": 1}



@pytest.mark.parametrize("value", [[40, 120, 60], [], [True, None, "x", 1.5], [[1], {"h": [False]}], {"h": [0.5]}])
def test_an_acknowledgement_echoes_an_array_as_the_json_it_was(value):
    """A list was echoed as Python's text of it ("[True, None, 'x']"): not the value sent, nor JSON."""
    document = DesiredDocument({"a", "b"})
    update = document.take({"$version": 1, "a": value, "b": 2, "junk": value})
    assert update is not None
    for refusal in (("a", "expected a number"), None):
        patch = document.reported_patch(update, refusal)
        assert patch["a"]["value"] == value and type(patch["a"]["value"]) is type(value)
        assert patch["junk"]["value"] == value and patch["junk"]["ac"] == 400


@pytest.mark.parametrize("value, starts", [
    ([*range(300)], "[0,1,2,3,4,5,6,7,8,9,10,"),
    ([True, None, "é" + "x" * 1_000], '[true,null,"\\u00e9xxx'),
    ({"k": [None] * 300}, '{"k":[null,null,'),
])
def test_a_long_array_or_object_is_echoed_as_its_json_text_cut(value, starts):
    document = DesiredDocument({"a"})
    update = document.take({"$version": 1, "a": value})
    assert update is not None
    echoed = document.reported_patch(update, ("a", "expected a number"))["a"]["value"]
    assert isinstance(echoed, str) and echoed.startswith(starts) and "…(+" in echoed and len(echoed) < 100
    assert "True" not in echoed and "None" not in echoed and "'" not in echoed


def test_an_acknowledgement_cuts_text_beyond_ascii_by_the_bytes_of_its_json():
    emoji = "\U0001f600"  # 12 bytes of JSON: \ud83d\ude00
    document = DesiredDocument({"a"})
    update = document.take({"$version": 1, "a": emoji * 80, emoji * 5: 1, emoji * 6: 2})
    assert update is not None
    patch = document.reported_patch(update, ("a", f"expected a number, got {emoji * 80}"))
    assert patch["a"]["value"] == emoji * 5 + "…(+75 chars)"  # 60 of 64 bytes, as "x" * 64 keeps 64
    assert len(json.dumps(patch["a"]["ad"])) < 240 and patch["a"]["ad"].endswith(" chars)")
    assert emoji * 5 in patch and emoji * 6 not in patch  # a key of 72 bytes is only logged


def test_a_desired_version_beyond_iot_hubs_int64_is_refused_and_the_next_genuine_one_taken():
    document = DesiredDocument({"a"})
    assert document.take({"$version": 3, "a": 1}) is not None
    assert document.take({"$version": 2**63, "a": 2}) is None  # never IoT Hub's: it would outrank every version
    assert document.malformed_total == {"twin.version": 1} and document.version == 3
    update = document.take({"$version": 4, "a": 3})  # the operator's next document by hand
    assert update is not None and update.writable == {"a": 3}
    assert document.take({"$version": MAX_TWIN_VERSION, "a": 4}) is not None  # the bound itself is IoT Hub's


def test_a_desired_version_going_backwards_is_counted_a_replay_is_not(caplog):
    document = DesiredDocument({"a"})
    assert document.take({"$version": 5, "a": 1}) is not None
    with caplog.at_level(logging.WARNING):
        assert document.take({"$version": 4, "a": 2}) is None
    assert document.malformed_total == {"twin.version_older": 1} and "twin.version_older" in caplog.text
    assert document.take({"$version": 5, "a": 1}) is None  # a replay of the version in force: not counted
    assert document.malformed_total == {"twin.version_older": 1} and document.version == 5

async def test_one_assets_bad_data_does_not_stop_the_cycle(monkeypatch):
    site = await Site(grid_power_w=2_000.0).start("battery", "solar")
    await site.publish_all()
    real_balance = asset_isolation.balance

    def fragile(snapshot, *args):
        if any(view.module == "solar" for view in snapshot.assets):
            raise OverflowError("a value no rule foresaw")
        return real_balance(snapshot, *args)

    monkeypatch.setattr(asset_isolation, "balance", fragile)
    decision = await site.controller.run_cycle()
    assert decision is not None and set(decision.setpoints) == {"battery"}
    assert site.controller.asset_errors_total == {"solar": 1}
    assert site.calls()["battery"], "the battery was not commanded"

    broken = AssetTelemetry("solar", "solar", 9, site.clock.now(), "RUNNING", 0.0, values={})  # fields missing
    site.controller.latest["solar"] = broken
    monkeypatch.setattr(asset_isolation, "balance", real_balance)
    assert "battery" in (await site.controller.run_cycle()).setpoints
    assert site.controller.asset_errors_total == {"solar": 2}


@pytest.mark.parametrize("reading", [float("nan"), float("inf"), 1e308, -2e7])
async def test_an_absurd_meter_reading_is_a_meter_error_not_a_balance(reading):
    site = await Site(grid_power_w=reading).start("battery")
    await site.publish_all()
    assert await site.controller.run_cycle() is None
    assert site.controller.meter_errors_total == 1 and site.calls() == {"battery": []}


EMOJI = "\U0001f600"  # 4 bytes of UTF-8, 12 of JSON as the standard library writes it: \ud83d\ude00


def keys_of(char: str, fitting: int) -> list[str]:
    """Unknown keys of `char`: 64 characters first (acked when keys were cut by characters), then `fitting` of them
    and digits, which take at most 64 bytes of JSON (acked now)."""
    return [char * 60 + str(i) for i in range(12)] + [char * fitting + str(i) for i in range(12)]


@pytest.mark.parametrize("long, keys", [
    ("x" * 1_000, None), ({"k": "x" * 620}, None), (["x" * 630], None), ([0] * 319, None),
    (EMOJI * 76, keys_of(EMOJI, 5)), ({EMOJI: EMOJI * 50}, keys_of(EMOJI, 5)), ("\x01" * 100, keys_of("\x01", 10)),
], ids=["string", "object", "array", "digits", "emoji", "emoji-object", "control-characters"])
async def test_the_worst_reported_document_stays_below_its_bound(long, keys):
    """Every writable property refused with a long value, and as many long unknown keys as are acked.

    An object just within the 640 characters echoed whole, as every one of them, took 36 KiB: above the
    bound and IoT Hub's 32 KB (each ack echoed it whole; now the objects of one document share 4 KiB).
    Values, reasons and keys of 80 emoji took 73 KiB (76 here: with every policy property the desired document
    itself must stay within 64 KiB), cut to as many characters as ASCII: now to as many
    bytes of the JSON every transport writes (\\u-escaped as json.dumps writes it, the Azure IoT SDK and the MQTT
    transport; UTF-8 takes at most as many)."""
    site = await Site().start()
    properties = {name: long for name in POLICY_PROPERTIES}
    keys = ["k" * 60 + str(i) for i in range(40)] if keys is None else keys
    junk = {key: ["y" * 500] if long == "x" * 1_000 else long for key in keys}  # the document within 64 KiB
    await site.hub.set_desired("controller", {**properties, **junk})
    reported = site.hub.twin("controller").reported
    assert all(reported[name]["ac"] == 400 for name in POLICY_PROPERTIES)
    assert sum(key in junk for key in reported) == MAX_REFUSED_KEYS_ACKED
    assert len(json.dumps(reported, ensure_ascii=False).encode()) <= len(json.dumps(reported))
    assert len(json.dumps(reported)) < MAX_REPORTED_BYTES
