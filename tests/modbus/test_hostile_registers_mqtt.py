"""Issue 11 item 8 at the transport level on MQTT: a real Mosquitto, a real Modbus server, a hostile scale factor.

The battery module (asset service, MQTT client) reads a storage system whose
InOutWRte_SF is -10: its telemetry says FAULT naming the point, the
controller's start_charging is answered 409 over MQTT (never 500 or
silence), and the device never receives a charge setpoint.
"""

from __future__ import annotations

import json

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.modbus.battery import ModbusBattery
from energy_edge.adapters.hardware.modbus.codec import encode
from energy_edge.adapters.hardware.modbus.server import SunSpecStorageSimulator
from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.domain.assets import Battery
from energy_edge.domain.services.asset_service import AssetModuleService

from ..helpers import eventually
from ..mosquitto import client_config, mosquitto, mosquitto_factory  # noqa: F401  (fixtures)
from ..mqtt.site import ROUTES, Inbox, connected
from .conftest import sunspec
from .devices import BenchBattery


async def test_a_hostile_scale_factor_over_mqtt_is_fault_and_409(mosquitto, serve, table, fake_time):  # noqa: F811
    storage = BenchBattery(soc=0.5)
    device = SunSpecStorageSimulator(storage, table, max_rate_w=5000.0, capacity_wh=10_000.0, now=fake_time)
    server = await serve(device)
    device.force(device.address_of(124, "InOutWRte_SF"), encode(-10, "sunssf"))
    config = client_config(mosquitto)
    telemetry = Inbox()
    controller = await connected("controller", config, inputs={"telemetry": telemetry})
    hardware = ModbusBattery(sunspec(server.port, table))
    service = AssetModuleService(MqttModuleClient("battery", ROUTES, config), hardware, Battery(),
                                 ManualClock(1_782_043_200.0), 1.0)
    try:
        await service.start()
        await service.run_cycle()
        await eventually(lambda: telemetry.messages)
        body = json.loads(telemetry.messages[-1].body)
        assert body["state"] == "FAULT"
        assert "SunSpec model 124 InOutWRte_SF: scale factor -10 outside -3..0" in body["fault_reason"]
        response = await controller.invoke_method("battery", "start_charging", {"power_w": 2000, "ttl_s": 30}, timeout_s=5)
        assert response.status == 409, response
        assert storage.power_w == 0.0  # nothing reached the device
    finally:
        await service.stop()
        await controller.close()
        await hardware.close()
