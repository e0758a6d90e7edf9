"""The day at a glance: power flows, battery SoC and boiler temperature (a PNG).

matplotlib is imported here, lazily, with the Agg backend: no display needed,
and the edge image without the `quality` extra never imports it.
"""

from __future__ import annotations

from pathlib import Path

from .kpis import battery_columns, tank_columns
from .scenario import Scenario
from .series import SiteSeries

MAX_POINTS = 2_000  # a day at 1 s is 86,400 samples; the plot shows block means


def _decimate(values: list[float], every: int) -> list[float]:
    return [sum(values[i:i + every]) / len(values[i:i + every]) for i in range(0, len(values), every)]


def plot_series(series: SiteSeries, scenario: Scenario, title: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    every = max(1, len(series) // MAX_POINTS)
    hours = [t / 3600 for t in _decimate(series.times_s(), every)]
    kw = {name: [v / 1000 for v in _decimate(getattr(series, name), every)]
          for name in ("pv_w", "pv_available_w", "load_w", "battery_w", "boiler_w", "grid_w")}
    figure, (flows, soc, temperature) = plt.subplots(3, 1, figsize=(11, 9), sharex=True,
                                                     gridspec_kw={"height_ratios": [3, 1, 1]})
    flows.plot(hours, kw["pv_available_w"], color="gold", linestyle=":", label="PV available")
    for name, label, color in (("pv_w", "PV", "orange"), ("load_w", "base load", "grey"),
                               ("battery_w", "battery", "green"), ("boiler_w", "boiler", "red"),
                               ("grid_w", "grid", "blue")):
        flows.plot(hours, kw[name], color=color, label=label, linewidth=1)
    limits = scenario.limits
    flows.axhline(-limits.export_limit_w / 1000, color="blue", linestyle="--", linewidth=0.7, label="export limit")
    flows.axhline(limits.import_limit_w / 1000, color="blue", linestyle="-.", linewidth=0.7, label="import limit")
    flows.set_ylabel("kW (+ into the bus)")
    flows.legend(loc="upper left", fontsize=8, ncol=4)
    flows.set_title(title)
    a, styles = scenario.assets, ("-", "--", ":", "-.") * 8
    several = len(a.batteries()) > 1 or len(a.boilers()) > 1
    for (battery, socs, _), (asset_id, _), style in zip(battery_columns(series, scenario), a.batteries(), styles):
        soc.plot(hours, _decimate(socs, every), color="green", linestyle=style, label=asset_id)
        for bound in (battery.soc_min, battery.soc_max):
            soc.axhline(bound, color="green", linestyle="--", linewidth=0.5)
    soc.set_ylabel("battery SoC")
    for (boiler, temps), (asset_id, _), style in zip(tank_columns(series, scenario), a.boilers(), styles):
        temperature.plot(hours, _decimate(temps, every), color="red", linestyle=style, label=asset_id)
        for bound in (boiler.min_temperature_c, boiler.max_temperature_c):
            temperature.axhline(bound, color="red", linestyle="--", linewidth=0.5)
    for axis, stores in ((soc, a.batteries()), (temperature, a.boilers())):
        if several and stores:  # each store by its id (an axis without one has no legend to show)
            axis.legend(loc="upper left", fontsize=7, ncol=4)
    temperature.set_ylabel("boiler °C")
    temperature.set_xlabel(f"hours after midnight ({scenario.timezone})")
    for axis in (flows, soc, temperature):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
