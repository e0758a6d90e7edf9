"""The controller's policy: its twin desired properties, validated as one document.

A policy is immutable; a desired patch yields a new one (`from_desired`) or an
`InvalidPayload` naming the field, so a bad patch never leaves the controller
half reconfigured.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Mapping

from ..bounds import (finite, MAX_CYCLE_S, MAX_HOT_WATER_L_PER_H, MAX_POWER_W, MAX_TEMPERATURE_C, MIN_CYCLE_S,
                      SETPOINT_TTL_CEILING_S)
from ..envelope import beyond
from ..errors import InvalidPayload
from ..shown import cut, shown
from ..site import MODULE_ID
from .hourly_profile import HourlyProfile

_P = MAX_POWER_W
_DAY_S = 86_400.0
# (lowest, lowest is exclusive, highest) per scalar field, a finite number. README "Accepted values".
RANGES: dict[str, tuple[float, bool, float]] = {
    "grid_target_w": (-_P, False, _P),
    "export_limit_w": (0.0, False, _P),
    "import_limit_w": (0.0, False, _P),
    "soc_reserve_min": (0.0, False, 1.0),
    "soc_reserve_max": (0.0, True, 1.0),
    "deadband_w": (0.0, False, _P),
    "ramp_limit_w": (0.0, True, _P),
    "hysteresis_w": (0.0, False, _P),
    "boiler_min_on_s": (0.0, False, _DAY_S),
    "boiler_min_off_s": (0.0, False, _DAY_S),
    "setpoint_ttl_s": (0.0, True, SETPOINT_TTL_CEILING_S),
    "cycle_s": (MIN_CYCLE_S, False, MAX_CYCLE_S),
    "reporting_interval_s": (0.0, True, _DAY_S),
    "peak_start_h": (0.0, False, 24.0),
    "peak_end_h": (0.0, False, 24.0),
    "peak_reserve_soc": (0.0, False, 1.0),
    "peak_preheat_c": (0.0, False, MAX_TEMPERATURE_C),
    "plan_interval_s": (0.0, False, _DAY_S),
    "boiler_heat_capacity_j_per_k": (0.0, False, 1e9),  # 1e9 J/K: a 240 m3 tank
    "latitude_deg": (-90.0, False, 90.0),
    "longitude_deg": (-180.0, False, 180.0),
    "pv_tilt_deg": (0.0, False, 90.0),
    "pv_azimuth_deg": (0.0, False, 360.0),
    "cold_water_c": (0.0, False, 40.0),  # mains water
    "boiler_loss_w_per_k": (0.0, False, 1e5),  # 100 kW/K: an uninsulated 240 m3 tank
    "store_target_h": (0.0, False, 24.0),
    "store_target_soc": (0.0, False, 1.0),
    "store_target_c": (0.0, False, MAX_TEMPERATURE_C),
}
# (lowest, highest) of each hour's value per field that is an `HourlyProfile` (a twin object "0".."23").
HOURLY: dict[str, tuple[float, float]] = {
    "hot_water_litres_per_hour": (0.0, MAX_HOT_WATER_L_PER_H),
    "load_w_by_hour": (0.0, _P),
}
# Per boiler (an object of module names to hourly profiles, at most MAX_BOILER_PROFILES): each listed boiler's own
# draws in place of `hot_water_litres_per_hour`, bounded as it is.
PROFILES_BY_BOILER: dict[str, str] = {"hot_water_litres_per_hour_by_boiler": "hot_water_litres_per_hour"}
MAX_BOILER_PROFILES = 64
# Per boiler (an object of module names to numbers, at most MAX_BOILER_PROFILES): each listed tank's own heat
# capacity and standing loss in place of the site's, within its range but above 0.
NUMBERS_BY_BOILER: dict[str, str] = {"boiler_heat_capacity_j_per_k_by_boiler": "boiler_heat_capacity_j_per_k",
                                     "boiler_loss_w_per_k_by_boiler": "boiler_loss_w_per_k"}
# Switches: true or false (JSON booleans only: 0 and 1 are refused, as `true` is where a number is expected).
FLAGS = ("store_target_settles",)
# The site file's grid connection limits, in the policy a controller starts with: the twin may lower them, never
# raise them (`Policy.from_desired`).
CONNECTION_LIMITS = ("import_limit_w", "export_limit_w")
# every policy property, the controller twin's writable properties
WRITABLE = (*RANGES, *HOURLY, *PROFILES_BY_BOILER, *NUMBERS_BY_BOILER, *FLAGS)


@dataclass(frozen=True, slots=True)
class Policy:
    """How the controller balances the grid connection (site convention: + import, - export)."""

    grid_target_w: float = 0.0  # 0 = self-consumption
    export_limit_w: float = 10_000.0  # largest export allowed (magnitude); solar is curtailed beyond it
    import_limit_w: float = 30_000.0  # peak shaving: batteries discharge to keep import below it
    soc_reserve_min: float = 0.1  # no discharge at or below (the battery's own soc_min also applies)
    soc_reserve_max: float = 0.95  # no charge at or above (the battery's own soc_max also applies)
    deadband_w: float = 50.0  # grid errors this small keep the setpoints in force
    ramp_limit_w: float = 10_000.0  # largest change of total flexible power per cycle
    hysteresis_w: float = 100.0  # battery power needed to reverse its direction
    boiler_min_on_s: float = 60.0
    boiler_min_off_s: float = 60.0
    setpoint_ttl_s: float = 30.0  # lease sent with each setpoint; refreshed at half of it
    cycle_s: float = 1.0
    reporting_interval_s: float = 10.0
    # Time-of-use reserve: outside the daily price peak [peak_start_h, peak_end_h) (UTC hours; equal =
    # none) batteries do not discharge below peak_reserve_soc, so the stored energy meets the peak.
    peak_start_h: float = 0.0
    peak_end_h: float = 0.0
    peak_reserve_soc: float = 0.0  # 0 = no reserve; the planner charges up to it from the grid before the peak
    # Boilers are heated to peak_preheat_c just before the peak (0 = not at all): enough for the peak's hot
    # water, no more, since a hotter tank loses more with every litre drawn.
    peak_preheat_c: float = 0.0
    # The planner (domain.planning): replanned every plan_interval_s (0 = off) with a clear-sky PV
    # forecast for the site's location.
    plan_interval_s: float = 300.0
    boiler_heat_capacity_j_per_k: float = 0.0  # each boiler's tank (water kg x 4186); 0 = plan batteries only
    # Where tanks differ: each listed boiler's own heat capacity, by module name (`capacity_of`)
    boiler_heat_capacity_j_per_k_by_boiler: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    latitude_deg: float = 52.37
    longitude_deg: float = 4.90
    # The arrays' plane for the clear-sky forecast: tilt from horizontal (0 = flat), facing clockwise from north.
    pv_tilt_deg: float = 0.0
    pv_azimuth_deg: float = 180.0
    # Each boiler's typical hot-water use (litres per UTC hour of day, replaced by cold water at cold_water_c)
    # and standing loss: the planner heats a tank just in time for its draws (planning/hot_water.py).
    hot_water_litres_per_hour: HourlyProfile = HourlyProfile()
    # Where boilers differ (a kitchen's tank and the showers'): each listed boiler's own draws, by module name;
    # the others draw hot_water_litres_per_hour (`draws_of`).
    hot_water_litres_per_hour_by_boiler: Mapping[str, HourlyProfile] = field(
        default_factory=lambda: MappingProxyType({}))
    cold_water_c: float = 10.0
    boiler_loss_w_per_k: float = 0.0  # 0 = unknown (the planner's margin covers a small loss)
    # Where tanks differ: each listed boiler's own standing loss, by module name (`loss_of`)
    boiler_loss_w_per_k_by_boiler: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # The site's typical consumption besides the steered assets (mean W per UTC hour of day), as its installer
    # knows it: the load forecast's prior, then learned from the meters (planning/load_profile.py). All 0: unknown.
    load_w_by_hour: HourlyProfile = HourlyProfile()
    # The stores' daily target (planning/store_targets.py): every day at store_target_h (UTC) the batteries
    # hold at least store_target_soc and the tanks store_target_c, each within its band, wherever that costs
    # the plan less than buying the shortfall then. 0 = no target.
    store_target_h: float = 0.0
    store_target_soc: float = 0.0
    store_target_c: float = 0.0
    # The day settles at the target: what the stores hold beyond it then is worth nothing to the plan, whose
    # horizon ends there (an operator closing each day's accounts; the lab's one-day yardstick). Off: a
    # continuing site, whose plan stores today's surplus for the night and the next morning.
    store_target_settles: bool = False

    def in_peak(self, now: float) -> bool:
        """Whether `now` (epoch seconds) lies in the daily price-peak window (it may wrap midnight)."""
        if self.peak_start_h == self.peak_end_h:
            return False
        hour = (now % 86_400.0) / 3_600.0
        if self.peak_start_h < self.peak_end_h:
            return self.peak_start_h <= hour < self.peak_end_h
        return hour >= self.peak_start_h or hour < self.peak_end_h

    def draws_of(self, module: str) -> HourlyProfile:
        """The hot-water draws of the boiler `module`: its own where the policy lists it, else the site's."""
        return self.hot_water_litres_per_hour_by_boiler.get(module, self.hot_water_litres_per_hour)

    def capacity_of(self, module: str) -> float:
        """The heat capacity (J/K) of the boiler `module`'s tank: its own where the policy lists it, else the
        site's (0: unknown)."""
        return self.boiler_heat_capacity_j_per_k_by_boiler.get(module, self.boiler_heat_capacity_j_per_k)

    def loss_of(self, module: str) -> float:
        """The standing loss (W/K) of the boiler `module`'s tank: its own where the policy lists it, else the
        site's (0: unknown)."""
        return self.boiler_loss_w_per_k_by_boiler.get(module, self.boiler_loss_w_per_k)

    def knows_tanks(self) -> bool:
        """Whether any boiler's tank has a known heat capacity."""
        return self.boiler_heat_capacity_j_per_k > 0 or bool(self.boiler_heat_capacity_j_per_k_by_boiler)

    def draws_anywhere(self) -> bool:
        """Whether any boiler is expected to draw hot water."""
        return any(litres > 0 for profile in (self.hot_water_litres_per_hour,
                                              *self.hot_water_litres_per_hour_by_boiler.values())
                   for litres in profile.values)

    def __post_init__(self) -> None:
        for name, (low, high) in HOURLY.items():  # given as its twin object or as a profile
            object.__setattr__(self, name, HourlyProfile.from_json(name, getattr(self, name), low, high))
        for name, like in PROFILES_BY_BOILER.items():
            object.__setattr__(self, name, _profiles_by_boiler(name, getattr(self, name), *HOURLY[like]))
        for name, like in NUMBERS_BY_BOILER.items():
            object.__setattr__(self, name, _numbers_by_boiler(name, getattr(self, name), RANGES[like][2]))
        for name in FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise InvalidPayload(name, f"expected true or false, got {shown(getattr(self, name))}")
        for name in RANGES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not finite(value):
                raise InvalidPayload(name, f"expected a finite number, got {shown(value)}")
            lowest, exclusive, highest = RANGES[name]
            if value < lowest or (exclusive and value == lowest) or value > highest:
                raise InvalidPayload(name, f"{value:g} must be {'>' if exclusive else '>='} {lowest:g} "
                                           f"and <= {highest:g}")
        if not self.soc_reserve_min < self.soc_reserve_max <= 1.0:
            raise InvalidPayload("soc_reserve_max", f"needs soc_reserve_min ({self.soc_reserve_min}) < "
                                                    f"soc_reserve_max ({self.soc_reserve_max}) <= 1")
        if not -self.export_limit_w <= self.grid_target_w <= self.import_limit_w:
            raise InvalidPayload("grid_target_w", f"{self.grid_target_w} must lie between -export_limit_w "
                                                  f"({-self.export_limit_w:g}) and import_limit_w ({self.import_limit_w:g})")

    @classmethod
    def from_desired(cls, desired: Mapping[str, Any], base: "Policy | None" = None) -> "Policy":
        """`base` with the known properties of `desired` applied ($-keys are twin metadata).

        A null value is a deleted desired property (JSON merge patch): the
        value in force stays, as the asset modules do. `base` is the policy the
        controller starts with, holding the site file's grid connection limits:
        the twin may lower `import_limit_w` and `export_limit_w` below them,
        never raise them above (`CONNECTION_LIMITS`, `domain/envelope.py`).
        """
        changes = {key: value for key, value in desired.items() if not key.startswith("$") and value is not None}
        unknown = sorted(set(changes) - set(_field_names()))
        if unknown:
            raise InvalidPayload(cut(unknown[0], 64), "unknown policy property")
        policy = replace(base or cls(), **changes)  # __post_init__ parses the objects and checks every value
        for name in CONNECTION_LIMITS if base is not None else ():
            if (reason := beyond(name, getattr(policy, name), highest=getattr(base, name))) is not None:
                raise InvalidPayload(name, reason)
        return policy

    def as_dict(self) -> dict[str, Any]:
        """The policy as the twin's desired properties (an hourly profile as its object)."""
        return {name: _as_json(getattr(self, name)) for name in _field_names()}


def _as_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _as_json(item) for key, item in value.items()}
    return value.as_json() if isinstance(value, HourlyProfile) else value


def _numbers_by_boiler(name: str, value: Any, high: float) -> Mapping[str, float]:
    """A twin object of boiler module names to numbers above 0 and at most `high`; `InvalidPayload` naming
    `name` (and the boiler) for anything else. A boiler given null is removed (JSON merge patch)."""
    numbers = {}
    for module, number in _boiler_entries(name, value, "numbers"):
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not finite(number):
            raise InvalidPayload(f"{name}.{module}", f"expected a finite number, got {shown(number, 64)}")
        if not 0.0 < number <= high:
            raise InvalidPayload(f"{name}.{module}", f"{number:g} must be > 0 and <= {high:g}")
        numbers[module] = float(number)
    return MappingProxyType(numbers)


def _boiler_entries(name: str, value: Any, of: str) -> list[tuple[str, Any]]:
    """The (module, value) pairs of a per-boiler twin object, its keys checked as module names."""
    if not isinstance(value, Mapping):
        raise InvalidPayload(name, f"expected an object of boiler module names to {of}, got {shown(value)}")
    if len(value) > MAX_BOILER_PROFILES:
        raise InvalidPayload(name, f"{len(value)} boilers: at most {MAX_BOILER_PROFILES}")
    for module in value:
        if not isinstance(module, str) or not MODULE_ID.match(module):
            raise InvalidPayload(name, f"{shown(module, 64)} is not a module name: expected lower-case letters, "
                                       "digits and dashes, 1..64 characters, starting with a letter")
    return list(value.items())


def _profiles_by_boiler(name: str, value: Any, low: float, high: float) -> Mapping[str, HourlyProfile]:
    """A twin object of boiler module names to hourly profiles; `InvalidPayload` naming `name` (and the boiler)
    for anything else. A boiler given null is removed (JSON merge patch)."""
    profiles = {}
    for module, profile in _boiler_entries(name, value, "hourly profiles"):
        if profile is not None:
            profiles[module] = HourlyProfile.from_json(f"{name}.{module}", profile, low, high)
    return MappingProxyType(profiles)


def _field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Policy))
