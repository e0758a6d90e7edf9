"""A site and a day make a scenario: what `simulate --site FILE --day FILE` and `quality --days DIR` run.

Names work wherever a path does: `--scenario NAME` (or `--day NAME`) is a shipped scenario,
`--scenario FILE` a scenario JSON, `--site NAME` a shipped scenario's site. A shipped day with
`--site` runs on that site (`scenario_on_site`) rather than quietly on its own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .day_file import (DayFile, DayFileError, day_load, day_tariff, day_weather, load_day, read_table,
                       validation_sentence)
from .scenario import Limits, Profiles, PvProfile, Scenario, load_scenario, scenario_names
from .site_source import LabSite, load_lab_site

DAY_SUFFIXES = (".toml", ".json")


def scenario_from(site: LabSite, day: DayFile, folder: Path, where: str = "") -> Scenario:
    """The day on the site: the day's weather at the site's position, its load, draws, tariff and limits."""
    assets = site.assets
    try:
        if day.initial.battery_soc is not None:
            assets = assets.with_each("battery", initial_soc=day.initial.battery_soc)
        changes = {"draw_litres_per_hour": dict(day.hot_water.litres_per_hour), "cold_water_c": day.hot_water.cold_water_c}
        if day.initial.boiler_temperature_c is not None:
            changes["initial_temperature_c"] = day.initial.boiler_temperature_c
        assets = assets.with_each("boiler", **changes)  # each tank serves its own taps on the day's rhythm
        limits = site.limits.model_copy(update={k: v for k, v in day.limits.model_dump().items() if v is not None})
        return Scenario(
            name=day.name or "day", description=day.description or f"{day.name} on {site.name}",
            profiles=Profiles(pv=PvProfile(latitude=site.latitude, longitude=site.longitude,
                                           **day_weather(day, folder)),
                              base_load=day_load(day, folder), ambient_temperature_c=day.weather.ambient_temperature_c),
            assets=assets, tariff=day_tariff(day), limits=limits, end_of_day=day.end_of_day, timezone=site.timezone)
    except ValidationError as exc:
        raise DayFileError(validation_sentence(Path(where or day.name or "day"), exc)) from None


def scenario_for(scenario: str | None = None, site: str | None = None, day: str | None = None) -> Scenario:
    """A shipped scenario or scenario file (`scenario`, or `day` naming a shipped one), or a day file on
    a site (`site` and `day`); a shipped day given a `site` runs on that site."""
    if scenario is None and day is not None and not Path(day).exists() and day in scenario_names():
        scenario = day
    if scenario is not None:
        shipped = _shipped_or_json(scenario)
        return shipped if site is None else scenario_on_site(shipped, load_lab_site(site), f"{scenario} on {site}")
    if day is None:
        raise DayFileError("give --scenario NAME|FILE, or --day FILE (with --site FILE|NAME unless the day names it)")
    return day_scenario(Path(day), site)


def _shipped_or_json(scenario: str) -> Scenario:
    path = Path(scenario)
    if path.suffix.lower() == ".json":  # a scenario file: read as a day file is (a name has no suffix)
        data = read_table(path)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise DayFileError(validation_sentence(path, exc)) from None
    try:
        return load_scenario(scenario)
    except KeyError as exc:
        raise DayFileError(str(exc.args[0])) from None


def scenario_on_site(scenario: Scenario, site: LabSite, where: str) -> Scenario:
    """A whole day (sky, load, draws, tariff, limits) on another site: the day's sky at the site's position
    and in its time zone, the site's assets (its boiler with the day's draws), and each grid limit the
    tighter of the day's and the connection's."""
    assets = site.assets
    try:
        day_boiler = scenario.assets.boiler
        if day_boiler is not None:
            assets = assets.with_each("boiler", draw_litres_per_hour=dict(day_boiler.draw_litres_per_hour),
                                      cold_water_c=day_boiler.cold_water_c)
        pv = scenario.profiles.pv.model_copy(update={"latitude": site.latitude, "longitude": site.longitude})
        limits = Limits(export_limit_w=min(site.limits.export_limit_w, scenario.limits.export_limit_w),
                        import_limit_w=min(site.limits.import_limit_w, scenario.limits.import_limit_w))
        return scenario.model_copy(update={
            "description": f"{scenario.name} on {site.name}", "assets": assets, "limits": limits,
            "profiles": scenario.profiles.model_copy(update={"pv": pv}), "timezone": site.timezone})
    except ValidationError as exc:
        raise DayFileError(validation_sentence(Path(where), exc)) from None


def day_scenario(day_path: Path, site: str | None = None) -> Scenario:
    """A day file on `site`, or on the site the day file names (`site = "..."`, relative to it)."""
    day = load_day(day_path)
    if site is None:
        if day.site is None:
            raise DayFileError(f"{day_path}: field site: no site given (--site FILE|NAME, or site = \"FILE\" "
                               "in the day file)")
        named = day_path.parent / day.site
        site = str(named) if named.suffix else day.site
    return scenario_from(load_lab_site(site), day, day_path.parent, f"{day_path} on {site}")


def day_files(folder: Path) -> list[Path]:
    """Every day file (TOML, JSON) in `folder`, by name."""
    if not folder.is_dir():
        raise DayFileError(f"{folder}: not a folder of day files")
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in DAY_SUFFIXES and p.is_file())
    if not found:
        raise DayFileError(f"{folder}: no day files (*.toml, *.json) in it")
    return found

