"""The perfect-foresight optimum: a linear programme over the whole run (scipy HiGHS) that runs the
on/off heater as the real one runs.

Given the day's sunshine, load and hot-water draws in advance, it finds the
lowest cost any controller could reach with the same assets and grid limits, at
`DEFAULT_STEP_S` (5 min) resolution, judged exactly as the KPIs judge every policy
(kpis.py: energy cost + demand charge + the end-of-day terms). It is a relaxation
of the real site (no minimum on/off times, profiles averaged per step, a heater
that may switch any number of times within a step), so its cost is a lower bound for a
controller running every second.

The real heaters are on/off at their full power P (the simulated boiler, the boiler
module's thermostat): within a step one runs at P for a share `duty` of it, and while it
runs the site carries all of P. A continuous heater (0..P) is a different machine: it
soaks up exactly the sun's excess over the export limit, or heats at 0.7 kW under a 1 kW
import limit, where a 6 kW or a 2 kW on/off heater can do neither. So every step is two
parts, the heater running (a share `duty`, heat = P duty) and resting (1 - duty), each
with its own flows (the convex hull of the two modes; exact, because the step's sun, load
and draws are constant within it, and the battery may differ between the parts as a real
one does): `f_on` is a flow's part while the heater runs (step-mean W), `f - f_on` the
rest, and each part keeps its share of every cap. It is a plain LP, no binaries. The step sees
the sun's mean, a 1-s controller each passing cloud: the duty is bounded by the seconds in which the
heater fits under the import limit at all (`heater_fit_shares`), and its import and export by what every
second allows (`grid_bounds_per_second`: a cloud's deficit is not netted against the surplus around it
where nothing could store it).

Per step k (dt = step seconds, h = dt / 3600):
  variables  imp, exp, ch, dis, pv, heat >= 0 (W); e (Wh) and T (°C) at the step's end;
             slack_cold >= 0 (K below the comfort minimum); duty in [0, 1];
             imp_on, exp_on, ch_on, dis_on, pv_on >= 0 (the heater's part of each flow)
  bus        pv + dis + imp = load + ch + heat + exp
             pv_on + dis_on + imp_on = load duty + ch_on + heat + exp_on,  heat = P duty
  parts      f_on <= f,  f_on <= cap_f duty,  f - f_on <= cap_f (1 - duty)  for f in imp, exp, ch,
             dis, pv (caps: import limit, export limit, max charge, max discharge, pv available)
  battery    e_k = e_{k-1} + h (eta ch - dis / eta),  eta = sqrt(round-trip efficiency),
             soc_min C <= e_k <= soc_max C
  boiler     C_th (T_k - T_{k-1}) / dt = heat - UA (T_k - T_amb) - m_k c_w (T_k - T_cold)
             (implicit Euler; the hot-water draw m_k kg/s is replaced by cold water, linear in T),
             T_k + slack_cold >= T_min,  T_k <= T_max
  limits     imp <= import_limit (hard),  exp <= export_limit,  pv <= pv_available,
             imp >= floor_k, exp <= cap_k (`grid_bounds_per_second`),
             ch <= max_charge, dis <= max_discharge,  duty <= fit_k (the share of the step's seconds
             in which load + P - pv - max_discharge fits the limit: `heater_fit_shares`)
  scalars    peak >= mean import of every clock-aligned 15-minute block (W), priced by the
             demand charge; deficit_e (Wh), deficit_t (K), spare (Wh) >= 0 with
             e_end + deficit_e - spare >= e_0 and T_end + deficit_t + spare eta / C_th >= T_0 (the `no_lower`
             end of day: a shortfall is bought back; battery energy above its start makes up the tank's first,
             as heat through the heater)
  minimise   sum h / 1000 (price_imp(k) imp - price_feed_in(k) exp) + demand charge x peak / 1000
             + end-of-day terms (refill of the deficits, or the stored change at the stated price)
             + a penalty on the cold slack (comfort is worth more than energy)
An import limit no plan can hold is reported, not hidden behind a penalty: the plan then
says `import_limit_feasible = False` and holds the smallest holdable limit instead
(`holdable_import_limit_w`: the lowest peak import any plan reaches at this resolution, the
heater off: a heater may always stay off, so which limit the load leaves holdable does not
depend on it). The contract's limit stays in the plan as a soft one: import above it in
either part of a step (`over` >= 0) is priced at `OVER_LIMIT_PRICE_PER_W_STEP`, above comfort,
so the plan passes it only where it must, as a controller keeping the contract does (holding
the looser limit all day, it heated where no controller may).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from energy_edge.adapters.hardware.simulated.boiler import WATER_J_PER_KG_K
from .exogenous import Exogenous
from .kpis import J_PER_KWH, energy_cost, limit_tolerance_w, refill_price_per_kwh
from .scenario import Scenario
from .series import Sample, SiteSeries
from .simulated_hardware import standing_assets


DEFAULT_STEP_S = 300.0
BILLING_STEPS_S = 900.0
COLD_SLACK_PRICE_PER_K_STEP = 1.0
ACTIVE_W = 1.0  # below this an LP flow counts as zero when naming modes
SOLVER_TOLERANCE_K = 1e-6  # a plan's temperature this close below the minimum sits on it (HiGHS's tolerance)
HOLDABLE_MARGIN_W = 1e-3  # numerical room when re-solving at the smallest holdable limit
OVER_LIMIT_PRICE_PER_W_STEP = 1.0  # a holdable limit's plan imports past the contract only where it must (above comfort)

_VARIABLES = ("imp", "exp", "ch", "dis", "pv", "heat", "e", "temp", "slack_cold")
_SHARED = ("imp", "exp", "ch", "dis", "pv")  # flows split between the heater's running part of a step and the rest
_STEP_VARIABLES = (*_VARIABLES, "duty", *(name + "_on" for name in _SHARED))
_SCALARS = ("peak", "deficit_e", "deficit_t", "spare_wh")
_MORE_BATTERY = ("ch", "dis", "e", "ch_on", "dis_on")  # per step, each battery after the first
_MORE_BOILER = ("heat", "temp", "slack_cold", "heat_on")  # per step, each boiler after the first
_MORE_TANK_SCALARS = ("deficit_t", "spare_wh")


class OptimumInfeasible(RuntimeError):
    """HiGHS found no plan even at the smallest holdable import limit (it should not)."""


@dataclass(frozen=True, slots=True)
class StoredState:
    """What the stores hold: the battery's SoC (0..1) and the tank's temperature (°C)."""

    soc: float
    temperature_c: float


@dataclass(frozen=True, slots=True)
class OptimumPlan:
    series: SiteSeries
    cost: float  # tariff energy cost of the plan (no demand charge, no end-of-day terms)
    step_s: float
    import_limit_feasible: bool = True
    holdable_import_limit_w: float | None = None  # set when the scenario's limit cannot be held


class _Programme:
    """The LP's matrices for one scenario, exogenous profile and import limit."""

    def __init__(self, scenario: Scenario, ex: Exogenous, step_s: float, import_limit_w: float | None,
                 contract_limit_w: float | None = None, start: "StoredState | None" = None,
                 fine: Exogenous | None = None) -> None:
        """`start`: the stores' state to begin from (None: the scenario's); the end of the run is judged
        against the scenario's all the same.
        `import_limit_w` is hard (None: no limit, and the heater stays off: the holdable limit's LP);
        `contract_limit_w` (below it, where the contract cannot be held) is soft: import above it, in either
        part of a step, is priced at `OVER_LIMIT_PRICE_PER_W_STEP`. `fine`: the profile `ex` was resampled
        from, to bound each step's duty by the seconds the heater fits under the limit (`heater_fit_shares`)."""
        import numpy as np
        from scipy.sparse import lil_matrix

        n = self.n = len(ex)
        h = step_s / 3600.0
        self.scenario = scenario
        standing = standing_assets(scenario)  # an absent store is a stand-in held at zero power below
        bat, boil, lim, tariff = standing.battery, standing.boiler, scenario.limits, scenario.tariff
        has_battery, has_boiler = scenario.assets.battery is not None, scenario.assets.boiler is not None
        eta = math.sqrt(bat.round_trip_efficiency)
        e0 = bat.initial_soc * bat.capacity_wh
        e_start = e0 if start is None or not has_battery else start.soc * bat.capacity_wh
        t_start = boil.initial_temperature_c if start is None or not has_boiler else start.temperature_c
        c_dt = boil.thermal_mass_j_per_k / step_s
        p_heat = boil.heater_power_w if has_boiler else 0.0
        self.over_steps = n if contract_limit_w is not None else 0  # `over` (W >= 0) per step, on and off part
        binding_w = import_limit_w if contract_limit_w is None else contract_limit_w
        # The site's second battery and boiler on (`Assets.more_*`): each its own columns after the rest
        # (`_add_more_stores`); the first heater is the on/off one the step's two parts split on, the others heat
        # anywhere from 0 to their power within each part's share and the seconds they fit the import limit alone
        # (a relaxation: the plan stays a lower bound)
        self.more_batteries = [b for _, b in scenario.assets.batteries()[1:]]
        self.more_boilers = [b for _, b in scenario.assets.boilers()[1:]]
        reach_dis_w = (bat.max_discharge_w if has_battery else 0.0) + sum(b.max_discharge_w for b in self.more_batteries)
        def fit_shares(heater_w: float) -> list[float]:  # a heater's seconds that fit the limit, step by step
            return [1.0] * n if fine is None or binding_w is None else heater_fit_shares(
                fine, step_s, n, heater_w - reach_dis_w, binding_w)

        self.fit_shares = fit_shares
        fits = fit_shares(p_heat) if has_boiler else [1.0] * n
        import_floor, export_cap = ([0.0] * n, [lim.export_limit_w] * n) if fine is None else grid_bounds_per_second(
            fine, step_s, n, reach_dis_w, lim.export_limit_w)
        if import_limit_w is not None:
            import_floor = [min(floor, import_limit_w) for floor in import_floor]
        self.extra_base = len(_STEP_VARIABLES) * n + len(_SCALARS) + 2 * self.over_steps
        self.size = self.extra_base + len(_MORE_BATTERY) * n * len(self.more_batteries) \
            + (len(_MORE_BOILER) * n + len(_MORE_TANK_SCALARS)) * len(self.more_boilers)
        col = self.col
        blocks = _billing_blocks(ex.start_s, step_s, n)
        caps = {"imp": [import_limit_w] * n, "exp": [lim.export_limit_w] * n,
                "ch": [bat.max_charge_w if has_battery else 0.0] * n,
                "dis": [bat.max_discharge_w if has_battery else 0.0] * n, "pv": list(ex.pv_available_w)}

        more_eq_rows = n * (len(self.more_batteries) + len(self.more_boilers))
        a_eq = lil_matrix((5 * n + more_eq_rows, self.size))
        b_eq = np.zeros(5 * n + more_eq_rows)
        for k in range(n):
            for name, sign in (("pv", 1), ("dis", 1), ("imp", 1), ("ch", -1), ("heat", -1), ("exp", -1)):
                a_eq[k, col(name, k)] = sign  # bus balance
                # ... and the part of the step the heater runs in: its whole power beside that share of the load
                a_eq[3 * n + k, col("heat" if name == "heat" else name + "_on", k)] = sign
            b_eq[k] = ex.base_load_w[k]
            a_eq[3 * n + k, col("duty", k)] = -ex.base_load_w[k]
            a_eq[4 * n + k, col("heat", k)], a_eq[4 * n + k, col("duty", k)] = 1.0, -p_heat  # heat = P duty
            row = n + k  # battery energy
            a_eq[row, col("e", k)] = 1.0
            a_eq[row, col("ch", k)] = -h * eta
            a_eq[row, col("dis", k)] = h / eta
            if k:
                a_eq[row, col("e", k - 1)] = -1.0
            else:
                b_eq[row] = e_start
            row = 2 * n + k  # boiler temperature
            draw_w_per_k = ex.draw_kg_per_s[k] * WATER_J_PER_KG_K
            a_eq[row, col("temp", k)] = c_dt + boil.loss_w_per_k + draw_w_per_k
            a_eq[row, col("heat", k)] = -1.0
            b_eq[row] = boil.loss_w_per_k * ex.ambient_c[k] + draw_w_per_k * boil.cold_water_c
            if k:
                a_eq[row, col("temp", k - 1)] = -c_dt
            else:
                b_eq[row] += c_dt * t_start

        shared = [(name, k) for name in _SHARED for k in range(n) if caps[name][k] is not None]
        rows = n + len(blocks) + 2 + len(_SHARED) * n + 2 * len(shared) + 2 * self.over_steps
        self.more_ub_start = rows
        rows += 3 * n * (2 * len(self.more_batteries) + len(self.more_boilers)) + (n + 1) * len(self.more_boilers)
        a_ub = lil_matrix((rows, self.size))
        b_ub = np.zeros(rows)
        for k in range(n):
            a_ub[k, col("temp", k)] = -1.0  # -(T + slack) <= -T_min
            a_ub[k, col("slack_cold", k)] = -1.0
            b_ub[k] = -boil.min_temperature_c
        for i, block in enumerate(blocks):  # mean import of the block - peak <= 0
            for k in block:
                a_ub[n + i, col("imp", k)] = 1.0 / len(block)
            a_ub[n + i, col("peak")] = -1.0
        # -(e_end + deficit_e - spare) <= -e_0, -(T_end + deficit_t + spare eta / C_th) <= -T_0: battery energy
        # above its start (`spare_wh`) may make up the tank's shortfall, as heat through the heater
        row = self.end_row = n + len(blocks)
        a_ub[row, col("e", n - 1)], a_ub[row, col("deficit_e")], b_ub[row] = -1.0, -1.0, -e0
        a_ub[row, col("spare_wh")] = 1.0
        a_ub[row + 1, col("temp", n - 1)], a_ub[row + 1, col("deficit_t")] = -1.0, -1.0
        a_ub[row + 1, col("spare_wh")] = -eta * 3600.0 / boil.thermal_mass_j_per_k
        b_ub[row + 1] = -boil.initial_temperature_c
        row += 2
        for name in _SHARED:  # f_on <= f: the part with the heater off is no flow backwards
            for k in range(n):
                a_ub[row, col(name + "_on", k)], a_ub[row, col(name, k)] = 1.0, -1.0
                row += 1
        for name, k in shared:  # each part within its share of the cap: f_on <= cap duty, f - f_on <= cap (1 - duty)
            cap = caps[name][k]
            a_ub[row, col(name + "_on", k)], a_ub[row, col("duty", k)] = 1.0, -cap
            a_ub[row + 1, col(name, k)], a_ub[row + 1, col(name + "_on", k)] = 1.0, -1.0
            a_ub[row + 1, col("duty", k)], b_ub[row + 1] = cap, cap
            row += 2
        for k in range(self.over_steps):  # the same for the contract, softly: over_on, over_off >= 0
            a_ub[row, col("imp_on", k)], a_ub[row, col("duty", k)] = 1.0, -contract_limit_w
            a_ub[row, self.over_col(k)] = -1.0
            a_ub[row + 1, col("imp", k)], a_ub[row + 1, col("imp_on", k)] = 1.0, -1.0
            a_ub[row + 1, col("duty", k)], a_ub[row + 1, self.over_col(k, on=False)] = contract_limit_w, -1.0
            b_ub[row + 1] = contract_limit_w
            row += 2

        self.import_price = [tariff.import_price_at(ex.start_s + k * step_s) for k in range(n)]
        self.feed_in_price = [tariff.feed_in_price_at(ex.start_s + k * step_s) for k in range(n)]
        heat_kwh_per_k = boil.thermal_mass_j_per_k / J_PER_KWH
        end = scenario.end_of_day
        runs = has_boiler and import_limit_w is not None  # the holdable limit's LP leaves the heater off
        per_variable = {
            "imp": ((0, import_limit_w), [p * h / 1000 for p in self.import_price]),
            "exp": ((0, lim.export_limit_w), [-p * h / 1000 for p in self.feed_in_price]),
            "ch": ((0, caps["ch"][0]), None),
            "dis": ((0, caps["dis"][0]), None),
            "pv": (None, None),
            "heat": ((0, p_heat), None),
            "e": ((bat.soc_min * bat.capacity_wh, bat.soc_max * bat.capacity_wh), None),
            "temp": ((None, boil.max_temperature_c), None),
            "slack_cold": ((0, None), [COLD_SLACK_PRICE_PER_K_STEP] * n),
            "duty": ((0, 1.0 if runs else 0.0), None),
            **{name + "_on": ((0, None), None) for name in _SHARED},
        }
        cost = np.zeros(self.size)
        bounds: list[tuple[float | None, float | None]] = []
        for name in _STEP_VARIABLES:
            bound, prices = per_variable[name]
            if name == "pv":
                bounds += [(0, ex.pv_available_w[k]) for k in range(n)]
            elif name == "imp":
                bounds += [(import_floor[k], import_limit_w) for k in range(n)]
            elif name == "exp":
                bounds += [(0, export_cap[k]) for k in range(n)]
            elif name == "duty":
                bounds += [(0, bound[1] * fits[k]) for k in range(n)]
            else:
                bounds += [bound] * n
            if prices is not None:
                cost[col(name, 0):col(name, 0) + n] = prices
        bounds += [(0, None), (0, None), (0, None), (0, None if has_battery and has_boiler else 0.0)]
        bounds += [(0, None)] * 2 * self.over_steps
        if self.over_steps:
            cost[self.over_col(0):] = OVER_LIMIT_PRICE_PER_W_STEP
        cost[col("peak")] = tariff.demand_charge_per_kw / 1000
        if end.rule == "value":  # the stored change at the stated price (the constant part dropped)
            cost[col("e", n - 1)] -= end.price_per_kwh / 1000
            cost[col("temp", n - 1)] -= end.price_per_kwh * heat_kwh_per_k
        else:  # a shortfall is bought back; the end-of-day inequalities above define it
            refill = refill_price_per_kwh(scenario, ex.start_s + n * step_s)
            self.refill = refill
            cost[col("deficit_e")] = refill / eta / 1000
            cost[col("deficit_t")] = refill * heat_kwh_per_k
        if self.more_batteries or self.more_boilers:
            self._add_more_stores(ex, step_s, a_eq, b_eq, a_ub, b_ub, cost, bounds, runs=runs, spare=has_battery,
                                  value_price=end.price_per_kwh if end.rule == "value" else None)
        self.cost, self.bounds = cost, bounds
        self.a_eq, self.b_eq, self.a_ub, self.b_ub = a_eq.tocsr(), b_eq, a_ub.tocsr(), b_ub

    def _add_more_stores(self, ex: Exogenous, step_s: float, a_eq: Any, b_eq: Any, a_ub: Any, b_ub: Any, cost: Any,
                         bounds: list, *, runs: bool, spare: bool, value_price: float | None) -> None:
        """The second battery and boiler on, each as the first is modelled: a battery's energy and band, a
        tank's heat balance, comfort slack and end-of-day row; every flow in the bus and split between the
        step's two parts within its share of its cap (`f_on <= f`, `f_on <= cap duty`,
        `f - f_on <= cap (1 - duty)`)."""
        n, h, col = self.n, step_s / 3600.0, self.col
        eq, ub = 5 * n, self.more_ub_start

        def split(flow: int, flow_on: int, cap: float, k: int) -> None:
            nonlocal ub
            duty = col("duty", k)
            a_ub[ub, flow_on], a_ub[ub, flow] = 1.0, -1.0
            a_ub[ub + 1, flow_on], a_ub[ub + 1, duty] = 1.0, -cap
            a_ub[ub + 2, flow], a_ub[ub + 2, flow_on], a_ub[ub + 2, duty], b_ub[ub + 2] = 1.0, -1.0, cap, cap
            ub += 3

        for i, bat in enumerate(self.more_batteries):
            eta = math.sqrt(bat.round_trip_efficiency)
            for k in range(n):
                ch, dis, e = (self.more_col(i, name, k) for name in ("ch", "dis", "e"))
                a_eq[k, dis], a_eq[k, ch] = 1.0, -1.0  # the bus, and its running part
                a_eq[3 * n + k, self.more_col(i, "dis_on", k)], a_eq[3 * n + k, self.more_col(i, "ch_on", k)] = 1.0, -1.0
                a_eq[eq, e], a_eq[eq, ch], a_eq[eq, dis] = 1.0, -h * eta, h / eta
                if k:
                    a_eq[eq, self.more_col(i, "e", k - 1)] = -1.0
                else:
                    b_eq[eq] = bat.initial_soc * bat.capacity_wh
                eq += 1
                split(ch, self.more_col(i, "ch_on", k), bat.max_charge_w, k)
                split(dis, self.more_col(i, "dis_on", k), bat.max_discharge_w, k)
            a_ub[self.end_row, self.more_col(i, "e", n - 1)] = -1.0  # the batteries' end together
            b_ub[self.end_row] -= bat.initial_soc * bat.capacity_wh
            bounds += [(0, bat.max_charge_w)] * n + [(0, bat.max_discharge_w)] * n \
                + [(bat.soc_min * bat.capacity_wh, bat.soc_max * bat.capacity_wh)] * n + [(0, None)] * 2 * n
            if value_price is not None:
                cost[self.more_col(i, "e", n - 1)] -= value_price / 1000
        first_eta = math.sqrt(self.scenario.assets.battery.round_trip_efficiency) if spare else 1.0
        for j, tank in enumerate(self.more_boilers):
            c_dt, draws = tank.thermal_mass_j_per_k / step_s, ex.draws()[j + 1]
            for k in range(n):
                heat, temp = self.more_col(j, "heat", k, boiler=True), self.more_col(j, "temp", k, boiler=True)
                a_eq[k, heat] = -1.0
                a_eq[3 * n + k, self.more_col(j, "heat_on", k, boiler=True)] = -1.0
                draw_w_per_k = draws[k] * WATER_J_PER_KG_K
                a_eq[eq, temp], a_eq[eq, heat] = c_dt + tank.loss_w_per_k + draw_w_per_k, -1.0
                b_eq[eq] = tank.loss_w_per_k * ex.ambient_c[k] + draw_w_per_k * tank.cold_water_c
                if k:
                    a_eq[eq, self.more_col(j, "temp", k - 1, boiler=True)] = -c_dt
                else:
                    b_eq[eq] += c_dt * tank.initial_temperature_c
                eq += 1
                a_ub[ub, temp], a_ub[ub, self.more_col(j, "slack_cold", k, boiler=True)] = -1.0, -1.0
                b_ub[ub] = -tank.min_temperature_c
                ub += 1
                split(heat, self.more_col(j, "heat_on", k, boiler=True), tank.heater_power_w if runs else 0.0, k)
            deficit, spare_wh = self.more_col(j, "deficit_t", boiler=True), self.more_col(j, "spare_wh", boiler=True)
            a_ub[ub, self.more_col(j, "temp", n - 1, boiler=True)], a_ub[ub, deficit] = -1.0, -1.0
            a_ub[ub, spare_wh], b_ub[ub] = -first_eta * 3600.0 / tank.thermal_mass_j_per_k, -tank.initial_temperature_c
            a_ub[self.end_row, spare_wh] = 1.0  # battery energy above its start may warm this tank too
            ub += 1
            # each further heater only in the seconds it fits the import limit alone (as the first's duty): a
            # 2 kW heater under a 1 kW limit beside 1.2 kW of overcast sun never runs, where relaxed to 0..P it
            # held its tank at 1 kW and its controller's cold minutes read as 596 beyond the optimum's
            heater_w = tank.heater_power_w if runs else 0.0
            bounds += [(0, heater_w * share) for share in self.fit_shares(tank.heater_power_w)] \
                + [(None, tank.max_temperature_c)] * n \
                + [(0, None)] * 2 * n + [(0, None), (0, None if spare else 0.0)]
            cost[self.more_col(j, "slack_cold", 0, boiler=True):self.more_col(j, "slack_cold", n, boiler=True)] = \
                COLD_SLACK_PRICE_PER_K_STEP
            heat_kwh_per_k = tank.thermal_mass_j_per_k / J_PER_KWH
            if value_price is None:
                cost[deficit] = self.refill * heat_kwh_per_k
            else:
                cost[self.more_col(j, "temp", n - 1, boiler=True)] -= value_price * heat_kwh_per_k

    def more_col(self, index: int, name: str, k: int = 0, boiler: bool = False) -> int:
        """A column of the site's second battery (`index` 0) or boiler (`boiler`) on: per step, then a
        tank's end-of-day scalars."""
        n = self.n
        if not boiler:
            return self.extra_base + index * len(_MORE_BATTERY) * n + _MORE_BATTERY.index(name) * n + k
        base = self.extra_base + len(_MORE_BATTERY) * n * len(self.more_batteries) \
            + index * (len(_MORE_BOILER) * n + len(_MORE_TANK_SCALARS))
        if name in _MORE_TANK_SCALARS:
            return base + len(_MORE_BOILER) * n + _MORE_TANK_SCALARS.index(name)
        return base + _MORE_BOILER.index(name) * n + k

    def more_values(self, x: Any, index: int, name: str, boiler: bool = False) -> Any:
        start = self.more_col(index, name, 0, boiler)
        return x[start:start + self.n]

    def col(self, name: str, k: int = 0) -> int:
        if name in _SCALARS:
            return len(_STEP_VARIABLES) * self.n + _SCALARS.index(name)
        return _STEP_VARIABLES.index(name) * self.n + k

    def over_col(self, k: int, on: bool = True) -> int:
        """Step k's import above the contract limit (step-mean W) in the part the heater runs (`on`) or rests,
        where a softer hard limit holds instead."""
        return len(_STEP_VARIABLES) * self.n + len(_SCALARS) + (0 if on else self.over_steps) + k

    def solve(self, cost: Any = None) -> Any:
        """HiGHS's LP. The result has `status` 0 for a plan (2: infeasible) and `x`."""
        from scipy.optimize import linprog

        cost = self.cost if cost is None else cost
        return linprog(cost, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                       bounds=self.bounds, method="highs")

    def values(self, x: Any, name: str) -> Any:
        return x[self.col(name, 0):self.col(name, 0) + self.n]


def heater_fit_shares(fine: Exogenous, step_s: float, n: int, reach_w: float, limit_w: float) -> list[float]:
    """Each step's share of seconds in which the heater, on at full power, fits under the import limit (the
    KPIs' tolerance above it allowed) beside the load, with the sun and the batteries' full discharge
    (`reach_w`: the heater's power less that discharge).

    A step sees the sun and the load as their means: under a binding limit the heater then fits for a share
    of the step that a passing cloud, or the sun rising through the limit's edge, leaves no room in, where
    no controller running every second can heat without a breach. Bounding the step's duty by these seconds
    keeps the plan a lower bound on what such a controller can do (no heat is denied that one could have),
    and its comfort minutes honest."""
    allowed_w = limit_w + limit_tolerance_w(limit_w)
    shares = []
    for loads, suns in _seconds_by_step(fine, step_s, n):
        fitting = sum(1 for load, sun in zip(loads, suns) if load + reach_w - sun <= allowed_w)
        shares.append(fitting / len(loads) if loads else 1.0)
    return shares


def _seconds_by_step(fine: Exogenous, step_s: float, n: int) -> list[tuple[list[float], list[float]]]:
    """(loads, suns) of the fine profile's samples within each of the `n` steps of `step_s`."""
    per_step = round(step_s / fine.dt_s)
    return [(fine.base_load_w[k * per_step:(k + 1) * per_step], fine.pv_available_w[k * per_step:(k + 1) * per_step])
            for k in range(n)]


def grid_bounds_per_second(fine: Exogenous, step_s: float, n: int, discharge_w: float, export_limit_w: float
                           ) -> tuple[list[float], list[float]]:
    """Each step's least mean import and most mean export that every second allows (W): import at least what
    the load takes beyond the sun and the batteries' full discharge, export at most the export limit and what
    the sun and that discharge leave beyond the load.

    A step sees the sun and the load as their means, so without stores it nets a passing cloud's deficit
    against the surplus around it: at a zero-export site without a battery, a step half at 9 kW of sun and
    half at 6 kW beside a 7.5 kW load imported nothing, where every second-by-second controller imports the
    cloud's 1.5 kW and curtails the rest (a transient day's optimum saved 0.5 EUR no controller could, and
    the controller's savings ratio read -0.33). Both bounds hold for every policy second by second (charging
    and heating only add to the load), so the plan stays a lower bound on any controller's cost."""
    floors, caps = [], []
    for loads, suns in _seconds_by_step(fine, step_s, n):
        if not loads:
            floors.append(0.0), caps.append(export_limit_w)
            continue
        floors.append(sum(max(0.0, load - sun - discharge_w) for load, sun in zip(loads, suns)) / len(loads))
        caps.append(sum(min(export_limit_w, max(0.0, sun + discharge_w - load)) for load, sun in zip(loads, suns))
                    / len(loads))
    return floors, caps


def _billing_blocks(start_s: float, step_s: float, n: int) -> list[list[int]]:
    """Steps grouped by the clock-aligned 15-minute interval they fall in (a billing meter's view)."""
    blocks: dict[int, list[int]] = {}
    for k in range(n):
        blocks.setdefault(int((start_s + k * step_s) // BILLING_STEPS_S), []).append(k)
    return list(blocks.values())


def smallest_holdable_import_limit_w(scenario: Scenario, ex: Exogenous, step_s: float,
                                     start: StoredState | None = None) -> float:
    """The lowest highest-step import any plan reaches (comfort slack allowed, the heater off): the tightest
    holdable limit."""
    import numpy as np
    from scipy.sparse import hstack, vstack, csr_matrix

    lp = _Programme(scenario, ex, step_s, None, start=start)
    # one more variable z >= imp_k for every k; minimise z (plus the cold slack's penalty, so comfort counts)
    n = lp.n
    extra = csr_matrix((lp.a_ub.shape[0], 1))
    imp_rows = csr_matrix((np.ones(n), (range(n), [lp.col("imp", k) for k in range(n)])), shape=(n, lp.size))
    a_ub = vstack([hstack([lp.a_ub, extra]), hstack([imp_rows, csr_matrix(-np.ones((n, 1)))])]).tocsr()
    b_ub = np.concatenate([lp.b_ub, np.zeros(n)])
    cost = np.zeros(lp.size + 1)
    cost[-1] = 1.0
    cost[lp.col("slack_cold"):lp.col("slack_cold") + n] = 1e-3
    for j in range(len(lp.more_boilers)):
        cost[lp.more_col(j, "slack_cold", 0, boiler=True):lp.more_col(j, "slack_cold", n, boiler=True)] = 1e-3
    from scipy.optimize import linprog

    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=hstack([lp.a_eq, csr_matrix((lp.a_eq.shape[0], 1))]).tocsr(),
                     b_eq=lp.b_eq, bounds=[*lp.bounds, (0, None)], method="highs")
    if result.status != 0:
        raise OptimumInfeasible(result.message)
    return float(result.x[-1])


def solve_optimum(scenario: Scenario, exogenous: Exogenous, step_s: float = DEFAULT_STEP_S,
                  start: StoredState | None = None) -> OptimumPlan:
    """Lowest-cost plan for `exogenous` (resampled to `step_s`) with the scenario's assets and limits, from
    `start` (None: the scenario's initial state; the end is judged against that one either way)."""
    ex = exogenous.resample(step_s) if step_s != exogenous.dt_s else exogenous
    limit_w = scenario.limits.import_limit_w
    fine = exogenous if step_s != exogenous.dt_s else None
    lp = _Programme(scenario, ex, step_s, limit_w, start=start, fine=fine)
    result = lp.solve()
    feasible, holdable = True, None
    if result.status == 2:  # infeasible: only the import limit can make it so
        feasible, holdable = False, smallest_holdable_import_limit_w(scenario, ex, step_s, start)
        lp = _Programme(scenario, ex, step_s, max(limit_w, holdable + HOLDABLE_MARGIN_W), contract_limit_w=limit_w,
                        start=start, fine=fine)
        result = lp.solve()
    if result.status != 0:
        raise OptimumInfeasible(result.message)
    x = {name: lp.values(result.x, name) for name in _VARIABLES}
    h = step_s / 3600.0
    tariff_cost = float(sum(lp.import_price[k] * x["imp"][k] - lp.feed_in_price[k] * x["exp"][k]
                            for k in range(lp.n)) * h / 1000)
    series = _series(scenario, ex, x, _more_stores(lp, result.x))
    return OptimumPlan(series=series, cost=tariff_cost, step_s=step_s,
                       import_limit_feasible=feasible, holdable_import_limit_w=holdable)


def first_half(plan: OptimumPlan, scenario: Scenario) -> OptimumPlan:
    """The first half of a plan over a run and its repetition: the run's own plan (its tariff cost recounted)."""
    whole, half = plan.series, len(plan.series) // 2
    series = SiteSeries(dt_s=whole.dt_s, start_s=whole.start_s)
    for name in ("pv_w", "pv_available_w", "load_w", "battery_w", "boiler_w", "grid_w", "soc", "boiler_temperature_c",
                 "import_w", "export_w"):
        setattr(series, name, getattr(whole, name)[:half])
    series.modes = {asset: modes[:half] for asset, modes in whole.modes.items()}
    return replace(plan, series=series, cost=energy_cost(series, scenario))


def _more_stores(lp: _Programme, x: Any) -> dict[str, Any]:
    """The second battery's and boiler's on flows and states: {"ch": [per battery], "dis", "e", "heat", "temp"}."""
    return {**{name: [lp.more_values(x, i, name) for i in range(len(lp.more_batteries))] for name in ("ch", "dis", "e")},
            **{name: [lp.more_values(x, j, name, boiler=True) for j in range(len(lp.more_boilers))]
               for name in ("heat", "temp")}}


def _series(scenario: Scenario, ex: Exogenous, x: dict, more: dict | None = None) -> SiteSeries:
    """The plan as a `SiteSeries`; SoC and temperature are each step's final state. A temperature within
    `SOLVER_TOLERANCE_K` below the minimum is the minimum: HiGHS's feasibility tolerance, not a cold step (a
    plan may sit there, 1e-9 K below, where a vertex would sit on the bound). `more`: the site's second
    battery and boiler on (`_more_stores`): in the site's sums, and each in its own columns."""
    assets = standing_assets(scenario)
    bat, boiler = assets.battery, assets.boiler
    more = more or {"ch": [], "dis": [], "e": [], "heat": [], "temp": []}
    batteries, boilers = assets.batteries(), assets.boilers()
    series = SiteSeries(dt_s=ex.dt_s, start_s=ex.start_s)
    for k in range(len(ex)):
        soc, temp = float(x["e"][k]) / bat.capacity_wh, _on_minimum(float(x["temp"][k]), boiler)
        ch, dis, heat, pv = (float(x[name][k]) for name in ("ch", "dis", "heat", "pv"))
        more_ch, more_dis = sum(float(c[k]) for c in more["ch"]), sum(float(d[k]) for d in more["dis"])
        more_heat = sum(float(q[k]) for q in more["heat"])
        series.append(Sample(
            pv_w=pv, pv_available_w=ex.pv_available_w[k], load_w=-ex.base_load_w[k],
            battery_w=dis - ch + more_dis - more_ch, boiler_w=-heat - more_heat, soc=soc, boiler_temperature_c=temp,
            modes={
                "solar": "CURTAILED" if pv < ex.pv_available_w[k] - ACTIVE_W else "RUNNING",
                "battery": "CHARGING" if ch + more_ch > ACTIVE_W else "DISCHARGING" if dis + more_dis > ACTIVE_W
                else "IDLE",
                "boiler": "HEATING" if heat + more_heat > ACTIVE_W else "STANDBY",
            }))
    if more["e"]:
        (first_id, _), *others = batteries
        series.soc_by_id[first_id] = list(series.soc)
        series.battery_w_by_id[first_id] = [float(d - c) for c, d in zip(x["ch"], x["dis"])]
        for (asset_id, b), e, c, d in zip(others, more["e"], more["ch"], more["dis"]):
            series.soc_by_id[asset_id] = [float(v) / b.capacity_wh for v in e]
            series.battery_w_by_id[asset_id] = [float(dv - cv) for cv, dv in zip(c, d)]
    if more["temp"]:
        (first_id, _), *others = boilers
        series.temperature_c_by_id[first_id] = list(series.boiler_temperature_c)
        for (asset_id, b), temps in zip(others, more["temp"]):
            series.temperature_c_by_id[asset_id] = [_on_minimum(float(t), b) for t in temps]
    series.import_w = [max(0.0, float(v)) for v in x["imp"]]  # the parts of a step each at its price
    series.export_w = [max(0.0, float(v)) for v in x["exp"]]
    return series


def _on_minimum(temperature_c: float, boiler: Any) -> float:
    """A temperature within the solver's tolerance below the boiler's minimum is the minimum."""
    if boiler.min_temperature_c - SOLVER_TOLERANCE_K < temperature_c < boiler.min_temperature_c:
        return boiler.min_temperature_c
    return temperature_c
