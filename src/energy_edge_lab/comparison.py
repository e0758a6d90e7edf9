"""Baseline, controller and optimum side by side, and the figures `make quality` records.

Savings ratio = (baseline - controller) / (baseline - optimum), on the
adjusted cost (kpis.py): the share of the best possible savings the
controller achieves. Undefined when the optimum saves (almost) nothing.

Violations (target zero) count what no saving excuses: seconds of SoC or
over-temperature, export-limit breach episodes, import-limit breach episodes where a
plan can hold the limit, battery sign flips within 10 s,
and minutes of boiler below its minimum beyond the optimum's (where the optimum
keeps the tank warm, every cold minute counts). An import limit no plan can hold
is reported as infeasible with the smallest holdable limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .kpis import Kpis
from .step_response import StepResponse

SAVINGS_TARGET = 0.9
MAX_MODE_CHANGES_PER_HOUR = 6.0
MIN_SAVINGS_TO_COMPARE = 0.01  # currency units: below this the ratio is noise


@dataclass(frozen=True, slots=True)
class Comparison:
    scenario: str
    baseline: Kpis
    controller: Kpis
    optimum: Kpis
    import_limit_feasible: bool = True
    holdable_import_limit_w: float | None = None

    @property
    def savings_ratio(self) -> float | None:
        best = self.baseline.adjusted_cost - self.optimum.adjusted_cost
        if best < MIN_SAVINGS_TO_COMPARE:
            return None
        return (self.baseline.adjusted_cost - self.controller.adjusted_cost) / best

    @property
    def loss_without_savings(self) -> float | None:
        """Where the optimum saves (almost) nothing and no control keeps the limits as well as it does,
        what the controller costs beyond no control (None: not such a day); more than
        `MIN_SAVINGS_TO_COMPARE` is a miss, since an undefined ratio must not hide a controller that
        loses money."""
        if self.savings_ratio is not None or self.optimum.adjusted_cost > self.baseline.adjusted_cost + \
                MIN_SAVINGS_TO_COMPARE:
            return None  # a ratio judges the day, or no control is cheaper only by breaking a limit
        return self.controller.adjusted_cost - self.baseline.adjusted_cost

    @property
    def excess_cold_min(self) -> float:
        """The controller's minutes below the boiler's minimum beyond the optimum's (a 5-minute LP step
        counts whole, so the optimum's figure is rounded to its steps)."""
        return max(self.controller.boiler_comfort_violation_min - self.optimum.boiler_comfort_violation_min, 0.0)

    @property
    def controller_violations(self) -> float:
        """SoC/temperature seconds, export breach episodes, battery sign flips and excess cold minutes: target 0."""
        k = self.controller
        return (k.soc_violation_s + k.temperature_violation_s + k.export_limit_breaches + k.battery_sign_flips
                + round(self.excess_cold_min, 1) + self.avoidable_import_breaches)

    @property
    def avoidable_import_breaches(self) -> int:
        """The controller's import-limit breach episodes on a day whose limit a plan can hold (a grid limit is
        a contract like the export limit); a limit no plan holds is reported as infeasible instead."""
        return self.controller.import_limit_breaches if self.import_limit_feasible else 0

    @property
    def limit_note(self) -> str:
        if self.import_limit_feasible:
            return ""
        return f"import limit infeasible: smallest holdable {self.holdable_import_limit_w / 1000:.1f} kW"


def misses(c: Comparison) -> list[str]:
    """The day's targets the controller missed (empty: all met)."""
    found = []
    ratio = c.savings_ratio
    if ratio is not None and ratio < SAVINGS_TARGET:
        found.append(f"savings ratio {ratio:.3f} < {SAVINGS_TARGET:g}")
    loss = c.loss_without_savings
    if loss is not None and loss > MIN_SAVINGS_TO_COMPARE:
        found.append(f"costs {loss:.2f} more than no control where the optimum saves nothing")
    if c.controller_violations:
        found.append(f"violations {c.controller_violations:g}")
    if c.controller.max_mode_changes_per_hour > MAX_MODE_CHANGES_PER_HOUR:
        found.append(f"mode changes {c.controller.max_mode_changes_per_hour:.2f}/h > {MAX_MODE_CHANGES_PER_HOUR:g}")
    return found


def percentile(values: list[float], share: float) -> float | None:
    """The `share` quantile by linear interpolation between order statistics (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(comparisons: list[Comparison], prefix: str) -> dict[str, dict[str, Any]]:
    """Figures over a set of days: savings ratio min / p10 / median, violations, worst mode changes, days."""
    ratios = [c.savings_ratio for c in comparisons if c.savings_ratio is not None]
    low, p10, median = min(ratios, default=None), percentile(ratios, 0.1), percentile(ratios, 0.5)
    violations = sum(c.controller_violations for c in comparisons)
    modes = max((c.controller.max_mode_changes_per_hour for c in comparisons), default=0.0)
    target = f">= {SAVINGS_TARGET:g}"
    return {
        f"{prefix}_savings_ratio_min": figure(low, "ratio", target, None if low is None else low >= SAVINGS_TARGET),
        f"{prefix}_savings_ratio_p10": figure(p10, "ratio", target, None if p10 is None else p10 >= SAVINGS_TARGET),
        f"{prefix}_savings_ratio_median": figure(median, "ratio", target,
                                                 None if median is None else median >= SAVINGS_TARGET),
        f"{prefix}_violations": figure(violations, "count", "== 0", violations == 0),
        f"{prefix}_max_mode_changes_per_hour": figure(modes, "1/h", f"<= {MAX_MODE_CHANGES_PER_HOUR:g}",
                                                      modes <= MAX_MODE_CHANGES_PER_HOUR),
        f"{prefix}_days": figure(len(comparisons), "days"),
    }


def distribution_line(comparisons: list[Comparison]) -> str:
    ratios = [c.savings_ratio for c in comparisons if c.savings_ratio is not None]
    if not ratios:
        return f"{len(comparisons)} days, no savings ratio defined"
    return (f"savings ratio over {len(ratios)} of {len(comparisons)} days (target >= {SAVINGS_TARGET:g} on every day): "
            f"min {min(ratios):.3f}, p10 {percentile(ratios, 0.1):.3f}, median {percentile(ratios, 0.5):.3f}; "
            f"days missing a target: {sum(1 for c in comparisons if misses(c))}")


def table(comparisons: list[Comparison], currency: str = "EUR") -> str:
    header = (f"{'scenario':<22} {'baseline':>9} {'controller':>10} {'optimum':>9} {'ratio':>6} "
              f"{'violations':>10} {'export>lim s':>12} {'flips':>5} {'cold min':>8} {'modes/h':>7} "
              f"{'imp>lim kWh':>11} {'peak15 kW':>9}")
    rows = [f"adjusted energy cost ({currency}); ratio = (baseline - controller) / (baseline - optimum), "
            f"target >= {SAVINGS_TARGET:g}; the last seven columns are the controller's", header, "-" * len(header)]
    for c in comparisons:
        k = c.controller
        ratio = "n/a" if c.savings_ratio is None else f"{c.savings_ratio:.3f}"
        rows.append(f"{c.scenario:<22} {c.baseline.adjusted_cost:>9.2f} {k.adjusted_cost:>10.2f} "
                    f"{c.optimum.adjusted_cost:>9.2f} {ratio:>6} {c.controller_violations:>10g} "
                    f"{k.export_limit_breach_s:>12g} {k.battery_sign_flips:>5d} {k.boiler_comfort_violation_min:>8.0f} "
                    f"{k.max_mode_changes_per_hour:>7.2f} {k.import_above_limit_kwh:>11.2f} "
                    f"{k.peak_15min_import_kw:>9.1f} {c.limit_note}".rstrip())
    return "\n".join(rows)


def figure(value: float | None, unit: str, target: str = "", met: bool | None = None) -> dict[str, Any]:
    """One entry of bench-results.json (the format of benchmarks/result.py)."""
    return {"value": value, "unit": unit, "target": target, "met": met}


def figures(comparisons: list[Comparison], step: StepResponse | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in comparisons:
        prefix = f"quality_{c.scenario}"
        ratio = c.savings_ratio
        out[f"{prefix}_savings_ratio"] = figure(ratio, "ratio", f">= {SAVINGS_TARGET:g}",
                                                None if ratio is None else ratio >= SAVINGS_TARGET)
        for policy in ("baseline", "controller", "optimum"):
            out[f"{prefix}_{policy}_adjusted_cost"] = figure(getattr(c, policy).adjusted_cost, "EUR")
        out[f"{prefix}_controller_violations"] = figure(c.controller_violations, "count", "== 0",
                                                        c.controller_violations == 0)
        modes = c.controller.max_mode_changes_per_hour
        out[f"{prefix}_controller_max_mode_changes_per_hour"] = figure(
            modes, "1/h", f"<= {MAX_MODE_CHANGES_PER_HOUR:g}", modes <= MAX_MODE_CHANGES_PER_HOUR)
    if step is not None:
        out["quality_load_step_20kw_settling_cycles"] = figure(
            step.settling_cycles, "cycles", "<= 6", step.settling_cycles is not None and step.settling_cycles <= 6)
        out["quality_load_step_20kw_overshoot_ratio"] = figure(step.overshoot_ratio, "ratio", "<= 0.05",
                                                               step.overshoot_ratio <= 0.05)
    return out


def merge_into(path: Path, new: dict[str, dict[str, Any]]) -> None:
    """Add (or replace) these figures in bench-results.json, keeping everyone else's."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results.update(new)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
