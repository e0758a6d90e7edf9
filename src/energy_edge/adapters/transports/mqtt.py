"""The MQTT transport: each module is its own process on a shared Mosquitto broker.

`MqttModuleClient` implements `ModuleClient` with IoT Edge semantics and no
router process: the *sender* resolves the site's routes (the one
`RouteTable` every transport uses) and publishes one QoS 1 message per
destination input topic, or to the upstream topic. Each module holds a
persistent session (clean_session=False, stable client id) subscribed to its
own inputs, so the broker stores what is routed to a module that is away and
delivers it when it returns. Topics: see `mqtt_topics`; payloads: `mqtt_wire`.

Nothing received can crash a module: payloads that do not match their topic
are counted in `malformed_total` (by topic kind) and logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from typing import Any, Awaitable, Callable

from ...domain.messages import Message, MethodRequest, MethodResponse, Twin
from ...domain.method_access import may_invoke, refusal
from ...domain.ports import DesiredPatchHandler, InputHandler, MethodHandler
from ...domain.routing import RouteTable
from ...domain.status import Status
from ...domain.twin_patch import merge_patch
from ...domain.shown import cut, shown
from . import mqtt_wire as wire
from .heartbeat_file import HeartbeatFile
from .mqtt_session import MqttConfig, MqttSession
from .mqtt_topics import Parsed, Topics, TopicError, check_id

log = logging.getLogger(__name__)

# A message the broker hands out because a subscription was made (the retain flag set) is stored state, not a
# call or a report: a retained request would run again at every (re)connect of its target, long after its
# caller is gone. A live delivery of any message (retained or not) arrives with the flag clear.
_NEVER_RETAINED = ("input", "method_request")


class MqttModuleClient:
    """One module's connection to the site broker (implements `ModuleClient`)."""

    announces_status = True  # a retained online/offline status, the last will marking it offline

    def __init__(self, module_id: str, routes: RouteTable, config: MqttConfig | None = None, *,
                 client_id: str | None = None, clean_session: bool = False) -> None:
        self.module_id = check_id(module_id)
        self.routes = routes
        self.config = config or MqttConfig()
        self.topics = Topics(self.config.topic_prefix)
        self.online: dict[str, bool] = {}  # every module's last announced status (retained)
        self._client_id = client_id or f"{self.topics.prefix.replace('/', '-')}-{module_id}"
        self._clean_session = clean_session
        self._session: MqttSession | None = None
        self._inputs: dict[str, InputHandler] = {}
        self._method_handler: MethodHandler | None = None
        self._desired_handler: DesiredPatchHandler | None = None
        self._desired: dict[str, Any] = {"$version": 0}
        self._reported: dict[str, Any] = {"$version": 0}
        self._synced = False
        self._ordered: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._serving: set[asyncio.Task[None]] = set()
        self._calls: dict[str, asyncio.Future[MethodResponse]] = {}
        self._heartbeat: HeartbeatFile | None = None
        self._route_topics: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._malformed: Counter[str] = Counter()  # kept across reconnects and sessions

    @property
    def malformed_total(self) -> Counter[str]:
        """Malformed payloads received, by topic kind (for the telemetry module's metrics)."""
        return self._malformed

    @property
    def connected(self) -> bool:
        return self._session is not None and self._session.connected

    # -- lifecycle ---------------------------------------------------------------------------
    async def connect(self) -> None:
        status = self.topics.status(self.module_id)
        announce = self.announces_status
        self._session = MqttSession(
            self._client_id, self.config, clean_session=self._clean_session,
            subscriptions=self._subscriptions(), on_message=self._received,
            birth=(status, wire.status_payload(True)) if announce else None,
            will=(status, wire.status_payload(False)) if announce else None)
        self._session.malformed_total = self._malformed
        self._worker = asyncio.create_task(self._run_ordered(), name=f"mqtt-{self.module_id}-inputs")
        try:
            await self._session.start()
            await self._session.sync(self.topics.sync(self.module_id), self.config.connect_timeout_s)
        except BaseException:
            await self._teardown(None)
            raise
        self._synced = True
        if self.config.health_file:
            self._heartbeat = HeartbeatFile(self.config.health_file, lambda: self.connected)
            self._heartbeat.start()

    async def close(self) -> None:
        offline = (self.topics.status(self.module_id), wire.status_payload(False))
        await self._teardown(offline if self.announces_status else None)

    async def _teardown(self, final: tuple[str, bytes] | None) -> None:
        for task in [*self._serving, *([self._worker] if self._worker else [])]:
            task.cancel()
        self._serving.clear()
        self._worker = None
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None
        self._synced = False
        session, self._session = self._session, None
        if session is not None:
            await session.stop(final)

    def _subscriptions(self) -> list[str]:
        return self.topics.module_subscriptions(self.module_id)

    # -- messaging ---------------------------------------------------------------------------------
    async def send_message(self, output: str, message: Message) -> None:
        session = self._require_session()
        enveloped, payload = wire.encode_message(message)
        for topic in self._topics_for(output, enveloped):
            session.publish(topic, payload)

    def _topics_for(self, output: str, enveloped: bool) -> tuple[str, ...]:
        key = (output, enveloped)
        topics = self._route_topics.get(key)
        if topics is None:
            topics = self._route_topics[key] = tuple(
                self.topics.upstream(self.module_id, output, enveloped) if endpoint.is_upstream
                else self.topics.input(endpoint.module, endpoint.input, self.module_id, enveloped)  # type: ignore[arg-type]
                for endpoint in self.routes.destinations(self.module_id, output))
        return topics

    def on_input(self, input_name: str, handler: InputHandler) -> None:
        self._inputs[input_name] = handler

    # -- direct methods ------------------------------------------------------------------------------
    def on_method(self, handler: MethodHandler) -> None:
        self._method_handler = handler

    async def invoke_method(self, module_id: str, method: str, payload: Any, timeout_s: float) -> MethodResponse:
        session = self._require_session()
        try:
            check_id(module_id)
        except ValueError as exc:
            return MethodResponse.error(Status.NOT_FOUND, "module", str(exc))
        rid = uuid.uuid4().hex
        try:
            body = wire.encode_request(method, payload, time.time() + timeout_s)
        except (TypeError, ValueError) as exc:  # not JSON, or over a size or depth limit
            return MethodResponse.error(Status.BAD_REQUEST, "payload", cut(str(exc)))
        future = self._calls[rid] = asyncio.get_running_loop().create_future()
        try:
            session.publish(self.topics.method_request(module_id, self.module_id, rid), body)
            return await asyncio.wait_for(future, timeout_s)
        except asyncio.TimeoutError:
            if module_id not in self.online:
                return MethodResponse.error(Status.NOT_FOUND, "module", f"no module {module_id!r} on this site")
            state = "is offline" if not self.online[module_id] else f"gave no answer to {method} in {timeout_s} s"
            return MethodResponse.error(Status.TIMEOUT, "timeout", f"{module_id} {state}")
        finally:
            self._calls.pop(rid, None)

    async def _serve(self, caller: str, rid: str, payload: bytes) -> None:
        topic = self.topics.method_response(self.module_id, caller, rid)
        if not may_invoke(caller, self.module_id, self.routes):  # the ACL drops these; a broker without it does not
            return self._respond(topic, MethodResponse.error(Status.FORBIDDEN, "caller", refusal(caller, self.module_id)))
        now = time.time()
        try:
            method, arguments, expires_at = wire.decode_request(payload, now)
        except wire.WireError as exc:
            self._malformed_seen("method_request", topic, exc)
            return self._respond(topic, MethodResponse.error(Status.BAD_REQUEST, "request", str(exc)))
        if expires_at < now:
            log.info("%s: dropped %s from %s: its caller stopped waiting while we were away",
                     self.module_id, cut(method, 64), caller)
            return None
        if self._method_handler is None:
            response = MethodResponse.error(Status.NOT_FOUND, "method", f"{self.module_id} serves no methods")
        else:
            try:
                response = await self._method_handler(MethodRequest(method, arguments, rid))
                if not isinstance(response, MethodResponse):
                    raise TypeError(f"handler returned {type(response).__name__}, not MethodResponse")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a handler bug answers 500; the module keeps running
                log.exception("%s: method %s raised", self.module_id, cut(method, 64))
                response = MethodResponse.error(Status.INTERNAL, "internal", shown(exc))
        self._respond(topic, response)

    def _respond(self, topic: str, response: MethodResponse) -> None:
        try:
            body = wire.encode_response(response)
        except (TypeError, ValueError) as exc:
            body = wire.encode_response(MethodResponse.error(Status.INTERNAL, "internal", f"answer not JSON: {exc}"))
        if self._session is not None:
            self._session.publish(topic, body)

    # -- twin ------------------------------------------------------------------------------------------
    async def get_twin(self) -> Twin:
        self._require_session()
        return Twin(wire.json_copy(self._desired), wire.json_copy(self._reported))

    def on_desired_patch(self, handler: DesiredPatchHandler) -> None:
        self._desired_handler = handler

    async def patch_reported(self, patch: dict[str, Any]) -> None:
        session = self._require_session()
        reported = merge_patch(self._reported, wire.json_copy(patch))
        reported["$version"] = int(self._reported.get("$version", 0)) + 1
        self._reported = reported
        await session.publish_acked(self.topics.reported(self.module_id), wire.dumps(reported), retain=True)

    # -- receiving (on the asyncio loop, in broker order) -------------------------------------------------
    def _received(self, topic: str, payload: bytes, retained: bool = False) -> None:
        try:
            parsed = self.topics.parse(topic)
        except TopicError as exc:
            return self._malformed_seen("topic", topic, exc)
        try:
            if retained and parsed.kind in _NEVER_RETAINED and parsed.module == self.module_id:
                raise wire.WireError(wire.retained_refusal(parsed.kind))
            self._dispatch(parsed, topic, payload)
        except wire.WireError as exc:
            self._malformed_seen(parsed.kind, topic, exc)

    def _dispatch(self, parsed: Parsed, topic: str, payload: bytes) -> None:
        kind = parsed.kind
        if kind == "status":
            self.online[parsed.module] = wire.decode_status(payload) if payload else False
        elif kind == "method_response" and parsed.peer == self.module_id:
            response = wire.decode_response(payload)
            future = self._calls.get(parsed.rid)
            if future is None or future.done():
                log.debug("%s: late answer %s from %s ignored", self.module_id, parsed.rid, parsed.module)
            else:
                future.set_result(response)
        elif parsed.module != self.module_id or kind in ("upstream", "method_response"):
            self._observed(parsed, payload)
        elif kind == "input":
            message = wire.decode_message(payload, parsed.enveloped, parsed.peer)
            self._ordered.put_nowait(lambda: self._deliver(parsed.name, message))
        elif kind == "method_request":
            task = asyncio.create_task(self._serve(parsed.peer, parsed.rid, payload))
            self._serving.add(task)
            task.add_done_callback(self._serving.discard)
        elif kind == "twin_desired":
            self._desired_arrived(wire.decode_twin_document(payload, "desired twin"))
        elif kind == "twin_reported":
            document = wire.decode_twin_document(payload, "reported twin")
            if not self._synced:  # our own retained report from a previous run
                self._reported = document
        elif self._session is not None and not self._session.echo_arrived(payload):  # sync
            raise wire.WireError("unexpected echo")

    def _observed(self, parsed: Parsed, payload: bytes) -> None:
        """Topics a module does not subscribe to; observers (the operator) override this."""
        log.debug("%s: unexpected %s message ignored", self.module_id, parsed.kind)

    def _desired_arrived(self, document: dict[str, Any]) -> None:
        if document["$version"] <= self._desired.get("$version", 0):
            return  # a duplicate after a reconnect
        patch = wire.desired_diff(self._desired, document)
        self._desired = document
        if self._synced and self._desired_handler is not None:
            handler = self._desired_handler
            self._ordered.put_nowait(lambda: handler(patch))

    async def _deliver(self, input_name: str, message: Message) -> None:
        handler = self._inputs.get(input_name)
        if handler is None:
            log.debug("%s has no handler for input %s; message dropped", self.module_id, input_name)
            return
        await handler(message)

    async def _run_ordered(self) -> None:
        """Inputs and desired patches, one at a time, in the order the broker delivered them."""
        while True:
            job = await self._ordered.get()
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:  # a handler bug must not stop delivery
                log.exception("%s: input or twin handler raised", self.module_id)

    def _malformed_seen(self, kind: str, topic: str, reason: object) -> None:
        if self._session is not None:
            self._session.count_malformed(kind, topic, reason)
        else:
            self._malformed[kind] += 1

    def _require_session(self) -> MqttSession:
        if self._session is None:
            raise ConnectionError(f"{self.module_id} is not connected")
        return self._session
