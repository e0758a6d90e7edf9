"""A site as data: where it is, its grid connection, and every asset the controller steers or reads.

The site file (`site.toml`, read by `adapters/site_file.py`) becomes a `Site`;
everything that used to enumerate "one solar, one battery, one boiler" derives
from one: the modules, their kinds, and the routes (IoT Edge syntax) that every
transport reads. `home_site()` is today's one-of-each site, with the module
names existing deployments use (solar, battery, boiler).

Standard library only: the loader validates, these dataclasses only carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SOLAR = "solar"
BATTERY = "battery"
BOILER = "boiler"
METER = "meter"
KINDS: tuple[str, ...] = (SOLAR, BATTERY, BOILER, METER)
STEERED_KINDS: tuple[str, ...] = (SOLAR, BATTERY, BOILER)  # the meter is read, never steered

CONTROLLER = "controller"
TELEMETRY = "telemetry"
SERVICE_MODULES: tuple[str, ...] = (CONTROLLER, TELEMETRY)

# Outputs and inputs by module role (names the code really uses).
TELEMETRY_OUTPUT = "telemetry"  # every asset module
CLOUD_OUTPUT = "cloud"  # controller: aggregated site telemetry
TELEMETRY_INPUT = "telemetry"  # controller and telemetry module: asset telemetry
SITE_INPUT = "site"  # telemetry module: the controller's site report

MODULE_ID = re.compile(r"^[a-z](?:[a-z0-9-]{0,62}[a-z0-9])?$")
"""An asset id is its IoT Edge module name, and also a Docker container name, a Mosquitto user, an MQTT
topic level and (upper-cased, '-' as '_') an environment variable suffix. The deployment schema allows
[a-zA-Z0-9_.-]; the portal refuses capitals, and '.' and '_' are ambiguous in the other places, so an id
is lowercase letters, digits and '-', starts with a letter, does not end with '-', at most 64 characters."""

RESERVED_MODULE_IDS: frozenset[str] = frozenset(
    {CONTROLLER, TELEMETRY, "edgeagent", "edgehub", "operator", "upstream"}
)
"""Names a site's asset cannot take: the two service modules, the IoT Edge runtime's own modules, the
MQTT operator user and the `upstream` topic level."""


@dataclass(frozen=True, slots=True)
class GridConnection:
    """The point of common coupling (site sign: + import, - export)."""

    import_limit_w: float = 30_000.0
    export_limit_w: float = 10_000.0  # 0: a zero-export connection
    main_fuse_a: float = 50.0  # per phase
    phases: int = 3
    nominal_voltage_v: float = 230.0  # phase to neutral

    @property
    def fuse_limit_w(self) -> float:
        """What the main fuse carries at nominal voltage, all phases together."""
        return self.main_fuse_a * self.phases * self.nominal_voltage_v


@dataclass(frozen=True, slots=True)
class SimulatedHardware:
    """An asset played by the simulators; the parameters of the other kinds are ignored."""

    type: str = "simulated"
    tilt_deg: float = 0.0  # solar: from horizontal (0: flat); the simulator's and forecast's plane of array
    azimuth_deg: float = 180.0  # solar; 180 = south
    initial_soc: float = 0.5  # battery
    round_trip_efficiency: float = 0.9  # battery
    initial_temperature_c: float = 50.0  # boiler
    thermal_mass_j_per_k: float = 200 * 4186.0  # boiler: 200 l of water
    loss_w_per_k: float = 2.0  # boiler


@dataclass(frozen=True, slots=True)
class ModbusHardware:
    """A real device (or the Modbus site simulator) on Modbus TCP."""

    host: str
    port: int = 502
    unit_id: int = 1
    profile: str = "sunspec"  # SunSpec discovery, or a register map's name
    type: str = "modbus"


Hardware = SimulatedHardware | ModbusHardware


@dataclass(frozen=True, slots=True)
class AssetSpec:
    """One asset: its id (= module name), kind, ratings (those of its kind are set) and hardware."""

    id: str
    kind: str
    hardware: Hardware = field(default_factory=SimulatedHardware)
    rated_power_w: float | None = None  # solar
    tilt_deg: float | None = None  # solar: the array's plane as installed (None: its simulator's, or unknown)
    azimuth_deg: float | None = None
    capacity_wh: float | None = None  # battery
    max_charge_w: float | None = None
    max_discharge_w: float | None = None
    soc_min: float = 0.1
    soc_max: float = 0.9
    heater_power_w: float | None = None  # boiler
    min_temperature_c: float = 40.0
    max_temperature_c: float = 75.0

    @property
    def simulated(self) -> bool:
        return isinstance(self.hardware, SimulatedHardware)

    @property
    def plane(self) -> tuple[float, float] | None:
        """An array's (tilt, azimuth): as the site file states it for the asset, else its simulator's; None for
        a real array whose plane is not stated (the forecast then takes the policy's)."""
        hardware = self.hardware
        simulated = (hardware.tilt_deg, hardware.azimuth_deg) if isinstance(hardware, SimulatedHardware) else (None, None)
        tilt, azimuth = (own if own is not None else its for own, its in zip((self.tilt_deg, self.azimuth_deg), simulated))
        if tilt is None and azimuth is None:
            return None
        return (0.0 if tilt is None else tilt, 180.0 if azimuth is None else azimuth)


@dataclass(frozen=True, slots=True)
class SimulationSpec:
    """What a simulated site adds around its assets: the house load and the weather seed."""

    seed: int = 42
    base_load_w: float = 800.0


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    latitude_deg: float
    longitude_deg: float
    timezone: str
    grid: GridConnection
    assets: tuple[AssetSpec, ...]
    simulation: SimulationSpec = SimulationSpec()

    def asset(self, asset_id: str) -> AssetSpec:
        for spec in self.assets:
            if spec.id == asset_id:
                return spec
        raise KeyError(f"site {self.name!r} has no asset {asset_id!r}; it has {', '.join(self.asset_ids)}")

    @property
    def asset_ids(self) -> tuple[str, ...]:
        return tuple(spec.id for spec in self.assets)

    def of_kind(self, kind: str) -> tuple[AssetSpec, ...]:
        return tuple(spec for spec in self.assets if spec.kind == kind)

    @property
    def meter(self) -> AssetSpec | None:
        """The grid meter at the point of common coupling, if the site has one."""
        meters = self.of_kind(METER)
        return meters[0] if meters else None

    @property
    def simulated(self) -> bool:
        """Every asset simulated: the simulation itself can meter the grid."""
        return all(spec.simulated for spec in self.assets)

    def export_share_w(self, asset_id: str) -> float:
        """An inverter's share of the grid's export limit, in proportion to its rating.

        Its export-safe limit (in force at start and whenever no lease runs: a silent
        controller, a stale meter) is at most this, so all the site's inverters left
        unsteered together export no more than the connection allows, whatever the load
        (0 W on a zero-export site)."""
        rating = self.asset(asset_id).rated_power_w or 0.0
        total = sum(spec.rated_power_w or 0.0 for spec in self.of_kind(SOLAR))
        return self.grid.export_limit_w * rating / total if total > 0 else 0.0


# -- what derives from a site ---------------------------------------------------------------


def asset_modules(site: Site) -> tuple[str, ...]:
    """The asset modules, in the file's order."""
    return site.asset_ids


def all_modules(site: Site) -> tuple[str, ...]:
    """Every module deployed for the site: its assets, then the controller and the telemetry module."""
    return (*site.asset_ids, *SERVICE_MODULES)


def kinds(site: Site) -> dict[str, str]:
    """Module id -> kind, for every module (controller and telemetry are their own kind)."""
    return {**{spec.id: spec.kind for spec in site.assets}, **{m: m for m in SERVICE_MODULES}}


def asset_kinds(site: Site) -> dict[str, str]:
    """Asset module -> kind: receivers refuse telemetry whose body claims another kind for its sender."""
    return {spec.id: spec.kind for spec in site.assets}


def outputs_for(site: Site) -> dict[str, tuple[str, ...]]:
    return {**{a: (TELEMETRY_OUTPUT,) for a in site.asset_ids}, CONTROLLER: (CLOUD_OUTPUT,), TELEMETRY: ()}


def inputs_for(site: Site) -> dict[str, tuple[str, ...]]:
    hearing = site.meter.id if meter_hears_assets(site) and site.meter is not None else None
    return {**{a: (TELEMETRY_INPUT,) if a == hearing else () for a in site.asset_ids}, CONTROLLER: (TELEMETRY_INPUT,),
            TELEMETRY: (TELEMETRY_INPUT, SITE_INPUT)}


def _brokered(module: str, input_name: str) -> str:
    return f'BrokeredEndpoint("/modules/{module}/inputs/{input_name}")'


def meter_hears_assets(site: Site) -> bool:
    """A simulated grid meter derives the connection point from the other assets' telemetry when it
    runs in its own process (MQTT, IoT Edge), where it cannot see their simulated physics."""
    return site.meter is not None and isinstance(site.meter.hardware, SimulatedHardware)


def routes_for(site: Site) -> dict[str, str]:
    """The one routes definition of a site, IoT Edge syntax: every transport and the manifest read it.

    Each asset's telemetry goes to the controller and to the telemetry module; the controller's site
    report goes to the telemetry module and upstream to IoT Hub. A simulated grid meter also hears every
    other asset: in its own process it sees the site only through their reports (`meter_hears_assets`).
    """
    meter = site.meter
    hearing = meter_hears_assets(site)
    return {
        **{f"{asset}ToMeter": f"FROM /messages/modules/{asset}/outputs/{TELEMETRY_OUTPUT} "
                              f"INTO {_brokered(meter.id, TELEMETRY_INPUT)}"
           for asset in site.asset_ids if hearing and meter is not None and asset != meter.id},
        **{f"{asset}ToController": f"FROM /messages/modules/{asset}/outputs/{TELEMETRY_OUTPUT} "
                                   f"INTO {_brokered(CONTROLLER, TELEMETRY_INPUT)}" for asset in site.asset_ids},
        **{f"{asset}ToTelemetry": f"FROM /messages/modules/{asset}/outputs/{TELEMETRY_OUTPUT} "
                                  f"INTO {_brokered(TELEMETRY, TELEMETRY_INPUT)}" for asset in site.asset_ids},
        "controllerToTelemetry": f"FROM /messages/modules/{CONTROLLER}/outputs/{CLOUD_OUTPUT} "
                                 f"INTO {_brokered(TELEMETRY, SITE_INPUT)}",
        "controllerToUpstream": f"FROM /messages/modules/{CONTROLLER}/outputs/{CLOUD_OUTPUT} INTO $upstream",
    }


def home_site(*, solar_rated_power_w: float = 15_000.0, battery_capacity_wh: float = 20_000.0,
              battery_max_power_w: float = 8_000.0, battery_initial_soc: float = 0.5,
              boiler_heater_power_w: float = 6_000.0, latitude_deg: float = 52.0, longitude_deg: float = 5.0,
              seed: int = 42, base_load_w: float = 800.0) -> Site:
    """Today's site: one simulated solar inverter, battery and boiler, named solar, battery, boiler.

    The keyword arguments are the EE_* settings of a deployment without a site file.
    """
    return Site(
        name="home", latitude_deg=latitude_deg, longitude_deg=longitude_deg, timezone="Europe/Amsterdam",
        grid=GridConnection(),
        assets=(
            AssetSpec(SOLAR, SOLAR, SimulatedHardware(), rated_power_w=solar_rated_power_w),
            AssetSpec(BATTERY, BATTERY, SimulatedHardware(initial_soc=battery_initial_soc),
                      capacity_wh=battery_capacity_wh, max_charge_w=battery_max_power_w,
                      max_discharge_w=battery_max_power_w),
            AssetSpec(BOILER, BOILER, SimulatedHardware(), heater_power_w=boiler_heater_power_w),
        ),
        simulation=SimulationSpec(seed=seed, base_load_w=base_load_w),
    )
