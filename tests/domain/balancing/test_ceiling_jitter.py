"""A solar ceiling in force stays while it neither curtails nor lets export pass, also where the cap has
room for the rating again: the inverter does not flip between RUNNING and CURTAILED with the cap's
jitter about its rating (at night, on a site whose export limit is about its inverter's rating)."""

from __future__ import annotations

import random

from energy_edge.domain.balancing import BalancerMemory, Policy, SiteSnapshot, balance

from .plant import Plant, solar

POLICY = Policy(export_limit_w=10_000.0, deadband_w=0.0)


def test_a_ceiling_in_force_stays_when_the_cap_has_room_for_the_rating_again() -> None:
    night = SiteSnapshot(100.0, 800.0, [solar(available_w=0.0, rated_w=10_000.0, timestamp=100.0)])
    memory = BalancerMemory(decided_at=99.0, flex_w=0.0, solar_limits={"pv": 9_500.0})
    assert balance(night, POLICY, memory).setpoints["pv"].value == 9_500.0


def test_a_sun_past_the_ceiling_lifts_it_to_the_rating_where_the_cap_allows() -> None:
    noon = SiteSnapshot(100.0, -8_700.0, [solar(available_w=9_800.0, rated_w=10_000.0, power_w=9_500.0,
                                                timestamp=100.0)])
    memory = BalancerMemory(decided_at=99.0, flex_w=9_500.0, solar_limits={"pv": 9_500.0})
    assert balance(noon, POLICY, memory).setpoints["pv"].value == 10_000.0


def test_a_cap_jittering_about_the_rating_does_not_flip_the_inverter() -> None:
    noise = random.Random(33)
    plant = Plant([solar(available_w=0.0, rated_w=10_000.0)], load_w=800.0,
                  policy=Policy(export_limit_w=9_250.0, deadband_w=0.0))
    full = []
    for _ in range(600):
        plant.load_w = 800.0 + noise.uniform(-100.0, 100.0)  # the cap: 10 025 W +- 100 W
        plant.step()
        full.append(plant.setpoints["pv"].value >= 10_000.0)
    assert len(set(full)) == 2 or not all(full), "the cap never left the rating: the test proves nothing"
    assert sum(1 for a, b in zip(full, full[1:]) if a != b) <= 1
