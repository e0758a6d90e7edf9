"""The composition root wires the LP solver into the controller only when EE_PLANNER=lp."""

from __future__ import annotations

from energy_edge.adapters.planning.highs_solver import HighsPlanSolver
from energy_edge.entrypoints.containers import site_container
from energy_edge.entrypoints.settings import SiteSettings


def test_the_lp_planner_is_wired_on_request_and_the_heuristic_one_by_default() -> None:
    lp = site_container(SiteSettings(planner="lp", metrics_port=0)).controller()
    assert isinstance(lp.planner.solver, HighsPlanSolver)
    assert site_container(SiteSettings(metrics_port=0)).controller().planner.solver is None
