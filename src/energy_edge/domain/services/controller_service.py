"""The controller module's service: telemetry in, balancing each cycle, setpoints out.

It keeps the latest telemetry of every asset, balances the grid once per
`policy.cycle_s`, calls an asset's direct method only when its setpoint changed
or its lease needs refreshing, and reports the site on output `cloud`. Nothing an
asset or the transport does (bad telemetry, timeouts, refusals) stops the loop:
each failure is counted, logged and retried next cycle, and every asset's TTL
lease keeps the site safe meanwhile.

Fail-safe on the meter: it balances only on a fresh grid reading. When the meter is
stale (no reading for `STALE_AFTER_CYCLES` cycles) or in FAULT, control is suspended:
no setpoint goes out, so every lease runs out and each asset returns to its own safe
state; the site report says so (`control_suspended`, with the reason), and one log
line marks each change. The first fresh reading resumes control from a clean slate.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any, Mapping

from ..balancing import BalancerMemory, Decision, Guidance, Policy, SiteSnapshot
from ..balancing.policy import RANGES as POLICY_PROPERTIES
from ..desired_document import DesiredDocument
from ..errors import InvalidPayload, MalformedMessage, MeterUnavailable, NoNewReading
from ..messages import Message, MethodResponse
from ..planning import OnlineForecaster, plan
from ..ports import Clock, Forecaster, GridMeter, ModuleClient
from ..provenance import accept_telemetry
from ..shown import shown
from ..status import Status
from ..telemetry import AssetTelemetry, supersedes
from ..topology import ASSET_KINDS, CLOUD_OUTPUT, TELEMETRY_INPUT
from .asset_isolation import balance_isolating, snapshot_of
from .command_path import DEFAULT_MAX_CONCURRENT, CommandPath
from .grid_meter import TelemetryGridMeter
from .setpoint_commands import Command
from .site_report import site_report

log = logging.getLogger(__name__)

STALE_AFTER_CYCLES = 3  # an asset silent for this many cycles no longer counts
MAX_PENDING_DURATIONS = 10_000  # cycle durations kept while reports cannot be sent
OBSERVE_INTERVAL_S = 10.0  # the forecaster learns from the meters this often (it averages over an hour)
PLAN_HORIZON_S = 86_400.0
METER_KIND = "meter"
COMMAND_BUDGET_RATIO = 0.05  # a cycle waits for its direct methods at most this share of its period (the rest fly on)


class ControllerService:
    """Balances the site; the telemetry module may read the public counters below."""

    def __init__(self, client: ModuleClient, meter: GridMeter | None, clock: Clock, policy: Policy = Policy(), *,
                 method_timeout_s: float = 2.0, forecaster: Forecaster | None = None,
                 asset_kinds: Mapping[str, str] = ASSET_KINDS,
                 max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT) -> None:
        """`policy`: the defaults the twin's desired document applies to; `asset_kinds`: module -> kind.

        `meter` None: balance on the telemetry of the site's `meter` module (a real site); a
        simulation may pass its own `GridMeter` instead."""
        self.client = client
        self.meter: GridMeter = meter if meter is not None else TelemetryGridMeter(STALE_AFTER_CYCLES)
        self.clock = clock
        self.policy = policy
        self.base_policy = policy
        self.asset_kinds = dict(asset_kinds)
        self.desired = DesiredDocument(POLICY_PROPERTIES)
        self.method_timeout_s = method_timeout_s
        self.latest: dict[str, AssetTelemetry] = {}  # by module
        self.cycles_total = 0
        self.malformed_messages_total: Counter[str] = Counter()  # by reason (the rule, e.g. "telemetry.soc")
        self.method_calls_total = 0
        self.method_errors_total: Counter[int] = Counter()  # by status code (504, 409, 400, 404, 500)
        self.meter_errors_total = 0
        self.meter_outages_total = 0  # times control was suspended for want of a trustworthy meter
        self.suspended_cycles_total = 0
        self.suspended_reason: str | None = None  # why control is suspended now (None: balancing)
        self._meter_misses = 0  # cycles in a row the meter could not be read
        self._suspended_since_cycles = 0
        self.asset_errors_total: Counter[str] = Counter()  # by module: reports left out because balancing broke
        self.planner_errors_total = 0
        self.cycle_durations_s: list[float] = []  # since the last site report
        self.last_decision: Decision | None = None
        self.last_grid_power_w: float | None = None
        self.policy_version: int | None = None  # $version of the desired document in force
        self._seen_in_cycle: dict[str, int] = {}
        self._memory = BalancerMemory()
        self.commands = CommandPath(client, method_timeout_s, max_concurrent=max_concurrent_calls,
                                    on_result=self._on_command_result)
        self._last_report_at: float | None = None
        self._running = False
        self.guidance = Guidance()  # the planner's latest, in force until the next plan
        self._forecaster = forecaster
        self._own_forecaster_at: tuple[float, float] | None = None  # location of the one built here
        self._observed_at: float | None = None
        self._planned_at: float | None = None
        self._cycle_changed = asyncio.Event()  # wakes the loop's sleep when cycle_s changes

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        self.client.on_input(TELEMETRY_INPUT, self.on_telemetry)
        self.client.on_desired_patch(self.apply_desired)
        await self.client.connect()
        await self.apply_desired((await self.client.get_twin()).desired)

    async def run(self) -> None:
        """Balance every `policy.cycle_s` (measured from cycle start) until `stop()`; a bug in one cycle
        does not end the loop, and a late cycle is not caught up with a burst."""
        self._running = True
        while self._running:
            started = self.clock.now()
            try:
                await self.run_cycle()
            except Exception:
                log.exception("controller cycle failed; next cycle retries")
            await self._pause(started)

    async def _pause(self, started: float) -> None:
        """Sleep until `cycle_s` after the cycle started (a late cycle is not caught up with a burst); a new
        `cycle_s` applies at once, not after the old sleep ends."""
        while self._running:
            remaining = started + self.policy.cycle_s - self.clock.now()
            if remaining <= 0:
                return
            self._cycle_changed.clear()
            sleeper = asyncio.ensure_future(self.clock.sleep(remaining))
            waker = asyncio.ensure_future(self._cycle_changed.wait())
            try:
                await asyncio.wait((sleeper, waker), return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                waker.cancel()
            if not waker.done() or waker.cancelled():
                return  # slept the whole cycle

    async def stop(self) -> None:
        self._running = False
        await self.client.close()

    # -- inputs --------------------------------------------------------------------------
    async def on_telemetry(self, message: Message) -> None:
        """Keep a report under the module the transport authenticated (`provenance`), never the body's."""
        try:
            telemetry = accept_telemetry(message, self.asset_kinds, self.clock.now())
        except MalformedMessage as exc:
            self.malformed_messages_total[exc.rule] += 1
            log.warning("telemetry from %s refused: %s", shown(message.source_module or "unknown", 64), exc)
            return
        if not supersedes(telemetry, self.latest.get(telemetry.module)):
            return  # a redelivered or late report: the newer one stays in force
        if telemetry.kind == METER_KIND:
            observe = getattr(self.meter, "observe", None)
            if observe is not None:
                observe(telemetry)
        self.latest[telemetry.module] = telemetry
        self._seen_in_cycle[telemetry.module] = self.cycles_total

    def is_stale(self, module: str) -> bool:
        return self.cycles_total - self._seen_in_cycle.get(module, -STALE_AFTER_CYCLES) >= STALE_AFTER_CYCLES

    async def apply_desired(self, desired: dict[str, Any]) -> None:
        """Apply the whole desired document (patches merged into it) atomically, acking each property (PnP).

        The policy is computed from the base policy and every policy property the
        document holds, so a refused document cannot poison the next one.
        """
        update = self.desired.take(desired)
        self.malformed_messages_total.update(self.desired.malformed_total)
        self.desired.malformed_total.clear()
        if update is None:
            return
        self.policy_version = update.version
        refusal = None
        try:
            policy = Policy.from_desired(update.writable, base=self.base_policy)
        except InvalidPayload as exc:
            log.warning("desired $version %d refused, previous policy kept: %s", update.version, exc)
            refusal = (exc.rule, exc.reason)
        else:
            if policy.cycle_s != self.policy.cycle_s:
                self._cycle_changed.set()
            self.policy = policy
        acks = self.desired.reported_patch(update, refusal)
        if acks:
            await self.client.patch_reported(acks)

    # -- the cycle -----------------------------------------------------------------------
    async def run_cycle(self) -> Decision | None:
        """Meter, snapshot, balance, actuate what changed, and report when due."""
        started = time.perf_counter()
        now = self.clock.now()
        decision = None
        grid = await self._read_meter()
        if grid is not None:
            self.last_grid_power_w = grid
            usable = [t for module, t in self.latest.items() if t.kind != METER_KIND and not self.is_stale(module)]
            snapshot, broken = snapshot_of(now, grid, usable)
            try:
                self._look_ahead(snapshot)
            except Exception:  # planning is an optimisation: without it the balancer still keeps every limit
                self.planner_errors_total += 1
                self.guidance = Guidance()
                log.exception("planner failed; balancing unguided this cycle")
            decision, unbalanceable = balance_isolating(snapshot, self.policy, self._memory, self.guidance)
            self.asset_errors_total.update([*broken, *unbalanceable])
            self._memory, self.last_decision = decision.memory, decision
            await self.commands.send(decision.setpoints, now, self.policy.setpoint_ttl_s,
                                     self.policy.cycle_s * COMMAND_BUDGET_RATIO - (time.perf_counter() - started))
        elif self.suspended_reason is not None:
            self.suspended_cycles_total += 1
        self.cycles_total += 1
        self.cycle_durations_s.append(time.perf_counter() - started)
        if self._last_report_at is None or now - self._last_report_at >= self.policy.reporting_interval_s:
            await self._report(now)
        return decision

    async def _read_meter(self) -> float | None:
        """The grid power to balance on this cycle, or None: hold (no new reading yet) or suspended."""
        try:
            grid = await self.meter.read_grid_power_w()
        except NoNewReading:
            return None  # the meter reports at its own pace: one reading is balanced on once
        except MeterUnavailable as exc:
            self._suspend(exc.reason)
            return None
        except Exception as exc:  # a meter that cannot be read this cycle: after 3 in a row it is stale
            self.meter_errors_total += 1
            self._meter_misses += 1
            log.warning("grid meter unreadable, cycle skipped: %r", exc)
            if self._meter_misses >= STALE_AFTER_CYCLES:
                self._suspend(f"grid meter stale: unreadable for {self._meter_misses} cycles ({exc!r})")
            return None
        self._meter_misses = 0
        if self.suspended_reason is not None:
            log.warning("control resumed: fresh grid meter reading after %d suspended cycles",
                        self.suspended_cycles_total - self._suspended_since_cycles)
            self.suspended_reason = None
        return grid

    def _suspend(self, reason: str) -> None:
        """Stop issuing setpoints: every lease runs out and each asset returns to its safe state."""
        if self.suspended_reason is None:
            self.meter_outages_total += 1
            self._suspended_since_cycles = self.suspended_cycles_total
            log.warning("control suspended, no setpoints until the meter reads again (leases run out to each "
                        "asset's safe state): %s", reason)
            self.commands.forget()  # on resuming, every asset is sent its setpoint afresh
            self._memory = BalancerMemory()  # and the balancer starts from what it then measures
        self.suspended_reason = reason

    def _look_ahead(self, snapshot: SiteSnapshot) -> None:
        """Feed the forecaster and replan when due; with planning off the balancer runs unguided."""
        now, interval = snapshot.now, self.policy.plan_interval_s
        if interval <= 0:
            self.guidance, self._planned_at = Guidance(), None
            return
        forecaster = self._forecaster_for_site()
        if self._observed_at is None or now - self._observed_at >= OBSERVE_INTERVAL_S:
            solars = [a for a in snapshot.assets if a.kind == "solar" and a.enabled]
            load_w = snapshot.grid_power_w + sum(a.power_w for a in snapshot.assets)
            forecaster.observe(now, sum(a.available_power_w for a in solars), sum(a.rated_power_w for a in solars),
                               load_w)
            self._observed_at = now
        if self._planned_at is None or now - self._planned_at >= interval:
            self.guidance = plan(now, self.policy, snapshot.assets, forecaster.forecast(now, PLAN_HORIZON_S))
            self._planned_at = now

    def _forecaster_for_site(self) -> Forecaster:
        """The injected forecaster, or an online one for the policy's location (rebuilt if it moves)."""
        location = (self.policy.latitude_deg, self.policy.longitude_deg)
        if self._forecaster is None or (self._own_forecaster_at is not None and self._own_forecaster_at != location):
            self._forecaster, self._own_forecaster_at = OnlineForecaster(*location), location
        return self._forecaster

    def _on_command_result(self, module: str, command: Command, status: int, response: MethodResponse | None) -> None:
        self.method_calls_total += 1
        if status != Status.OK:
            self.method_errors_total[status] += 1
            log.warning("%s.%s answered %d, retried next cycle: %s", module, command.method, status,
                        None if response is None else shown(response.payload))

    async def _report(self, now: float) -> None:
        counters = {
            "malformed_messages_total": dict(self.malformed_messages_total),
            "method_calls_total": self.method_calls_total,
            "method_errors_total": {str(code): count for code, count in self.method_errors_total.items()},
            "meter_errors_total": self.meter_errors_total,
            "meter_outages_total": self.meter_outages_total,
            "suspended_cycles_total": self.suspended_cycles_total,
            "planner_errors_total": self.planner_errors_total,
            "asset_errors_total": dict(self.asset_errors_total),
        }
        assets = [(t, self.is_stale(module)) for module, t in self.latest.items()]
        report = site_report(now, self.last_grid_power_w, assets, counters, self.cycle_durations_s,
                             plan=self.guidance.as_dict(), suspended_reason=self.suspended_reason)
        try:
            await self.client.send_message(CLOUD_OUTPUT, Message.from_json(report))
        except Exception as exc:  # the next report carries these durations instead (bounded)
            log.warning("site report not sent: %r", exc)
            del self.cycle_durations_s[:-MAX_PENDING_DURATIONS]
            return
        self._last_report_at = now
        self.cycle_durations_s = []
