"""The site's power flows over time, one sample per step, as every policy records them.

Baseline, controller and optimum all produce a `SiteSeries`, so the KPIs, the
plot and the comparison read one shape. Signs follow the site convention:
into the site's bus is positive (PV, battery discharge, grid import), out is
negative (battery charge, boiler heating, base load, grid export).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from energy_edge.domain.quick_init import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Sample:
    """One instant of the site (held for the series' `dt_s`)."""

    pv_w: float
    pv_available_w: float
    load_w: float
    battery_w: float
    boiler_w: float
    soc: float
    boiler_temperature_c: float
    modes: dict[str, str] = field(default_factory=dict)  # asset -> state name

    @property
    def grid_w(self) -> float:
        """What the grid must supply so the bus balances: + import, - export."""
        return -(self.pv_w + self.load_w + self.battery_w + self.boiler_w)


@dataclass(slots=True, repr=False)
class SiteSeries:
    """Columns of samples `dt_s` apart, the first at `start_s` seconds after midnight."""

    dt_s: float
    start_s: float = 0.0
    pv_w: list[float] = field(default_factory=list)
    pv_available_w: list[float] = field(default_factory=list)
    load_w: list[float] = field(default_factory=list)
    battery_w: list[float] = field(default_factory=list)
    boiler_w: list[float] = field(default_factory=list)
    grid_w: list[float] = field(default_factory=list)
    soc: list[float] = field(default_factory=list)
    boiler_temperature_c: list[float] = field(default_factory=list)
    modes: dict[str, list[str]] = field(default_factory=dict)
    # Import and export within each sample where a sample holds both (W, >= 0): the optimum's 5-minute step
    # imports while its heater runs and exports while it rests. Empty where each sample is one instant
    # (the simulated policies): `grid_w` is then the whole truth.
    import_w: list[float] = field(default_factory=list)
    export_w: list[float] = field(default_factory=list)
    # Where a site has more than one battery or boiler: each one's SoC, power (W) and tank temperature (°C) by
    # asset id (`battery_w`, `boiler_w` are then the sums, `soc` and `boiler_temperature_c` the first's).
    # Empty for a site with one of each: the columns above are each store's own.
    soc_by_id: dict[str, list[float]] = field(default_factory=dict)
    battery_w_by_id: dict[str, list[float]] = field(default_factory=dict)
    temperature_c_by_id: dict[str, list[float]] = field(default_factory=dict)

    def append(self, sample: Sample) -> None:
        self.record(sample.pv_w, sample.pv_available_w, sample.load_w, sample.battery_w, sample.boiler_w,
                    sample.soc, sample.boiler_temperature_c, sample.modes)

    def record(self, pv_w: float, pv_available_w: float, load_w: float, battery_w: float, boiler_w: float,
               soc: float, boiler_temperature_c: float, modes: dict[str, str]) -> None:
        """Append one instant's values (a `Sample`'s fields) without building the Sample: a recorder
        appends one every simulated second."""
        self.pv_w.append(pv_w)
        self.pv_available_w.append(pv_available_w)
        self.load_w.append(load_w)
        self.battery_w.append(battery_w)
        self.boiler_w.append(boiler_w)
        self.grid_w.append(-(pv_w + load_w + battery_w + boiler_w))  # Sample.grid_w
        self.soc.append(soc)
        self.boiler_temperature_c.append(boiler_temperature_c)
        for asset, mode in modes.items():
            self.modes.setdefault(asset, []).append(mode)

    def __len__(self) -> int:
        return len(self.grid_w)

    def __repr__(self) -> str:
        # Short on purpose: when `asyncio.run` restores its SIGINT handler, `signal` formats that handler
        # (which holds the finished main task, whose result is this series) into a discarded error text;
        # printing 86,400 samples per column cost 0.3 s per simulated day.
        return f"SiteSeries({len(self)} samples of {self.dt_s:g} s from {self.start_s:g} s)"

    @property
    def duration_s(self) -> float:
        return len(self) * self.dt_s

    def times_s(self) -> list[float]:
        """Seconds after midnight of each sample (may run past one day)."""
        return [self.start_s + i * self.dt_s for i in range(len(self))]
