"""Device profiles: how an asset's device speaks, named in the site file (`hardware.profile`).

`sunspec` finds the device's models by SunSpec discovery (solar, battery,
meter); every other profile is a register map shipped in maps/ (file name =
profile name, its "kind" = the asset kind it serves). `PROFILES` is what a
site file is validated against; a new map file in maps/ is a new profile.
"""

from __future__ import annotations

import json
from pathlib import Path

from .register_map import MAPS_DIR, SUNSPEC_MODELS_FILE, GenericRegisterMap, RegisterMapError, load_boiler_map, load_meter_map

SUNSPEC = "sunspec"
SUNSPEC_KINDS = ("solar", "battery", "meter")


def _shipped_maps() -> dict[str, tuple[str, ...]]:
    maps: dict[str, tuple[str, ...]] = {}
    for path in sorted(MAPS_DIR.glob("*.json")):
        if path != SUNSPEC_MODELS_FILE:
            maps[path.stem] = (str(json.loads(path.read_text()).get("kind", "boiler")),)
    return maps


PROFILES: dict[str, tuple[str, ...]] = {SUNSPEC: SUNSPEC_KINDS, **_shipped_maps()}
"""Profile name -> the asset kinds it can serve."""


def available_profiles(kind: str | None = None) -> tuple[str, ...]:
    """The profile names (for one asset kind, or all), sorted."""
    return tuple(sorted(name for name, kinds in PROFILES.items() if kind is None or kind in kinds))


def map_file(profile: str, kind: str) -> Path:
    """The register map of a map profile; RegisterMapError naming the allowed ones otherwise."""
    if profile == SUNSPEC or kind not in PROFILES.get(profile, ()):
        allowed = [name for name in available_profiles(kind) if name != SUNSPEC]
        raise RegisterMapError(f"no register map {profile!r} for a {kind}; the maps for a {kind} are {allowed}")
    return MAPS_DIR / f"{profile}.json"


def load_profile_map(profile: str, kind: str, path: Path | None = None) -> GenericRegisterMap:
    """A boiler or meter map by profile name (or from `path`, a device's own file), validated."""
    path = path or map_file(profile, kind)
    return load_meter_map(path) if kind == "meter" else load_boiler_map(path)
