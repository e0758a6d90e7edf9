"""The planning problem as a linear programme, solved by HiGHS (`highspy`): the `PlanSolver` port.

Per slot k (h = its hours; powers in W, energies in Wh):
  variables  imp, exp, ch, dis, pv, heat >= 0; over >= 0 (import above the limit); cold >= 0 (Wh of heat
             the tanks lack to stay at their minimum); e (battery) and q (heat above the tanks' minimum)
             at the slot's end
  bus        pv + dis + imp + over = load + ch + heat + exp
  battery    e_k = e_{k-1} + h (eta_c ch - dis / eta_d),  min <= e_k <= max
  heat       q_k = keep_k q_{k-1} + gain_k heat - drain_k + cold_k,  0 <= q_k <= room
             (HeatStore.step: the standing loss and the hot water drawn in the slot). Where the store has
             parts (`HeatStore.tanks`: tanks that are not alike), each part j has its own heat_j, q_j and cold_j
             and this balance with its own steps and draws, heat = sum heat_j, and the end rule and the
             targets count sum q_j (each part may buy its share of a target's shortfall); the bright sky
             keeps the tanks as one store (its first slot's heat tied to their sum), and a slot's heat
             value is the highest of the parts' duals
  limits     imp <= import limit, exp <= export limit, pv <= forecast, ch, dis, heat <= ratings
  reserve    e_{k-1} + short_k >= min + h_k reserve_k / eta_d (a slot whose cautious load alone exceeds the
             import limit is entered holding its excess for the whole slot: limit_margin.py; short >= 0)
  draws      e_{k-1} + draw_short_k >= min + sum over j = k .. the end of k's run of draw slots (a draw the
             heaters cannot meet from the grid alone) of h_j (heat_j - draw_room_j) / eta_d: the batteries
             hold what the heat planned for the rest of the run takes beyond the grid's room and the cautious
             sun (limit_margin.py; draw_short >= 0, priced below cold water). The sum is a free column per
             slot, draw_need_k = h_k (heat_k - draw_room_k) / eta_d + draw_need_{k+1} within the run, so the
             rows stay O(n) however long the run
  starts     e_{k-1} + start_short_k >= min + start_wh where a running heater may not fit under the import
             limit beside the load (the on/off slots below): the batteries hold what the balancer asks of them
             before they carry a heater's start (`BatteryStore.start_wh`; start_short >= 0, priced below the
             draws' reserve). Planned down to the floor, a battery that had carried a draw's heat to it could
             not start the heater for the tank's next dip until it had refilled that much from the limit's room
  scalars    peak >= imp + over of every slot (priced by the demand charge); deficit_e, deficit_q >= 0
             with e_end + deficit_e >= e_floor, q_end + deficit_q >= q_floor (the yardstick's end rule; the
             floors are the stores now, or less where a daily target asks less: `PlanningProblem.end_floors_wh`)
  targets    per daily store target within the horizon (`PlanningProblem.store_targets`, one per slot:
             `store_targets.one_per_slot`), at its slot k:
             e_k + short_e >= battery_wh, q_k + short_q >= heat_wh, the shortfalls bought then (priced so, and
             entering the stores: the balances of slot k + 1 start from e_k + short_e and q_k + short_q)
  minimise   sum h / 1000 (price_imp imp - price_feed_in exp) + excess price x (over + short / 1000)
             + cold price x cold / 1000 + draw reserve price x draw_short / 1000
             + start reserve price x start_short / 1000
             + demand charge x peak / 1000 + refill (deficit_e / eta_c + deficit_q) / 1000
             + sum over the targets of their price (short_e / eta_c + short_q) / 1000
             + tie-breaks: a tiny reward on using the sun; import dearer the sooner it comes and charging
               rewarded the sooner it comes (an indifferent plan covers deficits from the batteries now,
               stores surplus now and fills from the grid just in time: self-consumption); discharging
               costs a little more than a round trip's rewards (no charging and discharging at once)
  on/off     the heaters run at full power or not at all: each slot is split into the share d = heat / heater
             power in which they run and the rest, each part with its own import, export, charge, discharge,
             sun and over (the `_on` columns; the rest is the total minus them), each within its share of every
             cap, the running part balancing load + heater. This is the convex hull of the two modes, exact for
             one heater (several switch as one: a cautious plan). Only in the slots where the import limit can
             bind a running heater (load + heaters above it); elsewhere the heat stays continuous, as the
             balancer's free boilers take the sun's surplus in parts. Without it the plan heated at a fraction
             of the heater from the import limit's room, which an on/off heater cannot: under a tight limit
             the batteries were not kept to carry the heater through a draw.
  sure sun   in a run of draws on a site with batteries, the running part holds on the cautious sun:
             imp_on + over_on + dis_on >= (load + heater - cautious pv) x d, so the sun beyond the cautious
             sky may only charge or export while the heater runs. Where the grid's room, the batteries' power
             and the cautious sun cannot carry a running heater, heat in the draws costs import above the
             limit and the plan heats the tank before them instead. Counted on the expected sun, a 6 kW
             heater under a 1 kW limit beside a 2.7 kW battery was planned through an autumn morning's draws
             on 2.9 kW of sun that came at 2.4, and the tank, not preheated, went cold for 51 minutes (13
             this way). Without batteries the hot-water recursion counts only the slots where the heater fits
             (heater_room.py), and the plan's economics stay the expected day's.
  two skies  where the forecast's sky may be brighter than expected (`ProblemSlot.bright_pv_w`: its
             clearness one spread higher; before the sky is first seen, a clear sky), the LP is two-stage:
             the model above for the expected sky (weight 1 - `BRIGHT_SKY_WEIGHT`) and one for the bright
             sky (`PlanningProblem.under_bright_sky`: its PV from the second slot on, without the reserves
             and the on/off hull the expected sky keeps; its slots after the first hour merged into hours,
             coarse_slots.py: it only prices the stores' use), side by side, the first slot's imp, exp, ch,
             dis, pv, heat and over tied as one decision (the replans decide the rest as the sky shows itself).
             The costs of being wrong are not alike: a battery held through the night for sun that then
             overfills it exports at the feed-in price what it could have spared at the import price, where
             one spent for sun that does not come buys it back at about the price it spared, less a round
             trip. The expected sky alone sees only the second and held: a winter day's 99 kWh battery
             was kept at a third overnight, full by 14:00 and exporting (seed 2026 g19: 0.87 of the
             optimum's savings, 0.97 this way; g16 0.76 -> 0.95). The plan returned is the expected sky's.
Each slot's heat row's dual is what one more kWh in the tanks is worth to the plan
(`PlannedSlot.heat_value_per_kwh`): the balancer's free boilers import part of their heater only where
it pays (plan_guidance.py). The import limit is soft at `EXCESS_PRICE_PER_KWH`: a limit no plan can hold still gets the
plan that exceeds it least, and the balancer holds what it can. The tanks' comfort (q >= 0
through the draws) is soft at `COLD_PRICE_PER_KWH`, below that: a draw the heaters cannot
keep up with still gets a plan (the coldest it must go, reported as `PlannedSlot.cold_wh`),
and the import limit stays the contract. The model is built as
numpy arrays straight from the domain's problem (column-wise sparse: no scipy in the edge).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import highspy
import numpy as np

from ...domain.errors import PlanningFailed
from ...domain.planning.problem import PlannedSlot, PlanningProblem
from ...domain.planning.coarse_slots import coarsened
from ...domain.planning.store_targets import one_per_slot

EXCESS_PRICE_PER_KWH = 100.0  # import above the limit: ten times the dearest price a source may send
COLD_PRICE_PER_KWH = 50.0  # heat the tanks lack for the draws: dearer than any price, cheaper than the import limit
DRAW_RESERVE_PRICE_PER_KWH = 20.0  # battery energy a run of draws lacks on a cautious sky: dearer than any price,
# and below the cold price over the discharge efficiency, so the plan never heats less to need less reserve
START_RESERVE_PRICE_PER_KWH = 10.0  # a heater's start the batteries cannot carry: the dearest price a source
# may send, below the draws' reserve (a run of draws needs the energy more than the next start does)
SUN_TIE_BREAK_PER_KWH = 1e-4  # using the sun rather than curtailing it, when the prices do not care
# When the prices do not care: import as late as possible (so the batteries cover the load now and fill
# from the grid just in time), and store surplus as soon as it comes. The import's slope is the steeper, so
# filling from the grid is never pulled early by the charging one.
IMPORT_LATER_TIE_BREAK_PER_KWH = 2e-3
CHARGE_SOONER_TIE_BREAK_PER_KWH = 5e-4
# Discharging costs a little more than the charging and sun rewards a round trip could earn: without it,
# charging and discharging at once 'used' surplus that can only be curtailed (at zero export, the band
# then read as both storing and discharging).
ROUND_TRIP_GUARD = 2.0
COST_SCALE = 1000.0  # the objective in thousandths of the currency: tie-breaks stay above HiGHS's tolerances
MIN_ON_OFF_HEATER_W = 1.0  # below this the heaters' hull is not modelled (its shares divide by their power)
DEFAULT_TIME_LIMIT_S = 1.0  # slower than this is a failure: the controller falls back
BRIGHT_SKY_WEIGHT = 1 / 3  # the bright sky's share beside the expected one's (module doc, "two skies")
BRIGHT_FINE_S = 3600.0  # the bright sky keeps its first hour's slots ...
BRIGHT_SLOT_S = 3600.0  # ... and plans the rest in slots of up to an hour (coarse_slots.py)

# Variable blocks, n columns each, then the scalars.
_BLOCKS = ("imp", "exp", "ch", "dis", "pv", "heat", "over", "cold", "e", "q", "short", "draw_short", "draw_need",
           "start_short", "imp_on", "exp_on", "ch_on", "dis_on", "pv_on", "over_on")
_SPLIT = (("imp", "imp_on"), ("exp", "exp_on"), ("ch", "ch_on"), ("dis", "dis_on"), ("pv", "pv_on"))
_SCALARS = ("peak", "deficit_e", "deficit_q")


class HighsPlanSolver:
    """Implements the `PlanSolver` port with HiGHS's dual simplex (an LP of ~10 columns per slot)."""

    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        self.time_limit_s = time_limit_s
        self.last_solve_s = 0.0

    def solve(self, problem: PlanningProblem) -> list[PlannedSlot]:
        started = time.perf_counter()
        n = len(problem.slots)
        if n == 0:
            raise PlanningFailed("the problem has no slots")
        scenarios = _Scenarios(problem)
        lp = scenarios.lp()
        highs = _run(lp, self.time_limit_s, presolve=False)
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnknown:  # the simplex without presolve gave up (numerical trouble:
            # a 55 W heater at a 74 W limit beside a 5 kW reserve): presolve's scaled model, once, in the time left
            highs = _run(lp, max(0.0, self.time_limit_s - (time.perf_counter() - started)), presolve=True)
            status = highs.getModelStatus()
        self.last_solve_s = time.perf_counter() - started
        if status != highspy.HighsModelStatus.kOptimal:
            raise PlanningFailed(f"HiGHS: {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        return scenarios.plan(np.asarray(solution.col_value), np.asarray(solution.row_dual))


def _run(lp: Any, time_limit_s: float, presolve: bool) -> Any:
    """A fresh HiGHS (a reused instance solves this LP ten times slower) run on `lp`."""
    highs = _quiet_highs()
    highs.setOptionValue("time_limit", float(time_limit_s))
    if presolve:
        highs.setOptionValue("presolve", "on")
    highs.passModel(lp)
    highs.run()
    return highs


_TIED = ("imp", "exp", "ch", "dis", "pv", "heat", "over")  # the first slot's decisions: one for both skies


class _Scenarios:
    """The expected sky's model and, where the forecast's sky may be brighter, the bright sky's beside it
    (module doc, "two skies"): one LP, each model's cost weighed, the first slot's decisions tied."""

    def __init__(self, problem: PlanningProblem) -> None:
        self.models = [_Model(problem)]
        self.weights = [1.0]
        stores = problem.battery is not None or problem.heat is not None  # without, nothing to hedge: the first
        if stores and problem.may_be_brighter and BRIGHT_SKY_WEIGHT > 0:  # slot's choices are the same either way
            bright = coarsened(problem.under_bright_sky(), BRIGHT_FINE_S, BRIGHT_SLOT_S)
            self.models.append(_Model(bright, hull=False))
            self.weights = [1.0 - BRIGHT_SKY_WEIGHT, BRIGHT_SKY_WEIGHT]
        self.offsets = []  # each model's first column and first row in the one LP
        col = row = 0
        for model in self.models:
            self.offsets.append((col, row))
            col, row = col + model.size, row + len(model.row_lower)

    def lp(self) -> Any:
        if len(self.models) == 1:
            return self.models[0].lp()
        parts: dict[str, list[Any]] = {name: [] for name in ("cost", "lower", "upper", "row_lower", "row_upper",
                                                             "rows", "cols", "vals")}
        for model, weight, (col, row) in zip(self.models, self.weights, self.offsets):
            for name in ("lower", "upper", "row_lower", "row_upper", "vals"):
                parts[name].append(getattr(model, name))
            parts["cost"].append(model.cost * weight)
            parts["rows"].append(model.rows + row)
            parts["cols"].append(model.cols + col)
        expected, tie_row = self.models[0], sum(len(model.row_lower) for model in self.models)
        for model, (col, _) in zip(self.models[1:], self.offsets[1:]):
            for name in _TIED:  # x_expected - x_bright = 0 in the first slot (the bright sky's tanks are one store)
                parts["rows"].append(np.array([tie_row, tie_row]))
                parts["cols"].append(np.array([expected.col(name), col + model.col(name)]))
                parts["vals"].append(np.array([1.0, -1.0]))
                parts["row_lower"].append(np.zeros(1)), parts["row_upper"].append(np.zeros(1))
                tie_row += 1
        return _lp(*(np.concatenate(parts[name]) for name in ("cost", "lower", "upper", "row_lower", "row_upper",
                                                               "rows", "cols", "vals")))

    def plan(self, x: Any, row_dual: Any) -> list[PlannedSlot]:
        """The expected sky's plan. Its heat rows' duals are its own (its weight taken out), but the first
        slot's: one more Wh in the tanks then is one more under both skies, worth the sum."""
        first = self.models[0]
        if len(self.models) == 1:
            return first.plan(x, row_dual)
        dual = row_dual[:len(first.row_lower)] / self.weights[0]
        for j, row in enumerate(first.heat_rows):
            dual[row] = sum(row_dual[row_off + model.heat_rows[min(j, model.tanks - 1)]]  # the bright sky's one store
                            for model, (_, row_off) in zip(self.models, self.offsets))
        return first.plan(x[:first.size], dual)


_banner_shown = False


def _quiet_highs() -> Any:
    """A HiGHS instance that writes nothing. Its banner goes to the process's stdout (fd 1) from C++ on
    the process's first construction, where the containers' JSON log lines go: fd 1 points away meanwhile."""
    global _banner_shown
    if _banner_shown:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # ten times faster on this small, sparse LP (measured: 3 ms vs 30 ms)
    return highs


class _Model:
    """One sky's LP (module doc); `hull`: with the heaters' on/off hull where the import limit binds them."""

    def __init__(self, problem: PlanningProblem, hull: bool = True) -> None:
        self.problem = problem
        n = self.n = len(problem.slots)
        slots = problem.slots
        hours = np.array([s.duration_s for s in slots]) / 3600.0
        pv = np.array([s.pv_w for s in slots])
        load = np.array([s.load_w for s in slots])
        p_imp = np.array([s.import_price_per_kwh for s in slots])
        p_fi = np.array([s.feed_in_price_per_kwh for s in slots])
        bat, heat = problem.battery, problem.heat
        targets = one_per_slot(problem.store_targets)
        tanks = () if heat is None else heat.each_tank()
        self.tanks = len(tanks) or 1
        self.blocks = _BLOCKS + _tank_blocks(self.tanks)
        self._index = {name: i for i, name in enumerate(self.blocks)}
        # then each target's shortfalls: the batteries', each tank's
        self.size = len(self.blocks) * n + len(_SCALARS) + (1 + self.tanks) * len(targets)
        cost = np.zeros(self.size)
        lower = np.zeros(self.size)
        upper = np.full(self.size, highspy.kHighsInf)

        def put(name: str, values: Any, into: Any) -> None:
            into[self.col(name):self.col(name) + n] = values

        soon = (n - np.arange(n)) / n
        put("exp", -hours / 1000 * p_fi, cost)
        put("over", hours / 1000 * (p_imp + EXCESS_PRICE_PER_KWH), cost)
        for j in range(self.tanks):
            put(_tank("cold", j), COLD_PRICE_PER_KWH / 1000, cost)
        put("short", EXCESS_PRICE_PER_KWH / 1000, cost)
        put("draw_short", DRAW_RESERVE_PRICE_PER_KWH / 1000, cost)
        put("start_short", START_RESERVE_PRICE_PER_KWH / 1000, cost)
        put("pv", -hours / 1000 * SUN_TIE_BREAK_PER_KWH, cost)
        put("imp", hours / 1000 * (p_imp + IMPORT_LATER_TIE_BREAK_PER_KWH * soon), cost)
        put("ch", -hours / 1000 * CHARGE_SOONER_TIE_BREAK_PER_KWH * soon, cost)
        round_trip = 1.0 if bat is None else bat.charge_efficiency * bat.discharge_efficiency
        put("dis", hours / 1000 * ROUND_TRIP_GUARD * (CHARGE_SOONER_TIE_BREAK_PER_KWH * soon
                                                       + SUN_TIE_BREAK_PER_KWH) / round_trip, cost)
        put("imp", problem.import_limit_w, upper)
        put("exp", problem.export_limit_w, upper)
        put("pv", pv, upper)
        put("ch", 0.0 if bat is None else bat.max_charge_w, upper)
        put("dis", 0.0 if bat is None else bat.max_discharge_w, upper)
        put("heat", 0.0 if heat is None else heat.heater_w, upper)
        for j in range(self.tanks):
            put(_tank("cold", j), 0.0 if heat is None else highspy.kHighsInf, upper)
            put(_tank("q", j), 0.0 if heat is None else tanks[j].max_wh, upper)
            if self.tanks > 1:
                put(f"heat{j}", tanks[j].heater_w, upper)
        e0 = 0.0 if bat is None else bat.energy_wh
        put("e", 0.0 if bat is None else bat.min_wh, lower)
        put("e", 0.0 if bat is None else bat.max_wh, upper)
        put("draw_need", -highspy.kHighsInf, lower)  # a run's room may exceed its heat: the reserve is then none
        # the slots where a running heater may not fit under the import limit (the module doc, "on/off")
        binds = load + (0.0 if heat is None else heat.heater_w) > problem.import_limit_w
        on_off = hull and heat is not None and heat.heater_w >= MIN_ON_OFF_HEATER_W and bool(binds.any())
        running_upper = np.where(binds, highspy.kHighsInf, 0.0) if on_off else 0.0  # the _on columns: hull slots only
        for name in ("imp_on", "exp_on", "ch_on", "dis_on", "pv_on", "over_on"):
            put(name, running_upper, upper)
        cost[self.col("peak")] = problem.demand_charge_per_kw / 1000
        eta_c = 1.0 if bat is None else bat.charge_efficiency
        eta_d = 1.0 if bat is None else bat.discharge_efficiency
        cost[self.col("deficit_e")] = problem.refill_price_per_kwh / eta_c / 1000
        cost[self.col("deficit_q")] = problem.refill_price_per_kwh / 1000

        k = np.arange(n)
        rows: list[Any] = []
        cols: list[Any] = []
        vals: list[Any] = []

        def entries(row: Any, name: str, value: Any, shift: int = 0) -> None:
            rows.append(np.asarray(row))
            cols.append(self.col(name) + k[shift:] - shift if shift else self.col(name) + k)
            vals.append(np.broadcast_to(np.asarray(value, dtype=float), (n - shift,)).copy())

        for name, sign in (("pv", 1.0), ("dis", 1.0), ("imp", 1.0), ("over", 1.0), ("ch", -1.0), ("heat", -1.0),
                           ("exp", -1.0)):
            entries(k, name, sign)  # bus rows 0..n-1
        row_lo, row_hi = [load], [load]
        entries(n + k, "e", 1.0)  # battery rows n..2n-1
        entries(n + k, "ch", -hours * eta_c)
        entries(n + k, "dis", hours / eta_d)
        rows.append(n + k[1:]), cols.append(self.col("e") + k[:-1]), vals.append(np.full(n - 1, -1.0))
        battery_rhs = np.zeros(n)
        battery_rhs[0] = e0
        row_lo.append(battery_rhs), row_hi.append(battery_rhs)
        # each tank's heat rows: the first's 2n..3n-1, the others' after the targets' rows (`heat_rows`)
        steps = [_steps(tank, slots, j if heat.tanks else None) for j, tank in enumerate(tanks)] if tanks else [
            (np.ones(n), hours, np.zeros(n))]
        keeps = [keep for keep, _, _ in steps]
        self._heat_rows(entries, rows, cols, vals, row_lo, row_hi, k, 0, 2 * n, steps[0],
                        tanks[0].energy_wh if tanks else 0.0)
        entries(3 * n + k, "imp", 1.0)  # peak rows 3n..4n-1: imp + over - peak <= 0
        entries(3 * n + k, "over", 1.0)
        rows.append(3 * n + k), cols.append(np.full(n, self.col("peak"))), vals.append(np.full(n, -1.0))
        row_lo.append(np.full(n, -highspy.kHighsInf)), row_hi.append(np.zeros(n))
        def entered_holding(base: int, short: str, held_wh: Any, where: Any) -> None:
            """Rows base..base+n-1: e_{k-1} + short_k >= min + held_wh_k where `where` (free elsewhere); the
            first slot starts with the energy stored now."""
            entries(base + k, short, 1.0)
            rows.append(base + k[1:]), cols.append(self.col("e") + k[:-1]), vals.append(np.ones(n - 1))
            lo = (0.0 if bat is None else bat.min_wh) + held_wh
            lo[0] -= e0
            row_lo.append(np.where(where, lo, -highspy.kHighsInf)), row_hi.append(np.full(n, highspy.kHighsInf))

        reserve = np.array([s.limit_reserve_w for s in slots]) * hours / eta_d if bat is not None else np.zeros(n)
        entered_holding(4 * n, "short", reserve, reserve > 0)  # reserve rows 4n..5n-1
        self._draw_rows(entries, rows, cols, vals, row_lo, row_hi, k, hours / eta_d, e0)  # rows 5n..7n-1
        starts = on_off and bat is not None and bat.start_wh > 0
        entered_holding(7 * n, "start_short", np.full(n, bat.start_wh if starts else 0.0),  # start rows 7n..8n-1
                        binds & starts)
        end = 8 * n
        if on_off:  # the running part's balance and every part's caps (rows 8n..)
            end = self._on_off_rows(entries, row_lo, row_hi, k, load, pv, heat.heater_w, bat, binds)
        after = end + 2 + 2 * len(targets)  # the end rule's two rows, each target's two: then the other tanks'
        self.heat_rows = [2 * n] + [after + (j - 1) * n for j in range(1, self.tanks)]
        # e_end + deficit_e >= the batteries' floor, q_end + deficit_q >= the tanks' (now's, or a target's below)
        rows.append(np.array([end, end, end + 1] + [end + 1] * self.tanks))
        cols.append(np.array([self.col("e", n - 1), self.col("deficit_e"), self.col("deficit_q")]
                             + [self.col(_tank("q", j), n - 1) for j in range(self.tanks)]))
        vals.append(np.ones(3 + self.tanks))
        row_lo.append(np.array(problem.end_floors_wh())), row_hi.append(np.full(2, highspy.kHighsInf))
        # the daily targets: e_k + short_e >= battery_wh, q_k + short_q >= heat_wh (rows end + 2 ..). A shortfall is
        # bought then, as the yardstick buys it back: it enters the store at the slot's end, so the stores go on
        # from the target (charged for once: counted as missing, then refilled again later, it was paid twice and
        # a battery was held through a dear peak rather than bought back at midnight's cheaper price)
        tanks_q = list(range(self.tanks))
        for i, target in enumerate(targets):  # short: the batteries' shortfall, short + 1 + j the j-th tank's
            row, short, k_t = end + 2 + 2 * i, len(self.blocks) * n + len(_SCALARS) + (1 + self.tanks) * i, target.slot
            rows.append(np.array([row, row] + [row + 1] * (2 * self.tanks)))
            cols.append(np.array([self.col("e", k_t), short] + [self.col(_tank("q", j), k_t) for j in tanks_q]
                                 + [short + 1 + j for j in tanks_q]))
            vals.append(np.ones(2 + 2 * self.tanks))
            if k_t + 1 < n:  # the next slot's balances start from the store plus what was bought
                rows.append(np.array([n + k_t + 1] + [self.heat_rows[j] + k_t + 1 for j in tanks_q]))
                vals.append(np.array([-1.0] + [-keeps[j][k_t + 1] for j in tanks_q]))
            else:  # the horizon's end rule counts it
                rows.append(np.array([end] + [end + 1] * self.tanks))
                vals.append(np.ones(1 + self.tanks))
            cols.append(np.array([short] + [short + 1 + j for j in tanks_q]))
            # within the stores' reach, and never more bought than the target asks (free at a zero price)
            battery_wh = 0.0 if bat is None else min(target.battery_wh, bat.max_wh)
            heat_wh = 0.0 if heat is None else min(target.heat_wh, heat.max_wh)
            row_lo.append(np.array([battery_wh if bat is not None else -highspy.kHighsInf,
                                    heat_wh if heat is not None else -highspy.kHighsInf]))
            row_hi.append(np.full(2, highspy.kHighsInf))
            upper[short] = max(0.0, battery_wh - (0.0 if bat is None else bat.min_wh))
            cost[short] = target.price_per_kwh / eta_c / 1000
            for j in tanks_q:
                upper[short + 1 + j] = max(0.0, min(heat_wh, tanks[j].max_wh if tanks else 0.0))
                cost[short + 1 + j] = target.price_per_kwh / 1000

        for j in range(1, self.tanks):  # the other tanks' heat rows, then heat = the tanks' heat (rows after)
            self._heat_rows(entries, rows, cols, vals, row_lo, row_hi, k, j, self.heat_rows[j], steps[j],
                            tanks[j].energy_wh)
        if self.tanks > 1:
            entries(self.heat_rows[-1] + n + k, "heat", 1.0)
            for j in range(self.tanks):
                entries(self.heat_rows[-1] + n + k, f"heat{j}", -1.0)
            row_lo.append(np.zeros(n)), row_hi.append(np.zeros(n))
        self.cost, self.lower, self.upper = cost * COST_SCALE, lower, upper
        self.row_lower, self.row_upper = np.concatenate(row_lo), np.concatenate(row_hi)
        self.rows, self.cols, self.vals = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    def _heat_rows(self, entries: Any, rows: list[Any], cols: list[Any], vals: list[Any], row_lo: list[Any],
                   row_hi: list[Any], k: Any, tank: int, base: int, step: Any, q0: float) -> None:
        """The `tank`-th tank's heat rows base..base+n-1 (module doc, "heat"): q_k = keep_k q_{k-1} + gain_k heat_k
        - drain_k + cold_k, the first slot from the heat stored now (`q0`)."""
        n = self.n
        keep, gain, drain = step
        q, cold = _tank("q", tank), _tank("cold", tank)
        entries(base + k, q, 1.0)
        entries(base + k, "heat" if self.tanks == 1 else f"heat{tank}", -gain)
        entries(base + k, cold, -1.0)
        rows.append(base + k[1:]), cols.append(self.col(q) + k[:-1]), vals.append(-keep[1:])
        heat_rhs = -drain
        heat_rhs[0] += keep[0] * q0
        row_lo.append(heat_rhs), row_hi.append(heat_rhs.copy())

    def _on_off_rows(self, entries: Any, row_lo: list[Any], row_hi: list[Any], k: Any, load: Any, pv: Any,
                     heater_w: float, bat: Any, binds: Any) -> int:
        """The heaters' two modes (module doc, "on/off") in the slots where the import limit `binds` (the rows of
        the others are free, their `_on` columns fixed at 0); returns the next free row."""
        n, problem, inf = self.n, self.problem, highspy.kHighsInf
        first_lo = len(row_lo)
        base = 8 * n
        share = 1.0 / heater_w  # d = heat / heater power
        for name, sign in (("pv_on", 1.0), ("dis_on", 1.0), ("imp_on", 1.0), ("over_on", 1.0), ("ch_on", -1.0),
                           ("exp_on", -1.0)):
            entries(base + k, name, sign)
        entries(base + k, "heat", -(1.0 + load * share))  # running: load x d + heater x d
        row_lo.append(np.zeros(n)), row_hi.append(np.zeros(n))
        caps = {"imp": np.full(n, problem.import_limit_w), "exp": np.full(n, problem.export_limit_w), "pv": pv,
                "ch": np.full(n, 0.0 if bat is None else bat.max_charge_w),
                "dis": np.full(n, 0.0 if bat is None else bat.max_discharge_w)}
        row = base + n
        for total, on in _SPLIT:
            cap = caps[total]
            entries(row + k, on, 1.0)  # on <= cap x d
            entries(row + k, "heat", -cap * share)
            row_lo.append(np.full(n, -inf)), row_hi.append(np.zeros(n))
            entries(row + n + k, total, 1.0)  # total - on <= cap x (1 - d)
            entries(row + n + k, on, -1.0)
            entries(row + n + k, "heat", cap * share)
            row_lo.append(np.full(n, -inf)), row_hi.append(cap.astype(float))
            entries(row + 2 * n + k, total, 1.0)  # on <= total
            entries(row + 2 * n + k, on, -1.0)
            row_lo.append(np.zeros(n)), row_hi.append(np.full(n, inf))
            row += 3 * n
        entries(row + k, "over", 1.0)  # over_on <= over
        entries(row + k, "over_on", -1.0)
        row_lo.append(np.zeros(n)), row_hi.append(np.full(n, inf))
        row += n
        # a run of draws on batteries: imp_on + over_on + dis_on >= (load + heater - cautious sun) x d (module doc)
        sure_pv = np.array([s.sure_pv_w for s in problem.slots])
        in_draws = np.array([s.draw_room_w is not None for s in problem.slots]) & (bat is not None)
        for name in ("imp_on", "over_on", "dis_on"):
            entries(row + k, name, 1.0)
        entries(row + k, "heat", -(load + heater_w - sure_pv) * share)
        row_lo.append(np.where(in_draws, 0.0, -inf)), row_hi.append(np.full(n, inf))
        for i in range(first_lo, len(row_lo)):  # free rows where the limit cannot bind
            row_lo[i] = np.where(binds, row_lo[i], -inf)
            row_hi[i] = np.where(binds, row_hi[i], inf)
        return row + n

    def _draw_rows(self, entries: Any, rows: list[Any], cols: list[Any], vals: list[Any], row_lo: list[Any],
                   row_hi: list[Any], k: Any, per_w: Any, e0: float) -> None:
        """The draws' reserve (module doc, "draws"), in O(n): `draw_need_k` is what the rest of k's run of draw
        slots (`ProblemSlot.draw_room_w` not None) takes from the batteries, need_k = per_w_k (heat_k - room_k)
        + need_{k+1} within the run (rows 6n..7n-1; 0 outside the runs), and each slot of a run is entered
        holding it: e_{k-1} + draw_short_k - need_k >= min (rows 5n..6n-1; free outside the runs and without
        batteries). `per_w` is each slot's Wh of stored energy per W it delivers (h / eta_d)."""
        n, problem, inf = self.n, self.problem, highspy.kHighsInf
        bat = problem.battery
        room = np.array([np.nan if s.draw_room_w is None else s.draw_room_w for s in problem.slots])
        in_run = ~np.isnan(room)
        entries(5 * n + k, "draw_short", 1.0)  # reserve rows
        entries(5 * n + k, "draw_need", -1.0)
        rows.append(5 * n + k[1:]), cols.append(self.col("e") + k[:-1]), vals.append(np.ones(n - 1))
        lo = np.full(n, -inf) if bat is None else np.where(in_run, bat.min_wh, -inf)
        if bat is not None and in_run[0]:
            lo[0] -= e0  # the first slot starts with the energy stored now
        row_lo.append(lo), row_hi.append(np.full(n, inf))
        entries(6 * n + k, "draw_need", 1.0)  # need rows: need_k - per_w heat_k - need_{k+1} = -per_w room_k
        run = k[in_run]
        rows.append(6 * n + run), cols.append(self.col("heat") + run), vals.append(-per_w[in_run])
        chained = k[:-1][in_run[:-1] & in_run[1:]]  # k and k + 1 in the same run
        rows.append(6 * n + chained), cols.append(self.col("draw_need") + chained + 1)
        vals.append(np.full(len(chained), -1.0))
        rhs = np.where(in_run, -per_w * np.nan_to_num(room), 0.0)
        row_lo.append(rhs), row_hi.append(rhs.copy())

    def col(self, name: str, k: int = 0) -> int:
        if name in _SCALARS:
            return len(self.blocks) * self.n + _SCALARS.index(name)
        return self._index[name] * self.n + k

    def lp(self) -> Any:
        return _lp(self.cost, self.lower, self.upper, self.row_lower, self.row_upper, self.rows, self.cols, self.vals)

    def plan(self, x: Any, row_dual: Any) -> list[PlannedSlot]:
        """The plan from the columns' values; each slot's heat value from its heat row's dual: the objective's
        change per Wh more heat at the slot's end, in thousandths of the currency per Wh (COST_SCALE), so the
        currency per kWh, with the sign of a cost."""
        n = self.n
        # where there are several tanks, a kWh is worth what the tank that values it most makes of it
        heat_value = np.max([-row_dual[row:row + n] for row in self.heat_rows], axis=0).tolist()

        def block(name: str) -> Any:
            return x[self.col(name):self.col(name) + n]

        imp, over, exp, ch, dis = (block(name).tolist() for name in ("imp", "over", "exp", "ch", "dis"))
        pv, heat, e = block("pv").tolist(), block("heat").tolist(), block("e").tolist()
        tanks = range(self.tanks)
        q = sum(block(_tank("q", j)) for j in tanks).tolist()
        cold = sum(block(_tank("cold", j)) for j in tanks).tolist()
        parts = self.tanks > 1  # each tank's heat and store
        tank_w = list(zip(*(np.maximum(0.0, block(f"heat{j}")).tolist() for j in tanks))) if parts else [()] * n
        tank_wh = list(zip(*(block(_tank("q", j)).tolist() for j in tanks))) if parts else [()] * n
        slots = self.problem.slots
        return [PlannedSlot(import_w=max(0.0, imp[k] + over[k]), export_w=max(0.0, exp[k]), charge_w=max(0.0, ch[k]),
                            discharge_w=max(0.0, dis[k]), curtailed_w=max(0.0, slots[k].pv_w - pv[k]),
                            heat_w=max(0.0, heat[k]), battery_wh=e[k], heat_wh=q[k], cold_wh=max(0.0, cold[k]),
                            heat_value_per_kwh=heat_value[k] if self.problem.heat is not None else 0.0,
                            tank_heat_w=tank_w[k], tank_heat_wh=tank_wh[k])
                for k in range(n)]


def _tank(block: str, tank: int) -> str:
    """The name of the `tank`-th tank's block ("q", "cold"): the first's is the block itself."""
    return block if tank == 0 else f"{block}{tank}"


def _tank_blocks(tanks: int) -> tuple[str, ...]:
    """The blocks the tanks after the first add, and each tank's heat where there are several."""
    if tanks <= 1:
        return ()
    return tuple(_tank(b, j) for j in range(1, tanks) for b in ("q", "cold")) + tuple(f"heat{j}" for j in range(tanks))


def _steps(tank: Any, slots: Any, part: int | None) -> tuple[Any, Any, Any]:
    """(keep, gain, drain) of each slot's heat step for `tank` (`HeatStore.step`), its own draws where it is the
    heat store's `part`-th part."""
    steps = [tank.step(slot, None if part is None else slot.draws_kg(part)) for slot in slots]
    return (np.array([s.keep for s in steps]), np.array([s.gain_h for s in steps]),
            np.array([s.drain_wh for s in steps]))


def _lp(cost: Any, lower: Any, upper: Any, row_lower: Any, row_upper: Any, rows: Any, cols: Any, vals: Any) -> Any:
    """A HiGHS LP from columns' bounds and costs, rows' bounds and the matrix's (row, column, value) entries."""
    order = np.lexsort((rows, cols))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(row_lower)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(np.bincount(cols, minlength=len(cost)))))
    lp.a_matrix_.index_ = rows[order].astype(np.int32)
    lp.a_matrix_.value_ = vals[order]
    return lp
