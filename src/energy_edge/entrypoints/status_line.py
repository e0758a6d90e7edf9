"""The live status line of `energy-edge up`: grid, PV, battery, boiler and the grid limit in force.

One line that fits the terminal: it tries the richest layout first (each asset
with its state), then sums per kind, then short labels, and cuts only as a last
resort, so a refresh never wraps into a new line. Signs are the site's bus
convention: + into the bus (grid import, PV, battery discharge), - out of it
(export, battery charge, boiler). Works for any number of assets of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping

from ..domain.telemetry import AssetTelemetry

KIND_ORDER = ("solar", "battery", "boiler")
LABELS = {"solar": ("PV", "PV"), "battery": ("battery", "bat"), "boiler": ("boiler", "boil")}
PV_TOLERANCE_W = 1.0


@dataclass(frozen=True, slots=True)
class SiteFigures:
    """What the line shows besides the assets' telemetry: read fresh every refresh."""

    grid_w: float | None
    import_limit_w: float
    export_limit_w: float


def _watts(power_w: float, signed: bool = True) -> str:
    return f"{power_w:+,.0f} W" if signed else f"{power_w:,.0f} W"


def _kilowatts(power_w: float, signed: bool = True) -> str:
    digits = 0 if abs(power_w) >= 10_000 else 1
    return f"{power_w / 1000:+.{digits}f}k" if signed else f"{power_w / 1000:.{digits}f}k"


def shown_state(asset: AssetTelemetry) -> str:
    """The state worth reading: an inverter 'curtailed' with less sun than its limit is not held back."""
    if asset.kind == "solar" and asset.state == "CURTAILED":
        available, limit = asset.values.get("available_power_w"), asset.values.get("limit_w")
        if isinstance(available, (int, float)) and isinstance(limit, (int, float)) and available <= limit + PV_TOLERANCE_W:
            return "RUNNING"
    return asset.state


def _detail(asset: AssetTelemetry) -> str:
    if asset.kind == "battery" and isinstance(asset.values.get("soc"), (int, float)):
        return f"{asset.values['soc'] * 100:.0f} %"
    if asset.kind == "boiler" and isinstance(asset.values.get("temperature_c"), (int, float)):
        return f"{asset.values['temperature_c']:.0f} °C"
    return ""


def _kind_detail(kind: str, assets: list[AssetTelemetry], compact: bool) -> str:
    """SoC of the batteries (weighted by capacity, the energy stored) or the boilers' mean temperature."""
    key = {"battery": "soc", "boiler": "temperature_c"}.get(kind)
    known = [a for a in assets if key and isinstance(a.values.get(key), (int, float))]
    if not known:
        return ""
    weights = [float(a.values.get("capacity_wh") or 0.0) if kind == "battery" else 1.0 for a in known]
    if sum(weights) <= 0:
        weights = [1.0] * len(known)
    mean = sum(float(a.values[key]) * w for a, w in zip(known, weights)) / sum(weights)
    space = "" if compact else " "
    return f"{mean * 100:.0f}{space}%" if kind == "battery" else f"{mean:.0f}{space}°C"


STATE_ABBREVIATIONS = {"RUNNING": "RUN", "CURTAILED": "CURT", "CHARGING": "CHG", "DISCHARGING": "DIS",
                       "HEATING": "HEAT", "STANDBY": "STBY"}


def _states(assets: list[AssetTelemetry], abbreviate: bool) -> str:
    states = sorted({shown_state(a) for a in assets})
    if abbreviate or len(states) > 1:
        states = [STATE_ABBREVIATIONS.get(s, s) for s in states]
    return "/".join(states)


def _by_kind(assets: Iterable[AssetTelemetry]) -> dict[str, list[AssetTelemetry]]:
    grouped: dict[str, list[AssetTelemetry]] = {}
    for asset in sorted(assets, key=lambda a: (KIND_ORDER.index(a.kind) if a.kind in KIND_ORDER else 9, a.module)):
        grouped.setdefault(asset.kind, []).append(asset)
    return grouped


@dataclass(frozen=True, slots=True)
class _Layout:
    short_units: bool  # 1.2k rather than 1,234 W
    state: str  # "full", "abbreviated" or "none"
    separator: str
    time_format: str
    fault_names: bool = True  # without states, name the assets in FAULT (else count them)


LAYOUTS = (  # richest first; the first that fits is shown
    _Layout(True, "full", " | ", "%H:%M:%S"),
    _Layout(True, "abbreviated", " ", "%H:%M:%S"),
    _Layout(True, "abbreviated", " ", "%H:%M"),
    _Layout(True, "abbreviated", " ", ""),
    _Layout(True, "none", " ", "%H:%M"),
    _Layout(True, "none", " ", ""),
    _Layout(True, "none", " ", "", fault_names=False),
)


def _head(now: float, figures: SiteFigures, layout: _Layout) -> list[str]:
    fmt = _kilowatts if layout.short_units else _watts
    grid_text = "?" if figures.grid_w is None else fmt(figures.grid_w)
    limit = f"{fmt(figures.import_limit_w, False)}/{fmt(-figures.export_limit_w)}"
    clock = [datetime.fromtimestamp(now, timezone.utc).strftime(layout.time_format)] if layout.time_format else []
    return [*clock, f"grid {grid_text}", f"{'lim' if layout.short_units else 'limit'} {limit}"]


def _per_asset(now: float, figures: SiteFigures, grouped: dict[str, list[AssetTelemetry]]) -> str:
    parts = _head(now, figures, _Layout(False, "full", " | ", "%Y-%m-%d %H:%M:%S"))
    for kind, assets in grouped.items():
        for a in assets:
            label = LABELS.get(kind, (kind, kind))[0] + ("" if a.module == kind else f" {a.module}")
            parts.append(" ".join(p for p in (label, _detail(a), _watts(a.power_w), shown_state(a)) if p))
    return " | ".join(parts)


def _per_kind(now: float, figures: SiteFigures, grouped: dict[str, list[AssetTelemetry]], layout: _Layout) -> str:
    parts = _head(now, figures, layout)
    fmt = _kilowatts if layout.short_units else _watts
    for kind, assets in grouped.items():
        label = LABELS.get(kind, (kind, kind))[1 if layout.short_units else 0]
        label += f"×{len(assets)}" if len(assets) > 1 else ""
        fields = [label, _kind_detail(kind, assets, layout.short_units), fmt(sum(a.power_w for a in assets))]
        if layout.state != "none":
            fields.append(_states(assets, layout.state == "abbreviated"))
        parts.append(" ".join(f for f in fields if f))
    faults = sorted(a.module for group in grouped.values() for a in group if a.state == "FAULT")
    if faults and layout.state == "none":  # the states are not shown: say what has failed
        parts.append("FAULT " + (",".join(faults[:3]) + ("…" if len(faults) > 3 else "") if layout.fault_names
                                 else f"×{len(faults)}"))
    return layout.separator.join(parts)


def status_line(assets: Mapping[str, AssetTelemetry], now: float, figures: SiteFigures, width: int = 80) -> str:
    """The richest layout that fits in `width - 1` columns (the cursor's column stays free: no wrap)."""
    room = max(10, width - 1)
    grouped = _by_kind(assets.values())
    candidates = [_per_asset(now, figures, grouped), _per_kind(now, figures, grouped, _Layout(False, "full", " | ",
                                                                                           "%Y-%m-%d %H:%M:%S")),
                  *(_per_kind(now, figures, grouped, layout) for layout in LAYOUTS)]
    for line in candidates:
        if len(line) <= room:
            return line
    return candidates[-1][: room - 1] + "…"
