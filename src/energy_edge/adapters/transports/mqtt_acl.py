"""The Mosquitto ACL, generated from the site's routes and the topic scheme.

Least privilege per module user: it may publish only messages that carry its
own id as the source on the input topics its routes lead to (so a module can
neither impersonate another nor write to an input no route feeds), its own
method responses, reported twin, status and echo; it may read only its own
inputs, method requests, desired twin and answers to its own calls, plus every
module's status. Method requests only along `domain/method_access.py`: the
controller to the assets the routes feed into it (no module to any other);
the broker drops any other request, so its caller times out.
The operator (CLI, cloud bridge, broker healthcheck) may do everything.
`deployment/mosquitto/acl` is this function's output; a test keeps them equal.
"""

from __future__ import annotations

from typing import Iterable

from ...domain.method_access import OPERATOR, controlled_assets
from ...domain.routing import RouteTable
from ...domain.topology import CONTROLLER
from .mqtt_topics import Topics

OPERATOR_USER = OPERATOR


def render_acl(routes: RouteTable, modules: Iterable[str], prefix: str = "ee", operator: str = OPERATOR_USER) -> str:
    topics = Topics(prefix)
    p = topics.prefix
    assets = controlled_assets(routes)
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
        if module == CONTROLLER:  # the only module that commands others: the assets it is fed by
            lines += [f"topic write {topics.method_request(asset, module, '+')}" for asset in sorted(assets)]
        lines.append("")
    lines += [
        "# every user, %u = the connecting module's user name",
        f"pattern read {p}/%u/inputs/#",
        f"pattern read {p}/%u/methods/+/req/+",
        f"pattern write {p}/%u/methods/+/res/+",
        f"pattern read {p}/+/methods/%u/res/+",
        f"pattern read {p}/%u/twin/desired",
        f"pattern readwrite {p}/%u/twin/reported",
        f"pattern write {p}/%u/status",
        f"pattern readwrite {p}/%u/sync",
    ]
    return "\n".join(lines) + "\n"
