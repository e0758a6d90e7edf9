"""A heavy draw that needs a boiler's tank in its thermostat's band: kept below the band, then one final run."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import BalancerMemory, Guidance, Policy, SiteSnapshot, balance
from energy_edge.domain.balancing.guidance import DrawApproach

from .plant import boiler

CAPACITY_J_PER_K = 200 * 4186.0
POLICY = Policy(ramp_limit_w=1e7, export_limit_w=1e7, import_limit_w=1e7, deadband_w=0.0, hysteresis_w=0.0,
                boiler_heat_capacity_j_per_k=CAPACITY_J_PER_K)
DRAW_AT_S = 20_000.0
APPROACH = Guidance(boiler_approach_by_module={"boiler": DrawApproach(DRAW_AT_S, 85.0, 79.5, 80.0)})
CLIMB_FROM_79_S = CAPACITY_J_PER_K * (85.0 - 79.0) / 3_000.0  # full power from 79 °C to the draw's need


def decide(now: float, guidance: Guidance, temperature_c: float, grid_w: float = -5_000.0, heater_on: bool = False):
    """The boiler's setpoint with `grid_w` of surplus (negative: exporting) and the tank at `temperature_c`."""
    tank = boiler(temperature_c=temperature_c, hysteresis_c=5.0, heater_on=heater_on)
    return balance(SiteSnapshot(now, grid_w, [tank]), POLICY, BalancerMemory(), guidance).setpoints["boiler"]


def test_before_the_final_approach_the_sun_heats_the_tank_only_up_to_below_the_thermostats_band() -> None:
    early = DRAW_AT_S - CLIMB_FROM_79_S - 600.0
    assert decide(early, Guidance(), 79.0).heat is True  # without the draw ahead the surplus heats it on
    assert decide(early, APPROACH, 79.0, heater_on=True).heat is True  # below the ceiling: it takes the surplus ...
    assert decide(early, APPROACH, 79.6, heater_on=True).heat is False  # ... no further: a thermostat satisfied
    #                                                                     in its band would idle as the draw begins
    assert decide(early, APPROACH, 79.0).heat is False  # stopped there, it waits for the final approach ...
    assert decide(early, APPROACH, 78.0).heat is True  # ... unless it cooled a good deal meanwhile
    assert decide(early, APPROACH, 81.0).heat is True  # already in the band: a stop there would not help


def test_a_preheat_is_capped_below_the_band_until_the_final_approach_then_runs_to_the_draws_need() -> None:
    preheat = Guidance(boiler_preheat_by_module={"boiler": 84.0},
                       boiler_approach_by_module=APPROACH.boiler_approach_by_module)
    early = DRAW_AT_S - CLIMB_FROM_79_S - 600.0
    assert decide(early, preheat, 79.6, grid_w=1_000.0).heat is False  # waits below the band, importing nothing
    on_time = DRAW_AT_S - CLIMB_FROM_79_S + 1.0  # full power from 79 °C now reaches 85 °C just after the draw begins
    final = decide(on_time, APPROACH, 79.0, grid_w=1_000.0)
    assert final.heat is True and final.value == 85.0  # from the grid, leased its maximum: the thermostat starts
    assert decide(on_time - 120.0, APPROACH, 79.0, grid_w=1_000.0).heat is False  # not a cycle sooner


def test_a_draw_approach_must_be_finite() -> None:
    with pytest.raises(ValueError, match="boiler_approach_by_module"):
        Guidance(boiler_approach_by_module={"boiler": DrawApproach(float("nan"), 85.0, 79.5, 80.0)})


def test_the_final_approach_counts_the_tanks_standing_loss_so_it_arrives_as_the_draw_begins() -> None:
    """300 W of standing loss beside a 3 kW heater: the final run starts a tenth sooner than at the heater's
    rating alone (which reached the draw 0.8 K short on a 2 kW heater), and not a cycle sooner than that."""
    lossy = Guidance(boiler_approach_by_module={"boiler": DrawApproach(DRAW_AT_S, 85.0, 79.5, 80.0, loss_w=300.0)})
    climb_s = CAPACITY_J_PER_K * (85.0 - 79.0) / (3_000.0 - 300.0)
    assert climb_s > CLIMB_FROM_79_S + 60.0
    assert decide(DRAW_AT_S - climb_s + 1.0, lossy, 79.0, grid_w=1_000.0).heat is True
    assert decide(DRAW_AT_S - climb_s - 60.0, lossy, 79.0, grid_w=1_000.0).heat is False
    assert decide(DRAW_AT_S - climb_s + 1.0, APPROACH, 79.0, grid_w=1_000.0).heat is False  # the rating alone: later
    with pytest.raises(ValueError, match="boiler_approach_by_module"):
        Guidance(boiler_approach_by_module={"boiler": DrawApproach(DRAW_AT_S, 85.0, 79.5, 80.0, loss_w=-1.0)})
