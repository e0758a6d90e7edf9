"""The day generator: seeded, valid, and as varied as the issue asks."""

from __future__ import annotations

from collections import Counter

import pytest

from energy_edge_lab.generator import TRANSIENT_S, generate_days


def test_the_same_seed_gives_the_same_days_and_another_seed_others():
    assert generate_days(8, seed=1) == generate_days(8, seed=1)
    assert generate_days(8, seed=1) != generate_days(8, seed=2)


def test_forty_days_cover_seasons_latitudes_skies_and_site_shapes():
    days = generate_days(40, seed=2026)
    assert len(days) == 40 and len({d.name for d in days}) == 40
    names = " ".join(d.name for d in days)
    for word in ("winter", "spring", "summer", "autumn", "clear", "variable", "overcast", "transients",
                 "nobatt", "noboiler", "_boiler", "export-zero", "export-limited", "peaklimit", "tou", "dynamic"):
        assert word in names, word
    latitudes = [d.profiles.pv.latitude for d in days]
    assert 35 <= min(latitudes) and max(latitudes) <= 65 and max(latitudes) - min(latitudes) > 20
    capacities = Counter(d.assets.battery is None or d.assets.battery.capacity_wh > d.assets.solar.rated_power_w
                         for d in days)
    assert len(capacities) == 2  # small and large batteries both occur
    assert any(min(d.tariff.hourly_feed_in_price_per_kwh or (0,)) < 0 for d in days)  # negative feed-in


def test_transient_days_have_clouds_of_ten_to_a_hundred_and_twenty_seconds():
    clouds = [c for d in generate_days(40) for c in d.profiles.pv.clouds]
    assert len(clouds) > 100
    assert all(TRANSIENT_S[0] <= c.duration_s <= TRANSIENT_S[1] for c in clouds)
    assert all(0 < c.depth < 1 for c in clouds)


def test_several_shapes_split_the_same_days_among_several_assets_of_a_kind():
    single, several = generate_days(16, seed=7), generate_days(16, seed=7, shapes="several")
    assert several == generate_days(16, seed=7, shapes="several")  # seeded too
    assert generate_days(16, seed=7) == single  # and the single-asset days untouched by it
    for one, many in zip(single, several):
        assert many.name.startswith(one.name + "_arrays")
        assert (many.profiles, many.tariff, many.limits) == (one.profiles, one.tariff, one.limits)
        arrays = [a for _, a in many.assets.solars()]
        assert len(arrays) >= 2 and len({asset_id for asset_id, _ in many.assets.solars()}) == len(arrays)
        assert sum(a.rated_power_w for a in arrays) == pytest.approx(one.assets.solar.rated_power_w, abs=200.0)
        batteries = [b for _, b in many.assets.batteries()]
        assert (one.assets.battery is None) == (not batteries)
        if batteries:
            assert sum(b.capacity_wh for b in batteries) == pytest.approx(one.assets.battery.capacity_wh, abs=300.0)
            assert all(b.soc_min < b.initial_soc < b.soc_max for b in batteries)
        assert (one.assets.boiler is None) == (many.assets.boiler is None)
    names = " ".join(d.name for d in several)
    assert "arrays3" in names and "batts2" in names and "boilers2" in names


def test_an_unknown_shape_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="shapes 'many': one of single, several"):
        generate_days(2, shapes="many")
