"""Properties of the loader over random sites: every valid site loads as written, and a rating outside
its documented bound is refused naming that asset and that field."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energy_edge.adapters.site_file import SiteFileError, parse_site
from energy_edge.domain.site import routes_for

BOUNDS = {  # field -> (low, high) as documented in docs/site-file.md
    "rated_power_w": (1.0, 1_000_000.0),
    "capacity_wh": (1.0, 10_000_000.0),
    "max_charge_w": (1.0, 1_000_000.0),
    "max_discharge_w": (1.0, 1_000_000.0),
    "heater_power_w": (1.0, 100_000.0),
}
RATINGS = {"solar": ("rated_power_w",), "battery": ("capacity_wh", "max_charge_w", "max_discharge_w"),
           "boiler": ("heater_power_w",)}


@st.composite
def sites(draw: st.DrawFn) -> dict:
    assets = []
    for kind, names in RATINGS.items():
        for n in range(draw(st.integers(1 if kind == "solar" else 0, 20))):
            asset = {"id": f"{kind}-{n}", "kind": kind}
            for name in names:
                asset[name] = draw(st.floats(*BOUNDS[name], allow_nan=False))
            assets.append(asset)
    order = draw(st.permutations(range(len(assets))))
    return {
        "site": {"name": "random", "latitude_deg": draw(st.floats(-90, 90)), "longitude_deg": draw(st.floats(-180, 180)),
                 "timezone": draw(st.sampled_from(["UTC", "Europe/Amsterdam", "America/Chicago", "Asia/Tokyo"]))},
        "grid": {"import_limit_w": 10_000.0, "export_limit_w": draw(st.floats(0, 10_000)), "main_fuse_a": 63.0},
        "assets": [assets[i] for i in order],
    }


@settings(max_examples=60, deadline=None)
@given(raw=sites())
def test_every_valid_site_loads_as_written(raw: dict) -> None:
    site = parse_site(raw, "random.toml")
    assert [a.id for a in site.assets] == [a["id"] for a in raw["assets"]]
    for spec, asset in zip(site.assets, raw["assets"]):
        assert all(getattr(spec, name) == asset[name] for name in RATINGS[spec.kind])
    assert len(routes_for(site)) == 2 * len(site.assets) + 2


@settings(max_examples=60, deadline=None)
@given(raw=sites(), data=st.data())
def test_a_rating_outside_its_bound_is_refused_naming_asset_and_field(raw: dict, data: st.DataObject) -> None:
    asset = data.draw(st.sampled_from(raw["assets"]))
    name = data.draw(st.sampled_from(RATINGS[asset["kind"]]))
    low, high = BOUNDS[name]
    asset[name] = data.draw(st.one_of(st.floats(max_value=0.0), st.floats(min_value=high * 1.0001),
                                      st.just(float("inf")), st.just(float("nan"))))
    with pytest.raises(SiteFileError) as refused:
        parse_site(raw, "random.toml")
    message = str(refused.value)
    assert f"asset {asset['id']!r}" in message and f"field {name}" in message and "\n" not in message
