"""The Mosquitto ACL, generated from the site's routes and the topic scheme.

Least privilege per module user: it may publish only messages that carry its
own id as the source on the input topics its routes lead to (so a module can
neither impersonate another nor write to an input no route feeds), its own
method responses, reported twin, status and echo; it may read only its own
inputs, method requests, desired twin and answers to its own calls, plus every
module's status. Any module may call any module's methods, as in IoT Edge.
The operator (CLI, cloud bridge, broker healthcheck) may do everything.
`deployment/mosquitto/acl` is this function's output; a test keeps them equal.
"""

from __future__ import annotations

from typing import Iterable

from ...domain.routing import RouteTable
from .mqtt_topics import Topics

OPERATOR_USER = "operator"


def render_acl(routes: RouteTable, modules: Iterable[str], prefix: str = "ee", operator: str = OPERATOR_USER) -> str:
    topics = Topics(prefix)
    p = topics.prefix
    lines = ["# generated from domain/topology.py DEFAULT_ROUTES by energy_edge.adapters.transports.mqtt_acl",
             f"user {operator}", f"topic readwrite {p}/#", "topic read $SYS/#", ""]
    for module in modules:
        lines += [f"user {module}", f"topic read {topics.status('+')}"]  # every module's liveness
        for route in routes.routes:
            if route.source_module not in (None, module):
                continue
            output = route.source_output or "+"
            sink = route.sink
            topic = (topics.upstream(module, output) if sink.is_upstream
                     else topics.input(sink.module, sink.input, module))  # type: ignore[arg-type]
            lines.append(f"topic write {topic}/#")
        lines.append("")
    lines += [
        "# every user, %u = the connecting module's user name",
        f"pattern read {p}/%u/inputs/#",
        f"pattern read {p}/%u/methods/+/req/+",
        f"pattern write {p}/%u/methods/+/res/+",
        f"pattern write {p}/+/methods/%u/req/+",
        f"pattern read {p}/+/methods/%u/res/+",
        f"pattern read {p}/%u/twin/desired",
        f"pattern readwrite {p}/%u/twin/reported",
        f"pattern write {p}/%u/status",
        f"pattern readwrite {p}/%u/sync",
    ]
    return "\n".join(lines) + "\n"
