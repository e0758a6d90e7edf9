"""IoT Edge route syntax, parsed once and matched by every transport.

One routes definition (see `topology.DEFAULT_ROUTES`) serves the in-memory
hub, the MQTT adapter and the edgeHub manifest, so a route that works in the
simulator is the route that runs on the device.

Supported sources (the forms edgeHub documents):
  /*                                   every message
  /messages/*                          every message
  /messages/modules/*                  every module output
  /messages/modules/<id>/*             every output of one module
  /messages/modules/<id>/outputs/*     likewise
  /messages/modules/<id>/outputs/<out> one output
Sinks: BrokeredEndpoint("/modules/<id>/inputs/<in>") and $upstream.
WHERE conditions are refused with a clear error rather than ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

UPSTREAM = "$upstream"

_ROUTE = re.compile(r"^\s*FROM\s+(?P<source>\S+)\s+(?P<where>WHERE\s+.+?\s+)?INTO\s+(?P<sink>.+?)\s*$", re.I)
_SOURCE = re.compile(r"^/(\*|messages/\*|messages/modules/(?P<module>[^/]+)(/\*|/outputs/(?P<output>[^/]+))?)$")
_BROKERED = re.compile(r'^BrokeredEndpoint\(\s*"/modules/(?P<module>[^/"]+)/inputs/(?P<input>[^/"]+)"\s*\)$')


class RouteError(ValueError):
    """A route that is not valid IoT Edge syntax, named so it can be fixed."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a routed message goes: a module input, or $upstream (module is None)."""

    module: str | None
    input: str | None

    @property
    def is_upstream(self) -> bool:
        return self.module is None


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    source_module: str | None  # None matches any module
    source_output: str | None  # None matches any output
    sink: Endpoint

    def matches(self, module: str, output: str) -> bool:
        return (self.source_module in (None, module)) and (self.source_output in (None, output))


def parse_route(name: str, text: str) -> Route:
    match = _ROUTE.match(text)
    if not match:
        raise RouteError(f"route {name!r}: expected 'FROM <source> INTO <sink>', got {text!r}")
    if match.group("where"):
        raise RouteError(f"route {name!r}: WHERE conditions are not supported by this site")
    source = _SOURCE.match(match.group("source"))
    if not source:
        raise RouteError(f"route {name!r}: unsupported source {match.group('source')!r}")
    module = source.group("module")
    if module == "*":
        module = None
    sink_text = match.group("sink").strip()
    if sink_text == UPSTREAM:
        sink = Endpoint(None, None)
    else:
        brokered = _BROKERED.match(sink_text)
        if not brokered:
            raise RouteError(f"route {name!r}: unsupported sink {sink_text!r}")
        sink = Endpoint(brokered.group("module"), brokered.group("input"))
    return Route(name, module, source.group("output"), sink)


class RouteTable:
    """All routes of a site; answers "where does module M's output O go?" (cached)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self._cache: dict[tuple[str, str], tuple[Endpoint, ...]] = {}

    @classmethod
    def parse(cls, definitions: Mapping[str, str]) -> "RouteTable":
        return cls(parse_route(name, text) for name, text in definitions.items())

    def destinations(self, module: str, output: str) -> tuple[Endpoint, ...]:
        key = (module, output)
        found = self._cache.get(key)
        if found is None:
            seen: dict[Endpoint, None] = {}
            for route in self.routes:
                if route.matches(module, output):
                    seen[route.sink] = None
            found = self._cache[key] = tuple(seen)
        return found

    def inputs_of(self, module: str) -> set[str]:
        """The inputs a module receives on (the MQTT adapter subscribes to exactly these)."""
        return {r.sink.input for r in self.routes if r.sink.module == module and r.sink.input}
