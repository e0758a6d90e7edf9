"""The controller feeds its forecaster every few cycles and hands the planner's guidance to the balancer."""

from __future__ import annotations

from energy_edge.domain.balancing import Guidance, Policy
from energy_edge.domain.planning import ForecastSlot

from .fakes import Site


class ScriptedForecaster:
    """A forecaster that forecasts a fixed surplus and records what it was shown."""

    def __init__(self, surplus_w: float) -> None:
        self.surplus_w = surplus_w
        self.observed: list[tuple[float, float, float, float]] = []

    def observe(self, now: float, pv_available_w: float, pv_rated_w: float, load_w: float) -> None:
        self.observed.append((now, pv_available_w, pv_rated_w, load_w))

    def forecast(self, now: float, horizon_s: float) -> list[ForecastSlot]:
        return [ForecastSlot(now + i * 3600.0, 3600.0, 1_000.0 + self.surplus_w, 1_000.0) for i in range(6)]


async def test_the_planner_guides_the_balancer_and_replans_on_its_interval() -> None:
    policy = Policy(export_limit_w=15_000.0, plan_interval_s=300.0)
    forecaster = ScriptedForecaster(surplus_w=20_000.0)
    site = Site(policy, grid_power_w=-5_000.0, forecaster=forecaster)
    await site.start("solar", "battery")
    await site.cycle()
    assert site.controller.guidance.export_first_w > 0  # 6 h of 20 kW surplus fill a 10 kWh battery many times
    first = site.controller.guidance
    forecaster.surplus_w = 0.0
    for _ in range(5):
        await site.cycle(seconds=10.0)
    assert site.controller.guidance == first  # not replanned before plan_interval_s
    assert [t for t, *_ in forecaster.observed] == [1_000.0, 1_011.0, 1_021.0, 1_031.0, 1_041.0]  # >= 10 s apart
    site.clock.t += 300.0
    await site.cycle()
    assert site.controller.guidance.export_first_w == 0.0  # nothing forecast: store everything
    _, available, rated, load = forecaster.observed[0]
    assert available > 0 and rated > 0 and load == -5_000.0 + 3_000.0  # grid + the assets' power


async def test_planning_off_balances_unguided() -> None:
    site = Site(Policy(plan_interval_s=0.0), grid_power_w=-5_000.0)
    await site.start("solar", "battery")
    await site.cycle()
    assert site.controller.guidance == Guidance()


class BrokenForecaster:
    def observe(self, now: float, pv_available_w: float, pv_rated_w: float, load_w: float) -> None:
        raise RuntimeError("weather service down")

    def forecast(self, now: float, horizon_s: float) -> list[ForecastSlot]:
        raise AssertionError("not reached")


async def test_a_failing_forecaster_leaves_the_balancer_unguided_not_stopped() -> None:
    site = Site(Policy(setpoint_ttl_s=30.0), grid_power_w=2_000.0, forecaster=BrokenForecaster())
    await site.start("battery")
    await site.cycle()
    assert site.calls() == {"battery": [("start_discharging", {"power_w": 2_000.0, "ttl_s": 30.0})]}
    assert site.controller.planner_errors_total == 1 and site.controller.guidance == Guidance()
    report = site.reports()[-1]
    assert report["counters"]["planner_errors_total"] == 1
    assert report["plan_export_first_w"] == 0.0 and report["plan_grid_charge_to_soc"] == 0.0


async def test_the_site_report_carries_the_guidance_in_force() -> None:
    site = Site(Policy(export_limit_w=15_000.0), grid_power_w=-5_000.0, forecaster=ScriptedForecaster(20_000.0))
    await site.start("solar", "battery")
    await site.cycle()
    report = site.reports()[-1]
    assert report["plan_export_first_w"] == site.controller.guidance.export_first_w > 0


async def test_a_twin_that_moves_the_site_rebuilds_the_online_forecaster() -> None:
    site = Site(Policy(), grid_power_w=-1_000.0)  # no injected forecaster: the controller builds its own
    await site.start("solar", "battery")
    await site.cycle()
    first = site.controller._forecaster_for_site()
    assert (first.latitude_deg, first.longitude_deg) == (52.37, 4.90)
    await site.controller.apply_desired({"$version": 2, "latitude_deg": -33.9, "longitude_deg": 18.4})
    await site.cycle()
    moved = site.controller._forecaster_for_site()
    assert moved is not first and (moved.latitude_deg, moved.longitude_deg) == (-33.9, 18.4)
    assert site.controller._forecaster_for_site() is moved  # kept while the site stays put
