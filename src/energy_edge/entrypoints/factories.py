"""Small builders the containers call: each turns settings into one adapter or model.

They hold the few decisions a container expression cannot: which clock for a
speed, which simulator a module kind drives, the sizes of a simulated site.
Transport and Modbus adapters are imported lazily, so a module only loads the
SDK it runs on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..adapters.clocks import AcceleratedClock, RealClock
from ..adapters.hardware.simulated.battery import SimulatedBattery
from ..adapters.hardware.simulated.boiler import SimulatedBoiler
from ..adapters.hardware.simulated.load import LoadProfile
from ..adapters.hardware.simulated.pv import SimulatedPV
from ..adapters.hardware.simulated.site import SimulatedSite, TelemetryBalanceMeter
from ..domain.balancing import Policy
from ..domain.assets.battery import Battery, BatteryConfig
from ..domain.assets.boiler import Boiler, BoilerConfig
from ..domain.assets.solar import Solar, SolarConfig
from ..domain.ports import Clock, ModuleClient
from ..domain.topology import BATTERY, BOILER, SOLAR
from .settings import SiteSettings

if TYPE_CHECKING:
    from ..domain.services.controller_service import ControllerService


def build_clock(settings: SiteSettings) -> Clock:
    if settings.speed == 1.0 and settings.start is None:
        return RealClock()
    return AcceleratedClock(settings.speed, settings.start_epoch())


def build_simulated_site(clock: Clock, settings: SiteSettings) -> SimulatedSite:
    return SimulatedSite(
        clock,
        seed=settings.seed,
        latitude_deg=settings.latitude,
        longitude_deg=settings.longitude,
        pv=SimulatedPV(clock, rated_power_w=settings.solar_rated_power_w, latitude_deg=settings.latitude,
                       longitude_deg=settings.longitude, seed=settings.seed),
        battery=SimulatedBattery(clock, capacity_wh=settings.battery_capacity_wh,
                                 max_charge_w=settings.battery_max_power_w,
                                 max_discharge_w=settings.battery_max_power_w,
                                 initial_soc=settings.battery_initial_soc),
        boiler=SimulatedBoiler(clock, heater_power_w=settings.boiler_heater_power_w),
        load=build_load_profile(clock, settings),
    )


def build_load_profile(clock: Clock, settings: SiteSettings) -> LoadProfile:
    return LoadProfile(seed=settings.seed + 1, origin=clock.now(), base_w=settings.base_load_w)


def build_asset(kind: str, settings: SiteSettings) -> Solar | Battery | Boiler:
    """The asset state machine with the physical sizes from settings; the twin tunes the rest."""
    if kind == SOLAR:
        rated = settings.solar_rated_power_w
        return Solar(SolarConfig(rated_power_w=rated, export_safe_limit_w=min(SolarConfig().export_safe_limit_w, rated)))
    if kind == BATTERY:
        return Battery(BatteryConfig(capacity_wh=settings.battery_capacity_wh,
                                     max_charge_w=settings.battery_max_power_w,
                                     max_discharge_w=settings.battery_max_power_w))
    if kind == BOILER:
        return Boiler(BoilerConfig(heater_power_w=settings.boiler_heater_power_w))
    raise ValueError(f"no asset kind {kind!r}; expected one of {SOLAR}, {BATTERY}, {BOILER}")


def simulated_hardware(kind: str, site: SimulatedSite) -> Any:
    return {SOLAR: site.pv, BATTERY: site.battery, BOILER: site.boiler}[kind]


def embedded_hardware(kind: str, hardware: str, site: SimulatedSite) -> Any:
    """In one process, `modbus` drives the site's own physics through its Modbus servers."""
    return modbus_hardware(kind, site.clock) if hardware == "modbus" else simulated_hardware(kind, site)


def modbus_site_servers(site: SimulatedSite, clock: Clock, *, host: str = "127.0.0.1",
                        ports: dict[str, int] | None = None, meter_profile: str = "sunspec") -> list[Any]:
    """The simulated site's PV, battery, boiler and grid meter (fed by the site's grid power) as Modbus TCP servers."""
    from ..adapters.hardware.modbus.meter_simulator import ConnectionPoint
    from ..adapters.hardware.modbus.register_map import load_boiler_map, load_sunspec_models
    from ..adapters.hardware.modbus.server import DEFAULT_PORTS, site_servers

    return site_servers(site.pv, site.battery, site.boiler, load_sunspec_models(), load_boiler_map(),
                        host=host, ports={**DEFAULT_PORTS, **(ports or {})}, now=clock.now,
                        meter=ConnectionPoint(site.read_grid_power_w, clock.now), meter_profile=meter_profile)


def modbus_hardware(kind: str, clock: Clock | None = None) -> Any:
    """The Modbus driver of a module; revert timers and rate checks run on `clock` (the site's, when simulated)."""
    from .modbus_settings import build_modbus_hardware

    return build_modbus_hardware(kind, now=clock.now if clock is not None else None)  # type: ignore[arg-type]


def telemetry_balance_meter(clock: Clock, settings: SiteSettings,
                            powers: Callable[[], Iterable[float]]) -> TelemetryBalanceMeter:
    """A controller in its own process sees the grid as base load minus what the assets report."""
    return TelemetryBalanceMeter(build_load_profile(clock, settings), clock, powers)


def mqtt_client(module_id: str) -> ModuleClient:
    from .mqtt_settings import module_client

    return module_client(module_id)


def edgehub_client(module_id: str) -> ModuleClient:
    from ..adapters.transports.edgehub.client import EdgeHubModuleClient
    from ..adapters.transports.edgehub.models import MODEL_IDS

    return EdgeHubModuleClient(model_id=MODEL_IDS.get(module_id))


def refuse_inmemory(module_id: str) -> ModuleClient:
    raise SystemExit(
        f"{module_id}: EE_TRANSPORT=inmemory only works with every module in one process; "
        "run `energy-edge up`, or set EE_TRANSPORT=mqtt or edgehub"
    )


def initial_policy(settings: SiteSettings) -> Policy:
    """The controller's policy before its twin arrives: defaults, forecasting for the site's own position."""
    return Policy(latitude_deg=settings.latitude, longitude_deg=settings.longitude)


def build_controller(client: ModuleClient, clock: Clock, settings: SiteSettings) -> "ControllerService":
    """A controller in its own process, metering the grid from the assets' fresh telemetry."""
    from ..domain.services.controller_service import ControllerService

    controller: ControllerService | None = None

    def fresh_powers() -> list[float]:
        assert controller is not None
        return [t.power_w for module, t in controller.latest.items() if not controller.is_stale(module)]

    controller = ControllerService(client, telemetry_balance_meter(clock, settings, fresh_powers), clock,
                                   initial_policy(settings))
    return controller
