"""The composition root wires the LP solver into the controller by default; EE_PLANNER=heuristic leaves it out."""

from __future__ import annotations

from energy_edge.adapters.planning.highs_solver import HighsPlanSolver
from energy_edge.entrypoints.containers import site_container
from energy_edge.entrypoints.settings import SiteSettings


def test_the_lp_planner_is_wired_by_default_and_the_heuristic_one_on_request() -> None:
    lp = site_container(SiteSettings(metrics_port=0)).controller()
    assert isinstance(lp.planner.solver, HighsPlanSolver)
    assert site_container(SiteSettings(planner="heuristic", metrics_port=0)).controller().planner.solver is None


def test_without_highspy_the_lp_planner_plans_heuristically(monkeypatch, caplog) -> None:
    """An install where highspy cannot be loaded (a platform without its wheel): one warning, no solver."""
    import sys

    monkeypatch.setitem(sys.modules, "highspy", None)  # `import highspy` now raises ImportError
    monkeypatch.delitem(sys.modules, "energy_edge.adapters.planning.highs_solver", raising=False)
    controller = site_container(SiteSettings(planner="lp", metrics_port=0)).controller()
    assert controller.planner.solver is None
    assert "LP planner unavailable" in caplog.text
