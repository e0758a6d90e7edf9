"""A scenario as data: one day of weather, load, assets, tariff and grid limits.

Scenarios live as JSON files next to this module (`scenarios/<name>.json`), so
a new day to judge the controller on is a data change, not a code change.
Pydantic validates a file as a whole and names the field that is wrong.
"""

from __future__ import annotations

import bisect
import datetime
import json
import zoneinfo
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from energy_edge.domain.errors import ConfigurationError
from .bounds import (IRRADIANCE_RANGE, POWER_RANGE, AssetId, Capacity, Date, DemandCharge, Duration, Fraction, HotWaterRate,
                     Hours, Hysteresis, LossPerKelvin, Name, Power, PositivePower, Price, Seed, Temperature, Text,
                     ThermalMass)

SECONDS_PER_DAY = 86_400

HourOfDay = Annotated[float, Field(ge=0.0, le=24.0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # bounds.py: every number finite


class CloudEvent(_Frozen):
    """A cloud passing: from `start_s` (seconds after local midnight) for `duration_s`, taking `depth`
    (0..1) of the sunshine away."""

    start_s: Annotated[float, Field(ge=0.0, le=2 * 86_400.0)]
    duration_s: Duration
    depth: Fraction


class MeasuredSeries(_Frozen):
    """Samples at seconds after local midnight (ascending), linear in between, held beyond the ends."""

    times_s: tuple[float, ...]
    values: tuple[float, ...]

    @model_validator(mode="after")
    def _shape(self) -> "MeasuredSeries":
        if not self.times_s or len(self.times_s) != len(self.values):
            raise ValueError("times_s and values must be non-empty and of equal length")
        if any(b <= a for a, b in zip(self.times_s, self.times_s[1:])):
            raise ValueError("times must ascend")
        return self

    def check_within(self, low: float, high: float, unit: str) -> None:
        """ValueError naming the first value outside low..high, if any."""
        bad = next((v for v in self.values if not low <= v <= high), None)
        if bad is not None:
            unit = f" {unit}" if unit else ""
            raise ValueError(f"a value of {bad:.10g}{unit} is outside {low:.10g}..{high:.10g}{unit}")

    def at(self, t_s: float) -> float:
        times, values = self.times_s, self.values
        if t_s <= times[0]:
            return values[0]
        if t_s >= times[-1]:
            return values[-1]
        i = bisect.bisect_right(times, t_s)
        t0, t1 = times[i - 1], times[i]
        return values[i - 1] + (values[i] - values[i - 1]) * (t_s - t0) / (t1 - t0)


class PvProfile(_Frozen):
    """Where and when the sun shines: sun position and clear sky, times a clearness.

    The clearness is the clear-sky fraction over the day (`clear_sky_fraction`, linear between
    (local hour, fraction) points) when given, else a seeded AR(1) around `mean_clearness` (the
    simulated inverter's model, adapters/hardware/simulated/pv.py); cloud events then take their
    depth away. A measured series replaces all of it: `measured_irradiance_w_m2` (horizontal, the
    array at its rating under 1000 W/m²) or `measured_pv_w` (the arrays' available power, shared by
    rating among several).
    """

    latitude: Annotated[float, Field(ge=-90.0, le=90.0)]
    longitude: Annotated[float, Field(ge=-180.0, le=180.0)]
    date: Date  # the simulated day starts at its local midnight (the scenario's time zone)
    mean_clearness: Fraction = 0.8  # 1 clear sky
    cloud_sigma: Fraction = 0.025  # per-minute step of the clearness random walk
    cloud_phi: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.97
    seed: Seed = 0
    clear_sky_fraction: MeasuredSeries | None = None  # fractions 0..1 at seconds after local midnight
    clouds: tuple[CloudEvent, ...] = ()
    measured_irradiance_w_m2: MeasuredSeries | None = None
    measured_pv_w: MeasuredSeries | None = None

    @model_validator(mode="after")
    def _measured_within_bounds(self) -> "PvProfile":
        for series, (low, high, unit) in ((self.clear_sky_fraction, (0.0, 1.0, "")),
                                           (self.measured_irradiance_w_m2, IRRADIANCE_RANGE),
                                           (self.measured_pv_w, POWER_RANGE)):
            if series is not None:
                series.check_within(low, high, unit)
        return self

    @property
    def profiled(self) -> bool:
        """Weather from the day's data rather than the seeded random walk."""
        return bool(self.clear_sky_fraction or self.clouds or self.measured_irradiance_w_m2 or self.measured_pv_w)


class LoadPeak(_Frozen):
    """A smooth daily peak of the base load (Gaussian in time)."""

    hour: HourOfDay
    height_w: Power
    width_h: Hours


class LoadSpike(_Frozen):
    """A rectangular extra load for a while, e.g. a process starting (peak-shaving days)."""

    start_h: HourOfDay
    duration_h: Hours
    power_w: PositivePower


class BaseLoadProfile(_Frozen):
    """The site's own consumption besides the boiler (W, a positive magnitude)."""

    base_w: Power
    peaks: tuple[LoadPeak, ...] = ()
    noise_ratio: Fraction = 0.1
    seed: Seed = 0
    spikes: tuple[LoadSpike, ...] = ()
    measured_w: MeasuredSeries | None = None  # replaces base, peaks and noise (the spikes still add)

    @model_validator(mode="after")
    def _measured_within_bounds(self) -> "BaseLoadProfile":
        if self.measured_w is not None:
            self.measured_w.check_within(*POWER_RANGE)
        return self


class Profiles(_Frozen):
    pv: PvProfile
    base_load: BaseLoadProfile
    ambient_temperature_c: Temperature = 20.0  # around the boiler


class SolarAsset(_Frozen):
    id: AssetId | None = None  # its module's name; default: the kind, then kind-2, kind-3 ... (`Assets.solars`)
    rated_power_w: PositivePower
    tilt_deg: Annotated[float, Field(ge=0.0, le=90.0)] = 0.0  # from horizontal; 0: a flat array
    azimuth_deg: Annotated[float, Field(ge=0.0, le=360.0)] = 180.0  # the way it faces, clockwise from north


class BatteryAsset(_Frozen):
    id: AssetId | None = None
    capacity_wh: Capacity
    max_charge_w: PositivePower
    max_discharge_w: PositivePower
    round_trip_efficiency: Annotated[float, Field(gt=0.0, le=1.0)] = 0.9
    soc_min: Fraction = 0.1
    soc_max: Fraction = 0.9
    initial_soc: Fraction = 0.5

    @model_validator(mode="after")
    def _band(self) -> "BatteryAsset":
        if not self.soc_min < self.soc_max:
            raise ValueError("soc_min must be below soc_max")
        if not self.soc_min <= self.initial_soc <= self.soc_max:
            raise ValueError("initial_soc must lie in [soc_min, soc_max]")
        return self


DEFAULT_HYSTERESIS_C = 5.0


class BoilerAsset(_Frozen):
    id: AssetId | None = None
    heater_power_w: PositivePower
    thermal_mass_j_per_k: ThermalMass  # water mass x 4186 J/(kg K)
    loss_w_per_k: LossPerKelvin  # losses to ambient per kelvin above it
    min_temperature_c: Temperature
    max_temperature_c: Temperature
    setpoint_c: Temperature  # its own thermostat's setpoint (used without control)
    hysteresis_c: Hysteresis = DEFAULT_HYSTERESIS_C  # or the band, where narrower
    initial_temperature_c: Temperature
    draw_litres_per_hour: dict[int, HotWaterRate] = {}  # hot water drawn, by UTC hour, replaced by cold water
    cold_water_c: Temperature = 10.0

    @model_validator(mode="before")
    @classmethod
    def _hysteresis_within_the_band(cls, data: object) -> object:
        """Not given, the thermostat's 5 K, or the band where narrower (as a site file's boiler)."""
        if isinstance(data, dict) and data.get("hysteresis_c") is None:
            low, high = data.get("min_temperature_c"), data.get("max_temperature_c")
            if all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (low, high)) and low < high:
                data = {**data, "hysteresis_c": min(DEFAULT_HYSTERESIS_C, high - low)}
        return data

    @model_validator(mode="after")
    def _band(self) -> "BoilerAsset":
        if not self.min_temperature_c < self.max_temperature_c:
            raise ValueError("min_temperature_c must be below max_temperature_c")
        for name in ("setpoint_c", "initial_temperature_c"):
            if not self.min_temperature_c <= getattr(self, name) <= self.max_temperature_c:
                raise ValueError(f"{name} must lie in [min_temperature_c, max_temperature_c]")
        if self.hysteresis_c > self.max_temperature_c - self.min_temperature_c:  # the boiler's own rule (BoilerConfig)
            raise ValueError("hysteresis_c must be at most max_temperature_c - min_temperature_c")
        return self


KINDS_AND_MORE = (("solar", "more_solar"), ("battery", "more_batteries"), ("boiler", "more_boilers"))
MAX_ASSETS_OF_A_KIND = 64  # each runs a module every simulated second and adds its columns to the optimum's LP


class Assets(_Frozen):
    """The site's assets: at least one solar array, any number of batteries and boilers (none too).

    In a file each kind is one table (`[assets.battery]`) or an array of tables (`[[assets.battery]]`);
    `solar`, `battery` and `boiler` are the first of each kind (the one a one-of-each site has), the
    `more_*` fields the rest. `solars()`, `batteries()` and `boilers()` give every one with its id."""

    solar: SolarAsset
    battery: BatteryAsset | None = None
    boiler: BoilerAsset | None = None
    more_solar: Annotated[tuple[SolarAsset, ...], Field(max_length=MAX_ASSETS_OF_A_KIND - 1)] = ()
    more_batteries: Annotated[tuple[BatteryAsset, ...], Field(max_length=MAX_ASSETS_OF_A_KIND - 1)] = ()
    more_boilers: Annotated[tuple[BoilerAsset, ...], Field(max_length=MAX_ASSETS_OF_A_KIND - 1)] = ()

    @model_validator(mode="before")
    @classmethod
    def _arrays_of_tables(cls, data: object) -> object:
        """An array of a kind's tables is its first and the rest."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for kind, more in KINDS_AND_MORE:
            value = data.get(kind)
            if isinstance(value, (list, tuple)):
                if kind == "solar" and not value:
                    raise ValueError("solar: a site has at least one array")
                if len(value) > MAX_ASSETS_OF_A_KIND:
                    raise ValueError(f"{len(value)} {kind} assets; the lab simulates at most {MAX_ASSETS_OF_A_KIND} "
                                     "of a kind")
                if more in data:
                    raise ValueError(f"give {kind} as an array of tables or with {more}, not both")
                data[kind] = value[0] if value else None
                data[more] = tuple(value[1:])
        return data

    @model_validator(mode="after")
    def _ids(self) -> "Assets":
        if (self.more_batteries and self.battery is None) or (self.more_boilers and self.boiler is None):
            raise ValueError("more_batteries and more_boilers need a first battery and boiler")
        ids = [asset_id for asset_id, _ in (*self.solars(), *self.batteries(), *self.boilers())]
        repeated = sorted({asset_id for asset_id in ids if ids.count(asset_id) > 1})
        if repeated:
            raise ValueError(f"asset id {repeated[0]!r} is given to more than one asset; each needs its own")
        return self

    def solars(self) -> tuple[tuple[str, SolarAsset], ...]:
        return _named("solar", (self.solar, *self.more_solar))

    def batteries(self) -> tuple[tuple[str, BatteryAsset], ...]:
        return _named("battery", () if self.battery is None else (self.battery, *self.more_batteries))

    def boilers(self) -> tuple[tuple[str, BoilerAsset], ...]:
        return _named("boiler", () if self.boiler is None else (self.boiler, *self.more_boilers))

    @property
    def single(self) -> bool:
        """One asset of each kind at most: the shape the one-of-each site runs."""
        return not (self.more_solar or self.more_batteries or self.more_boilers)

    def with_each(self, kind: str, **changes: object) -> "Assets":
        """Every asset of `kind` (battery, boiler) with `changes`, validated again."""
        first, more = {"battery": ("battery", "more_batteries"), "boiler": ("boiler", "more_boilers")}[kind]
        if getattr(self, first) is None:
            return self

        def changed(asset: _Frozen) -> _Frozen:
            return type(asset).model_validate({**asset.model_dump(), **changes})

        return self.model_copy(update={first: changed(getattr(self, first)),
                                       more: tuple(changed(a) for a in getattr(self, more))})


def _named(kind: str, assets: tuple) -> tuple:  # type: ignore[type-arg]
    """Each asset with its id: its own, else the kind for the first and kind-N for the N-th."""
    return tuple((asset.id or (kind if i == 0 else f"{kind}-{i + 1}"), asset) for i, asset in enumerate(assets))


class TimeOfUse(_Frozen):
    """A window of the day with its own import (and optionally feed-in) price, e.g. the evening peak."""

    from_h: HourOfDay
    to_h: HourOfDay
    import_price_per_kwh: Price  # negative prices happen on dynamic tariffs
    feed_in_price_per_kwh: Price | None = None  # None: the tariff's feed-in price


Hourly = Annotated[tuple[Price, ...], Field(min_length=24, max_length=24)]


class Tariff(_Frozen):
    """Prices by time of day: an hourly series wins over time-of-use windows, which win over the flat
    price. Prices may be negative (dynamic tariffs). `demand_charge_per_kw` prices the day's highest
    15-minute mean import (a billing meter's peak)."""

    currency: Annotated[str, Field(min_length=1, max_length=8)] = "EUR"
    import_price_per_kwh: Price
    feed_in_price_per_kwh: Price
    time_of_use: tuple[TimeOfUse, ...] = ()
    hourly_import_price_per_kwh: Hourly | None = None  # local hours 0..23
    hourly_feed_in_price_per_kwh: Hourly | None = None
    demand_charge_per_kw: DemandCharge = 0.0

    def _window(self, t_s: float) -> TimeOfUse | None:
        hour = (t_s % SECONDS_PER_DAY) / 3600.0
        return next((w for w in self.time_of_use if w.from_h <= hour < w.to_h), None)

    def import_price_at(self, t_s: float) -> float:
        """Import price at `t_s` seconds after midnight."""
        if self.hourly_import_price_per_kwh is not None:
            return self.hourly_import_price_per_kwh[int(t_s % SECONDS_PER_DAY // 3600)]
        window = self._window(t_s)
        return self.import_price_per_kwh if window is None else window.import_price_per_kwh

    def feed_in_price_at(self, t_s: float) -> float:
        """Feed-in price at `t_s` seconds after midnight (what a kWh exported earns; negative: costs)."""
        if self.hourly_feed_in_price_per_kwh is not None:
            return self.hourly_feed_in_price_per_kwh[int(t_s % SECONDS_PER_DAY // 3600)]
        window = self._window(t_s)
        if window is None or window.feed_in_price_per_kwh is None:
            return self.feed_in_price_per_kwh
        return window.feed_in_price_per_kwh


class Limits(_Frozen):
    """The grid connection: what the site may export and import (W, magnitudes; 0 W export: zero export)."""

    export_limit_w: Power
    import_limit_w: PositivePower


class EndOfDay(_Frozen):
    """How the stores' state at the end is judged, the same for every policy (KPIs and optimum).

    `no_lower` (default): a store ending below where it began is bought back: each missing kWh at
    `price_per_kwh` (default: the import price when the run ends, when a refill would start), over
    the charging efficiency for the
    battery; battery energy above its start first makes up the tank's shortfall (a kWh as
    sqrt(round-trip efficiency) kWh of heat: the site's heater can turn it into heat at any time,
    heat never into electricity); anything else above the start is worth nothing. `value`: the change of stored energy
    (battery and tank, kWh) is valued at `price_per_kwh`, gained or lost alike. `next_day`: the end
    state is worth what it spares the next day if that day repeats this one (next_day.py: the
    optimum's cost of the repeated run from the end state, minus from the start)."""

    rule: Literal["no_lower", "value", "next_day"] = "no_lower"
    price_per_kwh: Price | None = None

    @model_validator(mode="after")
    def _priced(self) -> "EndOfDay":
        if self.rule == "value" and self.price_per_kwh is None:
            raise ValueError("rule 'value' needs price_per_kwh")
        return self


class Scenario(_Frozen):
    name: Name
    description: Text
    profiles: Profiles
    assets: Assets
    tariff: Tariff
    limits: Limits
    end_of_day: EndOfDay = EndOfDay()
    timezone: str = "UTC"  # IANA name: the day's hours (load, draws, tariff, weather) are local
    start_h: HourOfDay = 0.0  # shipped days start at midnight; tests cut short windows out of a day

    @model_validator(mode="after")
    def _next_day_on_one_of_each(self) -> "Scenario":
        if self.end_of_day.rule == "next_day" and (self.assets.more_batteries or self.assets.more_boilers):
            raise ValueError("end_of_day rule 'next_day' values one battery and one tank; a site with several "
                             "takes 'no_lower' or 'value'")
        return self

    @model_validator(mode="after")
    def _tanks_warmed_from_outside(self) -> "Scenario":
        """A tank losing heat to an ambient above its maximum gains it instead, and one refilled with water warmer
        than its maximum is warmed by its draws: past that maximum, whatever any policy does (the optimum found
        no plan: an unexpected error); one sentence instead."""
        ambient = self.profiles.ambient_temperature_c
        for module, tank in self.assets.boilers():
            for name, warmth, warms in (("ambient_temperature_c", ambient, tank.loss_w_per_k > 0),
                                        ("cold_water_c", tank.cold_water_c, any(tank.draw_litres_per_hour.values()))):
                if warms and tank.max_temperature_c < warmth:
                    raise ValueError(f"{name} {warmth:g} is above boiler {module}'s max_temperature_c "
                                     f"{tank.max_temperature_c:g}: it would warm the tank past its maximum; it must be "
                                     "at most each tank's maximum")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, a name too long
            raise ValueError(f"unknown time zone {value[:60]!r} (an IANA name such as Europe/Amsterdam)") from None
        return value

    @property
    def midnight_epoch_s(self) -> float:
        """Local midnight of the scenario's day: hours of spikes, draws and tariffs count from here."""
        day = self.profiles.pv.date
        zone = zoneinfo.ZoneInfo(self.timezone)
        return datetime.datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()

    @property
    def utc_offset_s(self) -> float:
        """The time zone's offset from UTC at the day's midnight (seconds; + east)."""
        zone = zoneinfo.ZoneInfo(self.timezone)
        offset = datetime.datetime.fromtimestamp(self.midnight_epoch_s, zone).utcoffset()
        return offset.total_seconds() if offset else 0.0

    @property
    def start_epoch_s(self) -> float:
        """Where the simulated clock starts."""
        return self.midnight_epoch_s + self.start_h * 3600.0


def scenario_names() -> list[str]:
    """Every shipped scenario, by file name."""
    folder = resources.files(__package__) / "scenarios"
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


class UnknownScenario(ConfigurationError, KeyError):
    """A scenario name that is not shipped (a KeyError for callers that look names up)."""

    def __str__(self) -> str:  # KeyError would quote the sentence
        return str(self.args[0])


def load_scenario(name: str) -> Scenario:
    """A shipped scenario by name; KeyError lists the known ones."""
    path = resources.files(__package__) / "scenarios" / f"{name}.json"
    if not path.is_file():
        raise UnknownScenario(f"unknown scenario {name!r} (--scenario): one of {', '.join(scenario_names())}")
    return Scenario.model_validate(json.loads(path.read_text()))
