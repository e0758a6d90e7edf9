"""The live status line of `energy-edge up`: grid, then each kind of asset summed, at a glance.

One asset of a kind shows its state (the home site reads as before); several
show their count. Assets in FAULT are named at the end.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..domain.services.telemetry_service import TelemetryView
from ..domain.site import BATTERY, BOILER, SOLAR
from ..domain.telemetry import AssetTelemetry


def status_line(view: TelemetryView, now: float) -> str:
    parts = [datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")]
    grid = view.site.get("grid_power_w")
    parts.append("grid " + (f"{grid:+7.0f} W" if isinstance(grid, (int, float)) else "      ? W"))
    by_kind: dict[str, list[AssetTelemetry]] = {}
    for telemetry in view.assets.values():
        by_kind.setdefault(telemetry.kind, []).append(telemetry)
    solar = by_kind.get(SOLAR)
    if solar:
        parts.append(f"PV {sum(t.power_w for t in solar):6.0f} W {_count_or_state(solar)}")
    batteries = by_kind.get(BATTERY)
    if batteries:
        capacity = sum(float(t.values.get("capacity_wh", 0.0)) for t in batteries)
        soc = (sum(float(t.values["soc"]) * float(t.values.get("capacity_wh", 0.0)) for t in batteries) / capacity
               if capacity > 0 else sum(float(t.values["soc"]) for t in batteries) / len(batteries))
        parts.append(f"battery {soc * 100:5.1f} % {sum(t.power_w for t in batteries):+6.0f} W "
                     f"{_count_or_state(batteries)}")
    boilers = by_kind.get(BOILER)
    if boilers:
        temperature = sum(float(t.values["temperature_c"]) for t in boilers) / len(boilers)
        parts.append(f"boiler {temperature:5.1f} °C {sum(t.power_w for t in boilers):+6.0f} W "
                     f"{_count_or_state(boilers)}")
    faults = sorted(module for module, t in view.assets.items() if t.state == "FAULT")
    if faults and any(len(group) > 1 for group in by_kind.values()):
        parts.append("FAULT " + ", ".join(faults[:5]) + (" …" if len(faults) > 5 else ""))
    return " | ".join(parts)


def _count_or_state(group: list[AssetTelemetry]) -> str:
    return str(group[0].state) if len(group) == 1 else f"x{len(group)}"
