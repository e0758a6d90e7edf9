"""What derives from a site file: routes, the broker's users, ACL and passwords, DTDL models, the status line."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from energy_edge.adapters.site_file import load_site
from energy_edge.domain.assets.boiler import BoilerConfig
from energy_edge.adapters.transports.edgehub.models import MODEL_IDS, model_id
from energy_edge.adapters.transports.mqtt_acl import render_acl
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.telemetry_service import TelemetryView
from energy_edge.domain.site import AssetSpec, all_modules, asset_kinds, home_site, kinds, routes_for
from energy_edge.domain.telemetry import AssetTelemetry
from energy_edge.domain.topology import DEFAULT_ROUTES
from energy_edge.entrypoints.factories import build_asset
from energy_edge.entrypoints.mqtt_credentials import load_or_create, password_variable, write_broker_security
from energy_edge.entrypoints.site_manifest import site_template
from energy_edge.entrypoints.status_line import SiteFigures, status_line

TEMPLATE = Path(__file__).resolve().parents[2] / "deployment" / "deployment.template.json"

FACTORY = load_site(Path(__file__).resolve().parents[2] / "examples" / "sites" / "factory.toml")


def test_routes_carry_every_asset_to_the_controller_and_the_telemetry_module() -> None:
    table = RouteTable.parse(routes_for(FACTORY))
    for asset in FACTORY.asset_ids:
        sinks = {(e.module, e.input) for e in table.destinations(asset, "telemetry")}
        assert sinks == {("controller", "telemetry"), ("telemetry", "telemetry")}
    assert len(routes_for(FACTORY)) == 2 * len(FACTORY.assets) + 2
    assert routes_for(home_site()) == DEFAULT_ROUTES


def test_kinds_of_every_module() -> None:
    assert kinds(FACTORY)["solar-facade"] == "solar" and kinds(FACTORY)["controller"] == "controller"
    assert asset_kinds(FACTORY)["grid-meter"] == "meter" and "telemetry" not in asset_kinds(FACTORY)
    assert all_modules(FACTORY)[-2:] == ("controller", "telemetry")


def test_the_acl_lets_each_asset_write_only_its_own_routes() -> None:
    acl = render_acl(RouteTable.parse(routes_for(FACTORY)), all_modules(FACTORY))
    section = acl.split("user battery-2\n", 1)[1].split("\n\n", 1)[0]
    assert "topic write ee/controller/inputs/telemetry/battery-2/#" in section
    assert "topic write ee/telemetry/inputs/telemetry/battery-2/#" in section
    assert "battery-1" not in section


def test_one_password_per_module_of_the_site_and_the_environment_wins(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EE_MQTT_PASSWORD_BOILER_HALL_2", "from-the-environment")
    passwords = load_or_create(tmp_path, FACTORY)
    assert set(passwords) == {*all_modules(FACTORY), "operator"}
    assert passwords["boiler-hall-2"] == "from-the-environment"
    assert password_variable("solar-roof-east") == "EE_MQTT_PASSWORD_SOLAR_ROOF_EAST"
    password_file, acl_file = write_broker_security(tmp_path, passwords, FACTORY)
    assert "user solar-carport" in acl_file.read_text()
    assert {line.split(":", 1)[0] for line in password_file.read_text().splitlines()} == set(passwords)


def test_each_module_announces_its_kinds_model() -> None:
    assert model_id(FACTORY, "solar-roof-west") == model_id(FACTORY, "solar-carport") == MODEL_IDS["solar"]
    assert model_id(FACTORY, "controller") == "dtmi:energyedge:Controller;1"
    assert model_id(home_site(), "battery") == "dtmi:energyedge:Battery;1"


def _telemetry(module: str, kind: str, power_w: float, state: str, **values: float) -> AssetTelemetry:
    return AssetTelemetry(module=module, kind=kind, seq=1, timestamp=0.0, state=state, power_w=power_w, values=values)


def test_the_status_line_sums_each_kind() -> None:
    view = TelemetryView(site={"grid_power_w": -1200.0})
    view.assets = {
        "solar-a": _telemetry("solar-a", "solar", 3000.0, "RUNNING"),
        "solar-b": _telemetry("solar-b", "solar", 2000.0, "CURTAILED"),
        "battery-1": _telemetry("battery-1", "battery", -1000.0, "CHARGING", soc=0.5, capacity_wh=30000.0),
        "battery-2": _telemetry("battery-2", "battery", 0.0, "FAULT", soc=0.8, capacity_wh=10000.0),
        "boiler": _telemetry("boiler", "boiler", -3000.0, "HEATING", temperature_c=60.0),
    }
    figures = SiteFigures(grid_w=-1200.0, import_limit_w=17_000.0, export_limit_w=5_000.0)
    line = status_line(view.assets, 0.0, figures, width=200)
    assert "grid -1,200 W" in line and "PV×2 +5,000 W CURT/RUN" in line
    assert "battery×2 57 % -1,000 W CHG/FAULT" in line  # capacity-weighted SoC (57.5 %, not the mean 65 %)
    assert "boiler 60 °C -3,000 W HEATING" in line
    narrow = status_line(view.assets, 0.0, figures, width=90)
    assert "PV×2 +5.0k" in narrow and "bat×2 57%" in narrow and "FAULT battery-2" in narrow and len(narrow) < 90


def test_the_status_line_of_the_home_site_reads_as_before() -> None:
    view = TelemetryView(site={"grid_power_w": 5.0})
    view.assets = {"solar": _telemetry("solar", "solar", 100.0, "RUNNING")}
    figures = SiteFigures(grid_w=5.0, import_limit_w=17_000.0, export_limit_w=5_000.0)
    assert status_line(view.assets, 0.0, figures, width=200) == (
        "1970-01-01 00:00:00 | grid +5 W | limit 17,000 W/-5,000 W | PV +100 W RUNNING")


def test_a_site_is_immutable_data() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        FACTORY.name = "other"  # type: ignore[misc]


ZERO_EXPORT = load_site(Path(__file__).resolve().parents[2] / "examples" / "sites" / "zero-export.toml")
TWENTY_INVERTERS = dataclasses.replace(FACTORY, assets=tuple(
    AssetSpec(f"pv-{n}", "solar", rated_power_w=1000.0 * n) for n in range(1, 21)))  # 210 kW on a 50 kW export limit


@pytest.mark.parametrize("site", [FACTORY, ZERO_EXPORT, TWENTY_INVERTERS, home_site()], ids=lambda s: s.name + str(len(s.assets)))
def test_unsteered_inverters_together_stay_within_the_export_limit(site) -> None:
    """At start and whenever no lease runs (silent controller, stale meter), each inverter is at its
    export-safe limit: together at most the site's export limit, in the process and in the manifest."""
    template = json.loads(TEMPLATE.read_text())
    desired = site_template(template, site)["modulesContent"]
    inverters = [spec for spec in site.assets if spec.kind == "solar"]
    built = [build_asset(spec, site).config.export_safe_limit_w for spec in inverters]
    deployed = [desired[spec.id]["properties.desired"]["export_safe_limit_w"] for spec in inverters]
    for limits in (built, deployed):
        assert sum(limits) <= site.grid.export_limit_w + 1e-6, limits
        assert all(0.0 <= limit <= spec.rated_power_w for limit, spec in zip(limits, inverters))
    if site == home_site():
        assert built == [3000.0] and deployed == [10000.0]  # today's home site unchanged


@pytest.mark.parametrize("low, high", [(60.0, 85.0), (20.0, 45.0), (50.0, 52.0)])
def test_a_boiler_of_any_band_the_site_file_allows_is_built(low: float, high: float) -> None:
    """The comfort setpoint (55 °C) and the thermostat's hysteresis (5 K) are defaults, not the site's: a tank
    whose band lies above or below 55 °C, or is narrower than 5 K, is a boiler within its band (`site check`
    passed such a file, and `up` and the lab then failed to build the boiler)."""
    spec = AssetSpec("boiler", "boiler", heater_power_w=3000.0, min_temperature_c=low, max_temperature_c=high)
    config = build_asset(spec).config
    assert low <= config.setpoint_c <= high and 0 < config.hysteresis_c <= high - low
    assert build_asset(AssetSpec("boiler", "boiler", heater_power_w=3000.0)).config == BoilerConfig(
        heater_power_w=3000.0)  # the default band keeps 55 °C and 5 K


def test_the_forecast_sees_each_array_of_a_site_on_its_own_plane() -> None:
    """The factory's simulated arrays give their simulators' planes, its Modbus arrays the planes they state;
    one array, none (the policy's plane is then the array's)."""
    from energy_edge.domain.planning.solar_geometry import ArrayPlane
    from energy_edge.entrypoints.factories import array_planes

    assert array_planes(FACTORY) == (ArrayPlane(30000.0, 15.0, 90.0), ArrayPlane(25000.0, 15.0, 270.0),
                                     ArrayPlane(12000.0, 10.0, 180.0), ArrayPlane(5000.0, 90.0, 180.0))
    assert array_planes(home_site()) == ()
