"""The controller module's service: telemetry in, balancing each cycle, setpoints out.

It keeps the latest telemetry of every asset, balances the grid once per
`policy.cycle_s`, calls an asset's direct method only when its setpoint changed
or its lease needs refreshing, and reports the site on output `cloud`. Nothing an
asset or the transport does (bad telemetry, timeouts, refusals) stops the loop:
each failure is counted, logged and retried next cycle, and every asset's TTL
lease keeps the site safe meanwhile.

A reading is fresh when its report's timestamp (the measurement's time) advances: a
report under its predecessor's time (a module holding its last measurement over a
missed poll) updates the asset's state but neither refreshes it nor feeds the meter.

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
from dataclasses import replace
from typing import Any, Callable, Mapping, Sequence

from ..balancing import BalancerMemory, Decision, Guidance, Policy, SiteSnapshot
from ..balancing.policy import WRITABLE as POLICY_PROPERTIES
from ..desired_document import DesiredDocument
from ..errors import InvalidPayload, MalformedMessage, MeterUnavailable, NoNewReading
from ..messages import Message, MethodResponse
from ..planning import OnlineForecaster, RollingPlanner
from ..planning.solar_geometry import ArrayPlane
from ..planning.store_targets import settled_horizon_s
from ..ports import Clock, Forecaster, GridMeter, ModuleClient, PlanSolver, PriceSource, PvForecastSource
from ..prices import PriceSchedule, PriceSlot, exporting_costs_money
from ..pv_forecast import PvForecastSlot
from ..provenance import accept_telemetry
from ..scheduling import CycleScheduler
from ..shown import shown
from ..status import Status
from ..tariff import FIELDS as TARIFF_FIELDS, PROPERTY as TARIFF_PROPERTY, Tariff
from ..telemetry import AssetTelemetry, supersedes
from ..topology import ASSET_KINDS, CLOUD_OUTPUT, TELEMETRY_INPUT
from .asset_isolation import balance_isolating, plausible_grid_power_w, snapshot_of
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
PRICE_REFRESH_S = 900.0  # day-ahead prices change once a day; a quarter hour catches a late publication
PRICE_FETCH_TIMEOUT_S = 5.0
WRITABLE_PROPERTIES = (*POLICY_PROPERTIES, TARIFF_PROPERTY)  # the controller twin's desired properties
# What a desired document refused for a value is counted under in `malformed_messages_total`: the writable property
# or tariff field its rule names, never a key the document chose (a boiler's module name, an hour, an unknown tariff
# field: "boiler_loss_w_per_k_by_boiler.boiler-7" counts as "boiler_loss_w_per_k_by_boiler"), so the reasons stay few
REFUSAL_REASONS = frozenset({*WRITABLE_PROPERTIES, *(f"{TARIFF_PROPERTY}.{name}" for name in TARIFF_FIELDS)})
OTHER_REFUSAL = "policy"  # a rule naming none of them (none does: unknown keys never reach the policy)
# Policy values in the site report: the limits an operator needs to see in force.
REPORTED_LIMITS = ("grid_target_w", "import_limit_w", "export_limit_w", "soc_reserve_min", "soc_reserve_max",
                   "setpoint_ttl_s")


class ControllerService:
    """Balances the site; the telemetry module may read the public counters below."""

    def __init__(self, client: ModuleClient, meter: GridMeter | None, clock: Clock, policy: Policy = Policy(), *,
                 method_timeout_s: float = 2.0, forecaster: Forecaster | None = None,
                 asset_kinds: Mapping[str, str] = ASSET_KINDS, price_source: PriceSource | None = None,
                 max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT,
                 cycle_observer: Callable[[float], None] | None = None, plan_solver: PlanSolver | None = None,
                 pv_forecast_source: PvForecastSource | None = None, pv_planes: Sequence[ArrayPlane] = ()) -> None:
        """`policy`: the defaults the twin's desired document applies to, its grid limits (the site file's) the
        highest the twin may set; `asset_kinds`: module -> kind;
        `price_source`: day-ahead prices (None: the controller knows only the twin's tariff window);
        `plan_solver`: the LP planner's solver (None: the heuristic planner plans);
        `pv_forecast_source`: a day-ahead PV forecast (None: the online forecaster's clear-sky model alone);
        `pv_planes`: a site's several arrays with their planes and ratings, as its site file states them
        (empty: one plane for all, the policy's);
        `cycle_observer` gets each cycle's duration (s) as it ends: a process's metrics histogram.

        `meter` None: balance on the telemetry of the site's `meter` module (a real site); a
        simulation may pass its own `GridMeter` instead."""
        self.client = client
        self.meter: GridMeter = meter if meter is not None else TelemetryGridMeter(STALE_AFTER_CYCLES)
        self.clock = clock
        self.policy = policy
        self.base_policy = policy
        self.asset_kinds = dict(asset_kinds)
        self.method_timeout_s = method_timeout_s
        self.cycle_observer = cycle_observer
        self.pv_planes = tuple(pv_planes)
        self.latest: dict[str, AssetTelemetry] = {}  # by module
        self.cycles_total = 0
        # by reason: telemetry and desired documents refused unread by rule ("telemetry.soc", "twin.version"),
        # desired documents refused for a value by the property refused (`refusal_reason`: "deadband_w")
        self.malformed_messages_total: Counter[str] = Counter()
        self.desired = DesiredDocument(WRITABLE_PROPERTIES, self.malformed_messages_total)
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
        self._scheduler: CycleScheduler | None = None
        self.guidance = Guidance()  # the planner's latest, in force until the next plan
        self._forecaster = forecaster
        self._own_forecaster_at: tuple[float, ...] | None = None  # location and plane of the one built here
        self._forecaster_for: tuple[Policy, Forecaster | None] | None = None  # (policy, forecaster) last fitted
        self._observed_at: float | None = None
        self._planned_at: float | None = None
        self.planner = RollingPlanner(plan_solver)  # the LP on the forecast and prices; the heuristic as fallback
        self.price_source = price_source
        self.tariff: Tariff | None = None  # the twin's tariff (the operator's prices); None: not stated
        self._source_slots: list[PriceSlot] = []  # the price source's last day-ahead slots
        self.prices = PriceSchedule()  # the twin's tariff under the source's slots: what the controller prices by
        self.price_errors_total = 0
        self._prices_fetched_at: float | None = None
        self.pv_forecast_source = pv_forecast_source
        self.pv_forecast: list[PvForecastSlot] = []  # the source's last day-ahead PV, handed to the forecaster
        self.pv_forecast_errors_total = 0
        self._pv_forecast_fetched_at: float | None = None

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        self.client.on_input(TELEMETRY_INPUT, self.on_telemetry)
        self.client.on_desired_patch(self.apply_desired)
        await self.client.connect()
        twin = await self.client.get_twin()
        if stale := self.desired.stale_keys_patch(twin.reported):
            await self.client.patch_reported(stale)
        await self.apply_desired(twin.desired)

    async def run(self) -> None:
        """Balance every `policy.cycle_s` (fixed rate) until `stop()`; a bug in one cycle does not end the loop."""
        self._running = True
        self._scheduler = CycleScheduler(self.clock, lambda: self.policy.cycle_s, self.run_cycle, name="controller",
                                         keep_running=lambda: self._running)
        await self._scheduler.run()

    async def stop(self) -> None:
        self._running = False
        if self._scheduler is not None:
            self._scheduler.stop()
        await self.client.close()

    # -- inputs --------------------------------------------------------------------------
    async def on_telemetry(self, message: Message) -> None:
        """Keep a report under the module the transport authenticated (`provenance`), never the body's."""
        now = self.clock.now()
        try:
            telemetry = accept_telemetry(message, self.asset_kinds, now)
        except MalformedMessage as exc:
            self.malformed_messages_total[exc.rule] += 1
            log.warning("telemetry from %s refused: %s", shown(message.source_module or "unknown", 64), exc)
            return
        previous = self.latest.get(telemetry.module)
        if not supersedes(telemetry, previous, now):
            return  # a redelivered or late report: the newer one stays in force
        # A report under its predecessor's time (a higher seq) carries no new measurement: the device missed a
        # poll and the module held its last one. Its state and lease count; as a reading it is not fresh. (A
        # later or earlier time is a new one: earlier only when it replaced a report the clock stepped back past.)
        new_reading = previous is None or telemetry.timestamp != previous.timestamp
        if telemetry.kind == METER_KIND and new_reading:
            observe = getattr(self.meter, "observe", None)
            if observe is not None:
                observe(telemetry)
        self.latest[telemetry.module] = telemetry
        if new_reading:
            self._seen_in_cycle[telemetry.module] = self.cycles_total

    def is_stale(self, module: str) -> bool:
        return self.cycles_total - self._seen_in_cycle.get(module, -STALE_AFTER_CYCLES) >= STALE_AFTER_CYCLES

    async def apply_desired(self, desired: dict[str, Any]) -> None:
        """Apply the whole desired document (patches merged into it) atomically, acking each property (PnP).

        The policy is computed from the base policy and every policy property the
        document holds, so a refused document cannot poison the next one.
        """
        update = self.desired.take(desired)
        if update is None:
            return
        self.policy_version = update.version
        refusal = None
        writable = dict(update.writable)
        stated_tariff = writable.pop(TARIFF_PROPERTY, None)
        try:
            policy = Policy.from_desired(writable, base=self.base_policy)
            tariff = None if stated_tariff is None else Tariff.from_desired(stated_tariff)
        except InvalidPayload as exc:
            self.malformed_messages_total[refusal_reason(exc.rule)] += 1
            log.warning("desired $version %d refused, previous policy kept: %s", update.version, exc)
            refusal = (exc.rule, exc.reason)
        else:
            changed = policy.cycle_s != self.policy.cycle_s
            self.policy = policy
            if tariff != self.tariff:
                self.tariff = tariff
                self._prices_fetched_at = None  # price by the new tariff from the next cycle
            if changed and self._scheduler is not None:
                self._scheduler.reschedule()  # a new cycle_s applies at once, not after the old sleep
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
            await self._refresh_prices(now)
            await self._refresh_pv_forecast(now)
            solver_errors = self.planner.errors_total
            try:
                self._look_ahead(snapshot)
            except Exception:  # planning is an optimisation: without it the balancer still keeps every limit
                self.planner_errors_total += 1
                self.guidance = Guidance()
                log.exception("planner failed; balancing unguided this cycle")
            self.planner_errors_total += self.planner.errors_total - solver_errors
            decision, unbalanceable = balance_isolating(snapshot, self._priced_policy(now), self._memory,
                                                        self.guidance)
            if broken or unbalanceable:  # (Counter.update costs even when given nothing)
                self.asset_errors_total.update([*broken, *unbalanceable])
            self._memory, self.last_decision = decision.memory, decision
            await self.commands.send(decision.setpoints, now, self.policy.setpoint_ttl_s,
                                     self.policy.cycle_s * COMMAND_BUDGET_RATIO - (time.perf_counter() - started))
        elif self.suspended_reason is not None:
            self.suspended_cycles_total += 1
        self.cycles_total += 1
        duration_s = time.perf_counter() - started
        self.cycle_durations_s.append(duration_s)
        if self.cycle_observer is not None:
            self.cycle_observer(duration_s)
        if self._last_report_at is None or now - self._last_report_at >= self.policy.reporting_interval_s:
            await self._report(now)
        return decision

    async def _read_meter(self) -> float | None:
        """The grid power to balance on this cycle, or None: hold (no new reading yet) or suspended."""
        try:
            grid = plausible_grid_power_w(await self.meter.read_grid_power_w())
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

    async def _refresh_prices(self, now: float) -> None:
        """When due: the twin's tariff for today and tomorrow under the source's day-ahead slots (they win
        where they overlap); a failing source keeps its last slots (and is counted)."""
        if self._prices_fetched_at is not None and now - self._prices_fetched_at < PRICE_REFRESH_S:
            return
        self._prices_fetched_at = now
        if self.price_source is not None:
            slots = await self._fetch(self.price_source, "price source", len(self._source_slots))
            if slots is None:
                self.price_errors_total += 1
            else:
                self._source_slots = slots
        stated = [] if self.tariff is None else self.tariff.slots(now)
        prices = PriceSchedule([*stated, *self._source_slots])
        if prices.slots != self.prices.slots:
            self._planned_at = None  # new prices: replan now
        self.prices = prices

    async def _refresh_pv_forecast(self, now: float) -> None:
        """When due (as prices): the source's day-ahead PV to the online forecaster; a failing source keeps
        its last forecast (and is counted)."""
        if self.pv_forecast_source is None or (self._pv_forecast_fetched_at is not None
                                               and now - self._pv_forecast_fetched_at < PRICE_REFRESH_S):
            return
        self._pv_forecast_fetched_at = now
        slots = await self._fetch(self.pv_forecast_source, "PV forecast source", len(self.pv_forecast))
        if slots is None:
            self.pv_forecast_errors_total += 1
        elif slots != self.pv_forecast:
            self.pv_forecast = slots
            self._planned_at = None  # a new forecast: replan now
            self._forecaster_for = None  # and hand it to the forecaster

    @staticmethod
    async def _fetch(source: PriceSource | PvForecastSource, name: str, known: int) -> list[Any] | None:
        """A day-ahead source's slots, or None when it fails (logged): prices and forecasts are an
        optimisation, without them the limits still hold, and the caller keeps its last ones."""
        try:
            return list(await asyncio.wait_for(source.fetch(), PRICE_FETCH_TIMEOUT_S))
        except Exception as exc:
            log.warning("%s failed, keeping %d known slots: %s", name, known, shown(repr(exc)))
            return None

    def _priced_policy(self, now: float) -> Policy:
        """The policy for this cycle: while feed-in costs money, export nothing (curtail or store)."""
        if not exporting_costs_money(self.prices, now) or self.policy.export_limit_w == 0:
            return self.policy
        return replace(self.policy, export_limit_w=0.0, grid_target_w=max(self.policy.grid_target_w, 0.0))

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
        if (self._planned_at is None or now - self._planned_at >= interval
                or self.planner.price_changed(now) or self.planner.off_course(now, self.policy, snapshot.assets)):
            self._planned_at = now  # a failing plan is retried at the next interval, not every cycle
            self.guidance = self.planner.plan(now, self.policy, snapshot.assets,
                                              forecaster.forecast(now, settled_horizon_s(self.policy, now, PLAN_HORIZON_S)), self.prices,
                                              0.0 if self.tariff is None else self.tariff.demand_charge_per_kw)

    def _forecaster_for_site(self) -> Forecaster:
        """The injected forecaster, or an online one for the policy's location (rebuilt if it moves) that
        takes the policy's typical load profile as its prior."""
        p = self.policy
        if self._forecaster_for == (p, self._forecaster):  # the policy in force is the one it was fitted to
            return self._forecaster  # type: ignore[return-value]
        location = (p.latitude_deg, p.longitude_deg, p.pv_tilt_deg, p.pv_azimuth_deg)
        if self._forecaster is None or (self._own_forecaster_at is not None and self._own_forecaster_at != location):
            self._forecaster = OnlineForecaster(p.latitude_deg, p.longitude_deg, tilt_deg=p.pv_tilt_deg,
                                                azimuth_deg=p.pv_azimuth_deg, planes=self.pv_planes)
            self._own_forecaster_at = location
        if self._own_forecaster_at is not None and isinstance(self._forecaster, OnlineForecaster):
            self._forecaster.use_load_prior(p.load_w_by_hour.values)  # a new typical profile replaces the learned
        if isinstance(self._forecaster, OnlineForecaster):
            self._forecaster.use_day_ahead(self.pv_forecast)  # the PV source's forecast as its prior
        self._forecaster_for = (p, self._forecaster)
        return self._forecaster

    def _on_command_result(self, module: str, command: Command, status: int, response: MethodResponse | None) -> None:
        self.method_calls_total += 1
        if status != Status.OK:
            self.method_errors_total[status] += 1
            log.warning("%s.%s answered %d, retried next cycle: %s", module, command.method, status,
                        None if response is None else shown(response.payload))

    def _limits(self) -> dict[str, float]:
        policy = self.policy
        return {name: getattr(policy, name) for name in REPORTED_LIMITS}

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
                             plan=self.guidance.as_dict(), suspended_reason=self.suspended_reason,
                             limits=self._limits(),
                             next_report_within_s=self.policy.reporting_interval_s + self.policy.cycle_s)
        try:
            await self.client.send_message(CLOUD_OUTPUT, Message.from_json(report))
        except Exception as exc:  # the next report carries these durations instead (bounded)
            log.warning("site report not sent: %r", exc)
            del self.cycle_durations_s[:-MAX_PENDING_DURATIONS]
            return
        self._last_report_at = now
        self.cycle_durations_s = []


def refusal_reason(rule: str) -> str:
    """The reason a desired value refused by `rule` is counted under: the rule's leading part in `REFUSAL_REASONS`
    ("tariff.import_price_by_hour.25": "tariff.import_price_by_hour"), else `OTHER_REFUSAL`."""
    parts = rule.split(".")
    for size in (2, 1):
        if (reason := ".".join(parts[:size])) in REFUSAL_REASONS:
            return reason
    return OTHER_REFUSAL
