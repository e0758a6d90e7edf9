"""Each module process's own metrics: the controller's cycles observed as they end, its counters, an asset
module's refused desired documents and its Modbus driver's counters, the MQTT adapter's malformed counts, the outbox
drops and the build, served on the module's own port."""

from __future__ import annotations

import asyncio
import subprocess
import urllib.request
from collections import Counter

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.register_map import load_sunspec_models
from energy_edge.adapters.hardware.modbus.server import ModbusDeviceServer, SunSpecStorageSimulator
from energy_edge.adapters.hardware.modbus.sunspec_driver import DriverOptions
from energy_edge.adapters.hardware.simulated import SimulatedBattery, SimulatedPV
from energy_edge.adapters.process_metrics import MqttTransportCollector, ProcessMetrics
from energy_edge.adapters.transports.edgehub.outbox import DROPPED
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.assets import Battery, Solar
from energy_edge.domain.errors import ConfigurationError
from energy_edge.domain.messages import Message
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.domain.status import Status
from energy_edge.domain.topology import DEFAULT_ROUTES
from energy_edge.entrypoints.web import instrument_assets, instrument_controller, instrument_transport

from ..domain.controller.fakes import Site, battery_telemetry
from ..helpers import free_port, require_binary
from ..modbus.conftest import sunspec
from ..modbus.devices import BenchBattery
from ..modbus.test_device_ratings import claim_655_mw


def _samples(registry) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(generate_latest(registry).decode()) for s in family.samples}


def _scrape(port: int) -> str:
    """GET /metrics of a module's own port on loopback."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


async def _served_and_scraped(metrics: ProcessMetrics) -> str:
    """The process's metrics as served over HTTP on a free loopback port, scraped once."""
    port = free_port()
    server = metrics.serve("127.0.0.1", port)
    try:
        return await asyncio.to_thread(_scrape, port)
    finally:
        server.shutdown()
        server.server_close()


def _promtool_accepts(text: str) -> None:
    promtool = require_binary("promtool", "apt-get install prometheus")
    checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_cycle_durations_are_observed_as_each_cycle_ends_not_at_report_time():
    metrics = ProcessMetrics("controller")
    site = await Site().start("solar", "boiler")
    instrument_controller(metrics, site.controller)
    for _ in range(3):
        await site.cycle()
    samples = _samples(metrics.registry)
    assert samples[("energy_edge_controller_cycle_duration_seconds_count", ())] == 3
    assert samples[("energy_edge_controller_cycle_duration_seconds_bucket", (("le", "+Inf"),))] == 3
    assert samples[("energy_edge_controller_cycles_total", ())] == 3
    assert samples[("energy_edge_controller_suspended_cycles_total", ())] == site.controller.suspended_cycles_total


async def test_the_controllers_method_errors_and_malformed_telemetry_are_its_own_counters():
    metrics = ProcessMetrics("controller")
    site = await Site(grid_power_w=2_000.0).start("solar", "boiler")
    instrument_controller(metrics, site.controller)
    await site.publish_all()
    await site.controller.on_telemetry(Message(battery_telemetry(timestamp=site.clock.now()).to_json(),
                                               source_module="battery"))
    await site.controller.on_telemetry(Message(b"oops", source_module="battery"))
    site.assets["boiler"].status = Status.CONFLICT
    await site.controller.run_cycle()
    samples = _samples(metrics.registry)
    errors = {dict(labels)["code"]: value for (name, labels), value in samples.items()
              if name == "energy_edge_controller_method_errors_total"}
    assert errors == {str(code): count for code, count in site.controller.method_errors_total.items()}
    assert samples[("energy_edge_controller_malformed_messages_total", (("reason", "telemetry.json"),))] == 1
    assert samples[("energy_edge_controller_method_calls_total", ())] == site.controller.method_calls_total


async def test_an_asset_modules_refused_desired_documents_are_counted_by_reason_on_its_own_port():
    """They were counted in the module's memory only: an operator could not see a twin the module kept refusing."""
    hub, clock = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES)), ManualClock(1_782_043_200.0)
    battery = AssetModuleService(hub.client("battery"), SimulatedBattery(clock, initial_soc=0.5), Battery(), clock, 1.0)
    solar = AssetModuleService(hub.client("solar"), SimulatedPV(clock), Solar(), clock, 1.0)
    metrics = ProcessMetrics("site")  # the embedded site: every asset's refusals in one process
    instrument_assets(metrics, [battery, solar])
    for service in (battery, solar):
        await service.start()
    await hub.set_desired("battery", {"soc_min": 0.95})  # above soc_max 0.9: the whole document refused
    await hub.set_desired("battery", {"soc_min": 0.2})  # valid: applied, nothing counted
    await battery.on_desired_patch({"$version": "one", "soc_min": 0.3})  # refused unread
    await battery.on_desired_patch({"$version": 1, "soc_min": 0.3})  # older than the one taken
    await hub.set_desired("solar", {"export_safe_limit_w": -5})
    text = await _served_and_scraped(metrics)
    refusals = {(s.labels["asset"], s.labels["kind"], s.labels["reason"]): s.value
                for family in text_string_to_metric_families(text) for s in family.samples
                if s.name == "energy_edge_asset_desired_refusals_total"}
    assert refusals == {("battery", "battery", "battery.config.soc_min"): 1, ("battery", "battery", "twin.version"): 1,
                        ("battery", "battery", "twin.version_older"): 1,
                        ("solar", "solar", "solar.config.export_safe_limit_w"): 1}
    assert battery.asset.config.soc_min == 0.2  # the refusals changed nothing
    _promtool_accepts(text)


class _SiteClock(ManualClock):
    def __call__(self) -> float:  # the driver's and the device simulator's clock too
        return self.now()


async def test_an_asset_modules_driver_counts_a_rating_claim_and_a_held_poll_on_its_own_port():
    """A device claiming 655 MW and a poll it missed were a warning in the log and a count in the driver's memory
    only: an operator could not see a site file and a device that disagree, nor a link that keeps dropping polls."""
    clock, table = _SiteClock(1_782_043_200.0), load_sunspec_models()
    simulator = SunSpecStorageSimulator(BenchBattery(soc=0.5), table, max_rate_w=5000.0, capacity_wh=10_000.0,
                                        now=clock)
    claim_655_mw(simulator, 124, "WChaMax")
    for model_id in (120, 802):
        claim_655_mw(simulator, model_id, "WHRtg")
    port = free_port()
    server = ModbusDeviceServer(simulator, "127.0.0.1", port, tick_s=0.05)
    await server.start()
    hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
    driver = ModbusBattery(sunspec(port, table), DriverOptions(rated_power_w=5000.0, capacity_wh=10_000.0,
                                                               failures_before_fault=3, monotonic=clock))
    battery = AssetModuleService(hub.client("battery"), driver, Battery(), clock, 1.0)
    solar = AssetModuleService(hub.client("solar"), SimulatedPV(clock), Solar(), clock, 1.0)
    metrics = ProcessMetrics("site")
    instrument_assets(metrics, [battery, solar])
    for service in (battery, solar):
        await service.start()
    try:
        await battery.run_cycle()  # the first poll: the 655 MW rate and capacity claims, the nameplates stand
        await server.stop()  # the device misses one poll: the last measurement stands in
        clock.advance(1.0)
        held = await battery.run_cycle()
        assert held.state != "FAULT"
        server = ModbusDeviceServer(simulator, "127.0.0.1", port, tick_s=0.05)
        await server.start()
        clock.advance(1.0)
        await battery.run_cycle()  # it answers again: not counted
        text = await _served_and_scraped(metrics)
    finally:
        await server.stop()
        await driver.close()
    samples = [s for family in text_string_to_metric_families(text) for s in family.samples]
    held_polls = {(s.labels["asset"], s.labels["kind"]): s.value for s in samples
                  if s.name == "energy_edge_asset_polls_held_total"}
    mismatches = {(s.labels["asset"], s.labels["kind"], s.labels["quantity"]): s.value for s in samples
                  if s.name == "energy_edge_asset_rating_mismatches_total"}
    assert held_polls == {("battery", "battery"): 1}  # a simulated driver counts nothing: no series for solar
    assert mismatches == {("battery", "battery", "power"): 1, ("battery", "battery", "capacity"): 1}
    _promtool_accepts(text)


async def test_the_controllers_refused_desired_documents_are_counted_by_reason_for_a_value_too():
    """The controller counted only the documents it refused unread: one refused for a value was logged and acked 400,
    never counted, so an operator could not see a policy the controller kept refusing. Counted by the property (and
    tariff field) refused, never by a key the document chose (a boiler's name, an hour), so the labels stay few."""
    metrics = ProcessMetrics("controller")
    site = await Site().start()
    instrument_controller(metrics, site.controller)
    await site.hub.set_desired("controller", {"deadband_w": -5})  # below 0: the whole document refused
    await site.hub.set_desired("controller", {"deadband_w": 20})  # valid: applied, nothing counted
    await site.hub.set_desired("controller", {"tariff": {"import_price_per_kwh": 0.3,
                                                         "import_price_by_hour": {"25": 0.1}}})
    await site.hub.set_desired("controller", {"tariff": {"import_price_by_hour": {"25": None}}})  # valid again
    for boiler in ("boiler-a", "boiler-b"):
        await site.hub.set_desired("controller", {"boiler_loss_w_per_k_by_boiler": {boiler: -1}})
    await site.controller.apply_desired({"$version": "one", "deadband_w": 30})  # refused unread
    text = await _served_and_scraped(metrics)
    refusals = {s.labels["reason"]: s.value for family in text_string_to_metric_families(text)
                for s in family.samples if s.name == "energy_edge_controller_malformed_messages_total"}
    assert refusals == {"deadband_w": 1, "tariff.import_price_by_hour": 1, "boiler_loss_w_per_k_by_boiler": 2,
                        "twin.version": 1}
    assert site.controller.policy.deadband_w == 20 and site.hub.twin("controller").reported["deadband_w"]["ac"] == 400
    assert site.controller.tariff is not None and site.controller.tariff.import_price_by_hour == {}
    _promtool_accepts(text)


def test_mqtt_malformed_counts_outbox_drops_and_the_build_are_exposed():
    class Client:
        malformed_total = Counter({"topic": 2, "method_request": 1})

    metrics = ProcessMetrics("battery")
    instrument_transport(metrics, Client(), "battery")
    instrument_transport(metrics, object(), "battery")  # a transport without counts adds nothing
    DROPPED.labels(module="battery").inc()
    samples = _samples(metrics.registry)
    assert samples[("energy_edge_mqtt_malformed_messages_total", (("kind", "topic"), ("module", "battery")))] == 2
    assert samples[("energy_edge_edgehub_outbox_dropped_total", (("module", "battery"),))] >= 1
    assert ("energy_edge_build_info", (("module", "battery"), ("version", metrics_version()))) in samples
    assert MqttTransportCollector(object(), "x").collect()  # no counts: an empty family, not an error


def metrics_version() -> str:
    from energy_edge.adapters.process_metrics import version

    return version()


async def test_a_module_serves_its_metrics_on_its_own_port_and_port_0_serves_nothing():
    metrics = ProcessMetrics("solar")
    assert metrics.serve("127.0.0.1", 0) is None
    port = free_port()
    server = metrics.serve("127.0.0.1", port)
    try:
        assert 'energy_edge_build_info{module="solar"' in await asyncio.to_thread(_scrape, port)
        with pytest.raises(ConfigurationError, match=f"module metrics port 127.0.0.1:{port} is in use"):
            ProcessMetrics("battery").serve("127.0.0.1", port)
    finally:
        server.shutdown()
        server.server_close()
