"""How the operator's page commands the site: the same path as `energy-edge call` and `twin`.

`SiteCommands` is what the page needs: invoke a direct method on a module, and
set desired twin properties and wait for their Plug and Play acknowledgement.
On the in-memory hub the page acts as the cloud side of the hub; on MQTT it
connects as the broker's `operator` user (as the CLI does), so the ACL and the
modules' caller check treat it exactly like `energy-edge call`. Both call as
the operator (`domain/method_access.py`): only the controller and the operator
may move an asset. On IoT Edge the operator is IoT Hub, so there the page
refuses commands and says where to send them.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Protocol

from ...domain.messages import MethodResponse
from ...domain.method_access import OPERATOR
from ...domain.status import Status
from ..transports.inmemory import InMemoryHub
from ..transports.mqtt_operator import MqttOperator
from ..transports.mqtt_session import MqttConfig


class SiteCommands(Protocol):
    async def invoke(self, module: str, method: str, payload: dict[str, Any], timeout_s: float) -> MethodResponse: ...

    async def set_desired(self, module: str, patch: dict[str, Any], timeout_s: float) -> MethodResponse: ...

    async def close(self) -> None: ...


def acks_response(acks: dict[str, Any], keys: list[str], timeout_s: float) -> MethodResponse:
    """One answer for a twin patch: 200 when every property was acknowledged 200, else the first refusal."""
    missing = [k for k in keys if k not in acks]
    if missing:
        return MethodResponse.error(Status.TIMEOUT, "timeout", f"no acknowledgement of {', '.join(missing)} "
                                    f"within {timeout_s:g} s")
    refused = [acks[k] for k in keys if acks[k].get("ac") != Status.OK]
    status = int(refused[0].get("ac", Status.BAD_REQUEST)) if refused else int(Status.OK)
    return MethodResponse(status, acks)


class HubCommands:
    """In-memory site: the page is the hub's cloud side."""

    def __init__(self, hub: InMemoryHub) -> None:
        self.hub = hub

    async def invoke(self, module: str, method: str, payload: dict[str, Any], timeout_s: float) -> MethodResponse:
        return await self.hub._invoke(OPERATOR, module, method, payload, timeout_s)

    async def set_desired(self, module: str, patch: dict[str, Any], timeout_s: float) -> MethodResponse:
        version = await self.hub.set_desired(module, patch)
        deadline = time.monotonic() + timeout_s
        while True:
            reported = self.hub.twin(module).reported
            acks = {k: reported[k] for k in patch if isinstance(reported.get(k), dict)
                    and int(reported[k].get("av", -1)) >= version}
            if len(acks) == len(patch) or time.monotonic() > deadline:
                return acks_response(acks, list(patch), timeout_s)
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        return None


class MqttCommands:
    """MQTT site: each command opens its own session as the `operator` user and closes it.

    The broker binds a client id to its user name (issue 11), so a session kept open here
    would be taken over by every `energy-edge call`/`twin`/`status` and take it back in turn.
    A session per command holds the operator's id only for the command's few milliseconds.
    """

    def __init__(self, config: MqttConfig) -> None:
        self.config = config
        self._lock = asyncio.Lock()  # one operator session at a time from this page

    async def _run(self, action: Callable[[MqttOperator], Awaitable[MethodResponse]]) -> MethodResponse:
        async with self._lock:
            operator = MqttOperator(self.config, operator_id=OPERATOR)
            try:
                await operator.connect()
            except OSError as exc:  # refused, unreachable or timed out
                return MethodResponse.error(Status.TIMEOUT, "broker", f"cannot reach the broker: {exc}")
            try:
                return await action(operator)
            finally:
                await operator.close()

    async def invoke(self, module: str, method: str, payload: dict[str, Any], timeout_s: float) -> MethodResponse:
        return await self._run(lambda operator: operator.invoke_method(module, method, payload, timeout_s))

    async def set_desired(self, module: str, patch: dict[str, Any], timeout_s: float) -> MethodResponse:
        async def desired(operator: MqttOperator) -> MethodResponse:
            version = await operator.set_desired(module, patch)
            acks = await operator.acknowledged(module, list(patch), version, timeout_s)
            return acks_response(acks, list(patch), timeout_s)

        return await self._run(desired)

    async def close(self) -> None:
        """Nothing is kept open between commands."""


class CloudOnlyCommands:
    """IoT Edge: the operator is IoT Hub; a module may not command the assets on its behalf."""

    REASON = ("on IoT Edge commands go through IoT Hub: az iot hub invoke-module-method for a method, "
              "az iot hub module-twin update for a limit")

    async def invoke(self, module: str, method: str, payload: dict[str, Any], timeout_s: float) -> MethodResponse:
        return MethodResponse.error(Status.FORBIDDEN, "operator", self.REASON)

    async def set_desired(self, module: str, patch: dict[str, Any], timeout_s: float) -> MethodResponse:
        return MethodResponse.error(Status.FORBIDDEN, "operator", self.REASON)

    async def close(self) -> None:
        return None
