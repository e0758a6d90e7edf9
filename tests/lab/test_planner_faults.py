"""Fault injection on the planner's view of the future: a forecast however wrong costs money,
never a limit. Two hours around noon of the clear summer day, through the real services."""

from __future__ import annotations

import pytest

from energy_edge.domain.planning import ForecastSlot, OnlineForecaster
from energy_edge.domain.services import controller_service
from energy_edge_lab.stepped_site import site_factory
from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.runner import simulate
from energy_edge_lab.scenario import load_scenario

pytest.importorskip("scipy")

TWO_HOURS_DAYS = 2 / 24
START_S = 10  # samples (1 s): the inverter starts part-way; the ramp limit lifts it in a few cycles


class WrongForecaster(OnlineForecaster):
    """Learns like the real one, then forecasts `factor` times the PV it believes in."""

    factor = 1.0

    def forecast(self, now: float, horizon_s: float) -> list[ForecastSlot]:
        return [ForecastSlot(s.start_s, s.duration_s, s.pv_w * self.factor, s.load_w)
                for s in super().forecast(now, horizon_s)]


@pytest.fixture(scope="module")
def noon():
    return load_scenario("clear_summer_day").model_copy(update={"start_h": 10.5})


@pytest.mark.parametrize("factor", [0.0, 3.0], ids=["forecasts-no-sun", "forecasts-triple-sun"])
async def test_a_wrong_forecast_breaks_no_limit(noon, monkeypatch, factor) -> None:
    monkeypatch.setattr(WrongForecaster, "factor", factor)
    monkeypatch.setattr(controller_service, "OnlineForecaster", WrongForecaster)
    series = await simulate(noon, "controller", TWO_HOURS_DAYS, site_factory)
    kpis = compute_kpis(series, noon)
    assert (kpis.export_limit_breaches, kpis.soc_violation_s, kpis.temperature_violation_s) == (0, 0, 0)
    assert kpis.import_limit_breach_s == 0
    settled = slice(START_S, None)  # the first cycles ramp the grid from how the simulated site starts
    clipped = [a - p for a, p, soc in zip(series.pv_available_w[settled], series.pv_w[settled], series.soc[settled])
               if soc < 0.88]
    assert max(clipped) < 100.0 and sum(clipped) / 3.6e6 < 0.01, "curtailed while the battery still had room"
    assert series.soc[-1] > series.soc[0]  # the surplus beyond the export limit was stored either way
