"""KPI invariants over arbitrary series (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.scenario import load_scenario
from energy_edge_lab.series import Sample, SiteSeries

SCENARIO = load_scenario("winter_day")
power = st.floats(min_value=-50_000, max_value=50_000, allow_nan=False)
samples = st.lists(st.tuples(st.floats(min_value=0, max_value=50_000), st.floats(min_value=-50_000, max_value=0),
                             power, st.floats(min_value=-12_000, max_value=0), st.sampled_from(["IDLE", "CHARGING"])),
                   min_size=1, max_size=50)


@settings(max_examples=100, deadline=None)
@given(samples, st.sampled_from([1.0, 60.0, 300.0]))
def test_flows_balance_and_ratios_stay_in_range(rows, dt_s):
    series = SiteSeries(dt_s=dt_s, start_s=16 * 3600)
    for pv, load, battery, boiler, mode in rows:
        series.append(Sample(pv, pv, load, battery, boiler, 0.5, 50.0, {"battery": mode}))
    k = compute_kpis(series, SCENARIO)
    net_kwh = sum(series.grid_w) * dt_s / 3.6e6
    assert k.grid_import_kwh - k.grid_export_kwh == pytest.approx(net_kwh, abs=1e-9)
    assert k.grid_import_kwh >= 0 and k.grid_export_kwh >= 0
    for ratio in (k.self_consumption_ratio, k.self_sufficiency):
        assert ratio is None or 0.0 <= ratio <= 1.0 + 1e-12
    # the 15-min peak is at most the largest instantaneous import
    assert k.peak_15min_import_kw <= max(max(series.grid_w), 0.0) / 1000 + 1e-9
    changes = sum(a != b for a, b in zip(series.modes["battery"], series.modes["battery"][1:]))
    assert k.mode_changes_per_hour["battery"] == pytest.approx(changes / (len(series) * dt_s / 3600))
    # import is never priced below the cheapest import price, export never above the feed-in price
    tariff = SCENARIO.tariff
    lowest = min([tariff.import_price_per_kwh] + [w.import_price_per_kwh for w in tariff.time_of_use])
    assert k.energy_cost >= k.grid_import_kwh * lowest - k.grid_export_kwh * tariff.feed_in_price_per_kwh - 1e-9
