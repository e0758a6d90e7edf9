"""Key performance indicators of one simulated run, from its `SiteSeries`.

Pure arithmetic over the samples (standard library only), so the figures can
be checked by hand on tiny series. Energies integrate power over each sample's
`dt_s` (held constant within the sample).

Definitions:
- self-consumption ratio: share of the PV energy used on site (not exported);
- self-sufficiency: share of the site's consumption (base load + boiler) not
  imported from the grid (clamped to 0 when losses make import exceed it);
- peak 15-minute import: the highest mean import power over a clock-aligned
  15-minute billing interval;
- energy cost: import energy x import price minus export energy x feed-in price,
  both at the tariff's price of the moment (hourly series, time-of-use windows);
- demand charge: the tariff's `demand_charge_per_kw` x the peak 15-minute import;
- import above the limit: kWh imported beyond the import limit;
- battery equivalent full cycles: (charged + discharged energy) / (2 x capacity);
- comfort violation: minutes with the boiler below its minimum temperature (each tank by its own
  minimum; boiler-minutes, summed over the tanks where the site has several);
- stored energy change: battery energy plus boiler heat at the end minus at
  the start (the scenario's initial state), in kWh;
- end-of-day cost: the scenario's `end_of_day` rule, the same for every policy and
  the optimum: `no_lower` buys back what a store ends below its start (battery kWh
  at the refill price over the charging efficiency, tank heat kWh at the refill
  price; the refill price is the stated one, else the import price when the run
  ends; battery energy above its start makes up the tank's shortfall first, a kWh
  as sqrt(round-trip efficiency) kWh of heat, as the site's heater could turn it;
  more than the start is worth nothing otherwise), `value` values the stored change
  at the stated price, `next_day` charges V(end) - V(start), V being the optimum's
  cost of the run repeated from a state (next_day.py);
- adjusted cost: energy cost + demand charge + end-of-day cost: exactly what the
  optimum minimises, so no policy can gain by ending the day emptier;
- limit violations: seconds with SoC outside its band (beyond `SOC_EPSILON`; each battery by its own),
  the boiler above its maximum temperature, or export / import beyond the
  limit by more than `limit_tolerance_w` (the larger of 10 W and 0.5 % of the
  limit); export- and import-limit breaches also
  counted as episodes (contiguous runs of breaching samples);
- battery sign flips: the battery turning from charge to discharge or back
  within 10 s of last going the other way (beyond +-10 W).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Callable

from .scenario import BatteryAsset, BoilerAsset, Scenario
from .series import SiteSeries

WH_PER_J = 1.0 / 3600.0
J_PER_KWH = 3.6e6
BILLING_INTERVAL_S = 900.0
SOC_EPSILON = 1e-3  # numerical slack: a battery stops itself within one step of its band edge
SIGN_FLIP_WINDOW_S = 10.0
SIGN_FLIP_ACTIVE_W = 10.0
LIMIT_TOLERANCE_RATIO = 0.005
LIMIT_TOLERANCE_MIN_W = 10.0


def limit_tolerance_w(limit_w: float) -> float:
    """How far above a grid limit a second may go before it is a breach: max(10 W, 0.5 % of the limit)."""
    return max(LIMIT_TOLERANCE_MIN_W, LIMIT_TOLERANCE_RATIO * limit_w)


@dataclass(frozen=True, slots=True)
class Kpis:
    pv_kwh: float
    consumption_kwh: float
    grid_import_kwh: float
    grid_export_kwh: float
    self_consumption_ratio: float | None  # None without PV energy
    self_sufficiency: float | None  # None without consumption
    peak_15min_import_kw: float
    energy_cost: float
    demand_charge: float
    stored_energy_change_kwh: float
    end_of_day_cost: float
    adjusted_cost: float
    import_above_limit_kwh: float
    battery_equivalent_full_cycles: float
    boiler_comfort_violation_min: float
    mode_changes_per_hour: dict[str, float]
    battery_sign_flips: int  # charge <-> discharge within SIGN_FLIP_WINDOW_S
    export_limit_breaches: int
    export_limit_breach_s: float
    import_limit_breach_s: float
    soc_violation_s: float
    temperature_violation_s: float
    import_limit_breaches: int = 0  # episodes, as for export

    @property
    def max_mode_changes_per_hour(self) -> float:
        return max(self.mode_changes_per_hour.values(), default=0.0)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def energy_kwh(power_w: list[float], dt_s: float) -> float:
    """Energy of a power series held `dt_s` per sample."""
    return sum(power_w) * dt_s * WH_PER_J / 1000.0


def positive(values: list[float]) -> list[float]:
    return [max(v, 0.0) for v in values]


def negative_magnitude(values: list[float]) -> list[float]:
    return [max(-v, 0.0) for v in values]


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def peak_interval_mean_kw(power_w: list[float], dt_s: float, start_s: float = 0.0,
                          interval_s: float = BILLING_INTERVAL_S) -> float:
    """Highest mean power over clock-aligned intervals (a billing meter's view)."""
    energy_j: dict[int, float] = {}
    for i, p in enumerate(power_w):
        t, end = start_s + i * dt_s, start_s + (i + 1) * dt_s
        while t < end:  # a sample longer than an interval spreads over several
            block = int(t // interval_s)
            until = min(end, (block + 1) * interval_s)
            energy_j[block] = energy_j.get(block, 0.0) + p * (until - t)
            t = until
    return max(energy_j.values(), default=0.0) / interval_s / 1000.0


def energy_cost(series: SiteSeries, scenario: Scenario) -> float:
    """Import at the import price minus export at the feed-in price, each at its moment's price (a sample's
    import and export each at its own price where the series holds both: `SiteSeries.import_w`)."""
    tariff = scenario.tariff
    cost = 0.0
    to_kwh = series.dt_s * WH_PER_J / 1000.0
    if series.import_w:
        for t_s, import_w, export_w in zip(series.times_s(), series.import_w, series.export_w):
            cost += to_kwh * (import_w * tariff.import_price_at(t_s) - export_w * tariff.feed_in_price_at(t_s))
        return cost
    for t_s, grid_w in zip(series.times_s(), series.grid_w):
        kwh = grid_w * to_kwh
        cost += kwh * (tariff.import_price_at(t_s) if kwh > 0 else tariff.feed_in_price_at(t_s))
    return cost


def refill_price_per_kwh(scenario: Scenario, end_s: float) -> float:
    """What a kWh missing from a store at the end costs under `no_lower` (never negative): the stated
    price, else the import price when the run ends (`end_s` after midnight), when a refill would start."""
    stated = scenario.end_of_day.price_per_kwh
    return max(stated if stated is not None else scenario.tariff.import_price_at(end_s), 0.0)


def end_of_day_cost(scenario: Scenario, battery_kwh: float, heat_kwh: float, end_s: float,
                    heat_short_kwh: float | None = None) -> float:
    """The end-of-day terms for a stored change (kWh; negative: the store ended emptier). `heat_short_kwh`:
    what the tanks that ended below their start miss together, where the site has several (a tank above its
    start warms no other); None: `-heat_kwh`, one tank's."""
    end = scenario.end_of_day
    if end.rule == "value":
        return -(battery_kwh + heat_kwh) * end.price_per_kwh
    refill = refill_price_per_kwh(scenario, end_s)
    battery = scenario.assets.battery
    eta = math.sqrt(battery.round_trip_efficiency) if battery is not None else 1.0
    tanks_short_kwh = max(-heat_kwh, 0.0) if heat_short_kwh is None else heat_short_kwh
    # Battery energy above its start makes up the tank's shortfall first: the site's own heater turns a
    # kWh of it into eta kWh of heat at any time (heat never becomes electricity, so not the other way)
    heat_short_kwh = max(tanks_short_kwh - max(battery_kwh, 0.0) * eta, 0.0)
    return max(-battery_kwh, 0.0) * refill / eta + heat_short_kwh * refill


def next_day_cost(series: SiteSeries, scenario: Scenario, next_day: Callable[[float, float], float] | None) -> float:
    """V(end) - V(start): what the run's end state costs the next day beyond what its start state would
    (a store the site lacks counts as 0)."""
    if next_day is None:
        raise ValueError("the 'next_day' end of day needs the next day's values (next_day.NextDayValue)")
    battery, boiler = scenario.assets.battery, scenario.assets.boiler
    start_soc = 0.0 if battery is None else battery.initial_soc
    start_c = 0.0 if boiler is None else boiler.initial_temperature_c
    end_soc = series.soc[-1] if battery is not None and len(series) else start_soc
    end_c = series.boiler_temperature_c[-1] if boiler is not None and len(series) else start_c
    return next_day(end_soc, end_c) - next_day(start_soc, start_c)


def battery_columns(series: SiteSeries, scenario: Scenario) -> list[tuple[BatteryAsset, list[float], list[float]]]:
    """Each battery with its SoC and power columns."""
    a = scenario.assets
    if series.soc_by_id:
        return [(b, series.soc_by_id[i], series.battery_w_by_id[i]) for i, b in a.batteries()]
    return [] if a.battery is None else [(a.battery, series.soc, series.battery_w)]


def tank_columns(series: SiteSeries, scenario: Scenario) -> list[tuple[BoilerAsset, list[float]]]:
    """Each boiler with its tank's temperature column."""
    a = scenario.assets
    if series.temperature_c_by_id:
        return [(b, series.temperature_c_by_id[i]) for i, b in a.boilers()]
    return [] if a.boiler is None else [(a.boiler, series.boiler_temperature_c)]


def stored_changes_kwh(series: SiteSeries, scenario: Scenario) -> tuple[list[float], list[float]]:
    """Each battery's energy and each tank's heat at the last sample minus its initial state, kWh."""
    if not len(series):
        return [], []
    return ([(soc[-1] - b.initial_soc) * b.capacity_wh / 1000.0 for b, soc, _ in battery_columns(series, scenario)],
            [(temps[-1] - b.initial_temperature_c) * b.thermal_mass_j_per_k / J_PER_KWH
             for b, temps in tank_columns(series, scenario)])


def mode_changes_per_hour(modes: dict[str, list[str]], duration_s: float) -> dict[str, float]:
    hours = duration_s / 3600.0
    return {
        asset: (sum(1 for a, b in zip(states, states[1:]) if a != b) / hours if hours else 0.0)
        for asset, states in modes.items()
    }


def sign_flips(power_w: list[float], dt_s: float, window_s: float = SIGN_FLIP_WINDOW_S,
               active_w: float = SIGN_FLIP_ACTIVE_W) -> int:
    """How often the power turns from one direction to the other (beyond +-`active_w`, idle in between
    allowed) within `window_s` of last going the other way: a battery chattering between charge and discharge."""
    flips, last_sign, last_t = 0, 0, -math.inf
    for i, p in enumerate(power_w):
        sign = 1 if p > active_w else -1 if p < -active_w else 0
        if not sign:
            continue
        t = i * dt_s
        if last_sign and sign != last_sign and t - last_t <= window_s:
            flips += 1
        last_sign, last_t = sign, t
    return flips


def breach_seconds(flags: list[bool], dt_s: float) -> float:
    return sum(flags) * dt_s


def breach_episodes(flags: list[bool]) -> int:
    """Contiguous runs of True: one breach however long it lasts."""
    return sum(1 for i, flag in enumerate(flags) if flag and (i == 0 or not flags[i - 1]))


def compute_kpis(series: SiteSeries, scenario: Scenario, next_day: Callable[[float, float], float] | None = None
                 ) -> Kpis:
    """`next_day`: V(soc, tank °C), the next day's value of an end state (next_day.NextDayValue); the
    `next_day` end of day needs it."""
    dt = series.dt_s
    limits = scenario.limits
    pv_kwh = energy_kwh(series.pv_w, dt)
    consumption_kwh = energy_kwh(negative_magnitude(series.load_w), dt) + energy_kwh(
        negative_magnitude(series.boiler_w), dt)
    imports = series.import_w or positive(series.grid_w)  # each part of a sample where the series holds both
    import_kwh = energy_kwh(imports, dt)
    export_kwh = energy_kwh(series.export_w or negative_magnitude(series.grid_w), dt)
    batteries, tanks = battery_columns(series, scenario), tank_columns(series, scenario)
    throughput_kwh = sum(energy_kwh([abs(p) for p in power], dt) for _, _, power in batteries)
    export_over = limits.export_limit_w + limit_tolerance_w(limits.export_limit_w)
    import_over = limits.import_limit_w + limit_tolerance_w(limits.import_limit_w)
    export_flags = [-g > export_over for g in series.grid_w]
    import_flags = [g > import_over for g in series.grid_w]
    soc_s = sum(breach_seconds([not b.soc_min - SOC_EPSILON <= s <= b.soc_max + SOC_EPSILON for s in socs], dt)
                for b, socs, _ in batteries)
    hot_s = sum(breach_seconds([t > b.max_temperature_c for t in temps], dt) for b, temps in tanks)
    cold_s = sum(breach_seconds([t < b.min_temperature_c for t in temps], dt) for b, temps in tanks)
    cost = energy_cost(series, scenario)
    battery_changes, tank_changes = stored_changes_kwh(series, scenario)
    battery_kwh, heat_kwh = sum(battery_changes), sum(tank_changes)
    peak_kw = peak_interval_mean_kw(imports, dt, series.start_s)
    demand = scenario.tariff.demand_charge_per_kw * peak_kw
    if scenario.end_of_day.rule == "next_day":
        end_cost = next_day_cost(series, scenario, next_day)
    else:
        end_cost = end_of_day_cost(scenario, battery_kwh, heat_kwh, series.start_s + series.duration_s,
                                   sum(max(-change, 0.0) for change in tank_changes))
    self_consumed = ratio(pv_kwh - export_kwh, pv_kwh)
    sufficiency = ratio(consumption_kwh - import_kwh, consumption_kwh)
    return Kpis(
        pv_kwh=pv_kwh,
        consumption_kwh=consumption_kwh,
        grid_import_kwh=import_kwh,
        grid_export_kwh=export_kwh,
        self_consumption_ratio=None if self_consumed is None else max(self_consumed, 0.0),
        self_sufficiency=None if sufficiency is None else max(sufficiency, 0.0),
        peak_15min_import_kw=peak_kw,
        energy_cost=cost,
        demand_charge=demand,
        stored_energy_change_kwh=battery_kwh + heat_kwh,
        end_of_day_cost=end_cost,
        adjusted_cost=cost + demand + end_cost,
        import_above_limit_kwh=energy_kwh([max(g - limits.import_limit_w, 0.0) for g in series.grid_w], dt),
        battery_equivalent_full_cycles=0.0 if not batteries else throughput_kwh / (
            2 * sum(b.capacity_wh for b, _, _ in batteries) / 1000.0),
        boiler_comfort_violation_min=cold_s / 60.0,
        mode_changes_per_hour=mode_changes_per_hour(series.modes, series.duration_s),
        battery_sign_flips=sum(sign_flips(power, dt) for _, _, power in batteries),
        export_limit_breaches=breach_episodes(export_flags),
        export_limit_breach_s=breach_seconds(export_flags, dt),
        import_limit_breach_s=breach_seconds(import_flags, dt),
        soc_violation_s=soc_s,
        temperature_violation_s=hot_s,
        import_limit_breaches=breach_episodes(import_flags),
    )
