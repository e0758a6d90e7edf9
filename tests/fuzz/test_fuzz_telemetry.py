"""Hostile telemetry through the real transports: counted, never trusted over the transport's identity.

Bodies arrive on the controller's and the telemetry module's `telemetry`
inputs from a real asset's identity (its own client in memory; its topic
level on MQTT), carrying forged `module` and `kind` fields, timestamps from
the future, non-finite and absurd values, or no document at all. After each
batch the site cycles: nothing raises, the controller commands only the
site's modules, the real telemetry stays in force and health recovers.
"""

from __future__ import annotations

import asyncio
import json
import math

import pytest

from energy_edge.domain.messages import Message

from .budget import WARM_UP, Budget
from .findings import Findings
from .hostile import Hostile
from .site import ASSETS

BATCH = 20
FUTURE_TOLERANCE_S = 5.0  # issue 11: "more than a few seconds in the future" is refused


@pytest.mark.timeout(0)
async def test_hostile_telemetry_is_counted_and_never_displaces_the_real_one(fuzzed, count, seed, request):
    transport, site = fuzzed
    hostile, findings = Hostile(seed), Findings()
    raw = await transport.start_raw() if transport.name == "mqtt" else None
    junk_sent, warmed = 0, False
    with Budget(count) as budget:
        for i in range(0, count, BATCH):
            if i >= count // WARM_UP and not warmed:
                warmed = True
                budget.warm()
            expected = dict(site.delivered)
            for _ in range(min(BATCH, count - i)):
                source = hostile.rng.choice(ASSETS)
                real = site.controller.latest.get(source)
                template = json.loads(real.to_json()) if real is not None and real.module == source else None
                body = hostile.telemetry(source, site.clock.now(), template)
                junk_sent += not body.startswith(b"{")
                if raw is None:
                    await site.assets[source].client.send_message("telemetry", Message(body))
                else:
                    for consumer in ("controller", "telemetry"):
                        raw.publish(transport.topics.input(consumer, "telemetry", source), body)
                for consumer in ("controller", "telemetry"):
                    expected[consumer] = expected.get(consumer, 0) + 1
            if not await _delivered(site, expected):
                findings.add("telemetry bodies were not delivered", (dict(site.delivered), expected))
            await _cycle_and_check(site, findings)
        malformed = sum(site.controller.malformed_messages_total.values())
        if count >= 100 and not junk_sent:
            findings.add("no body was junk: the generator is broken", count)
        if malformed < junk_sent:
            findings.add("bodies that are no document were not all counted as malformed", (malformed, junk_sent))
    broken = budget.check(request.node.name)
    assert not findings and not broken, findings.report(broken)


async def _delivered(site, expected: dict[str, int], timeout_s: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while any(site.delivered[k] < n for k, n in expected.items()):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


async def _real_reports_arrived(site, timeout_s: float = 0.5) -> None:
    """Wait (bounded) until the controller holds each asset's latest real report: MQTT delivers asynchronously."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        latest = site.controller.latest
        if all(m in latest and latest[m].seq == s.seq for m, s in site.assets.items()):
            return
        await asyncio.sleep(0.002)


async def _cycle_and_check(site, findings: Findings) -> None:
    try:
        await site.step(2)  # the real assets publish fresh telemetry, the controller balances
    except Exception as exc:  # noqa: BLE001
        findings.add("a cycle raised", exc)
        return
    await _real_reports_arrived(site)
    strangers = set(site.invoked) - set(ASSETS)
    if strangers:
        findings.add("the controller commanded modules the site does not have", sorted(strangers)[:5])
    site.invoked.clear()
    now = site.clock.now()
    for module, telemetry in list(site.controller.latest.items()):
        if module not in ASSETS:
            findings.add("the controller keeps telemetry of a module the site does not have", module[:40])
            continue
        if telemetry.kind != module:  # in this site each asset module is named by its kind
            findings.add("the controller keeps telemetry of the wrong kind", (module, telemetry.kind))
        if not (math.isfinite(telemetry.timestamp) and telemetry.timestamp <= now + FUTURE_TOLERANCE_S):
            findings.add("the controller keeps a timestamp from the future", (module, telemetry.timestamp - now))
        if telemetry.seq != site.assets[module].seq:
            findings.add("forged telemetry displaced the asset's real report", (module, telemetry.seq))
    health = site.telemetry.health()
    if not health.healthy:
        findings.add("the telemetry module is unhealthy although every asset reports", health.stale)
