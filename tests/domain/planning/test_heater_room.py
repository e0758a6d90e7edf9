"""An on/off heater under a tight import limit on a site without batteries: the hot-water floor counts it only
where the grid's room and the cautious sun carry it, so draws it cannot heat through are preheated for
(heater_room.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from energy_edge.domain.balancing import AssetView, Policy
from energy_edge.domain.planning import ForecastSlot
from energy_edge.domain.planning.heater_room import HeaterRoom
from energy_edge.domain.planning.hot_water import WATER_J_PER_KG_K
from energy_edge.domain.planning.hot_water_guidance import hot_water_guidance

HOUR = 3_600.0
POLICY = Policy(boiler_heat_capacity_j_per_k=300 * WATER_J_PER_KG_K, import_limit_w=2_300.0,
                hot_water_litres_per_hour={"19": 33.0, "20": 29.0, "21": 71.0})
BOILER = AssetView("boiler", "boiler", 0.0, temperature_c=50.0, min_temperature_c=40.0, max_temperature_c=85.0,
                   heater_power_w=2_000.0)
BATTERY = AssetView("battery", "battery", 0.0, soc=0.5, capacity_wh=5_000.0, max_discharge_w=2_500.0)


def evening(sun_until_h: float = 18.0) -> list[ForecastSlot]:
    """Quarter hours from 16:00 to midnight: 2 kW of sun until `sun_until_h`, none after; a 700 W load."""
    return [ForecastSlot(16 * HOUR + k * 900.0, 900.0, 2_000.0 if 16 + k / 4 < sun_until_h else 0.0, 700.0)
            for k in range(32)]


def preheat_c(forecast: list[ForecastSlot], assets: list[AssetView] | None = None, now_h: float = 17.0) -> float:
    return hot_water_guidance(now_h * HOUR, POLICY, assets or [BOILER], 1.0, forecast).preheat_c.get("boiler", 0.0)


def test_draws_after_sunset_that_the_heater_cannot_meet_under_the_limit_are_preheated_for_before_it() -> None:
    """After sunset 2.3 kW less a 770 W cautious load leaves 1.5 kW: a 2 kW heater never starts, so the
    evening's 133 L must be in the tank before the sun goes."""
    counted_whole = preheat_c([])
    assert preheat_c(evening()) > counted_whole + 5.0
    assert preheat_c(evening(sun_until_h=24.0)) == pytest.approx(counted_whole)  # a sunny evening: it fits


def test_batteries_leave_the_heater_whole_for_the_plan_to_weigh() -> None:
    assert preheat_c(evening(), [BOILER, BATTERY]) == pytest.approx(preheat_c([]))
    assert preheat_c(evening(), [BOILER, replace(BATTERY, enabled=False)]) > preheat_c([]) + 5.0


def test_a_limit_the_heater_fits_under_changes_nothing() -> None:
    wide = replace(POLICY, import_limit_w=30_000.0)
    assert (hot_water_guidance(17 * HOUR, wide, [BOILER], 1.0, evening()).preheat_c
            == hot_water_guidance(17 * HOUR, wide, [BOILER], 1.0).preheat_c)


@given(start=st.floats(0.0, 6 * HOUR), length=st.floats(1.0, 6 * HOUR),
       rooms=st.lists(st.floats(0.0, 12_000.0), min_size=1, max_size=12))
def test_the_share_is_the_time_the_heater_fits(start: float, length: float, rooms: list[float]) -> None:
    room = HeaterRoom(tuple((k * 900.0, (k + 1) * 900.0, r) for k, r in enumerate(rooms)))
    share = room.share(6_000.0, start, start + length)
    assert 0.0 <= share <= 1.0 + 1e-12
    if all(r >= 6_100.0 for r in rooms):
        assert share == pytest.approx(1.0)
    if all(r < 6_000.0 for r in rooms) and start + length <= len(rooms) * 900.0:
        assert share == pytest.approx(0.0)
