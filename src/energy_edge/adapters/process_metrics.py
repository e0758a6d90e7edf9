"""Each module process's own metrics, served where IoT Edge's metrics-collector scrapes them.

A module exposes what happens in its process, in the Prometheus text form:
the build, process resources, the controller's cycle durations (a histogram
observed as each cycle ends), its method calls and errors, the desired documents
an asset module refused and what its driver counts (polls held over, a rating
the device overstated), the MQTT adapter's malformed-message counts and the
edgeHub outbox's drops. The telemetry module keeps the site view
(`prometheus_exporter.py`); nothing here is re-exposed there.
"""

from __future__ import annotations

import errno
from importlib import metadata
from typing import Any, Callable, Iterable

from prometheus_client import (
    GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR, CollectorRegistry, Histogram, Info, disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from ..domain.errors import ConfigurationError
from ..domain.hardware import driver_counters
from .listen_address import unusable_host
from .transports.edgehub.outbox import DROPPED as OUTBOX_DROPPED

PREFIX = "energy_edge_"
# The text format has no place for a counter's creation time: prometheus-client would add it as a
# separate `_created` gauge per series, which nothing here reads.
disable_created_metrics()
CYCLE_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


def version() -> str:
    try:
        return metadata.version("energy-edge")
    except metadata.PackageNotFoundError:
        return "unknown"


class ProcessMetrics:
    """The registry of one process: build info, resources, outbox drops, and what the module adds."""

    def __init__(self, module: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR, OUTBOX_DROPPED):
            self.registry.register(collector)
        Info(PREFIX + "build", "The running package", registry=self.registry).info(
            {"version": version(), "module": module})
        self._cycle: Histogram | None = None

    def cycle_observer(self) -> Callable[[float], None]:
        """The controller calls this with each cycle's duration as the cycle ends."""
        if self._cycle is None:
            self._cycle = Histogram(PREFIX + "controller_cycle_duration_seconds", "Controller balancing cycle duration",
                                    buckets=CYCLE_BUCKETS_S, registry=self.registry)
        return self._cycle.observe

    def add(self, collector: Collector) -> "ProcessMetrics":
        self.registry.register(collector)
        return self

    def serve(self, host: str, port: int) -> Any:
        """GET /metrics on its own daemon thread (prometheus-client's server); port 0 serves nothing."""
        if port == 0:
            return None
        try:
            server, _ = start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            if (refusal := unusable_host(host, exc)) is not None:
                raise refusal from None
            if exc.errno != errno.EADDRINUSE:
                raise
            raise ConfigurationError(f"module metrics port {host}:{port} is in use: choose another "
                                     "(EE_MODULE_METRICS_PORT; 0 = none), or stop what holds it") from None
        return server


class ControllerCollector(Collector):
    """The controller service's counters, read at scrape time (nothing is double-booked)."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller

    def collect(self) -> Iterable[Any]:
        c = self.controller
        yield CounterMetricFamily(PREFIX + "controller_cycles", "Balancing cycles run", value=c.cycles_total)
        yield CounterMetricFamily(PREFIX + "controller_method_calls", "Direct methods invoked by the controller",
                                  value=c.method_calls_total)
        errors = CounterMetricFamily(PREFIX + "controller_method_errors", "Failed direct methods by status code",
                                     labels=["code"])
        for code, count in sorted(c.method_errors_total.items()):
            errors.add_metric([str(code)], count)
        yield errors
        malformed = CounterMetricFamily(PREFIX + "controller_malformed_messages",
                                        "Malformed telemetry and desired documents the controller refused "
                                        "(unread, or for a value by property)", labels=["reason"])
        for reason, count in sorted(c.malformed_messages_total.items()):
            malformed.add_metric([str(reason)], count)
        yield malformed
        isolated = CounterMetricFamily(PREFIX + "controller_asset_errors", "Cycles an asset was left out of because "
                                       "its report broke balancing", labels=["module"])
        for module, count in sorted(getattr(c, "asset_errors_total", {}).items()):
            isolated.add_metric([str(module)], count)
        yield isolated
        yield CounterMetricFamily(PREFIX + "controller_meter_errors", "Grid meter reads that failed",
                                  value=c.meter_errors_total)
        for name, help_text in (("meter_outages_total", "Times control was suspended for a stale or faulty meter"),
                                ("suspended_cycles_total", "Controller cycles without setpoints (meter unusable)")):
            if hasattr(c, name):
                yield CounterMetricFamily(PREFIX + "controller_" + name.removesuffix("_total"), help_text,
                                          value=getattr(c, name))
        yield CounterMetricFamily(PREFIX + "controller_planner_errors", "Planner or forecaster failures",
                                  value=c.planner_errors_total)


class AssetCollector(Collector):
    """The desired documents each asset module of this process refused, by rule, and what its driver counts
    (`domain.hardware.DriverCounters`, from the optional `counters()` of the hardware port), read at scrape time.

    One collector for all of them: the embedded site serves every asset from one registry, where a
    family may be registered once. A driver without counters (the simulators) adds no series."""

    def __init__(self, services: Iterable[Any]) -> None:
        self.services = list(services)

    def collect(self) -> Iterable[Any]:
        refusals = CounterMetricFamily(PREFIX + "asset_desired_refusals", "Desired twin documents an asset module "
                                       "refused (unread, or for a property out of bounds), by rule",
                                       labels=["asset", "kind", "reason"])
        for service in self.services:
            for reason, count in sorted(service.desired_refusals_total.items()):
                refusals.add_metric([service.client.module_id, service.asset.kind, str(reason)], count)
        yield refusals
        held = CounterMetricFamily(PREFIX + "asset_polls_held", "Polls the device missed where the driver's last "
                                   "measurement stood in (reported under the time it was measured)",
                                   labels=["asset", "kind"])
        mismatches = CounterMetricFamily(PREFIX + "asset_rating_mismatches", "Ratings the device stated above the "
                                         "site file's nameplate + 10 % (the nameplate stands), by quantity",
                                         labels=["asset", "kind", "quantity"])
        for service in self.services:
            if (counted := driver_counters(getattr(service, "hardware", None))) is None:
                continue
            asset = [service.client.module_id, service.asset.kind]
            held.add_metric(asset, counted.polls_held)
            for quantity, count in sorted(counted.rating_mismatches.items()):
                mismatches.add_metric([*asset, str(quantity)], count)
        yield held
        yield mismatches


class MqttTransportCollector(Collector):
    """The MQTT adapter's malformed-message counts by topic kind, for one module's client."""

    def __init__(self, client: Any, module: str) -> None:
        self.client = client
        self.module = module

    def collect(self) -> Iterable[Any]:
        malformed = CounterMetricFamily(PREFIX + "mqtt_malformed_messages", "MQTT messages that did not match their "
                                        "topic, ignored (by topic kind)", labels=["module", "kind"])
        for kind, count in sorted(getattr(self.client, "malformed_total", {}).items()):
            malformed.add_metric([self.module, kind], count)
        yield malformed
