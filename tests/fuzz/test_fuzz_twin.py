"""Hostile desired documents through the real transports: a refusal changes nothing, an acceptance stays in bounds.

In-memory: the hub's cloud side sets desired patches. MQTT: the operator
publishes whole desired documents on a real Mosquitto, and a raw client
publishes bytes that are not a document at all. After each document: the
acknowledgements carry `ad`, unknown keys are not echoed, the reported
document stays small, and the module still cycles.
"""

from __future__ import annotations

import asyncio
import json
import math

import pytest

from energy_edge.adapters.transports.mqtt_operator import MqttOperator
from energy_edge.domain.balancing.policy import Policy

from .budget import WARM_UP, Budget
from .findings import Findings
from .hostile import Hostile
from .invariants import asset_violations, non_finite_fields

MODULES = ("battery", "solar", "boiler", "controller")
REPORTED_MAX_BYTES = 16_384
CYCLE_S = (0.2, 60.0)  # issue 11: cycle_s within 0.2..60 s


class Cloud:
    """Sets desired patches the way the transport's cloud side does."""

    def __init__(self, transport) -> None:
        self.transport = transport
        self.operator: MqttOperator | None = None

    async def start(self) -> None:
        if self.transport.name == "mqtt":
            self.operator = MqttOperator(self.transport.config)
            await self.operator.connect()

    async def set_desired(self, module: str, patch: dict) -> int:
        if self.operator is None:
            return await self.transport.hub.set_desired(module, patch)
        return await self.operator.set_desired(module, patch)

    async def close(self) -> None:
        if self.operator is not None:
            await self.operator.close()


def _writable(site, module: str) -> tuple[str, ...]:
    return tuple(Policy().as_dict()) if module == "controller" else tuple(site.assets[module].asset.WRITABLE)


def _config(site, module: str):
    return site.controller.policy if module == "controller" else site.assets[module].asset.config


def _service(site, module: str):
    return site.controller if module == "controller" else site.assets[module]


def _reaction(site, module: str) -> tuple[int, int]:
    """(the $version the module took last, documents it refused unread): one of them moves per document.

    A module's counter of desired refusals (the controller's malformed_messages_total) counts the ones refused for
    a value too, by property: only its `twin.*` reasons are documents refused unread, which no ack answers."""
    service = _service(site, module)
    refused_unread = sum(count for reason, count in service.desired.malformed_total.items()
                         if reason.startswith("twin."))
    refused_unread += sum(getattr(service.client, "malformed_total", {}).values())  # MQTT: refused at the wire
    return service.desired.version or 0, refused_unread


async def _until_handled(site, module: str, version: int, before: tuple[int, int], timeout_s: float = 2.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        taken, refused = _reaction(site, module)
        if taken >= version or refused != before[1]:
            return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.001)


@pytest.mark.timeout(0)
async def test_hostile_desired_documents_are_applied_whole_or_not_at_all(fuzzed, count, seed, request):
    transport, site = fuzzed
    hostile, findings, cloud = Hostile(seed), Findings(), Cloud(transport)
    await cloud.start()
    raw = await transport.start_raw() if transport.name == "mqtt" else None
    clients = {m: (site.controller.client if m == "controller" else site.assets[m].client) for m in MODULES}
    try:
        with Budget(count) as budget:
            for i in range(count):
                if i == count // WARM_UP:
                    budget.warm()
                module = hostile.rng.choice(MODULES)
                before = _config(site, module)
                if raw is not None and hostile.rng.random() < 0.1:  # not a document at all
                    raw.publish(transport.topics.desired(module), hostile.raw_junk(), retain=True)
                    await asyncio.sleep(0.005)
                    if _config(site, module) != before:
                        findings.add("bytes that are no document changed the configuration", module)
                    continue
                patch = hostile.desired(_writable(site, module))
                reaction = _reaction(site, module)
                reported_version = (await clients[module].get_twin()).reported.get("$version", 0)
                try:
                    version = await cloud.set_desired(module, patch)
                except (ValueError, TypeError, RecursionError):
                    continue  # the cloud side cannot even encode it (NaN on MQTT): nothing was sent
                if not await _until_handled(site, module, version, reaction):
                    findings.add("a desired document got no reaction", (module, version))
                    continue
                twin = await _acknowledged(clients[module], reported_version, refused_unread=_reaction(site, module)[1] != reaction[1])
                await _check_acks(site, module, patch, version, before, twin, findings)
                if i % 25 == 24:
                    await _forget_unknown_keys(cloud, site)
                    try:
                        await site.step(1)
                    except Exception as exc:  # noqa: BLE001
                        findings.add("a cycle raised", exc)
            try:
                await site.step(3)
            except Exception as exc:  # noqa: BLE001
                findings.add("a cycle raised", exc)
        broken = budget.check(request.node.name)
    finally:
        await cloud.close()
    assert not findings and not broken, findings.report(broken)


async def _acknowledged(client, reported_version: int, refused_unread: bool, timeout_s: float = 0.3):
    """The twin once the module reported its acks (the module takes a $version before it reports on MQTT)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        twin = await client.get_twin()
        if refused_unread or twin.reported.get("$version", 0) > reported_version:
            return twin
        if asyncio.get_running_loop().time() > deadline:
            return twin
        await asyncio.sleep(0.001)


async def _check_acks(site, module, patch, version, before, twin, findings: Findings) -> None:
    reported = twin.reported
    writable = set(_writable(site, module))
    keys = [k for k in patch if not k.startswith("$") and patch[k] is not None]  # null deletes: no ack
    acks = {k: reported.get(k) for k in keys}
    refused = any(isinstance(a, dict) and a.get("av") == version and a.get("ac") != 200
                  for k, a in acks.items() if k in writable)  # an unknown key is refused on its own
    for key, ack in acks.items():
        if isinstance(ack, dict) and ack.get("av") == version and "ad" not in ack:
            findings.add("an acknowledgement without 'ad'", (module, key, ack.get("ac")))
    latest = max((a.get("av", 0) for a in reported.values() if isinstance(a, dict)), default=0)
    for key, ack in reported.items():  # an unknown key is refused once, then gone from the reported document
        if key.startswith("$") or key in writable:
            continue
        if not (isinstance(ack, dict) and ack.get("ac") == 400 and ack.get("av") == latest):
            findings.add("an unknown desired key stays in the reported document", (module, key[:40]))
    size = len(json.dumps(reported, default=str))
    if size > REPORTED_MAX_BYTES:
        findings.add("the reported document grew past its bound", (module, size))
    config = _config(site, module)
    if refused and config != before:
        findings.add("a refused document changed the configuration", (module, patch, before, config))
    if not refused:
        for violation in _violations(site, module):
            findings.add("an accepted document broke a limit", violation)


def _violations(site, module: str) -> list[str]:
    if module != "controller":
        return asset_violations(site.assets[module], site.clock.now())
    policy = site.controller.policy
    broken = non_finite_fields(policy, "policy")
    if not (math.isfinite(policy.cycle_s) and CYCLE_S[0] <= policy.cycle_s <= CYCLE_S[1]):
        broken.append(f"controller cycle_s = {policy.cycle_s} (allowed {CYCLE_S[0]}..{CYCLE_S[1]} s)")
    return broken


async def _forget_unknown_keys(cloud: Cloud, site) -> None:
    """Delete junk keys from the desired documents (null in a merge patch), so they stay small."""
    for module in MODULES:
        desired = (cloud.operator.desired_docs.get(module, {}) if cloud.operator
                   else cloud.transport.hub.twin(module).desired)
        junk = {k: None for k in desired if not k.startswith("$") and k not in _writable(site, module)}
        if junk:
            reaction = _reaction(site, module)
            version = await cloud.set_desired(module, junk)
            await _until_handled(site, module, version, reaction)
