"""The day generator: seeded, valid, and as varied as the issue asks."""

from __future__ import annotations

from collections import Counter

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
