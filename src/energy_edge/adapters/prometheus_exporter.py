"""Prometheus exposition of the telemetry module's view.

A custom collector builds the gauges and counters from `TelemetryView` at
scrape time, so nothing is double-booked between the domain and the client
library. The controller's cycle durations arrive in its site reports and are
observed into a real Histogram.
"""

from __future__ import annotations

from typing import Any, Iterable

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ..domain.services.telemetry_service import TelemetryView

PREFIX = "energy_edge_"

# asset telemetry field -> (metric suffix, help). Energy is left out on purpose:
# promtool rejects "_watt_hours" ("hours" is not a base unit), and a joule
# figure for a battery's nameplate reads badly; capacity stays in telemetry.
_ASSET_GAUGES: dict[str, tuple[str, str]] = {
    "available_power_w": ("solar_available_power_watts", "PV power available without a limit"),
    "limit_w": ("solar_limit_watts", "Active-power limit of the inverter"),
    "rated_power_w": ("solar_rated_power_watts", "Inverter rating"),
    "soc": ("battery_soc_ratio", "Battery state of charge (0..1)"),
    "max_charge_w": ("battery_max_charge_watts", "Battery charge power limit"),
    "max_discharge_w": ("battery_max_discharge_watts", "Battery discharge power limit"),
    "temperature_c": ("boiler_temperature_celsius", "Boiler water temperature"),
    "setpoint_c": ("boiler_setpoint_celsius", "Boiler thermostat setpoint in force"),
    "max_temperature_c": ("boiler_max_temperature_celsius", "Boiler maximum temperature"),
}

# site report field -> (metric suffix, help)
_SITE_GAUGES: dict[str, tuple[str, str]] = {
    "grid_power_w": ("site_grid_power_watts", "Grid connection power (+ import, - export)"),
    "pv_power_w": ("site_pv_power_watts", "Total PV production"),
    "battery_power_w": ("site_battery_power_watts", "Total battery power (+ discharge, - charge)"),
    "boiler_power_w": ("site_boiler_power_watts", "Total boiler power (- consumption)"),
    "battery_soc": ("site_battery_soc_ratio", "Capacity-weighted battery state of charge"),
    "boiler_temperature_c": ("site_boiler_temperature_celsius", "Mean boiler temperature"),
    "plan_export_first_w": ("planner_export_first_watts", "Surplus exported before the stores take any"),
    "plan_grid_charge_to_soc": ("planner_grid_charge_to_soc_ratio", "Batteries charge from the grid up to this"),
    "plan_boiler_preheat_c": ("planner_boiler_preheat_celsius", "Boilers are preheated to this (0: none)"),
}

CYCLE_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class TelemetryCollector(Collector):
    def __init__(self, view: TelemetryView) -> None:
        self.view = view

    def collect(self) -> Iterable[Any]:
        yield from self._assets()
        yield from self._meters()
        yield from self._site()
        yield from self._telemetry_counters()

    def _assets(self) -> Iterable[Any]:
        # Every asset series is labelled by its asset id (its module name) and kind, so a site of any
        # shape aggregates by kind: sum by (kind) (energy_edge_asset_power_watts).
        labels = ["asset", "kind"]
        power = GaugeMetricFamily(PREFIX + "asset_power_watts", "Asset power (+ into the site bus)", labels=labels)
        state = GaugeMetricFamily(PREFIX + "asset_state", "1 for the asset's current state", labels=[*labels, "state"])
        fault = GaugeMetricFamily(PREFIX + "asset_fault", "1 while the asset is in FAULT", labels=labels)
        sequence = GaugeMetricFamily(PREFIX + "asset_sequence_number", "Last telemetry sequence number", labels=labels)
        values = {f: GaugeMetricFamily(PREFIX + name, text, labels=labels) for f, (name, text) in _ASSET_GAUGES.items()}
        for asset, telemetry in sorted(self.view.assets.items()):
            power.add_metric([asset, telemetry.kind], telemetry.power_w)
            state.add_metric([asset, telemetry.kind, telemetry.state], 1.0)
            fault.add_metric([asset, telemetry.kind], 1.0 if telemetry.state == "FAULT" else 0.0)
            sequence.add_metric([asset, telemetry.kind], telemetry.seq)
            for name, value in telemetry.values.items():
                if name in values:
                    values[name].add_metric([asset, telemetry.kind], float(value))
        yield from (power, state, fault, sequence, *values.values())

    def _meters(self) -> Iterable[Any]:
        """The grid meter's per-phase readings and energy counters (Wh reported, joules exported)."""
        phase_power = GaugeMetricFamily(PREFIX + "meter_phase_power_watts", "Grid meter active power per phase "
                                        "(+ import)", labels=["module", "phase"])
        voltage = GaugeMetricFamily(PREFIX + "meter_voltage_volts", "Grid meter phase voltage", labels=["module", "phase"])
        frequency = GaugeMetricFamily(PREFIX + "meter_frequency_hertz", "Grid frequency", labels=["module"])
        energy = {direction: CounterMetricFamily(PREFIX + f"meter_{direction}_energy_joules",
                                                 f"Grid meter {direction} energy counter", labels=["module"])
                  for direction in ("import", "export")}
        for module, telemetry in sorted(self.view.assets.items()):
            if telemetry.kind != "meter":
                continue
            values = telemetry.values
            for phase in ("l1", "l2", "l3"):
                if values.get(f"power_{phase}_w") is not None:
                    phase_power.add_metric([module, phase.upper()], float(values[f"power_{phase}_w"]))
                if values.get(f"voltage_{phase}_v") is not None:
                    voltage.add_metric([module, phase.upper()], float(values[f"voltage_{phase}_v"]))
            if values.get("frequency_hz") is not None:
                frequency.add_metric([module], float(values["frequency_hz"]))
            for direction, family in energy.items():
                if values.get(f"{direction}_energy_wh") is not None:
                    family.add_metric([module], float(values[f"{direction}_energy_wh"]) * 3600.0)
        yield from (phase_power, voltage, frequency, *energy.values())

    def _site(self) -> Iterable[Any]:
        site = self.view.site
        if isinstance(site.get("control_suspended"), bool):
            yield GaugeMetricFamily(PREFIX + "controller_suspended", "1 while the controller issues no setpoints "
                                    "(grid meter stale or in FAULT)", value=1.0 if site["control_suspended"] else 0.0)
        for field_name, (name, text) in _SITE_GAUGES.items():
            value = site.get(field_name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                yield GaugeMetricFamily(PREFIX + name, text, value=float(value))
        counters = site.get("counters") if isinstance(site.get("counters"), dict) else site
        calls = counters.get("method_calls_total")
        if isinstance(calls, (int, float)):
            yield CounterMetricFamily(PREFIX + "controller_method_calls", "Direct methods invoked by the controller", value=calls)
        for key, help_text in (("meter_outages_total", "Times control was suspended for a stale or faulty meter"),
                               ("suspended_cycles_total", "Controller cycles without setpoints (meter unusable)")):
            if isinstance(counters.get(key), (int, float)):
                yield CounterMetricFamily(PREFIX + "controller_" + key.removesuffix("_total"), help_text,
                                          value=counters[key])
        planner_errors = counters.get("planner_errors_total")
        if isinstance(planner_errors, (int, float)):
            yield CounterMetricFamily(PREFIX + "controller_planner_errors", "Planner or forecaster failures",
                                      value=planner_errors)
        errors = CounterMetricFamily(PREFIX + "controller_method_errors", "Failed direct methods by status code", labels=["code"])
        for code, count in _items(counters.get("method_errors_total")):
            errors.add_metric([str(code)], count)
        yield errors
        malformed = CounterMetricFamily(
            PREFIX + "controller_malformed_messages", "Malformed telemetry the controller ignored", labels=["reason"]
        )
        for reason, count in _items(counters.get("malformed_messages_total")):
            malformed.add_metric([str(reason)], count)
        yield malformed
        isolated = CounterMetricFamily(
            PREFIX + "controller_asset_errors", "Cycles an asset was left out of because its report broke balancing",
            labels=["module"],
        )
        for module, count in _items(counters.get("asset_errors_total")):
            isolated.add_metric([str(module)], count)
        yield isolated

    def _telemetry_counters(self) -> Iterable[Any]:
        messages = CounterMetricFamily(PREFIX + "telemetry_messages", "Reports received by module", labels=["module"])
        for module, count in sorted(self.view.messages_total.items()):
            messages.add_metric([module], count)
        gaps = CounterMetricFamily(
            PREFIX + "telemetry_sequence_gaps", "Telemetry messages known lost (sequence gaps)", labels=["module"]
        )
        for module, count in sorted(self.view.sequence_gaps_total.items()):
            gaps.add_metric([module], count)
        late = CounterMetricFamily(
            PREFIX + "telemetry_out_of_order_messages", "Duplicate or late reports ignored (a gap they fill "
            "was counted when it opened)", labels=["module"],
        )
        for module, count in sorted(self.view.out_of_order_total.items()):
            late.add_metric([module], count)
        malformed = CounterMetricFamily(
            PREFIX + "telemetry_malformed_messages", "Malformed messages ignored by the telemetry module",
            labels=["source", "reason"],
        )
        for (source, reason), count in sorted(self.view.malformed_total.items()):
            malformed.add_metric([source, reason], count)
        yield from (messages, gaps, late, malformed)


class CycleDurationHistogram(Collector):
    """Observes the controller's reported cycle durations into a histogram at scrape time."""

    def __init__(self, view: TelemetryView) -> None:
        self.view = view
        self._registry = CollectorRegistry(auto_describe=True)
        self.histogram = Histogram(
            PREFIX + "controller_cycle_duration_seconds", "Controller balancing cycle duration",
            buckets=CYCLE_BUCKETS_S, registry=self._registry,
        )

    def collect(self) -> Iterable[Any]:
        for duration in self.view.drain_cycle_durations():
            self.histogram.observe(duration)
        yield from self.histogram.collect()


def build_registry(view: TelemetryView) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TelemetryCollector(view))
    registry.register(CycleDurationHistogram(view))
    return registry


def _items(mapping: Any) -> list[tuple[str, float]]:
    if not isinstance(mapping, dict):
        return []
    return sorted((str(k), float(v)) for k, v in mapping.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
