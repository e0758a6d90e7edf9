"""edgeHub's behaviour over the broker's sessions: routes, twins and direct methods.

Topics are the ones the SDK really uses (see issue 4):
  outputs  devices/{d}/modules/{m}/messages/events/{url-encoded properties, $.on=<output>}
  inputs   devices/{d}/modules/{m}/inputs/{input}/{properties, $.cmid=<sender>}
  methods  $iothub/methods/POST/{name}/?$rid=  ->  $iothub/methods/res/{status}/?$rid=
  twin     $iothub/twin/GET/?$rid=, $iothub/twin/PATCH/properties/reported/?$rid=  ->  $iothub/twin/res/{status}/?$rid=
           $iothub/twin/PATCH/properties/desired/?$version=
Routing uses the project's RouteTable, the same one every transport uses. Routed messages
go out with QoS 1 (kept for a module that is away); method requests and twin traffic with
QoS 0, as IoT Hub sends them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import urllib.parse
from collections import deque
from typing import Any, Mapping

from energy_edge.domain.messages import Message, Twin
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.twin_patch import merge_patch

from .broker import Session
from .sas import sas_problem

log = logging.getLogger(__name__)

_METHOD_RESPONSE = "$iothub/methods/res/"
_TWIN_GET = "$iothub/twin/GET/"
_TWIN_REPORTED = "$iothub/twin/PATCH/properties/reported/"
_STAMPED = ("$.on", "$.cmid", "$.cdid")  # stamped from the authenticated connection, never taken from a sender


def parse_properties(text: str) -> list[tuple[str, str]]:
    pairs = []
    for entry in filter(None, text.split("&")):
        key, _, value = entry.partition("=")
        pairs.append((urllib.parse.unquote(key), urllib.parse.unquote(value)))
    return pairs


def encode_properties(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(v, safe='')}" for k, v in pairs)


def _rid(topic: str) -> str:
    query = urllib.parse.parse_qs(topic.partition("?")[2])
    return query.get("$rid", [""])[0]


class Hub:
    def __init__(self, device_id: str, routes: Mapping[str, str]) -> None:
        self.device_id = device_id
        self.routes = RouteTable.parse(routes)
        self.sessions: dict[str, Session] = {}  # shared with the broker
        self.twins: dict[str, Twin] = {}
        self.upstream: list[Message] = []
        self.method_calls: list[tuple[str, str, str]] = []  # (caller, target, method) seen on HTTPS
        self._mailbox: dict[str, deque[tuple[str, bytes]]] = {}
        self._pending: dict[str, asyncio.Future[tuple[int, Any]]] = {}
        self._rids = itertools.count(1)
        self.deaf = False  # tests: keep connections up but answer nothing (the SDK's known hang)
        self.method_latency_s = 0.0  # added to each direct method: edgeHub's cost on a device (~45 ms)

    def authenticate(self, client_id: str, token: str) -> bool:
        """A module of this device with a valid SAS (MQTT password or HTTPS Authorization)."""
        device, _, module = client_id.partition("/")
        problem = "another device" if device != self.device_id else sas_problem(token, device, module)
        if problem:
            log.warning("stand-in refused %s: %s", client_id, problem)
        return problem is None

    def twin(self, module_id: str) -> Twin:
        return self.twins.setdefault(module_id, Twin({"$version": 1}, {"$version": 1}))

    def _session(self, module_id: str) -> Session | None:
        return self.sessions.get(f"{self.device_id}/{module_id}")

    @staticmethod
    def _module_of(session: Session) -> str:
        return session.client_id.rpartition("/")[2]

    # -- from the modules -----------------------------------------------------------
    async def on_publish(self, session: Session, topic: str, payload: bytes) -> None:
        if self.deaf:
            return
        module = self._module_of(session)
        events = f"devices/{self.device_id}/modules/{module}/messages/events/"
        if topic.startswith(events):
            self._route(module, parse_properties(topic[len(events):]), payload)
        elif topic.startswith(_METHOD_RESPONSE):
            self._method_answered(topic, payload)
        elif topic.startswith(_TWIN_GET):
            twin = self.twin(module)
            body = json.dumps({"desired": twin.desired, "reported": twin.reported}).encode()
            session.deliver(f"$iothub/twin/res/200/?$rid={_rid(topic)}", body, qos=0)
        elif topic.startswith(_TWIN_REPORTED):
            self._reported(session, module, topic, payload)
        else:
            log.warning("stand-in: %s published on unexpected topic %s", module, topic)

    def on_subscribe(self, session: Session) -> None:
        """A module (re)subscribed: hand over messages routed to it before it ever connected."""
        mailbox = self._mailbox.get(self._module_of(session), deque())
        for _ in range(len(mailbox)):
            topic, payload = mailbox.popleft()
            if not session.deliver(topic, payload):
                mailbox.append((topic, payload))

    def _route(self, module: str, pairs: list[tuple[str, str]], payload: bytes) -> None:
        output = dict(pairs).get("$.on", "")
        # As edgeHub: the sender's own "$.cmid"/"$.cdid" never survive; these are the authenticated identity.
        carried = [(k, v) for k, v in pairs if k not in _STAMPED] + [("$.cdid", self.device_id), ("$.cmid", module)]
        for endpoint in self.routes.destinations(module, output):
            if endpoint.is_upstream:
                properties = {k: v for k, v in carried if not k.startswith("$.")}
                self.upstream.append(Message(payload, properties, source_module=module))
                continue
            topic = f"devices/{self.device_id}/modules/{endpoint.module}/inputs/{endpoint.input}/{encode_properties(carried)}"
            target = self._session(endpoint.module)  # type: ignore[arg-type]
            if target is None or not target.deliver(topic, payload):
                self._mailbox.setdefault(endpoint.module, deque(maxlen=10_000)).append((topic, payload))  # type: ignore[arg-type]

    def _reported(self, session: Session, module: str, topic: str, payload: bytes) -> None:
        twin = self.twin(module)
        try:
            patch = json.loads(payload or b"{}")
        except ValueError:
            session.deliver(f"$iothub/twin/res/400/?$rid={_rid(topic)}", b"", qos=0)
            return
        version = int(twin.reported.get("$version", 1)) + 1
        twin.reported = {**merge_patch(twin.reported, patch), "$version": version}
        session.deliver(f"$iothub/twin/res/204/?$rid={_rid(topic)}&$version={version}", b"", qos=0)

    def _method_answered(self, topic: str, payload: bytes) -> None:
        status = int(topic[len(_METHOD_RESPONSE):].split("/", 1)[0])
        future = self._pending.get(_rid(topic))
        if future is not None and not future.done():
            future.set_result((status, json.loads(payload) if payload else None))

    # -- from the operator (cloud) and other modules ----------------------------------
    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        twin = self.twin(module_id)
        version = twin.desired_version + 1
        twin.desired = {**merge_patch(twin.desired, patch), "$version": version}
        session = self._session(module_id)
        if session is not None:
            body = json.dumps({**patch, "$version": version}).encode()
            session.deliver(f"$iothub/twin/PATCH/properties/desired/?$version={version}", body, qos=0)
        return version

    async def invoke(self, module_id: str, method: str, payload: Any, timeout_s: float) -> tuple[int, Any]:
        """edgeHub's answer to POST .../methods: (HTTP status, body)."""
        session = self._session(module_id)
        probe = f"$iothub/methods/POST/{method}/?$rid=0"
        if session is None or not session.online or not session.subscribed(probe):
            return 404, {"message": f"module {module_id} is not connected", "errorCode": 404103}
        if self.method_latency_s > 0:  # edgeHub's own cost per call on a device, for benchmarks
            await asyncio.sleep(self.method_latency_s)
        rid = str(next(self._rids))
        future = self._pending[rid] = asyncio.get_running_loop().create_future()
        session.deliver(f"$iothub/methods/POST/{method}/?$rid={rid}", json.dumps(payload).encode(), qos=0)
        try:
            status, body = await asyncio.wait_for(future, timeout_s)
        except asyncio.TimeoutError:
            return 504, {"message": f"{module_id}.{method} timed out after {timeout_s} s", "errorCode": 504101}
        finally:
            self._pending.pop(rid, None)
        return 200, {"status": status, "payload": body}
