"""Desired patches reconciled by $version: replays skipped, gaps repaired by re-reading the twin."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.transports.edgehub.twin_sync import DesiredVersionGate


def _gate(full: dict):
    applied: list[dict] = []
    reads: list[int] = []

    async def apply(patch):
        applied.append(patch)

    async def read():
        reads.append(1)
        return dict(full)

    return DesiredVersionGate(apply, read), applied, reads


async def test_the_next_patch_is_applied_and_a_replay_skipped():
    gate, applied, reads = _gate({})
    gate.seen(3)
    await gate.offer({"a": 1, "$version": 4})
    await gate.offer({"a": 1, "$version": 4})
    await gate.offer({"a": 0, "$version": 2})
    assert applied == [{"a": 1, "$version": 4}] and reads == []


async def test_a_gap_is_repaired_with_the_whole_desired_document():
    gate, applied, reads = _gate({"a": 2, "b": 5, "$version": 7})
    gate.seen(4)
    await gate.offer({"b": 5, "$version": 7})
    assert applied == [{"a": 2, "b": 5, "$version": 7}] and reads == [1]
    await gate.offer({"a": 9, "$version": 6})  # arrives late, out of order
    assert len(applied) == 1


async def test_a_patch_without_version_is_ignored():
    gate, applied, _ = _gate({})
    await gate.offer({"a": 1})
    assert applied == []



async def test_a_version_beyond_int64_is_handed_on_to_be_refused_and_never_moves_the_gate():
    gate, applied, reads = _gate({"$version": 2**63})
    gate.seen(2**63)  # a full twin read
    gate.seen(3)
    await gate.offer({"a": 1, "$version": 2**63})
    assert applied == [{"a": 1, "$version": 2**63}] and gate.version == 3  # the module refuses and counts it
    await gate.offer({"a": 2, "$version": 4})
    assert applied[-1] == {"a": 2, "$version": 4} and gate.version == 4 and reads == []
    await gate.offer({"a": 3, "$version": 6})  # a gap, and the twin read back holds a version beyond int64
    assert applied[-1] == {"$version": 2**63} and gate.version == 4

@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=12), max_size=30))
def test_versions_applied_only_ever_grow(versions):
    gate, applied, _ = _gate({"$version": 12})
    gate.seen(0)

    async def offer_all():
        for version in versions:
            await gate.offer({"$version": version})

    asyncio.run(offer_all())
    seen = [patch["$version"] for patch in applied]
    assert seen == sorted(set(seen))
