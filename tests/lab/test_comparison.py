"""The savings ratio, the recorded figures and their merge into bench-results.json."""

from __future__ import annotations

import dataclasses
import json

import pytest

from energy_edge_lab.comparison import Comparison, figures, merge_into, misses, table
from energy_edge_lab.kpis import Kpis
from energy_edge_lab.step_response import StepResponse


def _kpis(adjusted_cost: float, **changes) -> Kpis:
    base = dict(pv_kwh=0.0, consumption_kwh=0.0, grid_import_kwh=0.0, grid_export_kwh=0.0,
                self_consumption_ratio=None, self_sufficiency=None, peak_15min_import_kw=0.0,
                energy_cost=adjusted_cost, demand_charge=0.0, stored_energy_change_kwh=0.0, end_of_day_cost=0.0,
                adjusted_cost=adjusted_cost, import_above_limit_kwh=0.0, battery_sign_flips=0,
                battery_equivalent_full_cycles=0.0, boiler_comfort_violation_min=0.0,
                mode_changes_per_hour={"battery": 2.0, "boiler": 7.0}, export_limit_breaches=0,
                export_limit_breach_s=0.0, import_limit_breach_s=0.0, soc_violation_s=0.0,
                temperature_violation_s=0.0)
    return Kpis(**{**base, **changes})


def test_savings_ratio_is_the_share_of_the_best_savings():
    # baseline 10, optimum 6: best saving 4; the controller saves 10 - 6.4 = 3.6 -> 0.9
    c = Comparison("day", baseline=_kpis(10.0), controller=_kpis(6.4), optimum=_kpis(6.0))
    assert c.savings_ratio == pytest.approx(0.9)
    assert Comparison("flat", _kpis(5.0), _kpis(5.0), _kpis(5.0)).savings_ratio is None


def test_a_day_without_savings_still_misses_when_the_controller_loses_money():
    flat = Comparison("flat", baseline=_kpis(5.0), controller=_kpis(5.3), optimum=_kpis(5.0))
    assert flat.savings_ratio is None and flat.loss_without_savings == pytest.approx(0.3)
    assert any("more than no control" in miss for miss in misses(flat))
    even = Comparison("flat", baseline=_kpis(5.0), controller=_kpis(5.0), optimum=_kpis(5.0))
    assert not any("more than no control" in miss for miss in misses(even))
    # no control is cheaper only by breaking a limit (the optimum pays to keep it): not this miss
    unfair = Comparison("zero export", baseline=_kpis(3.6), controller=_kpis(5.1), optimum=_kpis(5.0))
    assert unfair.loss_without_savings is None


def test_import_breaches_count_only_where_a_plan_holds_the_limit():
    breaching = _kpis(5.0, import_limit_breaches=3)
    assert Comparison("held", _kpis(9.0), breaching, _kpis(4.0)).controller_violations == 3
    assert Comparison("infeasible", _kpis(9.0), breaching, _kpis(4.0),
                      import_limit_feasible=False, holdable_import_limit_w=12_000.0).controller_violations == 0


def test_figures_judge_each_target():
    controller = _kpis(7.0, soc_violation_s=3.0, export_limit_breaches=1)
    c = Comparison("day", baseline=_kpis(10.0), controller=controller, optimum=_kpis(6.0))
    out = figures([c], StepResponse(overshoot_ratio=0.02, settling_cycles=4))
    assert out["quality_day_savings_ratio"] == {"value": pytest.approx(0.75), "unit": "ratio",
                                                "target": ">= 0.9", "met": False}
    assert out["quality_day_controller_violations"]["value"] == 4.0
    assert out["quality_day_controller_violations"]["met"] is False
    assert out["quality_day_controller_max_mode_changes_per_hour"]["value"] == 7.0
    assert out["quality_day_controller_max_mode_changes_per_hour"]["met"] is False
    assert out["quality_load_step_20kw_settling_cycles"]["met"] is True
    assert out["quality_load_step_20kw_overshoot_ratio"]["met"] is True
    assert "day" in table([c]) and "0.750" in table([c])


def test_merge_keeps_the_other_benchmarks(tmp_path):
    path = tmp_path / "bench-results.json"
    path.write_text(json.dumps({"other": {"value": 1, "unit": "s", "target": "", "met": None},
                                "quality_day_savings_ratio": {"value": 0.1}}))
    merge_into(path, {"quality_day_savings_ratio": {"value": 0.95, "unit": "ratio", "target": ">= 0.9",
                                                    "met": True}})
    merged = json.loads(path.read_text())
    assert merged["other"]["value"] == 1
    assert merged["quality_day_savings_ratio"]["value"] == 0.95


def test_kpis_serialise_to_json():
    assert json.loads(json.dumps(_kpis(1.0).as_json()))["adjusted_cost"] == 1.0
    assert dataclasses.is_dataclass(_kpis(1.0))
