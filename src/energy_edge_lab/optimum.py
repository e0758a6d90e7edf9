"""The perfect-foresight optimum: a linear programme over the whole run (scipy HiGHS).

Given the day's sunshine, load and hot-water draws in advance, it finds the
lowest energy cost any controller could reach with the same assets and grid
limits, at `DEFAULT_STEP_S` (5 min) resolution. It is a relaxation of the real
site (continuous heater power, no minimum on/off times, profiles averaged per
step), so its cost is a lower bound for a controller running every second.

Per step k (dt = step seconds, h = dt / 3600):
  variables  imp, exp, ch, dis, pv, heat >= 0 (W); e (Wh) and T (°C) at the step's end;
             slack_imp >= 0 (W above the import limit), slack_cold >= 0 (K below the comfort minimum)
  bus        pv + dis + imp = load + ch + heat + exp
  battery    e_k = e_{k-1} + h (eta ch - dis / eta),  eta = sqrt(round-trip efficiency),
             soc_min C <= e_k <= soc_max C
  boiler     C_th (T_k - T_{k-1}) / dt = heat - UA (T_k - T_amb) - m_k c_w (T_k - T_cold)
             (implicit Euler; the hot-water draw m_k kg/s is replaced by cold water, linear in T),
             T_k + slack_cold >= T_min,  T_k <= T_max
  limits     imp <= import_limit + slack_imp,  exp <= export_limit,  pv <= pv_available,
             ch <= max_charge, dis <= max_discharge, heat <= heater_power
  minimise   sum h / 1000 (price_imp(k) imp - price_feed_in exp) + penalties on the slacks
             - value of the energy stored at the end (battery Wh and boiler heat, as in
               kpis.adjusted_cost, which judges every policy alike)
The slacks keep a scenario solvable when its limits cannot be held at all; the
penalties make any use of them far dearer than energy, and the KPIs show it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from energy_edge.adapters.hardware.simulated.boiler import WATER_J_PER_KG_K
from .exogenous import Exogenous
from .kpis import J_PER_KWH, StoredEnergyValue
from .scenario import Scenario
from .series import Sample, SiteSeries

DEFAULT_STEP_S = 300.0
IMPORT_SLACK_PRICE_PER_KWH = 10.0
COLD_SLACK_PRICE_PER_K_STEP = 1.0
ACTIVE_W = 1.0  # below this an LP flow counts as zero when naming modes

_VARIABLES = ("imp", "exp", "ch", "dis", "pv", "heat", "e", "temp", "slack_imp", "slack_cold")


class OptimumInfeasible(RuntimeError):
    """HiGHS found no plan (it should not: the slacks keep every scenario solvable)."""


@dataclass(frozen=True, slots=True)
class OptimumPlan:
    series: SiteSeries
    cost: float  # tariff cost of the plan, penalties excluded
    step_s: float


def solve_optimum(scenario: Scenario, exogenous: Exogenous, step_s: float = DEFAULT_STEP_S) -> OptimumPlan:
    """Lowest-cost plan for `exogenous` (resampled to `step_s`) with the scenario's assets and limits."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    ex = exogenous.resample(step_s) if step_s != exogenous.dt_s else exogenous
    n, nv = len(ex), len(_VARIABLES)
    h = step_s / 3600.0
    bat, boil, lim = scenario.assets.battery, scenario.assets.boiler, scenario.limits
    eta = math.sqrt(bat.round_trip_efficiency)
    e0 = bat.initial_soc * bat.capacity_wh
    c_dt = boil.thermal_mass_j_per_k / step_s

    def col(name: str, k: int) -> int:
        return _VARIABLES.index(name) * n + k

    a_eq = lil_matrix((3 * n, nv * n))
    b_eq = np.zeros(3 * n)
    for k in range(n):
        # bus balance
        for name, sign in (("pv", 1), ("dis", 1), ("imp", 1), ("ch", -1), ("heat", -1), ("exp", -1)):
            a_eq[k, col(name, k)] = sign
        b_eq[k] = ex.base_load_w[k]
        # battery energy
        row = n + k
        a_eq[row, col("e", k)] = 1.0
        a_eq[row, col("ch", k)] = -h * eta
        a_eq[row, col("dis", k)] = h / eta
        if k:
            a_eq[row, col("e", k - 1)] = -1.0
        else:
            b_eq[row] = e0
        # boiler temperature
        row = 2 * n + k
        draw_w_per_k = ex.draw_kg_per_s[k] * WATER_J_PER_KG_K
        a_eq[row, col("temp", k)] = c_dt + boil.loss_w_per_k + draw_w_per_k
        a_eq[row, col("heat", k)] = -1.0
        b_eq[row] = boil.loss_w_per_k * ex.ambient_c[k] + draw_w_per_k * boil.cold_water_c
        if k:
            a_eq[row, col("temp", k - 1)] = -c_dt
        else:
            b_eq[row] += c_dt * boil.initial_temperature_c

    a_ub = lil_matrix((2 * n, nv * n))
    b_ub = np.zeros(2 * n)
    for k in range(n):
        a_ub[k, col("imp", k)] = 1.0  # imp - slack <= limit
        a_ub[k, col("slack_imp", k)] = -1.0
        b_ub[k] = lim.import_limit_w
        a_ub[n + k, col("temp", k)] = -1.0  # -(T + slack) <= -T_min
        a_ub[n + k, col("slack_cold", k)] = -1.0
        b_ub[n + k] = -boil.min_temperature_c

    import_price = [scenario.tariff.import_price_at(ex.start_s + k * step_s) for k in range(n)]
    cost = np.zeros(nv * n)
    bounds: list[tuple[float | None, float | None]] = []
    per_variable = {
        "imp": ((0, None), [p * h / 1000 for p in import_price]),
        "exp": ((0, lim.export_limit_w), [-scenario.tariff.feed_in_price_per_kwh * h / 1000] * n),
        "ch": ((0, bat.max_charge_w), None),
        "dis": ((0, bat.max_discharge_w), None),
        "pv": (None, None),
        "heat": ((0, boil.heater_power_w), None),
        "e": ((bat.soc_min * bat.capacity_wh, bat.soc_max * bat.capacity_wh), None),
        "temp": ((None, boil.max_temperature_c), None),
        "slack_imp": ((0, None), [IMPORT_SLACK_PRICE_PER_KWH * h / 1000] * n),
        "slack_cold": ((0, None), [COLD_SLACK_PRICE_PER_K_STEP] * n),
    }
    for name in _VARIABLES:
        bound, prices = per_variable[name]
        bounds += [(0, ex.pv_available_w[k]) for k in range(n)] if name == "pv" else [bound] * n
        if prices is not None:
            cost[col(name, 0):col(name, 0) + n] = prices
    stored_value = StoredEnergyValue.of(scenario)  # the end state is worth the import it displaces later
    cost[col("e", n - 1)] -= stored_value.battery_per_kwh / 1000
    cost[col("temp", n - 1)] -= stored_value.heat_per_kwh * boil.thermal_mass_j_per_k / J_PER_KWH

    result = linprog(cost, A_ub=a_ub.tocsr(), b_ub=b_ub, A_eq=a_eq.tocsr(), b_eq=b_eq, bounds=bounds,
                     method="highs")
    if result.status != 0:
        raise OptimumInfeasible(result.message)
    x = {name: result.x[col(name, 0):col(name, 0) + n] for name in _VARIABLES}
    series = _series(scenario, ex, x)
    tariff_cost = float(sum(import_price[k] * x["imp"][k] - scenario.tariff.feed_in_price_per_kwh * x["exp"][k]
                            for k in range(n)) * h / 1000)
    return OptimumPlan(series=series, cost=tariff_cost, step_s=step_s)


def _series(scenario: Scenario, ex: Exogenous, x: dict) -> SiteSeries:
    """The plan as a `SiteSeries`; SoC and temperature are each step's final state."""
    bat = scenario.assets.battery
    series = SiteSeries(dt_s=ex.dt_s, start_s=ex.start_s)
    for k in range(len(ex)):
        soc, temp = float(x["e"][k]) / bat.capacity_wh, float(x["temp"][k])
        ch, dis, heat, pv = (float(x[name][k]) for name in ("ch", "dis", "heat", "pv"))
        series.append(Sample(
            pv_w=pv, pv_available_w=ex.pv_available_w[k], load_w=-ex.base_load_w[k],
            battery_w=dis - ch, boiler_w=-heat, soc=soc, boiler_temperature_c=temp,
            modes={
                "solar": "CURTAILED" if pv < ex.pv_available_w[k] - ACTIVE_W else "RUNNING",
                "battery": "CHARGING" if ch > ACTIVE_W else "DISCHARGING" if dis > ACTIVE_W else "IDLE",
                "boiler": "HEATING" if heat > ACTIVE_W else "STANDBY",
            }))
    return series
