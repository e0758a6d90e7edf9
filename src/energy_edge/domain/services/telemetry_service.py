"""The telemetry module's service: it watches every module's reports for the exporter.

It keeps the latest asset telemetry and site report, counts messages, sequence
gaps (lost measurements must never pass quietly) and malformed bodies, and
answers "is every expected module alive?" for /healthz. It knows nothing of
Prometheus: the exporter adapter reads `TelemetryView` at scrape time.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .. import bounded_json
from ..bounds import MAX_CYCLE_S, MAX_POWER_W, MAX_REPORTING_INTERVAL_S
from ..errors import MalformedMessage
from ..messages import Message
from ..ports import Clock, ModuleClient
from ..provenance import accept_telemetry
from ..shown import cut
from ..telemetry import AssetTelemetry, supersedes
from ..topology import ASSET_KINDS, ASSET_MODULES, CONTROLLER, SITE_INPUT, TELEMETRY_INPUT

log = logging.getLogger(__name__)

DEFAULT_EXPECTED = (*ASSET_MODULES, CONTROLLER)
MAX_CADENCE_S = MAX_REPORTING_INTERVAL_S + MAX_CYCLE_S  # what a controller may declare between two reports
MAX_REPORT_GAP_S = 60.0  # site reports further apart than this (clock s) leave the grid energy between uncounted


@dataclass
class Health:
    healthy: bool
    stale: list[str]
    ages_s: dict[str, float | None]

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.healthy else "stale", "stale_modules": self.stale, "ages_s": self.ages_s}


@dataclass
class TelemetryView:
    """Everything the exporter shows, kept current by `TelemetryService`."""

    assets: dict[str, AssetTelemetry] = field(default_factory=dict)
    site: dict[str, Any] = field(default_factory=dict)
    last_seen: dict[str, float] = field(default_factory=dict)
    messages_total: Counter = field(default_factory=Counter)  # by module
    sequence_gaps_total: Counter = field(default_factory=Counter)  # by module: missing when a later one came
    out_of_order_total: Counter = field(default_factory=Counter)  # by module: duplicates and late arrivals
    malformed_total: Counter = field(default_factory=Counter)  # by (source module, reason)
    # Energy in joules, each report's power held until the next one (a gap longer than the
    # staleness window is not filled in): into the bus, out of it, and across the grid connection.
    energy_supplied_j: Counter = field(default_factory=Counter)  # by module
    energy_consumed_j: Counter = field(default_factory=Counter)  # by module
    grid_imported_j: float = 0.0
    grid_exported_j: float = 0.0


class TelemetryService:
    """Consumes inputs `telemetry` (assets) and `site` (controller) into a `TelemetryView`."""

    def __init__(
        self,
        client: ModuleClient,
        clock: Clock,
        *,
        expected_modules: Iterable[str] = DEFAULT_EXPECTED,
        staleness_s: float = 10.0,
        asset_kinds: Mapping[str, str] = ASSET_KINDS,
    ) -> None:
        """`asset_kinds`: the site's asset modules and the kind of each (module -> kind)."""
        self.client = client
        self.asset_kinds = dict(asset_kinds)
        self.clock = clock
        self.expected_modules = tuple(expected_modules)
        self.staleness_s = staleness_s
        self.view = TelemetryView()
        self.started_at = clock.now()
        self._controller_cadence_s = 0.0  # how long the controller said its next report may take

    async def start(self) -> None:
        self.client.on_input(TELEMETRY_INPUT, self.on_asset_telemetry)
        self.client.on_input(SITE_INPUT, self.on_site_report)
        await self.client.connect()
        self.started_at = self.clock.now()

    async def stop(self) -> None:
        await self.client.close()

    async def on_asset_telemetry(self, message: Message) -> None:
        now = self.clock.now()  # when it arrived: the skew check's and last_seen's time
        try:  # keyed by the module the transport authenticated, never the body's (provenance.py)
            telemetry = accept_telemetry(message, self.asset_kinds, now)
        except MalformedMessage as exc:
            self._malformed(message.source_module, exc)
            return
        view, module = self.view, telemetry.module  # (locals: this runs for every asset every cycle)
        previous = view.assets.get(module)
        if not supersedes(telemetry, previous, now):
            view.out_of_order_total[module] += 1  # redelivered or late: the newer report stays
            return
        if previous is not None:
            if telemetry.seq > previous.seq + 1:
                view.sequence_gaps_total[module] += telemetry.seq - previous.seq - 1
                log.warning("telemetry from %s skipped %d messages", module, telemetry.seq - previous.seq - 1)
            if 0 < (held_s := telemetry.timestamp - previous.timestamp) <= self.staleness_s:
                power_w = previous.power_w  # (max(power_w, 0.0) and max(-power_w, 0.0) without the calls)
                view.energy_supplied_j[module] += (0.0 if 0.0 > power_w else power_w) * held_s
                view.energy_consumed_j[module] += (0.0 if 0.0 > -power_w else -power_w) * held_s
        view.assets[module] = telemetry
        view.messages_total[module] += 1
        view.last_seen[module] = now

    async def on_site_report(self, message: Message) -> None:
        try:
            if message.source_module != CONTROLLER:
                raise MalformedMessage("site.source", "only the controller reports the site")
            report = bounded_json.loads(message.body)
            if not isinstance(report, dict):
                raise MalformedMessage("site.json", "expected a JSON object")
        except bounded_json.JsonLimitExceeded as exc:
            self._malformed(message.source_module, MalformedMessage(f"site.{exc.limit}", exc.reason))
            return
        except ValueError as exc:
            self._malformed(message.source_module, MalformedMessage("site.json", f"not JSON: {cut(str(exc))}"))
            return
        except MalformedMessage as exc:
            self._malformed(message.source_module, exc)
            return
        self._count_grid_energy(self.view.site, report)
        self._controller_cadence_s = _cadence(report.get("next_report_within_s"))
        self.view.site = report
        self.view.messages_total[CONTROLLER] += 1
        self.view.last_seen[CONTROLLER] = self.clock.now()

    def _count_grid_energy(self, previous: dict[str, Any], report: dict[str, Any]) -> None:
        grid, then, now = previous.get("grid_power_w"), previous.get("timestamp"), report.get("timestamp")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (grid, then, now)):
            return
        held_s = now - then
        if abs(grid) <= MAX_POWER_W and 0 < held_s <= max(self.staleness_s, MAX_REPORT_GAP_S):  # inf stays forever
            self.view.grid_imported_j += max(grid, 0.0) * held_s
            self.view.grid_exported_j += max(-grid, 0.0) * held_s

    def health(self) -> Health:
        now = self.clock.now()
        ages: dict[str, float | None] = {}
        stale: list[str] = []
        for module in self.expected_modules:
            seen = self.view.last_seen.get(module)
            ages[module] = None if seen is None else round(now - seen, 3)
            allowed = self.staleness_s + (self._controller_cadence_s if module == CONTROLLER else 0.0)
            if seen is None or now - seen > allowed:
                stale.append(module)
        return Health(not stale, stale, ages)

    def health_probe(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, JSON body) for the HTTP adapter's /healthz."""
        health = self.health()
        return health.healthy, health.as_json()

    def _malformed(self, source: str, error: MalformedMessage) -> None:
        known = source if source in self.asset_kinds or source == CONTROLLER else "unknown"  # bounded label values
        self.view.malformed_total[(known, error.rule)] += 1
        log.warning("malformed message from %s ignored: %s", cut(source or "unknown", 64), error)


def _cadence(declared: object) -> float:
    """The controller's declared report cadence, bounded: a site reporting every 30 s (or with cycle_s 60,
    both accepted) was 'stale' in /healthz between reports, as the fixed staleness is 10 s."""
    if isinstance(declared, bool) or not isinstance(declared, (int, float)) or not 0 <= declared <= MAX_CADENCE_S:
        return 0.0
    return float(declared)
