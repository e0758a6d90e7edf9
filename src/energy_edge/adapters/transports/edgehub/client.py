"""`EdgeHubModuleClient`: the ModuleClient port on azure-iot-device, for modules on IoT Edge.

The SDK (aio flavour) owns the MQTT connection to edgeHub and its own threads.
It runs our handlers on a loop of its own, concurrently and out of order, so
the handlers here do one thing: hand the work to the module's event loop
(`call_soon_threadsafe`), where inputs and desired patches are served one at
a time in arrival order and method calls each get a task. Everything the
services see therefore happens on their loop, as with the other transports.

Outgoing telemetry goes through a bounded `Outbox` so an edgeHub outage does
not stall the module; desired patches pass a `DesiredVersionGate`;
`ReceiveWatchdog` ends a process whose SDK stopped receiving.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any, Callable, Coroutine

from azure.iot.device import MethodResponse as SdkMethodResponse
from azure.iot.device import exceptions as sdk_errors
from azure.iot.device.aio import IoTHubModuleClient

from ....domain import bounded_json
from ....domain.messages import Message, MethodRequest, MethodResponse, Twin
from ....domain.shown import cut, shown
from ....domain.ports import DesiredPatchHandler, InputHandler, MethodHandler
from ....domain.status import Status
from .convert import from_sdk, method_payload, to_sdk
from .environment import identity_from_environment
from .invoke_errors import response_from_error, response_from_reply
from .outbox import Outbox
from .twin_sync import DesiredVersionGate
from .watchdog import ReceiveWatchdog, exit_process

log = logging.getLogger(__name__)

RETRYABLE_SEND_ERRORS: tuple[type[BaseException], ...] = (
    sdk_errors.ClientError,  # ConnectionFailedError, ConnectionDroppedError, NoConnectionError, ...
    sdk_errors.OperationTimeout,
    sdk_errors.OperationCancelled,
)
INVOKE_GRACE_S = 0.5  # edgeHub answers 504 itself at responseTimeoutInSeconds; this covers the trip back

SdkFactory = Callable[..., IoTHubModuleClient]


class EdgeHubModuleClient:
    """One module's connection to edgeHub through `IoTHubModuleClient.create_from_edge_environment()`."""

    def __init__(
        self,
        *,
        model_id: str | None = None,
        outbox_limit: int = 1000,
        retry_interval_s: float = 2.0,
        connection_retry_interval_s: int = 10,
        keep_alive_s: int = 60,
        close_timeout_s: float = 5.0,
        connect_attempts: int = 6,
        watchdog_interval_s: float | None = 30.0,
        on_stall: Callable[[], None] = exit_process,
        create_sdk_client: SdkFactory = IoTHubModuleClient.create_from_edge_environment,
    ) -> None:
        identity = identity_from_environment()
        self.module_id = identity.module_id
        self.device_id = identity.device_id
        self.model_id = model_id
        self._create_sdk_client = create_sdk_client
        self._connection_retry_interval_s = connection_retry_interval_s
        self._keep_alive_s = keep_alive_s
        self._close_timeout_s = close_timeout_s
        self._connect_attempts = connect_attempts
        self._sdk: IoTHubModuleClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inputs: dict[str, InputHandler] = {}
        self._method_handler: MethodHandler | None = None
        self._desired_handler: DesiredPatchHandler | None = None
        self._inbox: asyncio.Queue[tuple[str, Any]] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.outbox: Outbox[tuple[str, Message]] = Outbox(
            self._send_now, limit=outbox_limit, retry_interval_s=retry_interval_s,
            retryable=RETRYABLE_SEND_ERRORS, module_id=self.module_id,
        )
        self._gate = DesiredVersionGate(self._apply_desired, self._read_desired)
        self.watchdog = (
            None if watchdog_interval_s is None
            else ReceiveWatchdog(self._probe, lambda: self.connected, interval_s=watchdog_interval_s, on_stall=on_stall)
        )

    # -- lifecycle ------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """What the SDK believes; False while it is reconnecting to edgeHub."""
        return self._sdk is not None and bool(self._sdk.connected)

    async def connect(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._inbox = asyncio.Queue()
        options: dict[str, Any] = {
            "connection_retry_interval": self._connection_retry_interval_s,
            "keep_alive": self._keep_alive_s,
        }
        if self.model_id:
            options["product_info"] = self.model_id  # the SDK announces a "dtmi:" product_info as model-id
        self._sdk = self._create_sdk_client(**options)
        await self._first_connect()
        await self.get_twin()  # the desired $version now in force, for the gate
        self._spawn(self._dispatch_inbox())
        self.outbox.start()
        if self.watchdog is not None:
            self.watchdog.start()

    async def _first_connect(self) -> None:
        """Wait for edgeHub a while: on a device the module may start before edgeHub listens."""
        assert self._sdk is not None
        for attempt in range(1, self._connect_attempts + 1):
            try:
                await self._set_sdk_handlers()
                await self._sdk.connect()
                return
            except RETRYABLE_SEND_ERRORS as exc:
                if attempt == self._connect_attempts:
                    raise
                log.warning("%s: edgeHub not reachable (%s), attempt %d/%d", self.module_id, type(exc).__name__,
                            attempt, self._connect_attempts)
                await asyncio.sleep(self._connection_retry_interval_s)

    async def _set_sdk_handlers(self) -> None:
        """Handlers go in before the connection: a persistent session hands over queued input
        messages right after CONNACK, and the SDK drops those that find no handler. Each setter
        connects and subscribes synchronously, so it runs off our loop."""
        assert self._loop is not None
        for attribute, handler, wanted in (
            ("on_message_received", self._sdk_on_message, bool(self._inputs)),
            ("on_method_request_received", self._sdk_on_method, self._method_handler is not None),
            ("on_twin_desired_properties_patch_received", self._sdk_on_desired, self._desired_handler is not None),
        ):
            if wanted:
                await self._loop.run_in_executor(None, setattr, self._sdk, attribute, handler)

    async def close(self) -> None:
        if self._sdk is None:
            return
        if not await self.outbox.drain(self._close_timeout_s):
            log.warning("%s: closing with %d unsent message(s)", self.module_id, len(self.outbox))
        if self.watchdog is not None:
            await self.watchdog.stop()
        await self.outbox.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        sdk, self._sdk = self._sdk, None
        try:
            await sdk.shutdown()
        except Exception:  # shutting down a broken connection must not fail the caller
            log.warning("%s: SDK shutdown failed", self.module_id, exc_info=True)

    # -- messaging ------------------------------------------------------------------
    async def send_message(self, output: str, message: Message) -> None:
        if self._sdk is None:
            raise ConnectionError(f"{self.module_id} is not connected")
        to_sdk(message)  # refuse an oversized message now, not in the sender task
        self.outbox.put((output, message))

    def on_input(self, input_name: str, handler: InputHandler) -> None:
        self._inputs[input_name] = handler

    async def _send_now(self, item: tuple[str, Message]) -> None:
        output, message = item
        assert self._sdk is not None
        await self._sdk.send_message_to_output(to_sdk(message), output)

    # -- methods --------------------------------------------------------------------
    def on_method(self, handler: MethodHandler) -> None:
        self._method_handler = handler

    async def invoke_method(self, module_id: str, method: str, payload: Any, timeout_s: float) -> MethodResponse:
        if self._sdk is None:
            return MethodResponse.error(Status.TIMEOUT, "timeout", f"{self.module_id} is not connected")
        try:
            bounded_json.dumps(payload)
        except (TypeError, ValueError) as exc:  # not JSON, or over a size or depth limit
            return MethodResponse.error(Status.BAD_REQUEST, "payload", cut(str(exc)))
        params = {
            "methodName": method,
            "payload": payload,
            "responseTimeoutInSeconds": max(1, math.ceil(timeout_s)),
            "connectTimeoutInSeconds": 0,
        }
        target = f"{module_id}.{method}"
        # The SDK's HTTP call cannot be cancelled (its own timeout is 10 s): shield it and stop waiting.
        call = asyncio.ensure_future(self._sdk.invoke_method(params, self.device_id, module_id))
        try:
            reply = await asyncio.wait_for(asyncio.shield(call), timeout_s + INVOKE_GRACE_S)
        except Exception as exc:
            call.add_done_callback(_consume)
            return response_from_error(exc, target, timeout_s)
        return response_from_reply(reply)

    async def _serve_method(self, sdk_request: Any) -> None:
        try:
            request = MethodRequest(sdk_request.name, method_payload(sdk_request.payload), sdk_request.request_id)
        except (TypeError, ValueError) as exc:  # over the size or depth limit, or not JSON at all
            request = MethodRequest(sdk_request.name, None, sdk_request.request_id)
            response = MethodResponse.error(Status.BAD_REQUEST, "payload", cut(str(exc)))
        else:
            response = await self._answer(request)
        try:
            assert self._sdk is not None
            await self._sdk.send_method_response(SdkMethodResponse(sdk_request.request_id, response.status, response.payload))
        except Exception:
            log.warning("%s: could not answer method %s", self.module_id, cut(request.name, 64), exc_info=True)

    async def _answer(self, request: MethodRequest) -> MethodResponse:
        if self._method_handler is None:
            response = MethodResponse.error(Status.NOT_FOUND, "method", f"{self.module_id} serves no methods")
        else:
            try:
                response = await self._method_handler(request)
            except Exception as exc:  # a handler bug answers 500; the module keeps running
                log.exception("%s: method %s raised", self.module_id, cut(request.name, 64))
                response = MethodResponse.error(Status.INTERNAL, "internal", shown(exc))
        return response

    # -- twin -----------------------------------------------------------------------
    async def get_twin(self) -> Twin:
        assert self._sdk is not None, "connect() first"
        twin = await self._sdk.get_twin()
        desired = dict(twin.get("desired") or {"$version": 0})
        self._gate.seen(int(desired.get("$version", 0)))
        return Twin(desired=desired, reported=dict(twin.get("reported") or {"$version": 0}))

    def on_desired_patch(self, handler: DesiredPatchHandler) -> None:
        self._desired_handler = handler

    async def patch_reported(self, patch: dict[str, Any]) -> None:
        assert self._sdk is not None, "connect() first"
        await self._sdk.patch_twin_reported_properties(patch)

    async def _apply_desired(self, patch: dict[str, Any]) -> None:
        if self._desired_handler is not None:
            await self._desired_handler(patch)

    async def _read_desired(self) -> dict[str, Any]:
        assert self._sdk is not None
        return dict((await self._sdk.get_twin()).get("desired") or {})

    # -- the SDK's side: runs on the SDK's threads, only hands work over ----------------
    async def _sdk_on_message(self, sdk_message: Any) -> None:
        self._hand_over(self._enqueue, ("input", sdk_message))

    async def _sdk_on_desired(self, patch: dict[str, Any]) -> None:
        self._hand_over(self._enqueue, ("desired", patch))

    async def _sdk_on_method(self, sdk_request: Any) -> None:
        self._hand_over(self._spawn_method, sdk_request)

    def _hand_over(self, callback: Callable[[Any], None], item: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(callback, item)
        except RuntimeError:  # the loop closed between the check and the call
            log.debug("%s: event after close dropped", self.module_id)

    def _enqueue(self, item: tuple[str, Any]) -> None:
        if self._inbox is not None:
            self._inbox.put_nowait(item)

    def _spawn_method(self, sdk_request: Any) -> None:
        self._spawn(self._serve_method(sdk_request))

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch_inbox(self) -> None:
        """Inputs and desired patches, one at a time in arrival order (as the other transports)."""
        assert self._inbox is not None
        while True:
            kind, item = await self._inbox.get()
            try:
                if kind == "input":
                    await self._deliver(from_sdk(item), getattr(item, "input_name", None))
                else:
                    await self._gate.offer(dict(item))
            except Exception:  # a handler bug must not stop the dispatcher
                log.exception("%s: %s handler raised", self.module_id, kind)

    async def _deliver(self, message: Message, input_name: str | None) -> None:
        handler = self._inputs.get(input_name or "")
        if handler is None:
            log.debug("%s has no handler for input %s; message dropped", self.module_id, input_name)
            return
        await handler(message)

    # -- watchdog -------------------------------------------------------------------
    async def _probe(self) -> None:
        assert self._sdk is not None
        await self._sdk.get_twin()


def _consume(future: "asyncio.Future[Any]") -> None:
    """Collect the late result of an abandoned invoke so asyncio does not log it as lost."""
    if not future.cancelled():
        future.exception()
