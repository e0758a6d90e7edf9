"""The one composition root builds any site from its file: one asset service per asset, the controller
forecasting for the site's own position, each module process knowing which asset it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.simulated.pv import SimulatedPV
from energy_edge.adapters.site_file import load_site
from energy_edge.domain.site import home_site
from energy_edge.entrypoints.containers import embedded_site_container, site_container
from energy_edge.entrypoints.factories import resolve_site
from energy_edge.entrypoints.settings import SiteSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sites"


def test_the_embedded_controller_forecasts_for_the_configured_site() -> None:
    container = embedded_site_container(SiteSettings(latitude=-33.9, longitude=18.4, metrics_port=0))
    policy = container.controller().policy
    assert (policy.latitude_deg, policy.longitude_deg) == (-33.9, 18.4)


def test_the_controller_module_forecasts_for_the_configured_site() -> None:
    container = site_container(SiteSettings(transport="mqtt", latitude=40.4, longitude=-3.7))
    container.client.override(providers.Factory(lambda module_id: container.hub().client(module_id)))
    policy = container.controller().policy
    assert (policy.latitude_deg, policy.longitude_deg) == (40.4, -3.7)


def test_without_a_site_file_the_site_is_the_home_site_from_the_settings() -> None:
    assert resolve_site(SiteSettings()) == home_site()
    assert resolve_site(SiteSettings(solar_rated_power_w=9000)).asset("solar").rated_power_w == 9000


def test_the_factory_site_gets_one_service_per_asset_with_its_own_hardware() -> None:
    site = load_site(EXAMPLES / "factory.toml")
    container = embedded_site_container(SiteSettings(metrics_port=0), site)
    services = container.assets()
    assert set(services) == {spec.id for spec in site.assets}  # the grid meter is a module too
    meter = services[site.meter.id]
    assert meter.asset.kind == "meter" and meter.asset.config.main_fuse_a == site.grid.main_fuse_a
    assert type(meter.hardware).__name__ in ("ModbusMeter", "SunSpecMeter")  # the SDM630 on the site simulator
    assert container.controller().meter.__class__.__name__ == "TelemetryGridMeter", "balances on the meter"
    assert isinstance(services["solar-roof-east"].hardware, SimulatedPV)
    assert services["solar-roof-east"].hardware.rated_power_w == 30000.0
    assert isinstance(services["battery-2"].hardware, ModbusBattery)  # driven over the Modbus site simulator
    assert services["battery-1"].asset.config.capacity_wh == 100000.0
    assert len(container.simulation().assets) == 9 and len(container.modbus_servers()) == 5  # the meter too
    assert {s.client.module_id for s in services.values()} == set(services)
    assert container.hub().routes.destinations("boiler-canteen", "telemetry")


def test_a_site_file_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EE_SITE_FILE", str(EXAMPLES / "zero-export.toml"))
    monkeypatch.setenv("EE_ASSET_ID", "battery-1")
    settings = SiteSettings()
    assert settings.asset_id == "battery-1" and resolve_site(settings).grid.export_limit_w == 0.0


def test_the_controller_starts_with_the_site_files_grid_limits() -> None:
    site = load_site(EXAMPLES / "zero-export.toml")
    policy = embedded_site_container(SiteSettings(metrics_port=0), site).controller().policy
    assert (policy.export_limit_w, policy.import_limit_w) == (0.0, 20000.0)
    home = embedded_site_container(SiteSettings(metrics_port=0)).controller().policy
    assert (home.export_limit_w, home.import_limit_w) == (10000.0, 30000.0)  # today's defaults


def test_the_asset_modules_and_the_telemetry_module_know_the_sites_kinds() -> None:
    site = load_site(EXAMPLES / "factory.toml")
    container = embedded_site_container(SiteSettings(metrics_port=0), site)
    assert container.telemetry().asset_kinds["boiler-hall-2"] == "boiler"
    assert container.controller().asset_kinds["battery-2"] == "battery"
    assert set(container.telemetry().expected_modules) == {*container.assets(), "controller"}
