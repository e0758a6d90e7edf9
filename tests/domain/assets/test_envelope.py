"""The site file is the envelope of an asset's physical limits: the twin may narrow them, never widen them.

Found by the red team: a desired patch could widen a battery's SoC band to 0..1, raise a boiler's
`max_temperature_c` to 100 °C or set an inverter's `export_safe_limit_w` up to its rating (so the site's
inverters, unsteered, could together export more than the connection allows). Ratings were already capped at
the nameplate; bands and limits were not. Now a value beyond the site file's is refused naming the field, the
value and what is allowed, and nothing changes; a value within it applies as before.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.site_file import load_site
from energy_edge.domain.assets import Battery, BatteryConfig, Boiler, BoilerConfig, Solar
from energy_edge.domain.assets.meter import Meter, MeterConfig
from energy_edge.domain.errors import InvalidPayload
from energy_edge.domain.site import home_site
from energy_edge.entrypoints.factories import build_asset

FACTORY = load_site(Path(__file__).resolve().parents[3] / "examples" / "sites" / "factory.toml")
HOME = home_site()


def home(asset_id: str):
    """The asset as its module builds it from the embedded default site."""
    return build_asset(HOME.asset(asset_id), HOME)


def factory(asset_id: str):
    return build_asset(FACTORY.asset(asset_id), FACTORY)


@pytest.mark.parametrize("make, desired, field, said", [
    (lambda: home("battery"), {"soc_min": 0.0, "soc_max": 1.0}, "soc_min", "soc_min 0 refused: the site file "
     "allows at least 0.1; the twin may narrow a physical limit, never widen it"),
    (lambda: home("battery"), {"soc_max": 1.0}, "soc_max", "soc_max 1 refused: the site file allows at most 0.9"),
    (lambda: factory("battery-2"), {"soc_min": 0.1}, "soc_min", "at least 0.15"),  # its file says 0.15
    (lambda: home("boiler"), {"max_temperature_c": 100.0}, "max_temperature_c",
     "max_temperature_c 100 °C refused: the site file allows at most 75 °C"),
    (lambda: home("boiler"), {"min_temperature_c": 20.0, "setpoint_c": 30.0}, "min_temperature_c", "at least 40 °C"),
    (lambda: factory("boiler-hall-1"), {"max_temperature_c": 80.0}, "max_temperature_c", "at most 75 °C"),
    # the home inverter's share of the 10 kW export limit, not its 15 kW rating
    (lambda: home("solar"), {"export_safe_limit_w": 15_000.0}, "export_safe_limit_w",
     "export_safe_limit_w 15000 W refused: the site file allows at most 10000 W"),
    (lambda: factory("solar-roof-east"), {"export_safe_limit_w": 25_000.0}, "export_safe_limit_w", "at most 20833.3 W"),
    (lambda: home("battery"), {"max_charge_w": 8_001.0}, "max_charge_w", "at most 8000 W"),  # the nameplate
    (lambda: Meter(MeterConfig(main_fuse_a=25.0)), {"main_fuse_a": 63.0}, "main_fuse_a", "at most 25 A"),
])
def test_a_desired_value_beyond_the_site_file_is_refused_and_changes_nothing(make, desired, field, said):
    asset = make()
    before = asset.config
    with pytest.raises(InvalidPayload) as refused:
        asset.configure(desired)
    assert refused.value.rule == f"{asset.kind}.config.{field}"
    assert said in refused.value.reason and refused.value.status == 400
    assert asset.config is before


@pytest.mark.parametrize("make, desired", [
    (lambda: home("battery"), {"soc_min": 0.1, "soc_max": 0.9}),  # the site file's own band
    (lambda: home("battery"), {"soc_min": 0.2, "soc_max": 0.8, "max_charge_w": 4_000.0}),
    (lambda: factory("battery-2"), {"soc_min": 0.15}),
    (lambda: home("boiler"), {"min_temperature_c": 45.0, "max_temperature_c": 70.0, "setpoint_c": 60.0}),
    (lambda: factory("boiler-hall-2"), {"max_temperature_c": 80.0, "setpoint_c": 78.0}),  # its file allows 80 °C
    (lambda: home("solar"), {"export_safe_limit_w": 10_000.0}),  # up to its share: what the manifest desires
    (lambda: home("solar"), {"export_safe_limit_w": 0.0}),
    (lambda: Meter(MeterConfig(main_fuse_a=25.0)), {"main_fuse_a": 20.0}),
])
def test_a_desired_value_within_the_site_file_applies(make, desired):
    asset = make()
    applied = asset.configure(desired)
    assert applied == {name: float(value) for name, value in desired.items()}


def test_a_patch_after_a_refused_widening_applies_from_the_site_files_values():
    battery = home("battery")
    with pytest.raises(InvalidPayload):
        battery.configure({"soc_min": 0.0, "soc_max": 0.85})
    assert (battery.config.soc_min, battery.config.soc_max) == (0.1, 0.9)
    battery.configure({"soc_max": 0.85})
    assert (battery.config.soc_min, battery.config.soc_max) == (0.1, 0.85)


def test_an_asset_without_a_site_file_keeps_the_values_it_starts_with_as_its_envelope():
    assert Battery().envelope.lowest == {"soc_min": 0.1}
    assert Boiler(BoilerConfig(max_temperature_c=85.0)).envelope.highest == {"max_temperature_c": 85.0}
    with pytest.raises(InvalidPayload, match="at most 3000 W"):  # the export-safe limit it starts with
        Solar().configure({"export_safe_limit_w": 3_001.0})


def test_an_envelope_narrower_than_the_config_it_starts_with_is_a_composition_error():
    with pytest.raises(ValueError, match="outside its site file's envelope"):
        Solar(envelope={"export_safe_limit_w": 1_000.0})
    with pytest.raises(ValueError, match="no ceiling or floor named soc_min"):
        Solar(envelope={"soc_min": 0.0})


# -- for any desired document, the configuration in force stays within the envelope --------------------------

_WRITABLE_VALUES = {
    "soc_min": st.floats(0.0, 1.0), "soc_max": st.floats(0.0, 1.0),
    "max_charge_w": st.floats(1.0, 20_000.0), "max_discharge_w": st.floats(1.0, 20_000.0),
    "min_temperature_c": st.floats(0.0, 100.0), "max_temperature_c": st.floats(0.0, 100.0),
    "setpoint_c": st.floats(0.0, 100.0), "hysteresis_c": st.floats(0.1, 50.0),
    "rated_power_w": st.floats(1.0, 30_000.0), "export_safe_limit_w": st.floats(0.0, 30_000.0),
    "main_fuse_a": st.floats(1.0, 400.0),
}
_ASSETS = {
    "home battery": lambda: home("battery"), "home boiler": lambda: home("boiler"), "home solar": lambda: home("solar"),
    "factory battery-2": lambda: factory("battery-2"), "factory boiler-hall-2": lambda: factory("boiler-hall-2"),
    "factory solar-facade": lambda: factory("solar-facade"),
    "a battery of 0.2..0.8": lambda: Battery(BatteryConfig(soc_min=0.2, soc_max=0.8)),
    "a meter on 35 A": lambda: Meter(MeterConfig(main_fuse_a=35.0)),
}


@st.composite
def patches(draw, asset):
    names = [name for name in asset.WRITABLE if name in _WRITABLE_VALUES]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return {name: draw(st.one_of(st.none(), _WRITABLE_VALUES[name])) for name in chosen}


@settings(max_examples=150, deadline=None)
@given(data=st.data(), which=st.sampled_from(sorted(_ASSETS)))
def test_whatever_the_twin_desires_the_configuration_stays_within_the_site_file(data, which):
    asset = _ASSETS[which]()
    envelope = asset.envelope
    for _ in range(3):  # a sequence of documents, each whole
        before = asset.config
        desired = data.draw(patches(asset))
        try:
            asset.configure(desired)
        except InvalidPayload:
            assert asset.config is before  # refused: nothing changed
        assert envelope.outside(asset.config) is None
        for name, ceiling in envelope.highest.items():
            assert getattr(asset.config, name) <= ceiling
        for name, floor in envelope.lowest.items():
            assert getattr(asset.config, name) >= floor
        assert dataclasses.asdict(asset.base_config) == dataclasses.asdict(_ASSETS[which]().config)
