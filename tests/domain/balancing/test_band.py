"""The planner's grid band: the batteries keep the grid inside [low, high] and idle inside it;
whatever the band, the policy's limits still hold (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy_edge.domain.balancing import AssetView, BalancerMemory, Guidance, Policy, SiteSnapshot, balance
from energy_edge.domain.balancing.band import KEEP_TRICKLE_W, band_limits, banded_target

from .test_properties import assert_within_limits, memories, policies, sites

POLICY = Policy(export_limit_w=10_000.0, import_limit_w=20_000.0, deadband_w=0.0, hysteresis_w=0.0)


def site(grid_w: float, soc: float = 0.5, pv_w: float = 0.0) -> SiteSnapshot:
    """A battery at rest beside an array giving `pv_w`; the grid reads `grid_w`."""
    return SiteSnapshot(0.0, grid_w, [
        AssetView("battery", "battery", 0.0, soc=soc, capacity_wh=10_000.0, max_charge_w=5_000.0,
                  max_discharge_w=5_000.0, soc_min=0.05, soc_max=0.95),
        AssetView("solar", "solar", pv_w, available_power_w=pv_w, rated_power_w=10_000.0),
    ])


def battery_w(grid_w: float, low: float, high: float, pv_w: float = 0.0) -> float:
    decision = balance(site(grid_w, pv_w=pv_w), POLICY, BalancerMemory(), Guidance(grid_low_w=low, grid_high_w=high))
    return decision.battery_w


def test_self_consumption_stores_surplus_and_covers_deficit() -> None:
    assert battery_w(-3_000.0, 0.0, 0.0, pv_w=4_000.0) == -3_000.0
    assert battery_w(2_000.0, 0.0, 0.0) == 2_000.0


def test_export_first_stores_only_the_surplus_beyond_it_and_never_discharges_to_export() -> None:
    assert battery_w(-5_000.0, -3_000.0, 0.0, pv_w=6_000.0) == -2_000.0
    assert battery_w(-2_000.0, -3_000.0, 0.0, pv_w=3_000.0) == 0.0  # inside the band: at rest
    assert battery_w(1_500.0, -3_000.0, 0.0) == 1_500.0  # import is covered as in self-consumption


def test_grid_charging_fills_from_the_grid_at_its_level() -> None:
    assert battery_w(1_000.0, 4_000.0, 20_000.0) == -3_000.0
    assert battery_w(-1_000.0, 3_000.0, 20_000.0, pv_w=2_000.0) == -4_000.0  # the surplus as well


def test_peak_shaving_discharges_only_the_import_above_its_level() -> None:
    assert battery_w(9_000.0, 0.0, 6_000.0) == 3_000.0
    assert battery_w(5_000.0, 0.0, 6_000.0) == 0.0  # under the level: the energy is kept for the peak
    assert battery_w(-2_000.0, 0.0, 6_000.0, pv_w=3_000.0) == -2_000.0  # surplus is still stored


def test_a_moving_battery_keeps_going_until_the_grid_is_back_inside_the_edge() -> None:
    charging = BalancerMemory(decided_at=-1.0, flex_w=4_000.0, battery_direction=-1,
                              expected_w={"battery": -500.0, "solar": 4_500.0}, battery_w=-500.0)
    snapshot = site(-3_000.0 - 500.0, pv_w=4_500.0)  # 3.5 kW of surplus, 0.5 kW of it charging: export 3.0 kW
    band = Guidance(grid_low_w=-3_200.0, grid_high_w=0.0)
    kept = balance(snapshot, POLICY, charging, band)
    assert kept.battery_w == pytest.approx(-620.0)  # the export at 2.88 kW: 10 % of the edge inside it, not at rest at 3.2 kW
    assert balance(snapshot, POLICY, BalancerMemory(), band).battery_w == 0.0  # at rest it does not start


def test_a_discharging_battery_shaves_to_the_edge_and_trickles_inside_the_keep_zone() -> None:
    """Peak shaving at 1 kW: above the edge a discharging battery holds the grid at the edge itself (held 10 %
    inside, it discharged that share of the limit for hours beyond the plan and was empty before its boiler's
    draw); inside the keep zone (100 W of a 1 kW edge, 500 W of a large one) it trickles on at
    `KEEP_TRICKLE_W` rather than stop and start as the load hovers; below the zone it stops."""
    band = Guidance(grid_low_w=0.0, grid_high_w=1_000.0)
    assert banded_target(band, POLICY, 2_000.0, battery_w=800.0) == pytest.approx(1_000.0)
    assert banded_target(band, POLICY, 950.0, battery_w=800.0) == pytest.approx(950.0 - KEEP_TRICKLE_W)
    assert banded_target(band, POLICY, 850.0, battery_w=800.0) == pytest.approx(850.0)
    large = Guidance(grid_low_w=0.0, grid_high_w=10_000.0)
    assert banded_target(large, POLICY, 12_000.0, battery_w=800.0) == pytest.approx(10_000.0)
    assert banded_target(large, POLICY, 9_600.0, battery_w=800.0) == pytest.approx(9_600.0 - KEEP_TRICKLE_W)
    assert banded_target(large, POLICY, 9_400.0, battery_w=800.0) == pytest.approx(9_400.0)


def test_the_hard_limits_win_over_a_band_that_would_break_them() -> None:
    # A band asking to import 30 kW is clipped to the 20 kW import limit.
    assert band_limits(Guidance(grid_low_w=30_000.0, grid_high_w=40_000.0), POLICY) == (20_000.0, 20_000.0)
    # Peak shaving at 25 kW with 24 kW of load: the import limit still makes the battery discharge.
    assert battery_w(24_000.0, 0.0, 25_000.0) == 4_000.0
    zero_export = Policy(export_limit_w=0.0, deadband_w=0.0)
    decision = balance(site(-3_000.0, soc=0.95, pv_w=4_000.0), zero_export, BalancerMemory(),
                       Guidance(grid_low_w=-5_000.0, grid_high_w=0.0))
    assert decision.predicted_grid_w >= -1e-6  # a full battery: the sun is curtailed, nothing exported


def test_a_half_band_is_refused() -> None:
    try:
        Guidance(grid_low_w=0.0)
    except ValueError as exc:
        assert "grid_high_w" in str(exc)
    else:
        raise AssertionError("a band without its high edge was accepted")


@st.composite
def bands(draw) -> Guidance:
    low = draw(st.floats(-40_000.0, 40_000.0))
    return Guidance(grid_low_w=low, grid_high_w=low + draw(st.floats(0.0, 60_000.0)),
                    boiler_preheat_c=draw(st.sampled_from([0.0, 60.0, 85.0])))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_band_never_makes_the_balancer_break_a_limit(data) -> None:
    snapshot, policy = data.draw(sites()), data.draw(policies())
    memory, guidance = data.draw(memories(snapshot)), data.draw(bands())
    assert_within_limits(snapshot, policy, memory, guidance, balance(snapshot, policy, memory, guidance))
