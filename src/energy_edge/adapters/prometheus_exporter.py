"""Prometheus exposition of the telemetry module's site view.

A custom collector builds the gauges and counters from `TelemetryView` at
scrape time, so nothing is double-booked between the domain and the client
library. Every asset series carries the labels `asset` (its module id) and
`kind`; an asset's state is a state set (one series per state of its kind,
1 for the current one); energy is counted in joules, so `rate()` gives watts.
The controller's own counters and cycle durations are its process's metrics
(`process_metrics.py`), served by the controller, not re-exposed here.
"""

from __future__ import annotations

from typing import Any, Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, StateSetMetricFamily
from prometheus_client.registry import Collector

from ..domain.assets.battery import BatteryState
from ..domain.assets.boiler import BoilerState
from ..domain.assets.solar import SolarState
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

# the controller's limits in force (site report "limits") -> (metric suffix, help)
_LIMIT_GAUGES: dict[str, tuple[str, str]] = {
    "grid_target_w": ("controller_grid_target_watts", "Grid power the controller steers to (+ import)"),
    "import_limit_w": ("controller_import_limit_watts", "Grid import limit in force"),
    "export_limit_w": ("controller_export_limit_watts", "Grid export limit in force (magnitude)"),
    "soc_reserve_min": ("controller_soc_reserve_min_ratio", "Lowest SoC the controller discharges to"),
    "soc_reserve_max": ("controller_soc_reserve_max_ratio", "Highest SoC the controller charges to"),
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
    "plan_grid_low_w": ("planner_grid_low_watts", "The LP plan's grid band: batteries charge below it (absent: none)"),
    "plan_grid_high_w": ("planner_grid_high_watts", "The LP plan's grid band: batteries discharge above it (absent: none)"),
}

# Every state an asset of a kind can be in: the state set names them all, 0 but the current one.
KIND_STATES: dict[str, tuple[str, ...]] = {
    "solar": tuple(SolarState), "battery": tuple(BatteryState), "boiler": tuple(BoilerState),
}
ASSET_LABELS = ["asset", "kind"]


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
        power = GaugeMetricFamily(PREFIX + "asset_power_watts", "Asset power (+ into the site bus)", labels=ASSET_LABELS)
        state = StateSetMetricFamily(PREFIX + "asset_state", "The asset's state (a state set)", labels=ASSET_LABELS)
        fault = GaugeMetricFamily(PREFIX + "asset_fault", "1 while the asset is in FAULT", labels=ASSET_LABELS)
        sequence = GaugeMetricFamily(PREFIX + "asset_sequence_number", "Last telemetry sequence number",
                                     labels=ASSET_LABELS)
        supplied = CounterMetricFamily(PREFIX + "asset_supplied_energy_joules", "Energy the asset put into the site "
                                       "bus (PV, battery discharge)", labels=ASSET_LABELS)
        consumed = CounterMetricFamily(PREFIX + "asset_consumed_energy_joules", "Energy the asset took from the site "
                                       "bus (battery charge, boiler)", labels=ASSET_LABELS)
        values = {f: GaugeMetricFamily(PREFIX + name, text, labels=ASSET_LABELS) for f, (name, text) in _ASSET_GAUGES.items()}
        for module, telemetry in sorted(self.view.assets.items()):
            labels = [module, telemetry.kind]
            power.add_metric(labels, telemetry.power_w)
            states = KIND_STATES.get(telemetry.kind, (telemetry.state,))
            state.add_metric(labels, {s: s == telemetry.state for s in (*states, telemetry.state)})
            fault.add_metric(labels, 1.0 if telemetry.state == "FAULT" else 0.0)
            sequence.add_metric(labels, telemetry.seq)
            supplied.add_metric(labels, self.view.energy_supplied_j.get(module, 0.0))
            consumed.add_metric(labels, self.view.energy_consumed_j.get(module, 0.0))
            for name, value in telemetry.values.items():
                if name in values:
                    values[name].add_metric(labels, float(value))
        yield from (power, state, fault, sequence, supplied, consumed, *values.values())

    def _meters(self) -> Iterable[Any]:
        """The grid meter's per-phase readings and energy counters (Wh reported, joules exported)."""
        phase_power = GaugeMetricFamily(PREFIX + "meter_phase_power_watts", "Grid meter active power per phase "
                                        "(+ import)", labels=["asset", "kind", "phase"])
        voltage = GaugeMetricFamily(PREFIX + "meter_voltage_volts", "Grid meter phase voltage", labels=["asset", "kind", "phase"])
        frequency = GaugeMetricFamily(PREFIX + "meter_frequency_hertz", "Grid frequency", labels=["asset", "kind"])
        energy = {direction: CounterMetricFamily(PREFIX + f"meter_{direction}_energy_joules",
                                                 f"Grid meter {direction} energy counter", labels=["asset", "kind"])
                  for direction in ("import", "export")}
        for module, telemetry in sorted(self.view.assets.items()):
            if telemetry.kind != "meter":
                continue
            values = telemetry.values
            for phase in ("l1", "l2", "l3"):
                if values.get(f"power_{phase}_w") is not None:
                    phase_power.add_metric([module, telemetry.kind, phase.upper()], float(values[f"power_{phase}_w"]))
                if values.get(f"voltage_{phase}_v") is not None:
                    voltage.add_metric([module, telemetry.kind, phase.upper()], float(values[f"voltage_{phase}_v"]))
            if values.get("frequency_hz") is not None:
                frequency.add_metric([module, telemetry.kind], float(values["frequency_hz"]))
            for direction, family in energy.items():
                if values.get(f"{direction}_energy_wh") is not None:
                    family.add_metric([module, telemetry.kind], float(values[f"{direction}_energy_wh"]) * 3600.0)
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
        yield CounterMetricFamily(PREFIX + "site_grid_imported_energy_joules", "Energy imported from the grid",
                                  value=self.view.grid_imported_j)
        yield CounterMetricFamily(PREFIX + "site_grid_exported_energy_joules", "Energy exported to the grid",
                                  value=self.view.grid_exported_j)
        limits = site.get("limits")
        for name, value in sorted(limits.items()) if isinstance(limits, dict) else ():
            if name in _LIMIT_GAUGES and isinstance(value, (int, float)) and not isinstance(value, bool):
                metric, text = _LIMIT_GAUGES[name]
                yield GaugeMetricFamily(PREFIX + metric, text, value=float(value))

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


def build_registry(view: TelemetryView) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TelemetryCollector(view))
    return registry

