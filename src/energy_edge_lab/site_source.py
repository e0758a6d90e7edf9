"""The site a day is simulated on: a site file, or a shipped scenario's site.

Two file shapes are read:
- the project's site file (docs/site-file.md, a `[site]` table): through the edge's
  loader `energy_edge.adapters.site_file.load_site` once it is there; the lab adds
  what a simulation needs beyond it (tank size, losses, efficiency) as defaults;
- the lab's own site section (TOML or JSON): `name`, `latitude`, `longitude`,
  `timezone`, `[limits]` and `[assets.solar]`, optional `[assets.battery]` and
  `[assets.boiler]`, with the fields of the scenario format (docs/day-file.md).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .bounds import Name
from .day_file import DayFileError, read_table, validation_sentence
from .scenario import Assets, BatteryAsset, BoilerAsset, Limits, SolarAsset, load_scenario, scenario_names

DEFAULT_TANK_J_PER_K = 200 * 4186.0  # a 200 l tank, when the site file does not say
DEFAULT_TANK_LOSS_W_PER_K = 2.0


class LabSite(BaseModel):
    """Where the site is, its grid connection and its assets."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # bounds.py: every number finite

    name: Name = "site"
    latitude: Annotated[float, Field(ge=-90.0, le=90.0)]
    longitude: Annotated[float, Field(ge=-180.0, le=180.0)]
    timezone: str = "UTC"
    limits: Limits
    assets: Assets


def load_lab_site(source: str) -> LabSite:
    """A site by file path, or by the name of a shipped scenario (its site)."""
    path = Path(source)
    if not path.suffix and source in scenario_names():
        s = load_scenario(source)
        pv = s.profiles.pv
        return LabSite(name=source, latitude=pv.latitude, longitude=pv.longitude, timezone=s.timezone,
                       limits=s.limits, assets=s.assets)
    data = read_table(path)
    if "site" in data and isinstance(data["site"], dict):
        return _from_site_file(path)
    try:
        return LabSite.model_validate(data)
    except ValidationError as exc:
        raise DayFileError(validation_sentence(path, exc)) from None


def _from_site_file(path: Path) -> LabSite:
    """The project's site file (docs/site-file.md) through the edge's loader."""
    try:
        loader = importlib.import_module("energy_edge.adapters.site_file")
    except ModuleNotFoundError:
        raise DayFileError(f"{path}: a [site] file needs energy_edge.adapters.site_file, which this installation "
                           "lacks; use the lab's site section (docs/day-file.md) meanwhile") from None
    try:
        site = loader.load_site(path)
    except loader.SiteFileError as exc:
        raise DayFileError(str(exc)) from None
    return site_from_domain(site, path)


def site_from_domain(site: Any, path: Path) -> LabSite:
    """A `domain.site.Site` as a `LabSite`: every solar array, battery and boiler by its id (the meter is
    the simulated grid's own)."""
    of_kind = {kind: [asset for asset in site.assets if asset.kind == kind] for kind in ("solar", "battery", "boiler")}
    if not of_kind["solar"]:
        raise DayFileError(f"{path}: the lab needs a solar asset")

    def opt(asset: Any, name: str) -> dict[str, Any]:
        value = getattr(asset, name, None)
        return {} if value is None else {name: value}

    def battery(asset: Any) -> BatteryAsset:
        return BatteryAsset(
            id=asset.id, capacity_wh=asset.capacity_wh, max_charge_w=asset.max_charge_w,
            max_discharge_w=asset.max_discharge_w, **opt(asset, "soc_min"), **opt(asset, "soc_max"),
            **_simulated(asset, "initial_soc", "round_trip_efficiency"),
            **({} if _simulated(asset, "initial_soc") else {"initial_soc": _middle(
                getattr(asset, "soc_min", None), getattr(asset, "soc_max", None))}))

    try:
        return LabSite(
            name=site.name, latitude=site.latitude_deg, longitude=site.longitude_deg, timezone=site.timezone,
            limits=Limits(import_limit_w=site.grid.import_limit_w, export_limit_w=site.grid.export_limit_w),
            assets=Assets(solar=[SolarAsset(id=a.id, rated_power_w=a.rated_power_w, **_plane(a)) for a in of_kind["solar"]],
                          battery=[battery(a) for a in of_kind["battery"]],
                          boiler=[_boiler(a) for a in of_kind["boiler"]]))
    except ValidationError as exc:
        raise DayFileError(validation_sentence(path, exc)) from None


def _plane(solar: Any) -> dict[str, float]:
    """The array's plane as the site file states it (`AssetSpec.plane`: the asset's, else its simulator's)."""
    plane = getattr(solar, "plane", None)
    return {} if plane is None else {"tilt_deg": plane[0], "azimuth_deg": plane[1]}


def _middle(low: float | None, high: float | None) -> float:
    return ((low if low is not None else 0.1) + (high if high is not None else 0.9)) / 2


def _simulated(asset: Any, *names: str) -> dict[str, Any]:
    """The simulator parameters a site file gives for a simulated asset (`[assets.hardware]`)."""
    hardware = getattr(asset, "hardware", None)
    if getattr(hardware, "type", None) != "simulated":
        return {}
    return {name: getattr(hardware, name) for name in names if getattr(hardware, name, None) is not None}


def _boiler(asset: Any) -> BoilerAsset:
    low, high = getattr(asset, "min_temperature_c", None), getattr(asset, "max_temperature_c", None)
    low, high = 45.0 if low is None else low, 80.0 if high is None else high  # 0 °C is a minimum, not none
    middle = (low + high) / 2
    tank = {"thermal_mass_j_per_k": DEFAULT_TANK_J_PER_K, "loss_w_per_k": DEFAULT_TANK_LOSS_W_PER_K,
            "initial_temperature_c": middle,
            **_simulated(asset, "thermal_mass_j_per_k", "loss_w_per_k", "initial_temperature_c")}
    tank["initial_temperature_c"] = min(max(tank["initial_temperature_c"], low), high)
    return BoilerAsset(id=asset.id, heater_power_w=asset.heater_power_w, min_temperature_c=low, max_temperature_c=high,
                       setpoint_c=middle, **tank)
