"""The live status line of `energy-edge up`: grid, PV, battery and boiler at a glance."""

from __future__ import annotations

from datetime import datetime, timezone

from ..domain.services.telemetry_service import TelemetryView


def status_line(view: TelemetryView, now: float) -> str:
    site = view.site
    assets = view.assets
    parts = [datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")]
    grid = site.get("grid_power_w")
    parts.append("grid " + (f"{grid:+7.0f} W" if isinstance(grid, (int, float)) else "      ? W"))
    solar = assets.get("solar")
    if solar:
        parts.append(f"PV {solar.power_w:6.0f} W {solar.state}")
    battery = assets.get("battery")
    if battery:
        parts.append(f"battery {battery.values['soc'] * 100:5.1f} % {battery.power_w:+6.0f} W {battery.state}")
    boiler = assets.get("boiler")
    if boiler:
        parts.append(f"boiler {boiler.values['temperature_c']:5.1f} °C {boiler.power_w:+6.0f} W {boiler.state}")
    return " | ".join(parts)
