"""A seeded generator of days nobody tuned the controller on: seasons, latitudes, skies and site shapes.

Day i takes its sky from `WEATHERS[i % 4]` and its season from `SEASONS[(i // 4) % 4]`, so
any 16 consecutive days hold every (sky, season) pair; everything else (latitude 35-65°,
PV size and plane (flat, 35° south, 15° east or west, 60°
south), battery none/small/large, boiler or not, zero export or a limit, a peak import
limit, flat / time-of-use / dynamic tariff) is drawn from one `random.Random(seed)`. The
same seed gives the same days, on any machine.

`shapes="several"` gives the same days on sites with several assets of a kind: the day's PV split
into two or three arrays on planes of their own, its battery (where it has one) into one to three,
and a second boiler with its own tank and draws beside the first on half of the boiler days. The
split is drawn from its own stream (`SEVERAL_SALT`), so each day's sky, load, tariff and limits are
the single-asset day's, and the single-asset days stay what every earlier figure was measured on.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from .scenario import (
    Assets, BaseLoadProfile, BatteryAsset, BoilerAsset, CloudEvent, Limits, LoadPeak, LoadSpike, MeasuredSeries,
    Profiles, PvProfile, Scenario, SolarAsset, Tariff, TimeOfUse,
)

WEATHERS = ("clear", "variable", "overcast", "transients")
SEASONS = ("winter", "spring", "summer", "autumn")
SEASON_MONTHS = {"winter": (12, 1, 2), "spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11)}
LATITUDES_DEG = (35.0, 65.0)
TRANSIENT_S = (10.0, 120.0)  # fast cloud transients: how long each lasts
ZONES = ((-10.0, "Europe/Lisbon"), (3.0, "Europe/Paris"), (15.0, "Europe/Berlin"), (24.0, "Europe/Helsinki"))
WATER_J_PER_KG_K = 4186.0
DEFAULT_COUNT = 40
SHAPES = ("single", "several")  # one asset of each kind the day has, or several of a kind
SEVERAL_SALT = 0x5E7E2A1  # the split's own random stream beside the day's


def generate_days(count: int = DEFAULT_COUNT, seed: int = 2026, shapes: str = "single") -> list[Scenario]:
    if shapes not in SHAPES:
        raise ValueError(f"shapes {shapes!r}: one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    days = [_day(i, rng) for i in range(count)]
    if shapes == "several":
        split = random.Random(seed ^ SEVERAL_SALT)
        days = [_several(day, split) for day in days]
    return days


def _several(day: Scenario, rng: random.Random) -> Scenario:
    """`day` on a site with several arrays (and batteries, boilers where it has them)."""
    solar = day.assets.solar
    arrays = [solar.model_copy(update={"rated_power_w": round(solar.rated_power_w * share, -2), **_plane(rng)})
              for share in _shares(rng, rng.choice((2, 3)))]
    batteries = []
    if day.assets.battery is not None:
        first = day.assets.battery
        for share in _shares(rng, rng.choice((1, 2, 3))):
            soc = min(max(first.initial_soc + rng.uniform(-0.1, 0.1), first.soc_min + 0.02), first.soc_max - 0.02)
            batteries.append(first.model_copy(update={
                "capacity_wh": round(first.capacity_wh * share, -2), "initial_soc": round(soc, 2),
                "max_charge_w": round(first.max_charge_w * share, -2),
                "max_discharge_w": round(first.max_discharge_w * share, -2)}))
    boilers = [] if day.assets.boiler is None else [day.assets.boiler]
    if boilers and rng.random() < 0.5:
        boilers.append(_boiler(rng))
    assets = Assets(solar=arrays[0], more_solar=tuple(arrays[1:]), battery=batteries[0] if batteries else None,
                    more_batteries=tuple(batteries[1:]), boiler=boilers[0] if boilers else None,
                    more_boilers=tuple(boilers[1:]))
    name = f"{day.name}_arrays{len(arrays)}_batts{len(batteries)}_boilers{len(boilers)}"
    return day.model_copy(update={"name": name, "description": f"{day.description}; {name.split('_', 1)[1]}",
                                  "assets": assets})


def _shares(rng: random.Random, count: int) -> list[float]:
    """`count` shares adding up to 1, each at least a third of the largest."""
    weights = [rng.uniform(1.0, 3.0) for _ in range(count)]
    return [w / sum(weights) for w in weights]


def _plane(rng: random.Random) -> dict[str, float]:
    """An array's plane: flat, 35° south, 15° east or west, or a 60° south facade."""
    return rng.choice(({"tilt_deg": 0.0, "azimuth_deg": 180.0}, {"tilt_deg": 35.0, "azimuth_deg": 180.0},
                       {"tilt_deg": 15.0, "azimuth_deg": rng.choice((90.0, 270.0))},
                       {"tilt_deg": 60.0, "azimuth_deg": 180.0}))


def _day(i: int, rng: random.Random) -> Scenario:
    weather, season = WEATHERS[i % len(WEATHERS)], SEASONS[(i // len(WEATHERS)) % len(SEASONS)]
    month = rng.choice(SEASON_MONTHS[season])
    date = datetime.date(2026, month, rng.randint(1, 28))
    latitude = round(rng.uniform(*LATITUDES_DEG), 2)
    longitude = round(rng.uniform(-9.0, 28.0), 2)
    zone = next(name for edge, name in reversed(ZONES) if longitude >= edge)
    pv_w = float(rng.choice((6_000, 10_000, 15_000, 25_000, 40_000)))
    plane = _plane(rng)
    battery = _battery(rng, pv_w)
    boiler = _boiler(rng) if rng.random() < 0.7 else None
    load = _load(rng, pv_w)
    limits, shape = _limits(rng, pv_w, load)
    tariff, tariff_kind = _tariff(rng)
    parts = [f"g{i:02d}", season, weather, f"lat{latitude:.0f}",
             "nobatt" if battery is None else f"batt{battery.capacity_wh / 1000:.0f}",
             "boiler" if boiler else "noboiler", shape, tariff_kind]
    return Scenario(
        name="_".join(parts), description=f"generated day {i}: {', '.join(parts[1:])}",
        profiles=Profiles(pv=PvProfile(latitude=latitude, longitude=longitude, date=date, seed=rng.randrange(10**6),
                                       **_sky(weather, rng)),
                          base_load=load, ambient_temperature_c=round(rng.uniform(12.0, 22.0), 1)),
        assets=Assets(solar=SolarAsset(rated_power_w=pv_w, **plane), battery=battery, boiler=boiler),
        tariff=tariff, limits=limits, timezone=zone)


def _sky(weather: str, rng: random.Random) -> dict[str, Any]:
    if weather == "clear":
        return {"clear_sky_fraction": _flat(rng.uniform(0.92, 1.0))}
    if weather == "overcast":
        return {"clear_sky_fraction": _flat(rng.uniform(0.12, 0.35))}
    if weather == "variable":
        return {"mean_clearness": rng.uniform(0.45, 0.8), "cloud_sigma": rng.uniform(0.03, 0.07)}
    clouds, t = [], 6.0 * 3600 + rng.uniform(0, 600)
    while t < 20.0 * 3600:  # a cumulus every few minutes through the daylight hours
        duration = rng.uniform(*TRANSIENT_S)
        clouds.append(CloudEvent(start_s=round(t, 1), duration_s=round(duration, 1), depth=round(rng.uniform(0.4, 0.9), 2)))
        t += duration + rng.uniform(60.0, 480.0)
    return {"clear_sky_fraction": _flat(rng.uniform(0.85, 1.0)), "clouds": tuple(clouds)}


def _flat(fraction: float) -> MeasuredSeries:
    return MeasuredSeries(times_s=(0.0,), values=(round(fraction, 3),))


def _battery(rng: random.Random, pv_w: float) -> BatteryAsset | None:
    size = rng.choice(("none", "small", "large"))
    if size == "none":
        return None
    capacity = pv_w * (rng.uniform(0.5, 1.0) if size == "small" else rng.uniform(1.5, 3.0))  # Wh per W of PV
    power = round(capacity * rng.uniform(0.3, 0.6), -2)
    soc_min, soc_max = rng.choice(((0.1, 0.9), (0.05, 0.95), (0.2, 0.9)))
    return BatteryAsset(capacity_wh=round(capacity, -2), max_charge_w=power, max_discharge_w=power,
                        round_trip_efficiency=round(rng.uniform(0.85, 0.95), 2), soc_min=soc_min, soc_max=soc_max,
                        initial_soc=round(rng.uniform(soc_min + 0.05, soc_max - 0.05), 2))


def _boiler(rng: random.Random) -> BoilerAsset:
    litres = rng.choice((150, 200, 300, 500))
    low, high = rng.choice(((45.0, 80.0), (50.0, 75.0), (40.0, 85.0)))
    draws = {hour: float(rng.randint(20, 120)) for hour in rng.sample(range(5, 23), rng.randint(3, 7))}
    return BoilerAsset(heater_power_w=float(rng.choice((2_000, 3_000, 6_000))),
                       thermal_mass_j_per_k=litres * WATER_J_PER_KG_K, loss_w_per_k=round(rng.uniform(1.0, 4.0), 1),
                       min_temperature_c=low, max_temperature_c=high, setpoint_c=(low + high) / 2,
                       initial_temperature_c=round(rng.uniform(low + 3, high - 10), 1), draw_litres_per_hour=draws)


def _load(rng: random.Random, pv_w: float) -> BaseLoadProfile:
    base = round(pv_w * rng.uniform(0.03, 0.2), -1)
    peaks = tuple(LoadPeak(hour=hour, height_w=round(base * rng.uniform(0.5, 2.0), -1), width_h=rng.uniform(0.5, 2.0))
                  for hour in (7.5, 12.5, 19.0) if rng.random() < 0.8)
    spikes = ()
    if rng.random() < 0.3:  # an appliance or a process running for a while
        spikes = (LoadSpike(start_h=round(rng.uniform(8, 20), 2), duration_h=round(rng.uniform(0.25, 2.0), 2),
                            power_w=round(base * rng.uniform(1.0, 3.0), -1)),)
    return BaseLoadProfile(base_w=base, peaks=peaks, noise_ratio=0.05, seed=rng.randrange(10**6), spikes=spikes)


def _limits(rng: random.Random, pv_w: float, load: BaseLoadProfile) -> tuple[Limits, str]:
    export = rng.choice(("zero", "limited", "open"))
    export_w = {"zero": 0.0, "limited": round(pv_w * rng.uniform(0.3, 0.7), -2), "open": pv_w}[export]
    highest = load.base_w + max((p.height_w for p in load.peaks), default=0.0) + sum(s.power_w for s in load.spikes)
    peak_limited = rng.random() < 0.35
    import_w = round(highest * rng.uniform(0.7, 0.95), -2) if peak_limited else max(highest * 3, 20_000.0)
    shape = f"export-{export}" + ("_peaklimit" if peak_limited else "")
    return Limits(export_limit_w=export_w, import_limit_w=max(import_w, 1_000.0)), shape


def _tariff(rng: random.Random) -> tuple[Tariff, str]:
    kind = rng.choice(("flat", "tou", "tou", "dynamic"))
    base = round(rng.uniform(0.22, 0.35), 3)
    feed_in = round(rng.uniform(0.0, 0.09), 3)
    if kind == "flat":
        return Tariff(import_price_per_kwh=base, feed_in_price_per_kwh=feed_in), kind
    if kind == "tou":
        start = float(rng.choice((16, 17, 18)))
        return Tariff(import_price_per_kwh=base, feed_in_price_per_kwh=feed_in,
                      time_of_use=(TimeOfUse(from_h=start, to_h=start + rng.choice((3.0, 4.0)),
                                             import_price_per_kwh=round(base * rng.uniform(1.3, 1.8), 3)),)), kind
    midday = range(rng.choice((10, 11)), rng.choice((14, 15)))  # cheap, even negative around noon
    imports = tuple(round(base * (0.4 if h in midday else 1.4 if 17 <= h < 21 else 1.0), 3) for h in range(24))
    feed_ins = tuple(round(-0.03 if h in midday else feed_in, 3) for h in range(24))
    return Tariff(import_price_per_kwh=base, feed_in_price_per_kwh=feed_in, hourly_import_price_per_kwh=imports,
                  hourly_feed_in_price_per_kwh=feed_ins), kind
