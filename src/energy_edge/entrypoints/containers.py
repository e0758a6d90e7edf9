"""The one composition root: any site's object graph, built from its `Site` (the site file).

`SiteContainer` serves both ways a site runs. Embedded (`energy-edge up`,
EE_TRANSPORT=inmemory): every module in one process on the in-memory hub, with
one simulated site whose balance is the grid meter. One module in its own
process (a container on IoT Edge, a compose service, a process of
`energy-edge up --transport mqtt`): the same providers, on MQTT or edgeHub,
and the process asks only for its own module's service. The asset services
are providers built in a loop over the site's assets (`site_container`), not
one per kind; transport and hardware are chosen by configuration and by each
asset's entry in the site file.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from ..adapters.json_codec import OrjsonCodec
from ..adapters.telemetry_parser import MsgspecTelemetryParser
from ..domain import bounded_json
from ..domain.services.asset_service import AssetModuleService
from ..domain.services.telemetry_service import TelemetryService
from ..domain.site import CONTROLLER, TELEMETRY, AssetSpec, Site, asset_kinds
from ..domain.telemetry import use_parser
from . import factories
from .settings import SiteSettings


class SiteContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=SiteSettings)
    site = providers.Dependency(instance_of=Site)
    config = providers.Configuration()

    clock = providers.Singleton(factories.build_clock, settings)
    routes = providers.Singleton(factories.route_table, site)
    simulation = providers.Singleton(factories.build_simulated_site, clock, site)
    hub = providers.Singleton(factories.inmemory_hub, routes, site)
    client = providers.Selector(  # called with a module id
        config.transport,
        inmemory=providers.Factory(factories.inmemory_client, hub=hub),
        mqtt=providers.Factory(factories.mqtt_client, routes=routes),
        edgehub=providers.Factory(factories.edgehub_client, site=site),
    )
    assets = providers.Dict()  # asset id -> AssetModuleService, filled by `site_container`
    modbus_servers = providers.Singleton(factories.modbus_site_servers, site, simulation, clock)

    controller = providers.Singleton(
        factories.build_controller, providers.Singleton(client, CONTROLLER), clock, site, simulation,
        providers.Callable(lambda transport: transport == "inmemory", config.transport),
        price_source=providers.Factory(factories.price_source, settings),
        pv_forecast_source=providers.Factory(factories.pv_forecast_source, settings),
        plan_solver=providers.Factory(factories.plan_solver, settings),
    )
    telemetry = providers.Singleton(
        TelemetryService, providers.Singleton(client, TELEMETRY), clock,
        expected_modules=providers.Callable(factories.expected_modules, site),
        asset_kinds=providers.Callable(asset_kinds, site), staleness_s=config.staleness_s,
    )


def site_container(settings: SiteSettings | None = None, site: Site | None = None) -> SiteContainer:
    """The container of `site` (default: the EE_SITE_FILE site, or the home site from EE_* settings)."""
    settings = settings or SiteSettings()
    site = site or factories.resolve_site(settings)
    bounded_json.use_codec(OrjsonCodec())  # this process's JSON: orjson in front of the reference parser
    use_parser(MsgspecTelemetryParser())  # and reports read by msgspec in front of the reference
    container = SiteContainer(settings=settings, site=site)
    container.config.from_pydantic(settings)
    container.assets.add_kwargs(**{spec.id: _asset_service(container, spec, site) for spec in factories.served_assets(site)})
    return container


def _asset_service(container: SiteContainer, spec: AssetSpec, site: Site) -> providers.Provider:
    """One asset module: its client, its hardware (which may listen on that client), its state machine."""
    client = providers.Singleton(container.client, spec.id)
    in_process = providers.Callable(lambda transport: transport == "inmemory", container.config.transport)
    return providers.Singleton(
        AssetModuleService, client,
        providers.Singleton(factories.asset_hardware, spec, container.simulation, container.clock, site, client,
                            in_process),
        providers.Factory(factories.build_asset, spec, site), container.clock, container.config.cycle_s,
    )


def embedded_site_container(settings: SiteSettings | None = None, site: Site | None = None) -> SiteContainer:
    """Every module of the site in this process, on the in-memory hub."""
    settings = (settings or SiteSettings()).model_copy(update={"transport": "inmemory"})
    return site_container(settings, site)
