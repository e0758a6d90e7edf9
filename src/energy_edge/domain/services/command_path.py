"""The controller's command path: setpoints to direct methods, within the cycle's time.

A direct method can be slow (edgeHub: ~45 ms each, and one SDK client runs its calls one
after another), so at tens of assets a cycle that waited for every call would overrun its
period. Four rules keep it inside:

- a call only on change or lease refresh (`setpoint_commands.needs_sending`);
- lease refreshes spread over time: each asset refreshes at its own age between a quarter and
  half its lease, evenly spread over the assets, so assets started together do not refresh together;
- calls run concurrently, at most `max_concurrent` at once (a transport that serialises
  anyway loses nothing);
- the cycle waits for its calls only up to a budget; a call still running then stays in flight
  (tracked per asset, never a second one for the same asset) and is accounted when it ends,
  so a slow call never delays the next cycle's decision.
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


def refresh_age_s(slot: float, ttl_s: float) -> float:
    """How old a lease may get before it is refreshed, for an asset's `slot` in 0..1: half the TTL
    for slot 0, a quarter for slot 1, so refreshes of assets sent together spread over a quarter TTL."""
    return ttl_s * (REFRESH_LATEST_RATIO - (REFRESH_LATEST_RATIO - REFRESH_EARLIEST_RATIO) * slot)


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
        self.forget(keep=setpoints)
        slots = self.slots(setpoints)
        started = []
        for module, setpoint in setpoints.items():
            if module in self.in_flight:
                continue  # its previous command is still on its way: the next cycle decides again
            command = command_for(setpoint, ttl_s)
            if needs_sending(setpoint.kind, command, self.sent.get(module), now, refresh_age_s(slots[module], ttl_s)):
                task = asyncio.ensure_future(self._call(module, command, now))
                self.in_flight[module] = task
                task.add_done_callback(lambda _, module=module: self.in_flight.pop(module, None))
                started.append(task)
        if started:
            await asyncio.wait(started, timeout=max(0.0, budget_s))
        return len(started)

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
