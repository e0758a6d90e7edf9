"""The LP planner on a boiler morning through the real services (a short window, to stay fast): it knows
the hot-water draws, so the tank is heated for them in time, and no hotter than they need."""

from __future__ import annotations

import pytest

from energy_edge.entrypoints.settings import SiteSettings
from energy_edge_lab import stepped_site
from energy_edge_lab.generator import generate_days
from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.runner import simulate

pytest.importorskip("scipy")
pytest.importorskip("highspy")

FOUR_HOURS_DAYS = 4 / 24


@pytest.fixture(scope="module")
def heavy_morning():
    """g27 (seed 2026) from 03:00: no battery, a 300 l tank at 56.5 °C, 105 l then 77 l drawn at 06:00-08:00."""
    day = next(d for d in generate_days(40, 2026) if d.name.startswith("g27_"))
    return day.model_copy(update={"start_h": 3.0})


async def test_the_lp_heats_the_tank_for_the_draws_in_time_and_no_hotter(heavy_morning, monkeypatch) -> None:
    monkeypatch.setattr(stepped_site, "SETTINGS", SiteSettings(metrics_port=0, autostart=True,
                                                               cycle_s=stepped_site.STEP_S, planner="lp"))
    series = await simulate(heavy_morning, "controller", FOUR_HOURS_DAYS, stepped_site.site_factory)
    kpis = compute_kpis(series, heavy_morning)
    assert kpis.temperature_violation_s == 0  # through 06:00-07:00's draws at the tank's minimum or above
    before_draws = series.boiler_temperature_c[:3 * 3600]
    assert max(before_draws) < 66.0  # the derated just-in-time floor alone asked for 71 °C
    assert before_draws[-1] > before_draws[0]  # and heated it ahead of them
