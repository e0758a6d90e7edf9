"""A free boiler heating in its thermostat's top band rides through a passing dip of surplus."""

from __future__ import annotations

from energy_edge.domain.balancing import BalancerMemory, Policy, SiteSnapshot, balance
from energy_edge.domain.balancing.balancer import BAND_HOLD_S

from .plant import boiler

POLICY = Policy(ramp_limit_w=1e7, export_limit_w=1e7, import_limit_w=1e7, deadband_w=0.0, hysteresis_w=0.0)


def run(temperature_c: float, grids_w: list[float], hysteresis_c: float = 5.0) -> list[bool]:
    """Whether the (heating) boiler is asked to heat each second, with the grid at each of `grids_w` (its heater
    included, negative: exporting)."""
    memory, asked = BalancerMemory(), []
    for second, grid_w in enumerate(grids_w):
        tank = boiler(temperature_c=temperature_c, heater_on=True, hysteresis_c=hysteresis_c, setpoint_c=85.0)
        decision = balance(SiteSnapshot(1_000.0 + second, grid_w, [tank]), POLICY, memory)
        memory = decision.memory
        asked.append(bool(decision.setpoints["boiler"].heat))
    return asked


def test_in_its_band_a_heating_boiler_rides_through_a_passing_cloud_but_not_a_long_one() -> None:
    sunny, cloud = [-2_000.0] * 5, [2_500.0] * int(BAND_HOLD_S + 30)  # the heater's 3 kW covered, then not
    in_band = run(82.0, sunny + cloud)
    assert all(in_band[: 5 + int(BAND_HOLD_S) - 1])  # stopped in its band it could not start again
    assert not any(in_band[5 + int(BAND_HOLD_S) + 1:])  # ... but a long dip stops it
    below_band = run(75.0, sunny + cloud)  # below its band it may stop: its thermostat starts again
    assert all(below_band[:5]) and not any(below_band[6:])
    assert not any(run(82.0, sunny + cloud, hysteresis_c=0.0)[6:])  # without a band (not reported): as before
