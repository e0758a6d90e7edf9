"""Every metric name the exporters can emit, found by exercising them with a view that has everything.

The README's metric table, the Grafana dashboard's queries and the Bicep alert
rules are checked against these names, so none of them can name a metric that
does not exist, and no metric goes undocumented.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from energy_edge.adapters.process_metrics import (
    AssetCollector, ControllerCollector, MqttTransportCollector, ProcessMetrics,
)
from energy_edge.adapters.prometheus_exporter import _LIMIT_GAUGES, _SITE_GAUGES, build_registry
from energy_edge.adapters.transports.edgehub.outbox import DROPPED
from energy_edge.domain.hardware import DriverCounters
from energy_edge.domain.services.telemetry_service import TelemetryView
from energy_edge.domain.telemetry import AssetTelemetry

from .fakes import battery_telemetry, boiler_telemetry, solar_telemetry

PREFIX = "energy_edge_"
_EXPOSED_SUFFIX = {"counter": "_total", "info": "_info"}


def _full_registries() -> list[CollectorRegistry]:
    view = TelemetryView()
    for telemetry in (battery_telemetry(1), solar_telemetry(1), boiler_telemetry(1)):
        view.assets[telemetry.module] = telemetry
        view.messages_total[telemetry.module] += 1
        view.sequence_gaps_total[telemetry.module] += 1
        view.out_of_order_total[telemetry.module] += 1
    view.malformed_total[("battery", "telemetry.json")] += 1
    view.assets["grid-meter"] = AssetTelemetry("grid-meter", "meter", 1, 0.0, "RUNNING", 900.0, values={
        "power_l1_w": 900.0, "voltage_l1_v": 231.5, "frequency_hz": 50.0, "import_energy_wh": 2.0,
        "export_energy_wh": 0.0})
    view.site = {**{name: 1.0 for name in _SITE_GAUGES}, "limits": {name: 1.0 for name in _LIMIT_GAUGES},
                 "control_suspended": False}
    metrics = ProcessMetrics("controller")
    metrics.cycle_observer()(0.001)
    controller = SimpleNamespace(cycles_total=1, method_calls_total=1, method_errors_total=Counter({504: 1}),
                                 malformed_messages_total=Counter({"telemetry.json": 1}), meter_errors_total=0,
                                 asset_errors_total=Counter({"battery": 1}), meter_outages_total=1,
                                 suspended_cycles_total=1,
                                 planner_errors_total=0)
    metrics.add(ControllerCollector(controller))
    metrics.add(MqttTransportCollector(SimpleNamespace(malformed_total=Counter({"topic": 1})), "controller"))
    driver = SimpleNamespace(counters=lambda: DriverCounters(polls_held=1, rating_mismatches={"power": 1}))
    metrics.add(AssetCollector([SimpleNamespace(desired_refusals_total=Counter({"twin.version": 1}),
                                                client=SimpleNamespace(module_id="battery"),
                                                asset=SimpleNamespace(kind="battery"), hardware=driver)]))
    DROPPED.labels(module="controller").inc(0)
    return [build_registry(view), metrics.registry]


def _families():
    for registry in _full_registries():
        yield from text_string_to_metric_families(generate_latest(registry).decode())


def exposed_names() -> set[str]:
    """energy_edge_* metric names as they appear in the exposition (counters with _total, info with _info)."""
    names = set()
    for family in _families():
        name = family.name + _EXPOSED_SUFFIX.get(family.type, "")
        if name.startswith(PREFIX):
            names.add(name)
    return names


def sample_names() -> set[str]:
    """Every energy_edge_* series name a query can use (_bucket, _count, _sum, _total, ...)."""
    return {s.name for family in _families() for s in family.samples if s.name.startswith(PREFIX)}
