"""The sun's heat in runs full batteries carry (balancing/carried_heat.py): under an export limit the plan
heats with part of a 6 kW heater from sun that would be curtailed; the heater runs at full power, the
batteries carrying the rest, until they gave a run's worth, and starts again once the sun filled them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from energy_edge.domain.balancing import AssetView, BalancerMemory, Guidance, Policy, SiteSnapshot, balance
from energy_edge.domain.balancing.carried_heat import RUN_S, CarriedHeat

POLICY = Policy(export_limit_w=1_900.0, import_limit_w=20_000.0, deadband_w=0.0, hysteresis_w=0.0,
                boiler_min_on_s=0.0, boiler_min_off_s=0.0)
CARRIED = Guidance(grid_low_w=-1_800.0, grid_high_w=0.0, boilers_follow_band=True, boilers_carried=True)


def boiler_w(soc: float, guidance: Guidance, heater_on: bool = False, sun_w: float = 4_600.0) -> float:
    """The free 6 kW boiler's power (<= 0): `sun_w` of sun beside 1 kW of load, the grid exporting at its
    1.9 kW limit, a 3.8 kWh battery with 1.9 kW of discharge at `soc` (its band's top: 0.9)."""
    heater = -6_000.0 if heater_on else 0.0
    exported = min(sun_w - 1_000.0 + heater, 1_900.0)  # the sun beyond it curtailed
    snapshot = SiteSnapshot(1_000.0, -exported, [
        AssetView("solar", "solar", 1_000.0 - heater + exported, available_power_w=sun_w, rated_power_w=6_000.0),
        AssetView("battery", "battery", 0.0, soc=soc, capacity_wh=3_800.0, max_charge_w=1_900.0,
                  max_discharge_w=1_900.0, soc_min=0.1, soc_max=0.9),
        AssetView("boiler", "boiler", heater, temperature_c=55.0, min_temperature_c=40.0, max_temperature_c=85.0,
                  heater_power_w=6_000.0, heater_on=heater_on),
    ])
    return balance(snapshot, POLICY, BalancerMemory(), guidance).boiler_w


def test_a_full_battery_carries_the_heater_the_sun_half_covers() -> None:
    assert boiler_w(0.9, replace(CARRIED, boilers_carried=False)) == 0.0  # the surplus never covers the heater
    assert boiler_w(0.9, CARRIED) == -6_000.0
    assert boiler_w(0.85, CARRIED) == 0.0  # not before the sun filled the battery
    assert boiler_w(0.9, CARRIED, sun_w=2_000.0) == 0.0  # 1 kW of sun beyond the load: too little to start


def test_a_run_ends_once_the_batteries_gave_a_runs_worth() -> None:
    shortfall_wh = (6_000.0 - 3_600.0) * RUN_S / 3600.0  # 400 Wh
    assert boiler_w(0.9 - 0.9 * shortfall_wh / 3_800.0, CARRIED, heater_on=True) == -6_000.0
    assert boiler_w(0.9 - 1.1 * shortfall_wh / 3_800.0, CARRIED, heater_on=True) == 0.0


@pytest.mark.parametrize(("carried", "heater_w", "running", "runs"), [
    (CarriedHeat(room_wh=0.0, discharge_w=1_900.0, sun_w=3_600.0), 6_000.0, False, True),
    (CarriedHeat(room_wh=0.0, discharge_w=500.0, sun_w=3_600.0), 6_000.0, False, False),  # 1.9 kW from the grid
    (CarriedHeat(room_wh=0.0, discharge_w=1_900.0, sun_w=7_000.0), 6_000.0, False, False),  # the sun's own
    (CarriedHeat(room_wh=0.0, discharge_w=1_900.0, sun_w=1_000.0), 6_000.0, False, False),  # a sliver of sun
    (CarriedHeat(room_wh=100.0, discharge_w=1_900.0, sun_w=3_600.0), 6_000.0, False, False),  # not yet full
    (CarriedHeat(room_wh=100.0, discharge_w=1_900.0, sun_w=3_600.0), 6_000.0, True, True),  # a run goes on
    (CarriedHeat(room_wh=0.0, discharge_w=1_900.0, sun_w=3_600.0), 0.0, False, False),
    (CarriedHeat(room_wh=10.0, discharge_w=1_900.0, sun_w=3_600.0, charging=True), 6_000.0, False, False),
    (CarriedHeat(room_wh=100.0, discharge_w=1_900.0, sun_w=3_600.0, charging=True), 6_000.0, True, True),
])
def test_what_a_run_needs(carried: CarriedHeat, heater_w: float, running: bool, runs: bool) -> None:
    assert carried.carries(heater_w, running) is runs
