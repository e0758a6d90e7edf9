"""A day from a file (TOML or JSON): weather, load, hot water, tariff and limits in the site's local time.

The format is documented in docs/day-file.md. A file is validated as a whole by
pydantic; anything wrong is one `DayFileError` sentence naming the file and the
field (a CSV series: the CSV file and its line), never a traceback.
"""

from __future__ import annotations

import csv
import datetime
import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from energy_edge.domain.bounded_json import DuplicateKey, unique_keys
from energy_edge.domain.shown import cut, shown

from .bounds import (IRRADIANCE_RANGE, MAX_CSV_ROWS, POWER_RANGE, Date, DemandCharge, Duration, Fraction, HotWaterRate,
                     Hours, Minutes, Name, Power, PositivePower, Price, Seed, Text)
from .scenario import (
    BaseLoadProfile, CloudEvent, EndOfDay, LoadPeak, LoadSpike, MeasuredSeries, Tariff, TimeOfUse,
)

SECONDS_PER_DAY = 86_400.0


class DayFileError(ValueError):
    """A day (or site) file that cannot be used; the message is the sentence for the user."""


def seconds_of_day(value: Any) -> float:
    """A local time of day: "HH:MM" or "HH:MM:SS" (up to "24:00"), or a number of hours."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value) * 3600.0
    elif isinstance(value, str):
        parts = value.strip().split(":")
        if not 2 <= len(parts) <= 3:
            raise ValueError(f"{shown(value)} is not a time of day (HH:MM or HH:MM:SS, or hours as a number)")
        try:
            h, m, s = (float(p) for p in (*parts, "0")[:3])
        except ValueError:
            raise ValueError(f"{shown(value)} is not a time of day (HH:MM or HH:MM:SS)") from None
        if not (0 <= m < 60 and 0 <= s < 60):
            raise ValueError(f"{shown(value)}: minutes and seconds run 0..59")
        seconds = h * 3600 + m * 60 + s
    else:
        raise ValueError(f"{shown(value)} is not a time of day (HH:MM or HH:MM:SS, or hours as a number)")
    if not 0 <= seconds <= SECONDS_PER_DAY:
        raise ValueError(f"{shown(value)} is outside the day (00:00..24:00)")
    return seconds


TimeOfDay = Annotated[float, BeforeValidator(seconds_of_day)]  # "HH:MM[:SS]" or hours, as seconds of the day
Hourly = Annotated[list[Price], Field(min_length=24, max_length=24)]  # local hours 0..23


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # bounds.py: every number finite


class _Timed(_Model):
    """Something at a local time of day, lasting `duration_s`, `duration_min` or `duration_h` (exactly one)."""

    start: TimeOfDay
    duration_s: Duration | None = None
    duration_min: Minutes | None = None
    duration_h: Hours | None = None


    @model_validator(mode="after")
    def _one_duration(self) -> "_Timed":
        given = [d for d in (self.duration_s, self.duration_min, self.duration_h) if d is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of duration_s, duration_min, duration_h")
        return self

    @property
    def seconds(self) -> float:
        if self.duration_s is not None:
            return self.duration_s
        return self.duration_min * 60.0 if self.duration_min is not None else self.duration_h * 3600.0


class Cloud(_Timed):
    depth: Fraction  # share of the sunshine the cloud takes away


class CsvSeries(_Model):
    """A CSV file (relative to the day file) of `time,value` rows; a header row is allowed."""

    csv: str


class Weather(_Model):
    clear_sky_fraction: float | list[tuple[Any, Fraction]] | None = None  # one fraction, or (time, fraction)s
    mean_clearness: Fraction | None = None  # the seeded random sky instead (with cloud_sigma, seed)
    cloud_sigma: Fraction = 0.025
    cloud_phi: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.97
    seed: Seed = 0
    clouds: list[Cloud] = []
    irradiance_csv: str | None = None  # W/m² on the horizontal (the array gives its rating at 1000 W/m²)
    pv_csv: str | None = None  # W of the whole array, available (before any curtailment)
    ambient_temperature_c: Annotated[float, Field(ge=-40.0, le=60.0)] = 20.0  # around the boiler

    @field_validator("clear_sky_fraction", mode="before")
    @classmethod
    def _no_booleans(cls, value: Any) -> Any:
        """A fraction is a number: TOML's true is not 1.0 (pydantic would take it as one)."""
        points = value if isinstance(value, list) else [(None, value)]
        if any(isinstance(point, (list, tuple)) and len(point) == 2 and isinstance(point[1], bool)
               for point in points):
            raise ValueError("a fraction is a number in 0..1 (or a list of (time, fraction) points), not true or false")
        return value

    @field_validator("clear_sky_fraction")
    @classmethod
    def _points(cls, value: float | list[tuple[Any, float]] | None) -> float | list[tuple[Any, float]] | None:
        """Each point's time is a time of day (its ValueError names it), and no two are at the same time."""
        if isinstance(value, list):
            if not value:
                raise ValueError("give one fraction, or at least one (time, fraction) point")
            times = [seconds_of_day(t) for t, _ in value]
            if len(set(times)) < len(times):
                raise ValueError("two points at the same time of day")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> "Weather":
        if self.irradiance_csv and self.pv_csv:
            raise ValueError("give irradiance_csv or pv_csv, not both")
        if self.mean_clearness is not None and self.clear_sky_fraction is not None:
            raise ValueError("give clear_sky_fraction or mean_clearness (the seeded random sky instead), not both")
        if isinstance(self.clear_sky_fraction, float) and not 0 <= self.clear_sky_fraction <= 1:
            raise ValueError("clear_sky_fraction must lie in 0..1")
        return self


class Peak(_Model):
    at: TimeOfDay
    height_w: Power
    width_h: Hours



class Block(_Timed):
    power_w: PositivePower


class Load(_Model):
    base_w: Power = 0.0
    peaks: list[Peak] = []
    blocks: list[Block] = []
    noise_ratio: Fraction = 0.0
    seed: Seed = 0
    csv: str | None = None  # W, replaces base, peaks and noise (blocks still add)


class HotWater(_Model):
    litres_per_hour: dict[int, HotWaterRate] = {}  # by local hour 0..23
    cold_water_c: Annotated[float, Field(ge=0.0, le=40.0)] = 10.0

    @field_validator("litres_per_hour")
    @classmethod
    def _hours(cls, value: dict[int, float]) -> dict[int, float]:
        bad = [h for h in value if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"hours must be 0..23, got {cut(', '.join(map(str, bad)), 60)}")
        return value


class Window(_Model):
    start: TimeOfDay
    end: TimeOfDay
    import_price_per_kwh: Price
    feed_in_price_per_kwh: Price | None = None



class DayTariff(_Model):
    currency: Annotated[str, Field(min_length=1, max_length=8)] = "EUR"
    import_price_per_kwh: Price = 0.30
    feed_in_price_per_kwh: Price = 0.07
    time_of_use: list[Window] = []
    hourly_import_price_per_kwh: Hourly | None = None
    hourly_feed_in_price_per_kwh: Hourly | None = None
    demand_charge_per_kw: DemandCharge = 0.0


class DayLimits(_Model):
    import_limit_w: PositivePower | None = None
    export_limit_w: Power | None = None


class Initial(_Model):
    battery_soc: Fraction | None = None
    boiler_temperature_c: Annotated[float, Field(ge=0.0, le=100.0)] | None = None


class DayFile(_Model):
    name: Name | None = None
    description: Text = ""
    site: str | None = None  # a site file (relative to the day file) or a shipped scenario's name
    date: Date
    weather: Weather = Weather()
    load: Load = Load()
    hot_water: HotWater = HotWater()
    tariff: DayTariff = DayTariff()
    limits: DayLimits = DayLimits()
    initial: Initial = Initial()
    end_of_day: EndOfDay = EndOfDay()


def read_table(path: Path) -> dict[str, Any]:
    """A TOML or JSON file as a dict; DayFileError (naming the file) when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DayFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise DayFileError(f"{path}: not UTF-8 text (a TOML or JSON file)") from None
    kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
    try:
        data = json.loads(text, object_pairs_hook=unique_keys) if kind == "JSON" else tomllib.loads(text)
    except DuplicateKey as exc:  # which of the two the user meant, no reader can tell (TOML refuses them itself)
        raise DayFileError(f"{path}: {exc.reason}") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DayFileError(f"{path}: not valid {kind}: {exc}") from None
    except ValueError:  # both parsers let int()'s refusal through: a number longer than Python reads
        raise DayFileError(f"{path}: not valid {kind}: a number of more than {sys.get_int_max_str_digits()} "
                           "digits (every number is within a physical bound, docs/day-file.md)") from None
    except RecursionError:  # arrays or tables nested until the parser's stack gives up
        raise DayFileError(f"{path}: not valid {kind}: arrays or tables nested too deeply to read") from None
    if not isinstance(data, dict):
        raise DayFileError(f"{path}: the top level must be a table of fields")
    return data


def validation_sentence(path: Path, error: ValidationError) -> str:
    """The first problem of a pydantic error as one sentence: file, field, value, what is allowed."""
    first = error.errors()[0]
    field = ".".join(cut(str(part), 60) for part in first["loc"]) or "(top level)"  # a 3000-digit key cut
    value = first.get("input")
    text = repr(value) if not isinstance(value, dict) else "a table"
    if isinstance(value, datetime.date):  # as the file spells it, not datetime.date(1, 1, 1)
        text = value.isoformat()
    text = text if len(text) <= 60 else text[:57] + "..."
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    if first["type"] == "missing":  # its input is the table it is missing from: name the field, not the table
        return f"{path}: field {field} is missing, and it is required{more}"
    message = first["msg"].removeprefix("Value error, ")
    return f"{path}: field {field} = {text}: {message}{more}"


def read_csv_series(path: Path, bounds: tuple[float, float, str] = POWER_RANGE) -> MeasuredSeries:
    """`time,value` rows (time as HH:MM[:SS] or hours) into a series; a header row is skipped. Every value
    is finite and within `bounds` (low, high, unit: bounds.py), or the line is named."""
    low, high, unit = bounds
    times: list[float] = []
    values: list[float] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            for line_no, row in enumerate(reader, start=1):
                if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                    continue
                if len(row) < 2:
                    raise DayFileError(f"{path}: line {line_no}: expected time,value")
                try:
                    t = seconds_of_day(_number_or_text(row[0]))
                    v = _value(row[1], bounds)
                except ValueError as exc:
                    if line_no == 1 and not times:
                        continue  # a header
                    raise DayFileError(f"{path}: line {line_no}: {exc}") from None
                if times and t <= times[-1]:
                    raise DayFileError(f"{path}: line {line_no}: times must ascend")
                if not low <= v <= high:  # NaN fails this too
                    raise DayFileError(f"{path}: line {line_no}: value {row[1].strip()[:40]!r} is not a number"
                                       f" in {low:.10g}..{high:.10g} {unit}")
                if len(times) == MAX_CSV_ROWS:
                    raise DayFileError(f"{path}: line {line_no}: more than {MAX_CSV_ROWS} rows (two days at 1 s)")
                times.append(t)
                values.append(v)
    except OSError as exc:
        raise DayFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise DayFileError(f"{path}: not UTF-8 text (a CSV of time,value rows)") from None
    except csv.Error as exc:  # a cell beyond the csv module's field limit (an unclosed quote swallows the rest)
        raise DayFileError(f"{path}: line {reader.line_num}: not a time,value row ({exc})") from None
    if not times:
        raise DayFileError(f"{path}: no time,value rows")
    return MeasuredSeries(times_s=tuple(times), values=tuple(values))


def _value(cell: str, bounds: tuple[float, float, str]) -> float:
    """A CSV value as a float; a cell that is no number says what is allowed (not float()'s wording)."""
    try:
        return float(cell)
    except ValueError:
        low, high, unit = bounds
        raise ValueError(f"value {cut(cell.strip(), 40)!r} is not a number in {low:.10g}..{high:.10g} {unit}") from None


def _number_or_text(cell: str) -> float | str:
    cell = cell.strip()
    try:
        return float(cell)
    except ValueError:
        return cell


def load_day(path: Path) -> DayFile:
    """The day file at `path`, validated; CSV paths in it are made absolute (relative to its folder)."""
    data = read_table(path)
    try:
        day = DayFile.model_validate(data)
    except ValidationError as exc:
        raise DayFileError(validation_sentence(path, exc)) from None
    if day.name is None:
        day = day.model_copy(update={"name": path.stem})
    return day


def fraction_series(value: float | list[tuple[Any, float]] | None) -> MeasuredSeries | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return MeasuredSeries(times_s=(0.0,), values=(float(value),))
    points = sorted((seconds_of_day(t), f) for t, f in value)
    return MeasuredSeries(times_s=tuple(t for t, _ in points), values=tuple(f for _, f in points))


def day_weather(day: DayFile, folder: Path) -> dict[str, Any]:
    """The PvProfile fields (besides the site's position) this day's weather gives."""
    w = day.weather
    fields: dict[str, Any] = {
        "date": day.date, "seed": w.seed, "cloud_sigma": w.cloud_sigma, "cloud_phi": w.cloud_phi,
        "clouds": tuple(CloudEvent(start_s=c.start, duration_s=c.seconds, depth=c.depth) for c in w.clouds),
    }
    if w.mean_clearness is not None:
        fields["mean_clearness"] = w.mean_clearness
    elif w.clear_sky_fraction is None:
        fields["clear_sky_fraction"] = fraction_series(1.0)  # nothing said: a clear sky
    fields["clear_sky_fraction"] = fraction_series(w.clear_sky_fraction) or fields.get("clear_sky_fraction")
    if w.irradiance_csv:
        fields["measured_irradiance_w_m2"] = read_csv_series(folder / w.irradiance_csv, IRRADIANCE_RANGE)
    if w.pv_csv:
        fields["measured_pv_w"] = read_csv_series(folder / w.pv_csv)
    return fields


def day_load(day: DayFile, folder: Path) -> BaseLoadProfile:
    load = day.load
    return BaseLoadProfile(
        base_w=load.base_w, noise_ratio=load.noise_ratio, seed=load.seed,
        peaks=tuple(LoadPeak(hour=p.at / 3600.0, height_w=p.height_w, width_h=p.width_h) for p in load.peaks),
        spikes=tuple(LoadSpike(start_h=b.start / 3600.0, duration_h=b.seconds / 3600.0, power_w=b.power_w)
                     for b in load.blocks),
        measured_w=read_csv_series(folder / load.csv) if load.csv else None)


def day_tariff(day: DayFile) -> Tariff:
    t = day.tariff
    return Tariff(
        currency=t.currency, import_price_per_kwh=t.import_price_per_kwh, feed_in_price_per_kwh=t.feed_in_price_per_kwh,
        time_of_use=tuple(TimeOfUse(from_h=w.start / 3600.0, to_h=w.end / 3600.0,
                                    import_price_per_kwh=w.import_price_per_kwh,
                                    feed_in_price_per_kwh=w.feed_in_price_per_kwh) for w in t.time_of_use),
        hourly_import_price_per_kwh=tuple(t.hourly_import_price_per_kwh) if t.hourly_import_price_per_kwh else None,
        hourly_feed_in_price_per_kwh=tuple(t.hourly_feed_in_price_per_kwh) if t.hourly_feed_in_price_per_kwh
        else None,
        demand_charge_per_kw=t.demand_charge_per_kw)

