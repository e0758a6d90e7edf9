"""Invariants of the topic scheme and payload formats (no broker needed)."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from energy_edge.adapters.transports import mqtt_wire as wire
from energy_edge.adapters.transports.mqtt_topics import Topics, TopicError, check_id
from energy_edge.domain.messages import Message
from energy_edge.domain.twin_patch import merge_patch

ids = st.from_regex(r"\A[A-Za-z0-9_.-]{1,12}\Z").filter(lambda s: s != "upstream")
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
documents = st.dictionaries(st.text(min_size=1, max_size=6).filter(lambda k: k != "$version"),
                            json_values.filter(lambda v: v is not None), max_size=5)


@settings(max_examples=150)
@given(target=ids, source=ids, name=ids, rid=ids, enveloped=st.booleans(), prefix=st.sampled_from(["ee", "site/a"]))
def test_every_built_topic_parses_back_to_what_built_it(target, source, name, rid, enveloped, prefix):
    topics = Topics(prefix)
    parsed = topics.parse(topics.input(target, name, source, enveloped))
    assert (parsed.kind, parsed.module, parsed.name, parsed.peer, parsed.enveloped) == (
        "input", target, name, source, enveloped)
    assert topics.parse(topics.upstream(source, name, enveloped)).module == source
    request = topics.parse(topics.method_request(target, source, rid))
    response = topics.parse(topics.method_response(target, source, rid))
    assert (request.kind, request.peer, request.rid) == ("method_request", source, rid)
    assert (response.kind, response.module, response.peer) == ("method_response", target, source)
    assert topics.parse(topics.desired(target)).kind == "twin_desired"


@pytest.mark.parametrize("topic", ["ee", "other/solar/status", "ee/solar", "ee/solar/inputs/t", "ee/solar/twin/x",
                                   "ee/solar/methods/c/put/1", "ee/solar/inputs/t/s/notenv"])
def test_foreign_topics_are_refused(topic):
    with pytest.raises(TopicError):
        Topics("ee").parse(topic)


@pytest.mark.parametrize("bad", ["", "a/b", "+", "#", "upstream", "$sys"])
def test_ids_that_cannot_be_a_topic_level_are_refused(bad):
    with pytest.raises(ValueError):
        check_id(bad)


@settings(max_examples=150)
@given(old=documents, new=documents, version=st.integers(1, 10**6))
@example(old={"a": {"x": 1, "z": {"q": 1}}}, new={"a": {"y": 2, "z": {"q": 1}}}, version=2)
def test_a_desired_diff_applied_as_a_merge_patch_gives_the_new_document(old, new, version):
    patch = wire.desired_diff({**old, "$version": version - 1}, {**new, "$version": version})
    assert patch["$version"] == version
    body = {k: v for k, v in patch.items() if k != "$version"}
    assert merge_patch(old, body) == new


@settings(max_examples=100)
@given(body=st.binary(max_size=64), properties=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
       content_type=st.sampled_from(["application/json", "text/plain"]))
def test_messages_cross_the_wire_unchanged(body, properties, content_type):
    message = Message(body, properties, content_type)
    enveloped, payload = wire.encode_message(message)
    assert wire.decode_message(payload, enveloped, "solar") == Message(body, properties, content_type,
                                                                      source_module="solar")


@pytest.mark.parametrize("version", [-1, 2**63, True, "1"])
def test_a_twin_document_version_outside_iot_hubs_int64_is_a_wire_error(version):
    with pytest.raises(wire.WireError, match=r"\$version"):
        wire.decode_twin_document(json.dumps({"$version": version}).encode(), "desired twin")
    assert wire.decode_twin_document(b'{"$version": 9223372036854775807}', "desired twin")["$version"] == 2**63 - 1
