"""Small builders the container calls: each turns the site and the settings into one adapter or model.

They hold the few decisions a container expression cannot: which site (the
file, or the home site from EE_* settings), which clock for a speed, which
simulator or driver plays an asset, which grid meter a controller reads.
Transport and Modbus adapters are imported lazily, so a module only loads the
SDK it runs on.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..adapters.clocks import AcceleratedClock, RealClock
from ..adapters.hardware.simulated.battery import SimulatedBattery
from ..adapters.hardware.simulated.boiler import SimulatedBoiler
from ..adapters.hardware.simulated.load import LoadProfile
from ..adapters.hardware.simulated.meter import SimulatedMeter
from ..adapters.hardware.simulated.pv import SimulatedPV
from ..adapters.hardware.simulated.site import SimulatedSite, TelemetryBalanceMeter
from ..adapters.site_file import load_site
from ..adapters.transports.inmemory import InMemoryHub
from ..domain.assets.battery import Battery, BatteryConfig
from ..domain.assets.boiler import Boiler, BoilerConfig
from ..domain.assets.meter import Meter, MeterConfig
from ..domain.assets.solar import Solar, SolarConfig
from ..domain.balancing import Policy
from ..domain.errors import ConfigurationError
from ..domain.planning.solar_geometry import ArrayPlane
from ..domain.ports import Clock, Forecaster, ModuleClient, PlanSolver
from ..domain.routing import RouteTable
from ..domain.site import (
    BATTERY,
    BOILER,
    CONTROLLER,
    METER,
    SOLAR,
    TELEMETRY_INPUT,
    AssetSpec,
    ModbusHardware,
    SimulatedHardware,
    Site,
    all_modules,
    asset_kinds,
    home_site,
    routes_for,
)
from .settings import SiteSettings

if TYPE_CHECKING:
    from ..adapters.prices.day_ahead_json import DayAheadJsonPriceSource
    from ..adapters.pv_forecast.day_ahead_json import DayAheadJsonPvForecastSource
    from ..domain.services.controller_service import ControllerService

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EXTRA_SIMULATOR_PORT = 1600  # `--hardware modbus`: the second and later asset of a kind serve on 1600 + index


# -- the site ---------------------------------------------------------------------------------


def resolve_site(settings: SiteSettings) -> Site:
    """The site file (EE_SITE_FILE), or the home site sized by the EE_* settings; EE_HARDWARE=modbus puts
    every simulated asset on the Modbus site simulator (or the EE_MODBUS_* device)."""
    site = load_site(settings.site_file) if settings.site_file else home_site(
        solar_rated_power_w=settings.solar_rated_power_w, battery_capacity_wh=settings.battery_capacity_wh,
        battery_max_power_w=settings.battery_max_power_w, battery_initial_soc=settings.battery_initial_soc,
        boiler_heater_power_w=settings.boiler_heater_power_w, latitude_deg=settings.latitude,
        longitude_deg=settings.longitude, seed=settings.seed, base_load_w=settings.base_load_w)
    return on_modbus_simulator(site) if settings.hardware == "modbus" else site


def on_modbus_simulator(site: Site) -> Site:
    """Every simulated solar, battery and boiler moved onto Modbus TCP, where the site simulator serves it:
    the first of each kind on its kind's port (1502, 1503, 1504, or EE_MODBUS_HOST/PORT/UNIT_ID)."""
    from ..adapters.hardware.modbus.server import DEFAULT_PORTS
    from .modbus_settings import ModbusSettings

    modbus = ModbusSettings()
    profiles = {SOLAR: "sunspec", BATTERY: "sunspec", BOILER: "boiler_generic"}
    seen: set[str] = set()
    moved = []
    for index, spec in enumerate(site.assets):
        if spec.kind in profiles and spec.simulated:
            port = (modbus.port or DEFAULT_PORTS[spec.kind]) if spec.kind not in seen else EXTRA_SIMULATOR_PORT + index
            seen.add(spec.kind)
            spec = dataclasses.replace(spec, hardware=ModbusHardware(modbus.host, port, modbus.unit_id,
                                                                     profiles[spec.kind]))
        moved.append(spec)
    return dataclasses.replace(site, assets=tuple(moved))


def route_table(site: Site) -> RouteTable:
    return RouteTable.parse(routes_for(site))


def build_clock(settings: SiteSettings) -> Clock:
    if settings.speed == 1.0 and settings.start is None:
        return RealClock()
    return AcceleratedClock(settings.speed, settings.start_epoch(), settings.clock_anchor)


# -- simulated hardware -------------------------------------------------------------------------


def build_simulated_site(clock: Clock, site: Site) -> SimulatedSite:
    """One simulator per solar, battery and boiler of the site (Modbus ones too: the Modbus site simulator
    serves them), each with its own ratings and parameters; one sky (seed) for every array."""
    seed = site.simulation.seed
    simulators: dict[str, Any] = {}
    for spec in site.assets:
        params = spec.hardware if isinstance(spec.hardware, SimulatedHardware) else SimulatedHardware()
        if spec.kind == SOLAR:
            tilt_deg, azimuth_deg = spec.plane or (params.tilt_deg, params.azimuth_deg)
            simulators[spec.id] = SimulatedPV(clock, rated_power_w=spec.rated_power_w or 0.0, seed=seed,
                                              latitude_deg=site.latitude_deg, longitude_deg=site.longitude_deg,
                                              tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)
        elif spec.kind == BATTERY:
            simulators[spec.id] = SimulatedBattery(clock, capacity_wh=spec.capacity_wh or 0.0,
                                                   max_charge_w=spec.max_charge_w or 0.0,
                                                   max_discharge_w=spec.max_discharge_w or 0.0,
                                                   round_trip_efficiency=params.round_trip_efficiency,
                                                   initial_soc=params.initial_soc)
        elif spec.kind == BOILER:
            simulators[spec.id] = SimulatedBoiler(clock, heater_power_w=spec.heater_power_w or 0.0,
                                                  thermal_mass_j_per_k=params.thermal_mass_j_per_k,
                                                  loss_w_per_k=params.loss_w_per_k,
                                                  initial_temperature_c=params.initial_temperature_c)
    return SimulatedSite(clock, assets=simulators, load=build_load_profile(clock, site))


def build_load_profile(clock: Clock, site: Site) -> LoadProfile:
    return LoadProfile(seed=site.simulation.seed + 1, origin=clock.now(), base_w=site.simulation.base_load_w)


def modbus_site_servers(site: Site, simulation: SimulatedSite, clock: Clock, *, every_host: bool = False) -> list[Any]:
    """The Modbus site simulator: the site's Modbus assets on loopback (or any host with `every_host`) as
    Modbus TCP servers (not yet started), each playing its asset's simulator on its port and unit id."""
    from ..adapters.hardware.modbus.meter_simulator import ConnectionPoint
    from ..adapters.hardware.modbus.register_map import load_sunspec_models
    from ..adapters.hardware.modbus.server import ModbusDeviceServer
    from ..adapters.hardware.modbus.simulated_devices import simulated_device

    table = load_sunspec_models()
    servers = []
    for spec in site.assets:
        hardware = spec.hardware
        if not isinstance(hardware, ModbusHardware) or (hardware.host not in LOOPBACK and not every_host):
            continue
        if spec.kind == METER:  # measures the simulated connection point
            physics: Any = ConnectionPoint(simulation.read_grid_power_w, clock.now, phases=site.grid.phases)
        elif spec.id in simulation.assets:
            physics = simulation.hardware(spec.id)
        else:
            continue
        device = simulated_device(spec.kind, physics, hardware.profile, table=table, now=clock.now,
                                  meter_max_power_w=site.grid.fuse_limit_w)
        servers.append(ModbusDeviceServer(device, hardware.host, hardware.port, unit_id=hardware.unit_id))
    return servers


def home_modbus_servers(simulation: SimulatedSite, clock: Clock, *, host: str = "127.0.0.1",
                        ports: dict[str, int] | None = None, meter_profile: str = "sunspec") -> list[Any]:
    """`energy-edge modbus-sim` without a site file: the home site's PV, battery, boiler and a grid meter
    (fed by the site's grid power) on the ports the drivers use by default."""
    from ..adapters.hardware.modbus.meter_simulator import ConnectionPoint
    from ..adapters.hardware.modbus.register_map import load_boiler_map, load_sunspec_models
    from ..adapters.hardware.modbus.server import DEFAULT_PORTS, site_servers

    return site_servers(simulation.pv, simulation.battery, simulation.boiler, load_sunspec_models(), load_boiler_map(),
                        host=host, ports={**DEFAULT_PORTS, **(ports or {})}, now=clock.now,
                        meter=ConnectionPoint(simulation.read_grid_power_w, clock.now), meter_profile=meter_profile)


# -- one asset ------------------------------------------------------------------------------------

ASSET_BUILDERS: dict[str, Callable[[AssetSpec], Any]] = {
    SOLAR: lambda spec: _solar(spec, share_w=spec.rated_power_w or 0.0),
    BATTERY: lambda spec: Battery(BatteryConfig(capacity_wh=spec.capacity_wh, soc_min=spec.soc_min,
                                                soc_max=spec.soc_max, max_charge_w=spec.max_charge_w,
                                                max_discharge_w=spec.max_discharge_w)),
    BOILER: lambda spec: Boiler(BoilerConfig.for_band(spec.heater_power_w, spec.min_temperature_c,
                                                      spec.max_temperature_c)),
    METER: lambda spec: Meter(),  # sized by the site's grid connection in `build_asset`
}
"""The asset state machine of each kind a module serves, from its ratings: the site file's values are also the
envelope within which the twin may narrow them (`domain/envelope.py`); the twin tunes the rest."""


def _solar(spec: AssetSpec, share_w: float) -> Solar:
    """An inverter starts at an export-safe limit within its share of the export limit; the twin may set it up to
    that share (its envelope), never above."""
    ceiling_w = min(spec.rated_power_w or 0.0, share_w)
    safe_w = min(SolarConfig().export_safe_limit_w, ceiling_w)
    return Solar(SolarConfig(rated_power_w=spec.rated_power_w, export_safe_limit_w=safe_w),
                 envelope={"export_safe_limit_w": ceiling_w})


def served_assets(site: Site) -> tuple[AssetSpec, ...]:
    """The assets this build runs a module for (kinds with a state machine)."""
    return tuple(spec for spec in site.assets if spec.kind in ASSET_BUILDERS)


def expected_modules(site: Site) -> tuple[str, ...]:
    """What the telemetry module expects to hear from: every served asset and the controller."""
    return (*(spec.id for spec in served_assets(site)), CONTROLLER)


def build_asset(spec: AssetSpec, site: Site | None = None) -> Any:
    """The asset's state machine; a grid meter's bounds come from the site's grid connection (main fuse),
    an inverter's export-safe limit from its share of the export limit (`Site.export_share_w`)."""
    if spec.kind == METER and site is not None:
        grid = site.grid
        return Meter(MeterConfig(main_fuse_a=grid.main_fuse_a, phases=grid.phases, nominal_voltage_v=grid.nominal_voltage_v))
    if spec.kind == SOLAR and site is not None:  # unsteered, the site's inverters stay within its export limit
        return _solar(spec, share_w=site.export_share_w(spec.id))
    try:
        return ASSET_BUILDERS[spec.kind](spec)
    except KeyError:
        raise ValueError(f"no asset module for kind {spec.kind!r}; this build serves {', '.join(ASSET_BUILDERS)}") from None


def asset_hardware(spec: AssetSpec, simulation: SimulatedSite, clock: Clock, site: Site,
                   client: ModuleClient | None = None, in_process: bool = True) -> Any:
    """The asset's simulator, or its Modbus driver (the device, or the Modbus site simulator)."""
    if isinstance(spec.hardware, ModbusHardware):
        return modbus_hardware(spec, clock, site)
    if spec.kind == METER:  # a simulated grid meter reads the simulated site's balance
        source = simulation if in_process or client is None else reported_site_balance(client, clock, site)
        return SimulatedMeter(source, clock, phases=site.grid.phases, voltage_v=site.grid.nominal_voltage_v)
    return simulation.hardware(spec.id)


def modbus_hardware(spec: AssetSpec, clock: Clock, site: Site) -> Any:
    """The Modbus driver of an asset: the site file's device (host, port, unit id, profile) and ratings,
    EE_MODBUS_* for timeouts and retries; revert timers and rate checks run on the site's clock."""
    from .modbus_settings import ModbusSettings, build_asset_hardware

    return build_asset_hardware(spec, site.grid, settings=ModbusSettings(), now=clock.now)


# -- transports -----------------------------------------------------------------------------------


def inmemory_hub(routes: RouteTable, site: Site) -> InMemoryHub:
    return InMemoryHub(routes, modules=all_modules(site))


def inmemory_client(module_id: str, hub: InMemoryHub) -> ModuleClient:
    return hub.client(module_id)


def mqtt_client(module_id: str, routes: RouteTable) -> ModuleClient:
    from .mqtt_settings import module_client

    return module_client(module_id, routes=routes)


def edgehub_client(module_id: str, site: Site) -> ModuleClient:
    from ..adapters.transports.edgehub.client import EdgeHubModuleClient
    from ..adapters.transports.edgehub.models import model_id

    return EdgeHubModuleClient(model_id=model_id(site, module_id))


def refuse_inmemory(module_id: str) -> ModuleClient:
    raise ConfigurationError(
        f"{module_id}: EE_TRANSPORT=inmemory only works with every module in one process; "
        "run `energy-edge up`, or set EE_TRANSPORT=mqtt or edgehub"
    )


# -- the controller -------------------------------------------------------------------------------


def initial_policy(site: Site) -> Policy:
    """The controller's policy before its twin arrives: defaults, with the site file's grid limits (a
    zero-export site exports nothing from the first cycle), its position and the plane of its first array
    whose plane is known (`AssetSpec.plane`) for the forecast."""
    plane = next(({"pv_tilt_deg": spec.plane[0], "pv_azimuth_deg": spec.plane[1]}
                  for spec in site.of_kind(SOLAR) if spec.plane is not None), {})
    return Policy(latitude_deg=site.latitude_deg, longitude_deg=site.longitude_deg,
                  import_limit_w=site.grid.import_limit_w, export_limit_w=site.grid.export_limit_w, **plane)


def array_planes(site: Site) -> tuple[ArrayPlane, ...]:
    """A site's several arrays for the forecast: each with its rating and, where the site file states it
    (the asset's `tilt_deg`, `azimuth_deg`, or a simulated array's), its plane; a real array's plane not
    stated is the policy's. One array: none (the policy's plane is the array's, as `initial_policy` starts
    it)."""
    arrays = site.of_kind(SOLAR)
    if len(arrays) < 2:
        return ()
    return tuple(ArrayPlane(spec.rated_power_w or 0.0, *(spec.plane or (None, None))) for spec in arrays)


def reported_site_balance(client: ModuleClient, clock: Clock, site: Site) -> TelemetryBalanceMeter:
    """A simulated meter in its own process: the simulated load minus the powers the assets report
    (routed to it by `routes_for`), since its copy of the simulation cannot see the other processes."""
    from ..adapters.hardware.simulated.reported_powers import ReportedAssetPowers

    powers = ReportedAssetPowers(clock)
    client.on_input(TELEMETRY_INPUT, powers.on_telemetry)
    return telemetry_balance_meter(clock, site, powers.powers)


def telemetry_balance_meter(clock: Clock, site: Site, powers: Callable[[], Iterable[float]]) -> TelemetryBalanceMeter:
    """A controller in its own process sees the grid as base load minus what the assets report."""
    return TelemetryBalanceMeter(build_load_profile(clock, site), clock, powers)


def build_controller(client: ModuleClient, clock: Clock, site: Site, simulation: SimulatedSite,
                     in_process: bool, price_source: Any = None, plan_solver: "PlanSolver | None" = None,
                     forecaster: Forecaster | None = None, pv_forecast_source: Any = None) -> "ControllerService":
    """A site with a grid meter module is balanced on that meter's telemetry, in any process. A fully
    simulated site without one is metered by its simulation: in one process the simulated site is the
    grid meter; in its own process the controller meters the grid from the assets' fresh telemetry.
    `forecaster`: None, the controller's own online forecaster (the lab may inject another)."""
    from ..domain.services.controller_service import ControllerService

    options = dict(asset_kinds=asset_kinds(site), price_source=price_source, plan_solver=plan_solver,
                   forecaster=forecaster, pv_forecast_source=pv_forecast_source, pv_planes=array_planes(site))
    if site.meter is not None:
        return ControllerService(client, None, clock, initial_policy(site), **options)
    if in_process:
        return ControllerService(client, simulation, clock, initial_policy(site), **options)
    controller: ControllerService | None = None

    def fresh_powers() -> list[float]:
        assert controller is not None
        return [t.power_w for module, t in controller.latest.items() if not controller.is_stale(module)]

    controller = ControllerService(client, telemetry_balance_meter(clock, site, fresh_powers), clock,
                                   initial_policy(site), **options)
    return controller


def plan_solver(settings: SiteSettings) -> "PlanSolver | None":
    """The LP planner's solver (HiGHS), the default; None (the heuristic planner plans) with
    `EE_PLANNER=heuristic`, or when highspy cannot be loaded."""
    if settings.planner != "lp":
        return None
    try:
        from ..adapters.planning.highs_solver import HighsPlanSolver
    except ImportError as exc:
        logging.getLogger(__name__).warning("LP planner unavailable, planning heuristically: %s", exc)
        return None
    return HighsPlanSolver()


def price_source(settings: SiteSettings) -> "DayAheadJsonPriceSource | None":
    """The controller's day-ahead prices (`EE_PRICE_URL`), or none."""
    if not settings.price_url:
        return None
    from ..adapters.prices.day_ahead_json import DayAheadJsonPriceSource

    return DayAheadJsonPriceSource(settings.price_url)


def pv_forecast_source(settings: SiteSettings) -> "DayAheadJsonPvForecastSource | None":
    """The controller's day-ahead PV forecast (`EE_PV_FORECAST_URL`), or none."""
    if not settings.pv_forecast_url:
        return None
    from ..adapters.pv_forecast.day_ahead_json import DayAheadJsonPvForecastSource

    return DayAheadJsonPvForecastSource(settings.pv_forecast_url)
