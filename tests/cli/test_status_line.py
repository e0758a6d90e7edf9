"""The status line of `energy-edge up`: fits any terminal width, never wraps, shows every kind and the limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from energy_edge.domain.telemetry import AssetTelemetry
from energy_edge.entrypoints.status_line import SiteFigures, shown_state, status_line

NOW = 1_750_000_000.0
FIGURES = SiteFigures(grid_w=-1234.0, import_limit_w=17_000.0, export_limit_w=5_000.0)


def _asset(module: str, kind: str, power_w: float, state: str, **values) -> AssetTelemetry:
    return AssetTelemetry(module=module, kind=kind, seq=1, timestamp=NOW, state=state, power_w=power_w, values=values)


def _home(**solar) -> dict[str, AssetTelemetry]:
    return {
        "solar": _asset("solar", "solar", 4200.0, "RUNNING", **{"available_power_w": 4200.0, "limit_w": 15000.0,
                                                               "rated_power_w": 15000.0, **solar}),
        "battery": _asset("battery", "battery", -2000.0, "CHARGING", soc=0.553),
        "boiler": _asset("boiler", "boiler", -6000.0, "HEATING", temperature_c=61.4),
    }


@pytest.mark.parametrize("width", [40, 60, 80, 100, 132, 200])
def test_the_line_fits_the_terminal_and_shows_every_kind_and_the_limit(width):
    line = status_line(_home(), NOW, FIGURES, width)
    assert len(line) < width
    if width >= 80:
        for word in ("grid", "lim", "PV", "bat", "boil", "-1", "55", "61"):
            assert word in line, (word, line)


def test_a_wide_terminal_gets_each_asset_with_its_state():
    line = status_line(_home(), NOW, FIGURES, 200)
    assert "grid -1,234 W" in line and "limit 17,000 W/-5,000 W" in line
    assert "battery 55 % -2,000 W CHARGING" in line and "boiler 61 °C -6,000 W HEATING" in line


def test_pv_at_night_is_not_called_curtailed():
    dark = _home(available_power_w=0.0, limit_w=3000.0)
    dark["solar"] = _asset("solar", "solar", 0.0, "CURTAILED", available_power_w=0.0, limit_w=3000.0,
                           rated_power_w=15000.0)
    assert shown_state(dark["solar"]) == "RUNNING"
    assert "CURTAILED" not in status_line(dark, NOW, FIGURES, 200)
    held_back = _asset("solar", "solar", 3000.0, "CURTAILED", available_power_w=9000.0, limit_w=3000.0,
                       rated_power_w=15000.0)
    assert shown_state(held_back) == "CURTAILED"


def test_many_assets_are_summed_per_kind_when_the_line_is_short():
    assets = {f"pv{i}": _asset(f"pv{i}", "solar", 1000.0, "RUNNING", available_power_w=1000.0, limit_w=5000.0,
                               rated_power_w=5000.0) for i in range(12)}
    assets.update({f"bat{i}": _asset(f"bat{i}", "battery", -500.0, "CHARGING", soc=0.5) for i in range(4)})
    line = status_line(assets, NOW, FIGURES, 80)
    assert len(line) < 80 and "PV×12 +12k" in line and "bat×4 50% -2.0k" in line
    wide = status_line(assets, NOW, FIGURES, 1000)
    assert "pv11" in wide  # per asset when there is room


@given(width=st.integers(min_value=1, max_value=400), grid=st.floats(-1e6, 1e6), count=st.integers(0, 30))
def test_no_width_makes_it_wrap(width, grid, count):
    assets = {f"b{i}": _asset(f"b{i}", "battery", -100.0 * i, "IDLE", soc=0.5) for i in range(count)}
    line = status_line(assets, NOW, SiteFigures(grid, 1e5, 1e5), width)
    assert len(line) <= max(10, width - 1) and "\n" not in line
