"""The DTDL v2 models in deployment/models agree with the code, in both directions.

- telemetry: the fields a real asset service publishes (fields that are also
  writable properties are modelled once, as the property: DTDL names are unique);
- writable properties: exactly what the module's configuration validation accepts;
- commands: exactly the asset's method table, each request exactly the fields
  that command accepts;
- the @id is the model id the edgeHub client announces.
"""

from __future__ import annotations

import json
import re

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated.battery import SimulatedBattery
from energy_edge.adapters.hardware.simulated.boiler import SimulatedBoiler
from energy_edge.adapters.hardware.simulated.pv import SimulatedPV
from energy_edge.adapters.transports.edgehub.models import MODEL_IDS
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets.battery import Battery
from energy_edge.domain.assets.boiler import Boiler
from energy_edge.domain.assets.solar import Solar
from energy_edge.domain.balancing.policy import Policy
from energy_edge.domain.errors import InvalidPayload
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.services.controller_service import WRITABLE_PROPERTIES, ControllerService
from energy_edge.domain.topology import ALL_MODULES, DEFAULT_ROUTES

from .deployment_files import MODELS, load_json

ASSETS = {"solar": (Solar, SimulatedPV), "battery": (Battery, SimulatedBattery), "boiler": (Boiler, SimulatedBoiler)}
_DTMI = re.compile(r"^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*;[1-9][0-9]{0,8}$")
_NAME = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9_]*[a-zA-Z0-9])?$")


def _model(module: str) -> dict:
    return load_json(MODELS / f"{module}.json")


def _contents(module: str, kind: str) -> dict[str, dict]:
    found = {}
    for item in _model(module)["contents"]:
        types = item["@type"] if isinstance(item["@type"], list) else [item["@type"]]
        if kind in types:
            found[item["name"]] = item
    return found


async def _published_body(module: str) -> bytes:
    """The body a real asset service sends on output `telemetry`."""
    asset_type, hardware_type = ASSETS[module]
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = ManualClock(1_750_000_000.0)
    service = AssetModuleService(hub.client(module), hardware_type(clock), asset_type(), clock, 1.0)
    await service.start()
    telemetry = await service.run_cycle()
    await service.stop()
    return telemetry.to_json()


def _accepted_fields(asset, command: str) -> set[str]:
    """The fields a command accepts, as its own validation lists them when refusing an unknown one."""
    with pytest.raises(InvalidPayload) as refused:
        asset.handle(command, {"zz_not_a_field": 1}, 0.0)
    allowed = refused.value.reason.partition("allowed:")[2].strip(" )")
    return set() if allowed == "none" else {name.strip() for name in allowed.split(",")}


@pytest.mark.parametrize("module", ALL_MODULES)
def test_each_module_has_a_dtdl_v2_interface_with_the_announced_model_id(module):
    model = _model(module)
    assert model["@context"] == "dtmi:dtdl:context;2" and model["@type"] == "Interface"
    assert model["@id"] == MODEL_IDS[module] and _DTMI.match(model["@id"])
    names = [item["name"] for item in model["contents"]]
    assert len(names) == len(set(names)) and all(_NAME.match(n) and len(n) <= 64 for n in names)


@pytest.mark.parametrize("module", sorted(ASSETS))
async def test_asset_telemetry_in_the_model_is_what_the_module_publishes(module):
    published = set(json.loads(await _published_body(module)))
    writable = set(ASSETS[module][0].WRITABLE)
    assert set(_contents(module, "Telemetry")) == published - writable
    assert set(_contents(module, "Telemetry")) | set(_contents(module, "Property")) >= published


@pytest.mark.parametrize("module", sorted(ASSETS))
def test_writable_properties_are_what_the_configuration_accepts(module):
    properties = _contents(module, "Property")
    assert all(p.get("writable") is True for p in properties.values())
    assert set(properties) == set(ASSETS[module][0].WRITABLE)


def test_controller_properties_are_the_policy_fields():
    assert set(_contents("controller", "Property")) == set(WRITABLE_PROPERTIES) == {*Policy().as_dict(), "tariff"}
    assert _contents("controller", "Command") == {}


class _Meter:
    async def read_grid_power_w(self) -> float:
        return 1200.0


async def test_controller_telemetry_in_the_model_is_its_site_report():
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = ManualClock(1_750_000_000.0)
    controller = ControllerService(hub.client("controller"), _Meter(), clock)
    await controller.start()
    battery = AssetModuleService(hub.client("battery"), SimulatedBattery(clock), Battery(), clock, 1.0)
    await battery.start()
    await battery.run_cycle()  # routed to the controller's input
    await controller.run_cycle()
    await battery.stop()
    await controller.stop()
    report = json.loads(hub.upstream[-1].body)
    telemetry = _contents("controller", "Telemetry")
    assert set(telemetry) == set(report)
    fields = {f["name"] for f in telemetry["assets"]["schema"]["elementSchema"]["fields"]}
    assert report["assets"] and fields == set(report["assets"][0])
    assert {f["name"] for f in telemetry["counters"]["schema"]["fields"]} == set(report["counters"])


@pytest.mark.parametrize("module", sorted(ASSETS))
def test_commands_and_their_requests_are_the_asset_method_table(module):
    asset = ASSETS[module][0]()
    commands = _contents(module, "Command")
    assert set(commands) == set(asset.commands())
    for name, command in commands.items():
        modelled = {f["name"] for f in command.get("request", {}).get("schema", {}).get("fields", [])}
        assert modelled == _accepted_fields(asset, name), name


@pytest.mark.parametrize("module", sorted(ASSETS))
async def test_telemetry_stays_far_below_the_hub_message_limit(module):
    size = len(await _published_body(module))
    assert size < 1024, f"{module} telemetry is {size} bytes (edgeHub's limit is 256 KB)"


class _SiteBalance:
    async def read_grid_power_w(self) -> float:
        return 1200.0


async def _published_meter_body() -> bytes:
    """The body a real grid-meter module publishes (the meter kind is not on the home site)."""
    from energy_edge.adapters.hardware.simulated.meter import SimulatedMeter
    from energy_edge.domain.assets.meter import Meter

    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    clock = ManualClock(1_750_000_000.0)
    service = AssetModuleService(hub.client("meter"), SimulatedMeter(_SiteBalance(), clock), Meter(), clock, 1.0)
    await service.start()
    telemetry = await service.run_cycle()
    await service.stop()
    return telemetry.to_json()


async def test_the_meter_model_is_what_a_meter_module_publishes_accepts_and_answers():
    from energy_edge.domain.assets.meter import Meter

    model = _model("meter")
    assert model["@id"] == MODEL_IDS["meter"] and _DTMI.match(model["@id"])
    published = set(json.loads(await _published_meter_body()))
    assert set(_contents("meter", "Telemetry")) == published - set(Meter.WRITABLE)
    properties = _contents("meter", "Property")
    assert set(properties) == set(Meter.WRITABLE) and all(p.get("writable") is True for p in properties.values())
    assert set(_contents("meter", "Command")) == set(Meter().commands())
