"""The composition roots hand the controller the site's own position for its forecast."""

from __future__ import annotations

from dependency_injector import providers

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.topology import DEFAULT_ROUTES
from energy_edge.entrypoints.containers import embedded_site_container, module_container
from energy_edge.entrypoints.settings import SiteSettings


def test_the_embedded_controller_forecasts_for_the_configured_site() -> None:
    container = embedded_site_container(SiteSettings(latitude=-33.9, longitude=18.4, metrics_port=0))
    policy = container.controller().policy
    assert (policy.latitude_deg, policy.longitude_deg) == (-33.9, 18.4)


def test_the_controller_module_forecasts_for_the_configured_site() -> None:
    container = module_container("controller", SiteSettings(latitude=40.4, longitude=-3.7))
    container.client.override(providers.Object(InMemoryHub(RouteTable.parse(DEFAULT_ROUTES)).client("controller")))
    policy = container.controller_service().policy
    assert (policy.latitude_deg, policy.longitude_deg) == (40.4, -3.7)
