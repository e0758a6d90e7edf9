"""The controller's command path: setpoints to direct methods, within the cycle's time.

A direct method can be slow (edgeHub: ~45 ms each, and one SDK client runs its calls one
after another), so at tens of assets a cycle that waited for every call would overrun its
period. Four rules keep it inside:

- a call only on change or lease refresh (`setpoint_commands.needs_sending`), but changes held back
  as too small add up per kind to at most `AGGREGATE_TOLERANCE_W` (the largest go out beyond it);
- lease refreshes spread over time: each asset refreshes at its own age between a quarter and
  half its lease, evenly spread over the assets, so assets started together do not refresh together;
- calls run concurrently, at most `max_concurrent` at once (a transport that serialises
  anyway loses nothing);
- the cycle waits for its calls only up to a budget; a call still running then stays in flight
  (tracked per asset, never a second one for the same asset) and is accounted when it ends,
  so a slow call never delays the next cycle's decision.

A simulation that steps a manual clock (`entrypoints/manual_site.py`) has no wall time to keep
and lets every call land before its next step anyway: it sets `inline`, and the calls run one
after another in the cycle's own task, in the order the tasks would have run them, without a
task, a wait and three turns of the event loop per call.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Iterable, Mapping

from ..balancing import Setpoint
from ..messages import MethodResponse
from ..ports import MethodsPort
from ..status import Status
from .setpoint_commands import Command, SentCommand, command_for, needs_sending

log = logging.getLogger(__name__)

REFRESH_EARLIEST_RATIO = 0.25  # an asset's lease is refreshed between this share of the TTL ...
REFRESH_LATEST_RATIO = 0.5  # ... and this one, at its own point (leases spread over time)
DEFAULT_MAX_CONCURRENT = 16
# Per kind, how much the changes held back (each within its own tolerance) may add up to before the
# largest are sent anyway: with hundreds of batteries, 10 W each would otherwise hide kilowatts.
AGGREGATE_TOLERANCE_W = {"battery": 50.0, "solar": 50.0}


def refresh_age_s(slot: float, ttl_s: float) -> float:
    """How old a lease may get before it is refreshed, for an asset's `slot` in 0..1: half the TTL
    for slot 0, a quarter for slot 1, so refreshes of assets sent together spread over a quarter TTL."""
    return ttl_s * (REFRESH_LATEST_RATIO - (REFRESH_LATEST_RATIO - REFRESH_EARLIEST_RATIO) * slot)


def _moves_power(setpoint: Setpoint) -> bool:
    """A battery's value is its power; an inverter's limit moves power only where it binds (curtailed)."""
    return setpoint.kind == "battery" or setpoint.expected_power_w >= setpoint.value - 1e-6


def _beyond_aggregate(changes: list[tuple[float, str, Command]], bound_w: float) -> list[tuple[str, Command]]:
    """The held-back changes to send after all: the largest, until what stays unsent adds up to at most
    `bound_w`. Each change alone is within its tolerance, but many assets' small changes add up."""
    residual = sum(delta for delta, _, _ in changes)
    if abs(residual) <= bound_w:
        return []
    sign = 1.0 if residual > 0 else -1.0
    picked = []
    for delta, module, command in sorted(changes, key=lambda change: -sign * change[0]):
        if abs(residual) <= bound_w or delta * sign <= 0:
            break
        picked.append((module, command))
        residual -= delta
    return picked


class CommandPath:
    """Sends the commands a decision needs and remembers what each asset acknowledged."""

    def __init__(self, client: MethodsPort, timeout_s: float, *, max_concurrent: int = DEFAULT_MAX_CONCURRENT,
                 on_result: Callable[[str, Command, int, MethodResponse | None], None] | None = None) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.sent: dict[str, SentCommand] = {}  # the last command each asset acknowledged (200), and when
        self.in_flight: dict[str, asyncio.Task[None]] = {}
        self._limit = asyncio.Semaphore(max(1, max_concurrent))
        self._on_result = on_result or (lambda module, command, status, response: None)
        self._slots: tuple[tuple[str, ...], dict[str, float]] = ((), {})
        # True: each call is awaited in the caller's task (no budget, nothing left in flight); for a
        # manual clock, whose step waits for every call anyway (see the module's docstring).
        self.inline = False

    def slots(self, modules: Iterable[str]) -> dict[str, float]:
        """Each asset's place (0..1) in the decision's order: the same while the site does not change."""
        key = tuple(modules)
        if key != self._slots[0]:
            self._slots = (key, {module: index / len(key) for index, module in enumerate(key)})
        return self._slots[1]

    def forget(self, keep: Iterable[str] = ()) -> None:
        """Forget what was acknowledged, except for `keep`: those are sent afresh when next needed."""
        kept = set(keep)
        for module in [m for m in self.sent if m not in kept]:
            del self.sent[module]

    async def send(self, setpoints: Mapping[str, Setpoint], now: float, ttl_s: float, budget_s: float) -> int:
        """Start the calls this decision needs; wait for them at most `budget_s`. Returns the calls started."""
        if not self.sent.keys() <= setpoints.keys():  # (a set comparison in C: most cycles forget nothing)
            self.forget(keep=setpoints)
        slots = self.slots(setpoints)
        due: list[tuple[str, Command]] = []
        held: dict[str, list[tuple[float, str, Command]]] = {}  # kind -> changes each within its tolerance
        for module, setpoint in setpoints.items():
            if module in self.in_flight:
                continue  # its previous command is still on its way: the next cycle decides again
            command = command_for(setpoint, ttl_s)
            sent = self.sent.get(module)
            if needs_sending(setpoint.kind, command, sent, now, refresh_age_s(slots[module], ttl_s)):
                due.append((module, command))
            elif sent is not None and setpoint.kind in AGGREGATE_TOLERANCE_W and _moves_power(setpoint):
                held.setdefault(setpoint.kind, []).append((command.value - sent.command.value, module, command))
        for kind, changes in held.items():
            due += _beyond_aggregate(changes, AGGREGATE_TOLERANCE_W[kind])
        if self.inline:
            for module, command in due:
                await self._call(module, command, now)
            return len(due)
        for module, command in due:
            task = asyncio.ensure_future(self._call(module, command, now))
            self.in_flight[module] = task
            task.add_done_callback(lambda _, module=module: self.in_flight.pop(module, None))
        if due and budget_s > 0:
            await asyncio.wait([self.in_flight[module] for module, _ in due if module in self.in_flight],
                               timeout=budget_s)
        return len(due)

    async def settle(self, timeout_s: float) -> None:
        """Wait for the calls still in flight (tests and shutdown)."""
        if self.in_flight:
            await asyncio.wait(list(self.in_flight.values()), timeout=timeout_s)

    async def _call(self, module: str, command: Command, now: float) -> None:
        async with self._limit:
            try:
                response: MethodResponse | None = await self.client.invoke_method(
                    module, command.method, command.payload, self.timeout_s)
                status = response.status if response is not None else int(Status.INTERNAL)
            except Exception:  # transports answer failures with a status; one that raises must not stop us
                log.exception("invoking %s.%s raised", module, command.method)
                status, response = int(Status.INTERNAL), None
        if status == Status.OK:
            self.sent[module] = SentCommand(command, now)
        else:
            self.sent.pop(module, None)
        self._on_result(module, command, status, response)
