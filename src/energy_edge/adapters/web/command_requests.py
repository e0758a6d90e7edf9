"""The page's command bodies, checked before anything is sent: bad input gets one sentence and changes nothing."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ...domain.services.controller_service import REPORTED_LIMITS

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MAX_PAYLOAD_BYTES = 2048
LIMIT_MODULE = "controller"  # the limits in force are the controller's desired properties


class BadCommand(ValueError):
    """One sentence naming the field, the value and what is allowed."""


@dataclass(frozen=True, slots=True)
class MethodCommand:
    module: str
    method: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LimitCommand:
    name: str
    value: float


def parse_method(body: Any, modules: Iterable[str]) -> MethodCommand:
    body = _object(body)
    module = _module(body.get("module"), modules)
    method = body.get("method")
    if not isinstance(method, str) or not _NAME.match(method):
        raise BadCommand(f"method: {_show(method)} is not a method name (letters, digits, _ and -, up to 64)")
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        raise BadCommand(f"payload: {_show(payload)} is not a JSON object")
    if len(json.dumps(payload)) > MAX_PAYLOAD_BYTES:
        raise BadCommand(f"payload: larger than {MAX_PAYLOAD_BYTES} bytes")
    return MethodCommand(module, method, payload)


def parse_limit(body: Any) -> LimitCommand:
    body = _object(body)
    name = body.get("name")
    if name not in REPORTED_LIMITS:
        raise BadCommand(f"name: {_show(name)} is not a limit the page sets (allowed: {', '.join(REPORTED_LIMITS)})")
    value = body.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadCommand(f"value: {_show(value)} is not a finite number")
    return LimitCommand(name, float(value))


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadCommand(f"body: {_show(body)} is not a JSON object")
    return body


def _module(module: Any, modules: Iterable[str]) -> str:
    known = sorted(modules)
    if not isinstance(module, str) or module not in known:
        raise BadCommand(f"module: {_show(module)} is not a module of this site (known: {', '.join(known)})")
    return module


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
