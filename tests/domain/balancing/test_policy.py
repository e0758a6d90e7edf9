"""Policy: defaults, validation naming the field, and patches applied onto a base."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.domain.balancing import Policy
from energy_edge.domain.errors import InvalidPayload


def test_defaults_are_self_consumption_inside_valid_limits() -> None:
    policy = Policy()
    assert policy.grid_target_w == 0.0 and policy.cycle_s == 1.0
    assert policy.as_dict()["export_limit_w"] == 10_000.0


def test_a_patch_applies_onto_its_base_and_ignores_twin_metadata() -> None:
    base = Policy(export_limit_w=5_000.0)
    patched = Policy.from_desired({"$version": 4, "grid_target_w": -1_000, "deadband_w": 20}, base=base)
    assert (patched.grid_target_w, patched.deadband_w, patched.export_limit_w) == (-1_000, 20, 5_000.0)
    assert Policy.from_desired({}) == Policy()


@pytest.mark.parametrize(
    ("desired", "field"),
    [
        ({"export_limit_w": -1}, "export_limit_w"),
        ({"ramp_limit_w": 0}, "ramp_limit_w"),
        ({"cycle_s": "1"}, "cycle_s"),
        ({"deadband_w": True}, "deadband_w"),
        ({"hysteresis_w": float("nan")}, "hysteresis_w"),
        ({"soc_reserve_min": 0.9, "soc_reserve_max": 0.5}, "soc_reserve_max"),
        ({"soc_reserve_max": 1.5}, "soc_reserve_max"),
        ({"grid_target_w": -20_000}, "grid_target_w"),
        ({"grid_target_w": 40_000}, "grid_target_w"),
        ({"boost": 1}, "boost"),
    ],
)
def test_an_invalid_property_is_refused_naming_it(desired: dict, field: str) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired(desired, base=Policy())
    assert refused.value.rule == field
    assert refused.value.reason


@pytest.mark.parametrize(("desired", "field", "said"), [
    ({"export_limit_w": 10_001.0}, "export_limit_w", "export_limit_w 10001 W refused: the site file allows at most "
                                                     "10000 W; the twin may narrow a physical limit, never widen it"),
    ({"import_limit_w": 50_000.0, "grid_target_w": 40_000.0}, "import_limit_w", "at most 30000 W"),
    ({"export_limit_w": 20_000.0, "import_limit_w": 1_000.0}, "export_limit_w", "at most 10000 W"),
])
def test_the_twin_may_not_raise_the_grid_limits_of_the_site_file(desired: dict, field: str, said: str) -> None:
    """The base is the policy the controller starts with: the site file's connection limits (`initial_policy`)."""
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired(desired, base=Policy(import_limit_w=30_000.0, export_limit_w=10_000.0))
    assert refused.value.rule == field and said in refused.value.reason


def test_the_twin_may_lower_the_grid_limits_and_a_zero_export_site_stays_at_zero() -> None:
    lowered = Policy.from_desired({"export_limit_w": 2_000.0, "import_limit_w": 30_000.0}, base=Policy())
    assert (lowered.export_limit_w, lowered.import_limit_w) == (2_000.0, 30_000.0)
    zero_export = Policy(export_limit_w=0.0)
    assert Policy.from_desired({"export_limit_w": 0.0}, base=zero_export).export_limit_w == 0.0
    with pytest.raises(InvalidPayload, match="at most 0 W"):
        Policy.from_desired({"export_limit_w": 1.0}, base=zero_export)


_LIMIT = st.one_of(st.none(), st.floats(0.0, 1e7))


@settings(max_examples=200, deadline=None)
@given(site_import=st.floats(0.0, 2e5), site_export=st.floats(0.0, 2e5), import_limit_w=_LIMIT,
       export_limit_w=_LIMIT, grid_target_w=st.one_of(st.none(), st.floats(-1e7, 1e7)))
def test_whatever_the_twin_desires_the_grid_limits_stay_within_the_site_files(
        site_import, site_export, import_limit_w, export_limit_w, grid_target_w) -> None:
    base = Policy(import_limit_w=site_import, export_limit_w=site_export)
    desired = {"import_limit_w": import_limit_w, "export_limit_w": export_limit_w, "grid_target_w": grid_target_w}
    try:
        policy = Policy.from_desired(desired, base=base)
    except InvalidPayload:
        return
    assert policy.import_limit_w <= site_import and policy.export_limit_w <= site_export
    assert -site_export <= policy.grid_target_w <= site_import


def test_a_deleted_property_keeps_the_value_in_force() -> None:
    """A desired patch sets null to delete a property (JSON merge patch): nothing changes, nothing is refused."""
    base = Policy(export_limit_w=5_000.0)
    assert Policy.from_desired({"export_limit_w": None, "no_longer_used": None}, base=base) == base


@pytest.mark.parametrize(("start", "end", "hour", "inside"), [
    (16.0, 20.0, 17.5, True), (16.0, 20.0, 20.0, False), (16.0, 20.0, 3.0, False),
    (22.0, 6.0, 23.0, True), (22.0, 6.0, 5.5, True), (22.0, 6.0, 12.0, False), (0.0, 0.0, 12.0, False),
])
def test_the_price_peak_window_wraps_midnight_and_is_off_when_empty(start, end, hour, inside) -> None:
    policy = Policy(peak_start_h=start, peak_end_h=end)
    assert policy.in_peak(10 * 86_400.0 + hour * 3_600.0) is inside


@pytest.mark.parametrize(("desired", "field"), [
    ({"peak_start_h": 25}, "peak_start_h"), ({"peak_end_h": -1}, "peak_end_h"),
    ({"peak_reserve_soc": 1.5}, "peak_reserve_soc"),
])
def test_an_invalid_price_peak_is_refused_naming_it(desired: dict, field: str) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired(desired)
    assert refused.value.rule == field


@pytest.mark.parametrize(("desired", "field"), [
    ({"latitude_deg": 91}, "latitude_deg"), ({"latitude_deg": -90.5}, "latitude_deg"),
    ({"longitude_deg": 181}, "longitude_deg"), ({"longitude_deg": "5E"}, "longitude_deg"),
    ({"plan_interval_s": -300}, "plan_interval_s"), ({"peak_preheat_c": -1}, "peak_preheat_c"),
    ({"boiler_heat_capacity_j_per_k": float("inf")}, "boiler_heat_capacity_j_per_k"),
])
def test_an_invalid_planner_property_is_refused_naming_it(desired: dict, field: str) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired(desired)
    assert refused.value.rule == field


def test_the_planner_can_be_switched_off_and_the_site_moved() -> None:
    moved = Policy.from_desired({"plan_interval_s": 0, "latitude_deg": -33.9, "longitude_deg": 18.4})
    assert (moved.plan_interval_s, moved.latitude_deg, moved.longitude_deg) == (0, -33.9, 18.4)
