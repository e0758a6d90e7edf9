"""Turn the SDK's module-to-module invoke failures into method status codes.

`invoke_method` goes over HTTPS to edgeHub. Its answers come in two shapes:
HTTP 200 with `{status, payload}` (the target module answered, whatever its
status), or an HTTP error that the SDK raises as ServiceError with the code in
its message ("HTTP operation returned: 404 ..."), wrapped in a ClientError
("Unexpected failure") whose __cause__ is that ServiceError. The port promises that
invoke never raises for a remote failure, so every failure becomes a status:
- hub 404 (target module not connected or not serving methods) -> 504, the
  same as the other transports' "target down";
- hub 408/504 and our own deadline -> 504;
- hub 400 -> 400; anything else (401, 403, 5xx, a refused connection) -> 500
  naming the cause, except an unreachable edgeHub, which is 504.
"""

from __future__ import annotations

import asyncio
import re

from azure.iot.device import exceptions as sdk_errors

from ....domain.messages import MethodResponse
from ....domain.status import Status

_HTTP_CODE = re.compile(r"returned:\s*(\d{3})")


def response_from_error(exc: BaseException, target: str, timeout_s: float) -> MethodResponse:
    service_error = _service_error(exc)
    if service_error is not None:
        exc = service_error
    if isinstance(exc, (asyncio.TimeoutError, sdk_errors.OperationTimeout)):
        return MethodResponse.error(Status.TIMEOUT, "timeout", f"{target} gave no answer in {timeout_s} s")
    if isinstance(exc, sdk_errors.ServiceError):
        match = _HTTP_CODE.search(str(exc))
        code = int(match.group(1)) if match else 0
        if code in (404, 408, 504):
            return MethodResponse.error(Status.TIMEOUT, "timeout", f"{target} is not reachable: {exc}")
        if code == 400:
            return MethodResponse.error(Status.BAD_REQUEST, "payload", str(exc))
        return MethodResponse.error(Status.INTERNAL, "hub", str(exc))
    if isinstance(exc, sdk_errors.ClientError):
        return MethodResponse.error(Status.TIMEOUT, "timeout", f"edgeHub unreachable: {exc}")
    return MethodResponse.error(Status.INTERNAL, "internal", repr(exc))


def response_from_reply(reply: object) -> MethodResponse:
    """edgeHub's HTTP 200 body `{status, payload}`; anything else is a hub bug (500)."""
    if isinstance(reply, dict) and isinstance(reply.get("status"), int):
        return MethodResponse(int(reply["status"]), reply.get("payload"))
    return MethodResponse.error(Status.INTERNAL, "hub", f"unexpected method reply {reply!r}")


def _service_error(exc: BaseException | None) -> BaseException | None:
    """The hub's HTTP answer behind the SDK's wrapping, if there is one."""
    while exc is not None:
        if isinstance(exc, sdk_errors.ServiceError):
            return exc
        exc = exc.__cause__
    return None
