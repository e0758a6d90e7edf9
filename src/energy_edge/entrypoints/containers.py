"""Dependency-injection containers: the object graph of a module, and of the embedded site.

`ModuleContainer` is one module in its own process (a container image on IoT
Edge, a compose service, a process of `energy-edge up --transport mqtt`):
transport and hardware are chosen by configuration alone (EE_TRANSPORT,
EE_HARDWARE). `EmbeddedSiteContainer` is all five modules in one process on
the in-memory hub with one simulated site, for `energy-edge up`.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from ..adapters.process_metrics import ProcessMetrics
from ..adapters.transports.inmemory import InMemoryHub
from ..domain.routing import RouteTable
from ..domain.services.asset_service import AssetModuleService
from ..domain.services.controller_service import ControllerService
from ..domain.services.telemetry_service import TelemetryService
from ..domain.topology import ALL_MODULES, BATTERY, BOILER, CONTROLLER, DEFAULT_ROUTES, SOLAR, TELEMETRY
from . import factories, web
from .settings import SiteSettings


class ModuleContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=SiteSettings)
    config = providers.Configuration()
    module_id = providers.Dependency(instance_of=str)

    clock = providers.Singleton(factories.build_clock, settings)
    client = providers.Selector(
        config.transport,
        inmemory=providers.Singleton(factories.refuse_inmemory, module_id),
        mqtt=providers.Singleton(factories.mqtt_client, module_id),
        edgehub=providers.Singleton(factories.edgehub_client, module_id),
    )
    simulated_site = providers.Singleton(factories.build_simulated_site, clock, settings)
    hardware = providers.Selector(
        config.hardware,
        simulated=providers.Singleton(factories.simulated_hardware, module_id, simulated_site),
        modbus=providers.Singleton(factories.modbus_hardware, module_id, clock),
    )
    asset_service = providers.Singleton(
        AssetModuleService, client, hardware, providers.Factory(factories.build_asset, module_id, settings),
        clock, config.cycle_s,
    )
    controller_service = providers.Singleton(factories.build_controller, client, clock, settings)
    telemetry_service = providers.Singleton(TelemetryService, client, clock, staleness_s=config.staleness_s)
    process_metrics = providers.Singleton(ProcessMetrics, module_id)
    web_server = providers.Singleton(web.module_web_server, settings, telemetry_service, process_metrics)


class EmbeddedSiteContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=SiteSettings)
    config = providers.Configuration()

    clock = providers.Singleton(factories.build_clock, settings)
    hub = providers.Singleton(InMemoryHub, providers.Singleton(RouteTable.parse, DEFAULT_ROUTES), modules=ALL_MODULES)
    site = providers.Singleton(factories.build_simulated_site, clock, settings)

    solar = providers.Singleton(
        AssetModuleService, hub.provided.client.call(SOLAR),
        providers.Singleton(factories.embedded_hardware, SOLAR, config.hardware, site),
        providers.Factory(factories.build_asset, SOLAR, settings), clock, config.cycle_s,
    )
    battery = providers.Singleton(
        AssetModuleService, hub.provided.client.call(BATTERY),
        providers.Singleton(factories.embedded_hardware, BATTERY, config.hardware, site),
        providers.Factory(factories.build_asset, BATTERY, settings), clock, config.cycle_s,
    )
    boiler = providers.Singleton(
        AssetModuleService, hub.provided.client.call(BOILER),
        providers.Singleton(factories.embedded_hardware, BOILER, config.hardware, site),
        providers.Factory(factories.build_asset, BOILER, settings), clock, config.cycle_s,
    )
    modbus_servers = providers.Singleton(factories.modbus_site_servers, site, clock)
    controller = providers.Singleton(ControllerService, hub.provided.client.call(CONTROLLER), site, clock,
                                     providers.Factory(factories.initial_policy, settings))
    telemetry = providers.Singleton(
        TelemetryService, hub.provided.client.call(TELEMETRY), clock, staleness_s=config.staleness_s,
    )
    process_metrics = providers.Singleton(ProcessMetrics, "site")
    web_server = providers.Singleton(web.embedded_web_server, settings, hub, telemetry, process_metrics)


def module_container(module_id: str, settings: SiteSettings | None = None) -> ModuleContainer:
    settings = settings or SiteSettings()
    container = ModuleContainer(settings=settings, module_id=module_id)
    container.config.from_pydantic(settings)
    return container


def embedded_site_container(settings: SiteSettings | None = None) -> EmbeddedSiteContainer:
    settings = settings or SiteSettings()
    container = EmbeddedSiteContainer(settings=settings)
    container.config.from_pydantic(settings)
    return container
