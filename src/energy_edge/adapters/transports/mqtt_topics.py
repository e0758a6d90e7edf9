"""The MQTT topic scheme: every topic the site uses is built and parsed here.

One place, so the adapter, the operator tools, the ACL generator and the docs
(ARCHITECTURE.md, "MQTT transport") cannot drift apart. The sender's module id
is always a level of the topic it publishes on, so the broker's ACL (which
knows who is connected) is what authenticates `Message.source_module`.

    {p}/{target}/inputs/{input}/{source}[/env]   routed message (sender-side routing)
    {p}/upstream/{source}/{output}[/env]          message routed to $upstream
    {p}/{target}/methods/{caller}/req/{rid}       direct-method request
    {p}/{target}/methods/{caller}/res/{rid}       its response (published by the target)
    {p}/{module}/twin/desired                     retained: whole desired doc with $version
    {p}/{module}/twin/reported                    retained: whole reported doc with $version
    {p}/{module}/status                           retained: {"online": bool}; the last will
    {p}/{module}/sync                             the module's own echo (see MqttSession.sync)

A trailing `/env` marks a message whose properties or content type are not the
defaults: its payload is then a JSON envelope instead of the bare body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PREFIX = "ee"
ENVELOPE = "env"
UPSTREAM = "upstream"

_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


class TopicError(ValueError):
    """A topic that is not part of the scheme (counted as malformed by the receiver)."""


def check_id(value: str, what: str = "module id") -> str:
    """Ids become topic levels: no '/', '+', '#' or '$', never empty."""
    if not _ID.match(value) or value == UPSTREAM:
        raise ValueError(f"{what} {value!r} cannot be an MQTT topic level (use letters, digits, '_', '-', '.')")
    return value


@dataclass(frozen=True, slots=True)
class Parsed:
    """A received topic: its kind and the ids it carries."""

    kind: str  # input | upstream | method_request | method_response | twin_desired | twin_reported | status | sync
    module: str  # the module the topic belongs to (target, or source for upstream)
    name: str = ""  # input name, output name (upstream)
    peer: str = ""  # source module of an input, caller of a method
    rid: str = ""  # method correlation id
    enveloped: bool = False


class Topics:
    """Topic builder and parser for one site (one prefix)."""

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix.rstrip("/")
        self._depth = len(self.prefix.split("/"))

    # -- building ------------------------------------------------------------------------
    def input(self, target: str, input_name: str, source: str, enveloped: bool = False) -> str:
        return self._with_env(f"{self.prefix}/{target}/inputs/{input_name}/{source}", enveloped)

    def upstream(self, source: str, output: str, enveloped: bool = False) -> str:
        return self._with_env(f"{self.prefix}/{UPSTREAM}/{source}/{output}", enveloped)

    def method_request(self, target: str, caller: str, rid: str) -> str:
        return f"{self.prefix}/{target}/methods/{caller}/req/{rid}"

    def method_response(self, target: str, caller: str, rid: str) -> str:
        return f"{self.prefix}/{target}/methods/{caller}/res/{rid}"

    def desired(self, module: str) -> str:
        return f"{self.prefix}/{module}/twin/desired"

    def reported(self, module: str) -> str:
        return f"{self.prefix}/{module}/twin/reported"

    def status(self, module: str) -> str:
        return f"{self.prefix}/{module}/status"

    def sync(self, module: str) -> str:
        return f"{self.prefix}/{module}/sync"

    # -- what a module subscribes to ---------------------------------------------------------
    def module_subscriptions(self, module: str) -> list[str]:
        """Its inputs, requests to it, responses to its calls, its twin, every status, its echo."""
        p = self.prefix
        return [
            f"{p}/{module}/inputs/#",
            f"{p}/{module}/methods/+/req/+",
            f"{p}/+/methods/{module}/res/+",
            self.desired(module),
            self.reported(module),
            f"{p}/+/status",
            self.sync(module),
        ]

    # -- parsing -------------------------------------------------------------------------------
    def parse(self, topic: str) -> Parsed:
        levels = topic.split("/")
        if "/".join(levels[: self._depth]) != self.prefix or len(levels) <= self._depth + 1:
            raise TopicError(f"not a site topic: {topic!r}")
        rest = levels[self._depth:]
        head, kind = rest[0], rest[1]
        if head == UPSTREAM and len(rest) in (3, 4):
            return Parsed("upstream", rest[1], name=rest[2], enveloped=self._env(rest, 3))
        if kind == "inputs" and len(rest) in (4, 5):
            return Parsed("input", head, name=rest[2], peer=rest[3], enveloped=self._env(rest, 4))
        if kind == "methods" and len(rest) == 5 and rest[3] in ("req", "res"):
            which = "method_request" if rest[3] == "req" else "method_response"
            return Parsed(which, head, peer=rest[2], rid=rest[4])
        if kind == "twin" and len(rest) == 3 and rest[2] in ("desired", "reported"):
            return Parsed(f"twin_{rest[2]}", head)
        if kind in ("status", "sync") and len(rest) == 2:
            return Parsed(kind, head)
        raise TopicError(f"not a site topic: {topic!r}")

    @staticmethod
    def _env(rest: list[str], index: int) -> bool:
        if len(rest) == index:
            return False
        if rest[index] != ENVELOPE:
            raise TopicError(f"unexpected topic level {rest[index]!r}")
        return True

    @staticmethod
    def _with_env(topic: str, enveloped: bool) -> str:
        return f"{topic}/{ENVELOPE}" if enveloped else topic
