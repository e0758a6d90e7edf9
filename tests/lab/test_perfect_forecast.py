"""The perfect forecaster (an analysis): it tells the controller the day's own PV and load, the
optimum's inputs, and the controller really plans on it."""

from __future__ import annotations

import pytest

from energy_edge_lab.perfect_forecast import SLOT_S, PerfectForecaster
from energy_edge_lab.runner import simulate
from energy_edge_lab.scenario import load_scenario
from energy_edge_lab.simulated_hardware import exogenous
from energy_edge_lab.stepped_site import site_factory

pytest.importorskip("scipy")

HOUR_S = 3600.0


@pytest.fixture(scope="module")
def morning():
    """The cloudy day from 9 h: clouds come and go, so a slot's mean is not any one sample."""
    return load_scenario("cloudy_variable_day").model_copy(update={"start_h": 9.0})


def test_each_slot_is_the_mean_of_the_day_it_covers(morning):
    forecaster = PerfectForecaster(morning, HOUR_S, 24 * HOUR_S)
    day = exogenous(morning, 2 * HOUR_S)
    per_slot = int(SLOT_S / day.dt_s)
    slots = forecaster.forecast(morning.start_epoch_s, HOUR_S)
    assert [s.duration_s for s in slots] == [SLOT_S] * 4
    for k, slot in enumerate(slots):
        pv = day.pv_available_w[k * per_slot:(k + 1) * per_slot]
        load = day.base_load_w[k * per_slot:(k + 1) * per_slot]
        assert slot.pv_w == pytest.approx(sum(pv) / len(pv))
        assert slot.load_w == pytest.approx(sum(load) / len(load))
        assert (slot.pv_low_w, slot.load_high_w) == (min(pv), max(load))  # what the mean hides, the limit must hold
    assert len({round(s.pv_w) for s in slots}) > 1  # the sky moves: the slots tell it


def test_it_learns_nothing_and_reaches_past_the_run(morning):
    forecaster = PerfectForecaster(morning, HOUR_S, 24 * HOUR_S)
    before = forecaster.forecast(morning.start_epoch_s + 600.0, 24 * HOUR_S)
    forecaster.observe(morning.start_epoch_s + 600.0, 0.0, 10_000.0, 50_000.0)
    assert forecaster.forecast(morning.start_epoch_s + 600.0, 24 * HOUR_S) == before
    assert sum(s.duration_s for s in before) == pytest.approx(24 * HOUR_S)
    assert before[-1].load_w > 0  # the horizon beyond the run is the day's, not empty


async def test_the_controller_plans_on_it(morning, mocker):
    seen = mocker.spy(PerfectForecaster, "forecast")
    series = await simulate(morning, "controller", 0.25 / 24, site_factory, forecast="perfect")
    assert len(series) == 15 * 60
    assert seen.call_count >= 1  # the planner asked it, not an online forecaster


async def test_an_unknown_forecast_is_refused(morning):
    with pytest.raises(ValueError, match="unknown forecast 'psychic'; known: online, perfect"):
        await simulate(morning, "controller", 0.01, site_factory, forecast="psychic")


@pytest.mark.parametrize("options, merged", [([], True), (["--forecast", "perfect"], False),
                                             (["--forecast", "day-ahead"], False),
                                             (["--end-of-day", "next_day"], False)])
def test_only_the_days_as_stated_are_merged_into_the_results(tmp_path, capsys, monkeypatch, options, merged):
    from energy_edge_lab import suite
    from energy_edge_lab.cli import main
    from tests.lab.test_comparison import _kpis
    from energy_edge_lab.comparison import Comparison

    asked = []

    def compare_days(scenarios, days, plots, jobs, done, forecast):
        asked.append((forecast, {s.end_of_day.rule for s in scenarios}))
        return [Comparison(s.name, _kpis(10.0), _kpis(6.0), _kpis(6.0)) for s in scenarios]

    monkeypatch.setattr(suite, "compare_days", compare_days)
    results = tmp_path / "bench-results.json"
    main(["quality", "--generated", "2", *options, "--results", str(results), "--jobs", "1"])
    forecast = options[1] if options[:1] == ["--forecast"] else "online"
    rule = options[1] if options[:1] == ["--end-of-day"] else "no_lower"
    assert asked == [(forecast, {rule})]
    assert results.exists() is merged
    assert ("an analysis" in capsys.readouterr().out) is not merged
