"""Hostile direct-method requests through the real transports: every one answered, refusals change nothing.

In-memory: the controller's (or another module's) client invokes with hostile
payloads. MQTT: a raw client publishes request bytes (invalid UTF-8, deep
nesting, truncated JSON, forged callers) on the request topics of a real
Mosquitto and waits for each answer.
"""

from __future__ import annotations

import math
from collections import Counter
import time
import uuid

import pytest

from energy_edge.domain.topology import ALL_MODULES

from .budget import WARM_UP, Budget
from .findings import Findings
from .hostile import Hostile
from .invariants import asset_violations
from .site import ASSETS, asset_snapshot

ANSWERS = {200, 400, 403, 404, 409}
ANSWER_WITHIN_S = 1.0


@pytest.mark.timeout(0)
async def test_every_hostile_method_request_is_answered_and_a_refusal_changes_nothing(fuzzed, count, seed, request):
    transport, site = fuzzed
    hostile, findings = Hostile(seed), Findings()
    raw = await transport.start_raw() if transport.name == "mqtt" else None
    statuses: Counter = Counter()
    with Budget(count) as budget:
        for i in range(count):
            if i == count // WARM_UP:
                budget.warm()
            caller = hostile.caller()
            if raw is None:
                target, method, payload = hostile.method_call()
                expiry = math.inf
            else:
                target, body, expiry = hostile.raw_method_request()
            service = site.assets.get(target)
            before = asset_snapshot(service) if service else None
            try:
                if raw is None:
                    response = await transport.hub.client(caller).invoke_method(target, method, payload, ANSWER_WITHIN_S)
                    status = response.status
                else:
                    topic = transport.topics.method_request(target, caller, uuid.uuid4().hex)
                    answer = await raw.request(topic, body, ANSWER_WITHIN_S)
                    if expiry is not None and expiry < time.time():
                        continue  # a request whose caller stopped waiting is dropped by design
                    status = answer.get("status") if isinstance(answer, dict) else None
            except Exception as exc:  # noqa: BLE001 (the finding is that it raised)
                findings.add("the transport raised", exc)
                continue
            if raw is not None and target not in ALL_MODULES and status is None:
                continue  # nobody serves that topic: the caller's own invoke_method answers 404 after its wait
            statuses[status] += 1
            if status is None or status == 504:
                findings.add("no answer", (target, caller, status))
            elif status not in ANSWERS:
                findings.add(f"answered {status}", (target, caller))
            if service is None:
                continue
            if caller in ASSETS and status != 403:
                findings.add("an asset's call on an asset was not refused with 403", (caller, target, status))
            if status != 200 and asset_snapshot(service) != before:
                findings.add("a refused request changed the asset", (target, status, before, asset_snapshot(service)))
            if status == 200:
                for violation in asset_violations(service, site.clock.now()):
                    findings.add("an accepted request broke a limit", violation)
            if i % 50 == 49:
                await _step(site, findings)
        await _step(site, findings, seconds=3)
        final = await site.controller.client.invoke_method("battery", "stop", {}, 5)
        if final.status not in (200, 409):
            findings.add("the battery no longer serves the controller", final)
    broken = budget.check(request.node.name)
    if count >= 100 and not {200, 400, 403, 404} <= set(statuses):
        findings.add("the inputs did not reach every kind of answer", dict(statuses))
    assert not findings and not broken, findings.report(broken)


async def _step(site, findings: Findings, seconds: int = 1) -> None:
    try:
        await site.step(seconds)
    except Exception as exc:  # noqa: BLE001
        findings.add("a cycle raised", exc)
