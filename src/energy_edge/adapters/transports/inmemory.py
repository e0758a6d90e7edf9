"""The in-memory transport: a whole IoT Edge hub inside one process.

It is the reference implementation of the messaging, methods and twin ports
(the one the contract tests were written against) and the embedded default of
`energy-edge up`. Semantics follow edgeHub: routes decide where outputs go,
messages for a module that is not connected wait for it (store and forward,
bounded), method calls time out with 504, twins carry "$version"; only the
controller and the operator (a client named `operator`) may call an asset's
methods (403 otherwise, `domain/method_access.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Iterable

from ...domain import bounded_json
from ...domain.messages import Message, MethodRequest, MethodResponse, Twin
from ...domain.method_access import may_invoke, refusal
from ...domain.ports import DesiredPatchHandler, InputHandler, MethodHandler
from ...domain.routing import RouteTable
from ...domain.status import Status
from ...domain.twin_patch import merge_patch

log = logging.getLogger(__name__)


class InMemoryHub:
    """Routes messages, method calls and twin updates between in-process module clients."""

    def __init__(self, routes: RouteTable, *, modules: Iterable[str] = (), store_limit: int = 10_000,
                 upstream_limit: int = 10_000) -> None:
        """`modules`: the site's deployed modules, known before they connect (as edgeHub knows its manifest)."""
        self.routes = routes
        self.store_limit = store_limit
        self.upstream: deque[Message] = deque(maxlen=upstream_limit)
        self.dropped_by_module: dict[str, int] = {}
        self._clients: dict[str, InMemoryModuleClient] = {}
        self._twins: dict[str, Twin] = {}
        self._stored: dict[str, deque[tuple[str, Message]]] = {}
        self._known: set[str] = set(modules)  # deployed or ever connected: others are 404, these 504 when away

    def client(self, module_id: str) -> "InMemoryModuleClient":
        client = InMemoryModuleClient(self, module_id)
        self._twins.setdefault(module_id, Twin())
        self._known.add(module_id)
        return client

    # -- operator / cloud side ---------------------------------------------------------
    def twin(self, module_id: str) -> Twin:
        return self._twins.setdefault(module_id, Twin())

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        """Merge a desired patch as the cloud would, bump $version, and notify the module."""
        patch = _copy(patch)  # a document over the size or depth limit is refused here, as IoT Hub refuses it
        twin = self.twin(module_id)
        version = twin.desired_version + 1
        twin.desired = merge_patch(twin.desired, patch)
        twin.desired["$version"] = version
        client = self._clients.get(module_id)
        if client is not None and client._desired_handler is not None:
            await client._desired_handler({**_copy(patch), "$version": version})
        return version

    # -- module side -------------------------------------------------------------------
    def _attach(self, client: "InMemoryModuleClient") -> None:
        self._clients[client.module_id] = client

    def _detach(self, client: "InMemoryModuleClient") -> None:
        if self._clients.get(client.module_id) is client:
            del self._clients[client.module_id]

    async def _route(self, module_id: str, output: str, message: Message) -> None:
        delivered = Message(message.body, message.properties, message.content_type, message.content_encoding, module_id)
        for endpoint in self.routes.destinations(module_id, output):
            if endpoint.module is None:  # $upstream (Endpoint.is_upstream, without a property call per message)
                self.upstream.append(delivered)
                continue
            target = self._clients.get(endpoint.module)  # type: ignore[arg-type]
            if target is None:
                self._store(endpoint.module, endpoint.input, delivered)  # type: ignore[arg-type]
            else:
                await target._deliver(endpoint.input, delivered)  # type: ignore[arg-type]

    def _store(self, module_id: str, input_name: str, message: Message) -> None:
        queue = self._stored.setdefault(module_id, deque())
        if len(queue) >= self.store_limit:
            queue.popleft()
            if self.dropped_by_module.get(module_id, 0) == 0:  # once per outage, not per message
                log.warning("store-and-forward full for %s: dropping the oldest messages", module_id)
            self.dropped_by_module[module_id] = self.dropped_by_module.get(module_id, 0) + 1
        queue.append((input_name, message))

    async def _flush(self, client: "InMemoryModuleClient") -> None:
        queue = self._stored.pop(client.module_id, deque())
        self.dropped_by_module.pop(client.module_id, None)
        while queue:
            input_name, message = queue.popleft()
            await client._deliver(input_name, message)

    async def _invoke(self, caller: str, module_id: str, method: str, payload: Any,
                      timeout_s: float) -> MethodResponse:
        if not may_invoke(caller, module_id, self.routes):
            return MethodResponse.error(Status.FORBIDDEN, "caller", refusal(caller, module_id))
        target = self._clients.get(module_id)
        if target is None and module_id not in self._known:
            return MethodResponse.error(Status.NOT_FOUND, "module", f"no module {module_id!r} on this site")
        if target is None:
            return MethodResponse.error(Status.TIMEOUT, "timeout", f"module {module_id!r} is not connected")
        if target._method_handler is None:  # as the MQTT transport answers
            return MethodResponse.error(Status.NOT_FOUND, "method", f"{module_id} serves no methods")
        try:
            request = MethodRequest(method, _copy(payload))
        except bounded_json.JsonLimitExceeded as exc:
            return MethodResponse.error(Status.BAD_REQUEST, "payload", exc.reason)
        except (TypeError, ValueError) as exc:
            return MethodResponse.error(Status.BAD_REQUEST, "payload", f"not JSON: {exc}")
        try:
            async with asyncio.timeout(timeout_s):  # the handler runs in the caller's task: no task per call
                response = await target._method_handler(request)
        except TimeoutError:
            return MethodResponse.error(Status.TIMEOUT, "timeout", f"{module_id}.{method} gave no answer in {timeout_s} s")
        except Exception as exc:  # a handler bug must not take the caller down
            log.exception("method %s.%s raised", module_id, method)
            return MethodResponse.error(Status.INTERNAL, "internal", repr(exc))
        return MethodResponse(response.status, _copy(response.payload))


class InMemoryModuleClient:
    """One module's connection to an `InMemoryHub` (implements `ModuleClient`)."""

    def __init__(self, hub: InMemoryHub, module_id: str) -> None:
        self.hub = hub
        self.module_id = module_id
        self._inputs: dict[str, InputHandler] = {}
        self._method_handler: MethodHandler | None = None
        self._desired_handler: DesiredPatchHandler | None = None
        self.connected = False

    async def connect(self) -> None:
        self.hub._attach(self)
        self.connected = True
        await self.hub._flush(self)

    async def close(self) -> None:
        self.connected = False
        self.hub._detach(self)

    async def send_message(self, output: str, message: Message) -> None:
        if not self.connected:
            raise ConnectionError(f"{self.module_id} is not connected")
        await self.hub._route(self.module_id, output, message)

    def on_input(self, input_name: str, handler: InputHandler) -> None:
        self._inputs[input_name] = handler

    def on_method(self, handler: MethodHandler) -> None:
        self._method_handler = handler

    async def invoke_method(self, module_id: str, method: str, payload: Any, timeout_s: float) -> MethodResponse:
        return await self.hub._invoke(self.module_id, module_id, method, payload, timeout_s)

    async def get_twin(self) -> Twin:
        twin = self.hub.twin(self.module_id)
        return Twin(_copy(twin.desired), _copy(twin.reported))

    def on_desired_patch(self, handler: DesiredPatchHandler) -> None:
        self._desired_handler = handler

    async def patch_reported(self, patch: dict[str, Any]) -> None:
        twin = self.hub.twin(self.module_id)
        version = int(twin.reported.get("$version", 0)) + 1
        twin.reported = merge_patch(twin.reported, _copy(patch))
        twin.reported["$version"] = version

    async def _deliver(self, input_name: str, message: Message) -> None:
        handler = self._inputs.get(input_name)
        if handler is None:
            log.debug("%s has no handler for input %s; message dropped", self.module_id, input_name)
            return
        try:
            await handler(message)
        except Exception:  # an input handler bug must not break the sender
            log.exception("input handler %s.%s raised", self.module_id, input_name)


def _copy(value: Any) -> Any:
    """A JSON round trip within the ports' size and depth limits: what crosses a real wire, so no object
    is shared between modules (raises `JsonLimitExceeded`, a ValueError, beyond a limit)."""
    return bounded_json.loads(bounded_json.dumps(value))
