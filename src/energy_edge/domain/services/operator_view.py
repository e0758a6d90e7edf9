"""What the operator's page shows: the telemetry module's view as one JSON-ready snapshot.

Built from `TelemetryService` (latest telemetry per asset, the controller's
site report, health) plus two things a page needs that a scrape does not: the
last hour of site power flows, and a log of recent events (faults, refused
commands, modules gone stale). It is pure: the web adapter calls `observe()`
on a timer and `snapshot()` for each push, so any site of any size (tens of
assets) is shown the same way.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable

from ..telemetry import AssetTelemetry
from .telemetry_service import TelemetryService

HISTORY_WINDOW_S = 3600.0  # the chart's span, in site-clock seconds
HISTORY_MAX_POINTS = 720  # one point per 5 s of an hour at real time
EVENTS_KEPT = 100
# Kind-specific telemetry fields the page shows, besides state and power.
_SHOWN_VALUES = ("soc", "temperature_c", "setpoint_c", "limit_w", "rated_power_w", "available_power_w",
                 "max_charge_w", "max_discharge_w", "soc_min", "soc_max", "max_temperature_c", "min_temperature_c")
_FLOW_KINDS = ("solar", "battery", "boiler")


@dataclass(frozen=True, slots=True)
class SiteEvent:
    """Something an operator should notice: `kind` is fault, recovered, refusal, stale, back or method_error."""

    at: float  # site clock seconds
    kind: str
    module: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, "module": self.module, "text": self.text}


class OperatorView:
    """Keeps the hour of flows and the events; renders the snapshot the page draws."""

    def __init__(self, telemetry: TelemetryService, *, history_window_s: float = HISTORY_WINDOW_S,
                 history_max_points: int = HISTORY_MAX_POINTS) -> None:
        self.telemetry = telemetry
        self.history_window_s = history_window_s
        self.history: deque[dict[str, Any]] = deque(maxlen=history_max_points)
        self.events: deque[SiteEvent] = deque(maxlen=EVENTS_KEPT)
        self._sample_every_s = history_window_s / history_max_points
        self._states: dict[str, str] = {}
        self._stale: set[str] = set()
        self._method_errors: dict[str, float] = {}

    # -- what happened -------------------------------------------------------------------
    def record(self, kind: str, module: str, text: str) -> SiteEvent:
        event = SiteEvent(self.telemetry.clock.now(), kind, module, text[:300])
        self.events.append(event)
        return event

    def observe(self) -> None:
        """Note state changes, staleness and controller method errors as events; sample the flows."""
        view = self.telemetry.view
        for module, telemetry in view.assets.items():
            before = self._states.get(module)
            if telemetry.state != before:
                if telemetry.state == "FAULT":
                    self.record("fault", module, telemetry.fault_reason or "fault")
                elif before == "FAULT":
                    self.record("recovered", module, f"left FAULT for {telemetry.state}")
                self._states[module] = telemetry.state
        health = self.telemetry.health()  # a module not heard from yet is starting, not stale
        stale = {m for m in health.stale if health.ages_s.get(m) is not None}
        for module in sorted(stale - self._stale):
            self.record("stale", module, f"no report for more than {self.telemetry.staleness_s:g} s")
        for module in sorted(self._stale - stale):
            self.record("back", module, "reporting again")
        self._stale = stale
        counters = view.site.get("counters")
        errors = counters.get("method_errors_total") if isinstance(counters, dict) else None
        for code, count in (errors.items() if isinstance(errors, dict) else ()):
            if _number(count) is not None and count > self._method_errors.get(code, count):
                self.record("method_error", "controller",
                            f"{count - self._method_errors[code]:g} direct method(s) answered {code}")
            self._method_errors[code] = count
        self._sample()

    def _sample(self) -> None:
        now = self.telemetry.clock.now()
        if self.history and now - self.history[-1]["t"] < self._sample_every_s:
            return
        self.history.append({"t": now, **self.flows()})
        while self.history and now - self.history[0]["t"] > self.history_window_s:
            self.history.popleft()

    # -- what is -------------------------------------------------------------------------
    def flows(self) -> dict[str, float | None]:
        """Power by kind from the fresh asset telemetry (W, into the bus positive), the grid, and the load.

        The load is what the site's other consumers take (positive): whatever the bus balance leaves.
        """
        fresh = self._fresh_assets()
        totals: dict[str, float | None] = {kind: 0.0 for kind in _FLOW_KINDS}
        for telemetry in fresh:
            if telemetry.kind in totals:
                totals[telemetry.kind] = (totals[telemetry.kind] or 0.0) + telemetry.power_w
        meters = [t.power_w for t in fresh if t.kind == "meter"]
        grid = sum(meters) if meters else _number(self.telemetry.view.site.get("grid_power_w"))
        totals["grid"] = grid
        # What the site consumes besides its assets: whatever the bus balance leaves.
        totals["load"] = None if grid is None else grid + sum(v or 0.0 for k, v in totals.items() if k in _FLOW_KINDS)
        return {name: None if value is None else round(value, 1) for name, value in totals.items()}

    def snapshot(self) -> dict[str, Any]:
        now = self.telemetry.clock.now()
        health = self.telemetry.health()
        site = self.telemetry.view.site
        return {
            "now": now,
            "flows": self.flows(),
            "assets": [self._asset(t, now, t.module in health.stale) for _, t in sorted(self.telemetry.view.assets.items())],
            "modules": {"stale": health.stale, "ages_s": health.ages_s},
            "limits": site.get("limits") if isinstance(site.get("limits"), dict) else {},
            "guidance": {k[len("plan_"):]: v for k, v in site.items() if k.startswith("plan_")},
            "battery_soc": _number(site.get("battery_soc")),
            "report_at": _number(site.get("timestamp")),
            "events": [e.as_json() for e in reversed(self.events)][:30],
            "sample": self.history[-1] if self.history else None,
        }

    def history_points(self) -> list[dict[str, Any]]:
        return list(self.history)

    def known_modules(self) -> set[str]:
        return {*self.telemetry.view.assets, *self.telemetry.expected_modules}

    def _fresh_assets(self) -> Iterable[AssetTelemetry]:
        stale = set(self.telemetry.health().stale)
        return [t for module, t in self.telemetry.view.assets.items() if module not in stale]

    @staticmethod
    def _asset(telemetry: AssetTelemetry, now: float, stale: bool) -> dict[str, Any]:
        expires = telemetry.setpoint_expires_at
        return {
            "module": telemetry.module, "kind": telemetry.kind, "state": telemetry.state,
            "power_w": round(telemetry.power_w, 1), "fault_reason": telemetry.fault_reason, "stale": stale,
            "lease_remaining_s": None if expires is None else round(max(0.0, expires - now), 1),
            **{name: telemetry.values[name] for name in _SHOWN_VALUES if name in telemetry.values},
        }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
