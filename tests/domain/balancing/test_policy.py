"""Policy: defaults, validation naming the field, and patches applied onto a base."""

from __future__ import annotations

import pytest

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


def test_a_deleted_property_keeps_the_value_in_force() -> None:
    """A desired patch sets null to delete a property (JSON merge patch): nothing changes, nothing is refused."""
    base = Policy(export_limit_w=5_000.0)
    assert Policy.from_desired({"export_limit_w": None, "no_longer_used": None}, base=base) == base
