"""The grid meter asset and its telemetry: readings in bounds become telemetry, anything else a FAULT."""

from __future__ import annotations

import json
import math

import pytest

from energy_edge.adapters.hardware.simulated.meter import SimulatedMeter
from energy_edge.domain.assets.meter import Meter, MeterConfig, MeterState
from energy_edge.domain.errors import MalformedMessage, NotAllowed
from energy_edge.domain.hardware import MeterMeasurement
from energy_edge.domain.telemetry import AssetTelemetry, decode_asset_telemetry
from tests.telemetry.fakes import FakeClock

GOOD = MeterMeasurement(3_000.0, 1_000.0, 1_000.0, 1_000.0, 231.0, 229.5, 230.2, 50.01, 12_345.0, 678.0)


def test_a_plausible_reading_is_the_meters_power_and_telemetry() -> None:
    meter = Meter()
    meter.observe(GOOD, 0.0)
    assert meter.state is MeterState.RUNNING and meter.power_w == 3_000.0
    assert meter.telemetry_values()["voltage_l2_v"] == 229.5 and meter.setpoint() is None


@pytest.mark.parametrize("field, value", [
    ("power_w", 70_000.0),  # beyond 2 x 3 x 50 A x 230 V
    ("power_l1_w", -30_000.0),
    ("voltage_l3_v", 640.0),
    ("frequency_hz", 0.0),
    ("import_energy_wh", -1.0),
    ("power_w", math.nan),
])
def test_an_implausible_reading_faults_naming_the_point_and_the_next_good_one_recovers(field, value) -> None:
    meter = Meter(MeterConfig(main_fuse_a=50.0))
    meter.observe(GOOD, 0.0)
    meter.observe(MeterMeasurement(**{**_fields(GOOD), field: value}), 1.0)
    assert meter.state is MeterState.FAULT and field in (meter.fault_reason or "")
    assert meter.power_w == 3_000.0, "an implausible value never becomes the meter's power"
    meter.observe(GOOD, 2.0)
    assert meter.state is MeterState.RUNNING and meter.fault_reason is None


def test_an_energy_counter_running_backwards_is_a_fault() -> None:
    meter = Meter()
    meter.observe(GOOD, 0.0)
    meter.observe(MeterMeasurement(**{**_fields(GOOD), "export_energy_wh": 600.0}), 1.0)
    assert meter.state is MeterState.FAULT and "export_energy_wh ran backwards" in (meter.fault_reason or "")


def test_a_meter_takes_no_commands_but_reset() -> None:
    meter = Meter()
    with pytest.raises(Exception, match="unknown method"):
        meter.handle("set_output", {"limit_w": 1.0}, 0.0)
    with pytest.raises(NotAllowed):
        meter.handle("reset", {}, 0.0)  # only FAULT may be reset
    meter.fault("communication lost")
    meter.handle("reset", {}, 0.0)
    assert meter.state is MeterState.RUNNING


def _telemetry(**values) -> bytes:
    body = {"module": "grid-meter", "kind": "meter", "seq": 1, "timestamp": 1.0, "state": "RUNNING",
            "power_w": 1_500.0, "fault_reason": None, "setpoint_expires_at": None, **Meter().telemetry_values()}
    body.update(values)
    return json.dumps(body).encode()


def test_meter_telemetry_decodes_with_null_phases_of_a_single_phase_meter() -> None:
    telemetry = decode_asset_telemetry(_telemetry(power_l1_w=1_500.0, voltage_l1_v=230.0, frequency_hz=50.0))
    assert telemetry.kind == "meter" and telemetry.power_w == 1_500.0
    assert telemetry.values["power_l2_w"] is None and telemetry.values["frequency_hz"] == 50.0


@pytest.mark.parametrize("field, value, rule", [
    ("frequency_hz", 70.0, "telemetry.frequency_hz"),
    ("voltage_l1_v", -1.0, "telemetry.voltage_l1_v"),
    ("power_w", 2e7, "telemetry.power_w"),
    ("import_energy_wh", "12", "telemetry.import_energy_wh"),
])
def test_meter_telemetry_out_of_its_physical_bounds_is_malformed(field, value, rule) -> None:
    with pytest.raises(MalformedMessage) as raised:
        decode_asset_telemetry(_telemetry(**{field: value}))
    assert raised.value.rule == rule


async def test_the_simulated_meter_reads_the_site_balance_and_counts_energy() -> None:
    class Balance:
        power_w = 3_600.0

        async def read_grid_power_w(self) -> float:
            return self.power_w

    clock, site = FakeClock(), Balance()
    meter = SimulatedMeter(site, clock)
    first = await meter.read()
    clock.t += 10.0
    site.power_w = -7_200.0
    second = await meter.read()
    clock.t += 10.0
    third = await meter.read()
    assert first.power_w == 3_600.0 and second.power_l1_w == pytest.approx(-2_400.0)
    assert second.import_energy_wh == pytest.approx(10.0) and third.export_energy_wh == pytest.approx(20.0)
    meter.fault = "communication lost"
    with pytest.raises(Exception, match="communication lost"):
        await meter.read()
    roundtrip = AssetTelemetry("m", "meter", 1, 0.0, "RUNNING", 1.0, values=Meter().telemetry_values()).to_json()
    assert decode_asset_telemetry(roundtrip).values["frequency_hz"] is None


async def test_a_meters_desired_document_is_applied_and_acknowledged() -> None:
    """A meter grants no lease, so it has no max_setpoint_ttl_s: its twin document once raised AttributeError
    after changing the config, and went unacknowledged."""
    from energy_edge.adapters.transports.inmemory import InMemoryHub
    from energy_edge.domain.routing import RouteTable
    from energy_edge.domain.services.asset_service import AssetModuleService

    class Readings:
        async def read(self) -> MeterMeasurement:
            return GOOD

        async def apply(self, setpoint) -> None:
            return None

    hub, meter = InMemoryHub(RouteTable.parse({})), Meter(MeterConfig(main_fuse_a=50.0))
    service = AssetModuleService(hub.client("meter"), Readings(), meter, FakeClock(), 1.0)
    await service.start()
    version = await hub.set_desired("meter", {"main_fuse_a": 40.0, "default_setpoint_ttl_s": 30.0})
    assert meter.config.main_fuse_a == 40.0 and meter.config.default_setpoint_ttl_s == 30.0
    assert hub.twin("meter").reported["main_fuse_a"] == {"value": 40.0, "ac": 200, "av": version, "ad": "applied"}
    await service.stop()


def _fields(measurement: MeterMeasurement) -> dict:
    return {name: getattr(measurement, name) for name in measurement.__slots__}
