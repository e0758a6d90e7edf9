"""Who may invoke whose direct methods: derived from the routes, the same on every transport.

An asset's methods move real power (start_discharging, set_output), so only
two callers may use them: the site's controller, which the routes name by
feeding it the asset's telemetry, and the operator (the cloud side, the CLI).
An asset module may call no module's methods: its credentials being stolen
must not let it command another asset. Modules that are not assets (the
controller, the telemetry module) keep whatever their transport allows.

MQTT: the broker ACL (`mqtt_acl.render_acl`) grants method requests only along
these pairs, so a refused call is dropped by the broker and the caller times
out; the receiver checks the caller level of the topic again and answers 403
(a broker without the ACL). In-memory: the hub answers 403. edgeHub: see
ARCHITECTURE.md, "edgeHub transport" (the SDK does not tell the caller).
"""

from __future__ import annotations

import weakref

from .routing import RouteTable
from .topology import CONTROLLER

OPERATOR = "operator"  # the cloud side's identity: the MQTT operator user, the in-memory operator client


_CONTROLLED: "weakref.WeakKeyDictionary[RouteTable, dict[str, frozenset[str]]]" = weakref.WeakKeyDictionary()


def controlled_assets(routes: RouteTable, controller: str = CONTROLLER) -> frozenset[str]:
    """The modules whose outputs the routes lead into the controller: the assets it commands.

    Computed once per route table: every method call asks, and a site of 1,000 assets has 2,000 routes.
    """
    by_controller = _CONTROLLED.setdefault(routes, {})
    found = by_controller.get(controller)
    if found is None:
        found = by_controller[controller] = frozenset(
            r.source_module for r in routes.routes if r.sink.module == controller and r.source_module)
    return found


def may_invoke(caller: str, target: str, routes: RouteTable, controller: str = CONTROLLER) -> bool:
    """True unless `target` is an asset and `caller` is neither its controller nor the operator."""
    if target not in controlled_assets(routes, controller):
        return True
    return caller in (controller, OPERATOR)


def refusal(caller: str, target: str) -> str:
    """The one sentence a refused caller gets (403); it echoes nothing the caller chose but its id."""
    return (f"{caller[:64]!r} may not invoke the methods of {target}: only the {CONTROLLER} and the {OPERATOR} "
            f"may call an asset's methods")
